import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';

export interface Button {
  text: string;
  /** A callback route built with `cb()`. */
  data?: string;
  url?: string;
}

export type Keyboard = Button[][];

/** What one menu screen shows: plain text (no parse mode, so nothing typed can break markup). */
export interface View {
  text: string;
  keyboard?: Keyboard;
}

/**
 * Bumped whenever routes or their arguments change meaning: buttons on messages sent by an older
 * version then answer "this menu has expired" instead of doing something else.
 */
export const MENU_VERSION = 1;
const PREFIX = `m${MENU_VERSION}`;

/** Telegram's limit on callback data. */
const MAX_DATA = 64;

export function cb(route: string, ...args: Array<string | number>): string {
  const data = [PREFIX, route, ...args.map(String)].join(':');
  if (Buffer.byteLength(data) > MAX_DATA) throw new Error(`callback data too long for route ${route}`);
  return data;
}

export type ParsedCallback = { kind: 'menu'; route: string; args: string[] } | { kind: 'stale' } | { kind: 'foreign'; data: string };

/** Splits callback data; menu data from another version is stale, other namespaces are foreign. */
export function parseCb(data: string): ParsedCallback {
  const parts = data.split(':');
  const head = parts[0] ?? '';
  if (/^m\d+$/.test(head)) {
    if (head !== PREFIX || parts.length < 2) return { kind: 'stale' };
    return { kind: 'menu', route: parts[1]!, args: parts.slice(2) };
  }
  return { kind: 'foreign', data };
}

export function button(text: string, data: string): Button {
  return { text, data };
}

export function toMarkup(keyboard: Keyboard | undefined): InlineKeyboardMarkup {
  return {
    inline_keyboard: (keyboard ?? []).map((row) =>
      row.map((b): InlineKeyboardButton => (b.url !== undefined ? { text: b.text, url: b.url } : { text: b.text, callback_data: b.data ?? cb('home') })),
    ),
  };
}

/** Lays buttons out `perRow` to a row. */
export function grid(buttons: Button[], perRow: number): Keyboard {
  const rows: Keyboard = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return rows;
}

/** A fingerprint of what a message shows, to skip edits that would change nothing. */
export function fingerprint(view: View): string {
  return JSON.stringify([view.text, toMarkup(view.keyboard)]);
}

/** Telegram's limit on a message's text, in UTF-16 code units. */
export const MAX_TEXT = 4096;

/** Cuts text to Telegram's limit without splitting a surrogate pair. */
export function clip(text: string, max = MAX_TEXT): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + '…';
}
