/**
 * Text that operators paste and text the panel shows back. Names copied out of Telegram (above
 * all from right-to-left chats) carry direction marks and zero-width characters the operator
 * cannot see; identifiers are compared without them, and anything invisible is shown escaped so
 * an error explains itself and no raw control byte reaches a terminal.
 */

// Unicode "format" characters: LRM/RLM, ZWSP/ZWNJ/ZWJ, LRE…PDF, LRI…PDI, BOM, soft hyphen, tags.
const FORMAT = /\p{Cf}/gu;

/**
 * Removes invisible format characters. For identifiers only (usernames, links, phones, account
 * references): in free text and emoji a zero-width joiner is meaningful.
 */
export function stripInvisible(text: string): string {
  return text.replace(FORMAT, '');
}

// Controls, format characters, lone surrogates, private use, line/paragraph separators, and
// spaces other than the ASCII one: none of these shows what it is.
const UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]|(?! )\p{Zs}/gu;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const short = SHORT[c];
  if (short !== undefined) return short;
  const cp = c.codePointAt(0)!;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/** The text with every invisible or control character written as an escape (`\u200f`). */
export function escapeInvisible(text: string): string {
  return text.replace(UNSHOWABLE, escapeChar);
}

/**
 * A message made for a terminal, whatever it holds: as `escapeInvisible`, but line breaks stay
 * line breaks. The last guard for messages that echo input without `quoteInput`.
 */
export function forTerminal(text: string): string {
  return text.replace(UNSHOWABLE, (c) => (c === '\n' ? c : escapeChar(c)));
}

/**
 * How an error message echoes what the operator typed: in quotes, clipped to `max` characters
 * (whole code points), invisible characters escaped. Every message that repeats input uses it.
 */
export function quoteInput(text: string, max = 40): string {
  const chars = Array.from(text);
  const clipped = chars.length > max ? chars.slice(0, max).join('') + '…' : text;
  return `"${escapeInvisible(clipped)}"`;
}
