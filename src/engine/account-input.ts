import type { AccountSummary } from '../core/accounts.ts';
import { normalizeUsername } from '../core/usernames.ts';

/**
 * What operators type about accounts: phone numbers, login codes, and references to stored
 * accounts. Pure; the interfaces turn a problem into their own kind of error.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** "+1 (555) 000-1234", "0015550001234" or "15550001234" -> "+15550001234". */
export function parsePhone(input: string): Parsed<string> {
  const raw = input.trim();
  if (raw === '') return { ok: false, problem: 'the phone number is empty' };
  if (!/^(\+|00)?[\d\s().-]+$/.test(raw)) return { ok: false, problem: `"${raw.slice(0, 30)}" is not a phone number: use digits with the country code, e.g. +15551234567` };
  const digits = raw.replace(/^00/, '').replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return { ok: false, problem: `"${raw.slice(0, 30)}" has ${digits.length} digits; an international number has 7 to 15 with the country code` };
  if (digits.startsWith('0')) return { ok: false, problem: `"${raw.slice(0, 30)}" must start with the country code, not 0` };
  return { ok: true, value: '+' + digits };
}

/**
 * A login code as typed. Telegram invalidates a code pasted unchanged into a chat, so it is
 * asked for with separators: "1 2 3 4 5", "1-2-3-4-5", "1.2.3.4.5" all mean 12345.
 */
export function parseLoginCode(input: string, expectedLength?: number | null): Parsed<string> {
  const stripped = input.trim().replace(/[\s.\-_,/|]+/g, '');
  if (stripped === '') return { ok: false, problem: 'the code is empty' };
  if (!/^\d+$/.test(stripped)) return { ok: false, problem: 'the code has only digits (separators like spaces or dashes are fine)' };
  if (stripped.length < 4 || stripped.length > 8) return { ok: false, problem: `a login code has 5 digits (sometimes 4 to 8); this one has ${stripped.length}` };
  if (expectedLength && stripped.length !== expectedLength) return { ok: false, problem: `Telegram sent a ${expectedLength}-digit code; this one has ${stripped.length} digits` };
  return { ok: true, value: stripped };
}

/** An account named by id ("3" or "#3"), phone ("+1555…") or username ("@name"). */
export function findAccount(accounts: readonly AccountSummary[], ref: string): Parsed<AccountSummary> {
  const r = ref.trim();
  if (/^#?\d{1,9}$/.test(r)) {
    const id = Number(r.replace('#', ''));
    const a = accounts.find((x) => x.id === id);
    if (a) return { ok: true, value: a };
    if (!/^\d{7,}$/.test(r)) return { ok: false, problem: `there is no account #${id} (see: accounts list)` };
  }
  if (/^[+\d]/.test(r)) {
    const phone = parsePhone(r);
    if (phone.ok) {
      const a = accounts.find((x) => x.phone === phone.value);
      return a ? { ok: true, value: a } : { ok: false, problem: `no account has the phone ${phone.value} (see: accounts list)` };
    }
    return { ok: false, problem: phone.problem };
  }
  const name = normalizeUsername(r);
  if (name === '') return { ok: false, problem: 'name an account by id, phone or @username' };
  const matches = accounts.filter((x) => x.username === name);
  if (matches.length === 1) return { ok: true, value: matches[0]! };
  if (matches.length > 1) return { ok: false, problem: `several accounts are @${name}: use the id` };
  return { ok: false, problem: `no account is @${name} (see: accounts list)` };
}
