/**
 * The session formats an import understands. Pure, so the CLI can list and check them without
 * loading the importers (and mtcute behind them).
 */
/** In the order auto-detection tries them (GramJS before Telethon: a GramJS string can have a Telethon length). */
export const STRING_FORMATS = ['mtcute', 'gramjs', 'telethon', 'pyrogram', 'mtkruto'] as const;
export type StringFormat = (typeof STRING_FORMATS)[number];
export const IMPORT_FORMATS = [...STRING_FORMATS, 'telethon-file', 'pyrogram-file', 'tdata'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export function isImportFormat(s: string): s is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(s);
}
