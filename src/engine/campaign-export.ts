/**
 * The campaign export every interface hands out (the CLI's `campaign export`, the bot's export
 * buttons): one encoder, so a file from either is the same byte for byte, and one place that
 * decides which cells a spreadsheet could run as a formula.
 */
import { closeSync, constants, existsSync, fsyncSync, linkSync, lstatSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import { reason } from '../core/reasons.ts';
import { DB_FILE, KEY_FILE } from '../store/db.ts';
import type { ExportRow } from './campaigns.ts';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(v: string): v is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(v);
}

/**
 * How a column's cells are written. `text` may hold anything a person or Telegram typed and is
 * neutralised; the others hold values the panel produced or validated, which a leading quote
 * would corrupt (a phone `+1555…` must stay a phone).
 */
export type CellKind = 'text' | 'id' | 'time' | 'outcome' | 'account';

const COLUMNS: ReadonlyArray<{ header: string; kind: CellKind; value: (r: ExportRow) => string | number | null }> = [
  { header: 'username', kind: 'text', value: (r) => r.username },
  { header: 'outcome', kind: 'outcome', value: (r) => r.outcome },
  { header: 'account_id', kind: 'id', value: (r) => r.accountId },
  { header: 'account', kind: 'account', value: (r) => r.account },
  { header: 'time', kind: 'time', value: (r) => r.time },
  { header: 'error', kind: 'text', value: (r) => r.error },
];

/**
 * Spreadsheets run a cell that starts with = + - @ as a formula, and some treat a leading tab or
 * CR the same way after trimming; a leading apostrophe makes the cell plain text (OWASP's advice).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The form the account store keeps phones in (E.164, validated at login); a spreadsheet reads it as a number, not a formula. */
const STORED_PHONE = /^\+[1-9]\d{6,14}$/;

function isStoredPhone(s: string): boolean {
  return STORED_PHONE.test(s);
}

export function csvCell(kind: CellKind, v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  const free = kind === 'text' || (kind === 'account' && !isStoredPhone(s));
  if (free && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The export as text: CSV (RFC 4180 quoting, `\n` line ends) or a JSON array of rows. */
export function campaignExport(rows: Iterable<ExportRow>, format: ExportFormat): { text: string; count: number } {
  const list = [...rows];
  if (format === 'json') return { text: JSON.stringify(list, null, 2) + '\n', count: list.length };
  const lines = [COLUMNS.map((c) => c.header).join(',')];
  for (const r of list) lines.push(COLUMNS.map((c) => csvCell(c.kind, c.value(r))).join(','));
  return { text: lines.join('\n') + '\n', count: list.length };
}

/** A file name for the export that any file system takes (the bot's attachment name). */
export function exportFileName(campaignName: string, format: ExportFormat): string {
  return `campaign-${campaignName.replace(/[^\p{L}\p{N}_-]+/gu, '_').slice(0, 40)}.${format}`;
}

export interface WriteExportOptions {
  /** Replace a file that exists (never the panel's own files). */
  force: boolean;
  /** The data folder in use: its database and key are never written over. */
  dataDir: string;
  /** A file name to suggest when the path is a folder. */
  example?: string;
}

/** The real path of `p`, or of its folder joined with its name when `p` does not exist yet. */
function realPath(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

/**
 * Why `path` must never be written by an export, or undefined. The database, its WAL/journal
 * files and the key are matched by their real paths, so a relative path, `..` or a symlink that
 * lands on them is refused too.
 */
export function protectedFileProblem(path: string, dataDir: string): string | undefined {
  const found = protectedFile(path, dataDir);
  return found === undefined ? undefined : protectedEnglish(found);
}

function protectedEnglish(found: { file: 'key' | 'database'; location: string }): string {
  return `it is the panel's ${found.file === 'key' ? 'encryption key' : 'database'} (${found.location})`;
}

function protectedFile(path: string, dataDir: string): { file: 'key' | 'database'; location: string } | undefined {
  const target = realPath(path);
  const dir = realPath(dataDir);
  const name = basename(target);
  if (dirname(target) !== dir) return undefined;
  if (name === KEY_FILE) return { file: 'key', location: join(dir, KEY_FILE) };
  if (name === DB_FILE || name.startsWith(`${DB_FILE}-`)) return { file: 'database', location: join(dir, name) };
  return undefined;
}

function exists(path: string): InputError {
  return new InputError(`--out ${path} already exists; add --force to replace it, or pick another file`, reason('export_exists', { path }));
}

/** Refuses what `writeExportFile` would refuse, before any work is done. */
export function checkExportTarget(path: string, opts: WriteExportOptions): void {
  const guarded = protectedFile(path, opts.dataDir);
  if (guarded !== undefined) {
    throw new InputError(`--out ${path}: ${protectedEnglish(guarded)}; an export never writes there. Pick another file`, reason('export_protected', { path, ...guarded }));
  }
  let st;
  try {
    st = lstatSync(path);
  } catch {
    st = undefined;
  }
  if (st) {
    const target = st.isSymbolicLink() && existsSync(path) ? statSync(path) : st;
    const example = join(path, opts.example ?? 'campaign.csv');
    if (target.isDirectory()) throw new InputError(`--out ${path} is a folder; give a file path, e.g. ${example}`, reason('export_is_folder', { path, example }));
    if (!opts.force) throw exists(path);
    if (!target.isFile()) throw new InputError(`--out ${path} is not a regular file; pick another file`, reason('export_not_file', { path }));
  }
  const parent = dirname(resolve(path));
  if (!existsSync(parent) || !statSync(parent).isDirectory()) {
    throw new InputError(`--out ${path}: the folder ${parent} does not exist; create it first or pick another path`, reason('export_no_folder', { path, folder: parent }));
  }
}

/**
 * Writes the export to a temporary file beside `path` and renames it over, so a reader never
 * sees half a file and an interrupted export leaves the old file as it was. A symlink at `path`
 * is replaced by the file, never followed to whatever it points at.
 */
export function writeExportFile(path: string, text: string, opts: WriteExportOptions): void {
  checkExportTarget(path, opts);
  const dest = resolve(path);
  const tmp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    if (opts.force) renameSync(tmp, dest);
    else {
      // link() refuses an existing name atomically: a file that appeared since the check survives.
      try {
        linkSync(tmp, dest);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw exists(path);
        // A file system without hard links (FAT, some network mounts): check, then rename.
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
        if (existsSync(dest)) throw exists(path);
        renameSync(tmp, dest);
      }
      rmSync(tmp, { force: true });
    }
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    if (e instanceof InputError) throw e;
    const detail = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new InputError(`cannot write --out ${path} (${detail}): pick a file you can write`, reason('export_write_failed', { path, detail }));
  }
}
