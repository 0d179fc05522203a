import type { FailureKind } from '../../core/failures.ts';
import { iso } from './bidi.ts';

/** What went wrong with Telegram, by kind, in English words a person reads (not the adapter's sentence). */
export const FAILURES_EN: Record<FailureKind, string> = {
  flood_wait: 'Telegram asks this account to wait',
  peer_flood: 'Telegram limits this account from messaging strangers for now',
  revoked: 'the session was revoked (logged out); add the account again',
  banned: 'the account is banned or deleted',
  frozen: 'the account is frozen and can only appeal',
  duplicate_session: 'the session was used from two places at once and Telegram ended it; add the account again',
  not_found: 'not found (no such user, chat or message)',
  privacy_restricted: "the person's privacy settings forbid this",
  not_allowed: 'not allowed there',
  bad_request: 'Telegram refused the request as invalid',
  no_access: 'the account cannot see that chat',
  network: 'network problem; try again later',
  proxy: "the account's proxy does not work",
  unknown: 'Telegram refused',
  lease_held: 'another telegram-panel process holds this account now',
  disabled: 'the account is disabled',
  no_account: 'there is no such account (removed meanwhile?)',
};

/** A wait in short English, rounded to what a person plans by. */
export function durationEn(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** A Telegram failure in English: its kind, how long a flood wait lasts, and Telegram's code. */
export function failureEn(kind: FailureKind, code: string, seconds?: number): string {
  return `${FAILURES_EN[kind]}${kind === 'flood_wait' && seconds !== undefined ? ` (${durationEn(seconds)})` : ''} [${iso(code)}]`;
}
