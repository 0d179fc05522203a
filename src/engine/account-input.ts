import type { Parsed } from '../core/account-refs.ts';
import { stripInvisible } from '../core/text.ts';

/**
 * Login codes as operators type them (phones and account references live in core/account-refs).
 * Pure; the interfaces turn a problem into their own kind of error.
 */

/**
 * A login code as typed. Telegram invalidates a code pasted unchanged into a chat, so it is
 * asked for with separators: "1 2 3 4 5", "1-2-3-4-5", "1.2.3.4.5" all mean 12345.
 */
export function parseLoginCode(input: string, expectedLength?: number | null): Parsed<string> {
  const stripped = stripInvisible(input).trim().replace(/[\s.\-_,/|]+/g, '');
  if (stripped === '') return { ok: false, problem: 'the code is empty' };
  if (!/^\d+$/.test(stripped)) return { ok: false, problem: 'the code has only digits (separators like spaces or dashes are fine)' };
  if (stripped.length < 4 || stripped.length > 8) return { ok: false, problem: `a login code has 5 digits (sometimes 4 to 8); this one has ${stripped.length}` };
  if (expectedLength && stripped.length !== expectedLength) return { ok: false, problem: `Telegram sent a ${expectedLength}-digit code; this one has ${stripped.length} digits` };
  return { ok: true, value: stripped };
}
