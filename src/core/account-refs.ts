import type { AccountSummary } from './accounts.ts';
import { quoteInput, stripInvisible } from './text.ts';
import { normalizeUsername, usernameProblem } from './usernames.ts';

/**
 * How operators name the fleet's accounts, the same in every interface: by panel id (`3`, `#3`),
 * by phone (`+1 555 000 1234`) or by `@username`. Pure; callers turn a problem into their error.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export type AccountRef = { kind: 'id'; id: number } | { kind: 'phone'; phone: string } | { kind: 'username'; username: string };

type Named = Pick<AccountSummary, 'id' | 'phone' | 'username'>;

/**
 * Up to six bare digits are a panel id (a fleet never reaches a million accounts); more digits,
 * or a leading `+` or `00`, are a phone number (7 to 15 digits), so no reference means both.
 */
const BARE_ID = /^\d{1,6}$/;
const HASH_ID = /^#\d{1,15}$/;
const PHONE_LIKE = /^(\+|00)?[\d\s().-]+$/;

/** "+1 (555) 000-1234", "0015550001234" or "15550001234" -> "+15550001234". */
export function parsePhone(input: string): Parsed<string> {
  const raw = stripInvisible(input).trim();
  if (raw === '') return { ok: false, problem: 'the phone number is empty' };
  if (!PHONE_LIKE.test(raw)) return { ok: false, problem: `${quoteInput(raw, 30)} is not a phone number: use digits with the country code, e.g. +15551234567` };
  const digits = raw.replace(/^00/, '').replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return { ok: false, problem: `${quoteInput(raw, 30)} has ${digits.length} digits; an international number has 7 to 15 with the country code` };
  if (digits.startsWith('0')) return { ok: false, problem: `${quoteInput(raw, 30)} must start with the country code, not 0` };
  return { ok: true, value: '+' + digits };
}

/** Reads one account reference without looking at the fleet. */
export function parseAccountRef(input: string): Parsed<AccountRef> {
  const r = stripInvisible(input).trim();
  if (r === '') return { ok: false, problem: 'name an account by id, phone or @username' };
  if (HASH_ID.test(r) || BARE_ID.test(r)) {
    const id = Number(r.replace('#', ''));
    return id >= 1 && Number.isSafeInteger(id) ? { ok: true, value: { kind: 'id', id } } : { ok: false, problem: `${quoteInput(r)} is not an account id (ids start at 1)` };
  }
  if (PHONE_LIKE.test(r)) {
    const phone = parsePhone(r);
    return phone.ok ? { ok: true, value: { kind: 'phone', phone: phone.value } } : phone;
  }
  const username = normalizeUsername(r);
  if (usernameProblem(username) !== undefined) return { ok: false, problem: `${quoteInput(r)} is not an account id, phone or @username` };
  return { ok: true, value: { kind: 'username', username } };
}

const digitsOf = (phone: string): string => phone.replace(/\D/g, '');

/** The account `input` names, or why none does. */
export function findAccount<A extends Named>(accounts: readonly A[], input: string): Parsed<A> {
  const ref = parseAccountRef(input);
  if (!ref.ok) return ref;
  const r = ref.value;
  switch (r.kind) {
    case 'id': {
      const a = accounts.find((x) => x.id === r.id);
      return a ? { ok: true, value: a } : { ok: false, problem: `there is no account #${r.id} (see: accounts list)` };
    }
    case 'phone': {
      const a = accounts.find((x) => digitsOf(x.phone) === digitsOf(r.phone));
      return a ? { ok: true, value: a } : { ok: false, problem: `no account has the phone ${r.phone} (see: accounts list)` };
    }
    case 'username': {
      const matches = accounts.filter((x) => x.username !== null && x.username.toLowerCase() === r.username);
      if (matches.length === 1) return { ok: true, value: matches[0]! };
      if (matches.length > 1) return { ok: false, problem: `several accounts are @${r.username}: use the id` };
      return { ok: false, problem: `no account is @${r.username} (see: accounts list)` };
    }
  }
}

/**
 * Account ids for a list of references (each may hold several separated by commas), each id once,
 * in the order given. Every reference that names no account is reported, not just the first.
 */
export function resolveAccountRefs(accounts: readonly Named[], refs: readonly string[]): Parsed<number[]> {
  const ids: number[] = [];
  const problems: string[] = [];
  const parts = refs.flatMap((r) => r.split(',')).filter((r) => stripInvisible(r).trim() !== '');
  if (parts.length === 0) return { ok: false, problem: 'name at least one account by id, phone or @username' };
  for (const part of parts) {
    const found = findAccount(accounts, part);
    if (!found.ok) problems.push(found.problem);
    else if (!ids.includes(found.value.id)) ids.push(found.value.id);
  }
  return problems.length > 0 ? { ok: false, problem: problems.join('; ') } : { ok: true, value: ids };
}
