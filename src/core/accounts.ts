import type { Reason } from './reasons.ts';

/** Where an account stands. Persisted with the time it was set and a reason. */
export type AccountStatus =
  | 'active'
  | 'disabled'
  | 'connecting'
  | 'flood_wait'
  | 'peer_flood'
  | 'revoked'
  | 'banned'
  | 'frozen'
  | 'error';

export const ACCOUNT_STATUSES: readonly AccountStatus[] = [
  'active',
  'disabled',
  'connecting',
  'flood_wait',
  'peer_flood',
  'revoked',
  'banned',
  'frozen',
  'error',
];

/** Statuses that need the operator (re-login, appeal, remove); the panel never deletes these. */
export const PROBLEM_STATUSES: readonly AccountStatus[] = ['revoked', 'banned', 'frozen'];

export interface AccountSummary {
  id: number;
  phone: string;
  /** Telegram user id of the account. */
  userId: number;
  username: string | null;
  firstName: string;
  status: AccountStatus;
  /** The reason in English words (what the CLI prints; rows from before reason codes have only these). */
  statusReason: string | null;
  /** The reason as a code each interface words in its language; absent or null where none is kept. */
  statusReasonCode?: Reason | null;
  statusSince: number;
  /** For `flood_wait`: epoch ms when it lifts. */
  statusUntil: number | null;
  enabled: boolean;
  proxyUrl: string | null;
  groupsCount: number;
  lastUsedAt: number | null;
  createdAt: number;
  /** The operator's tags, sorted (core/tags.ts); absent where the source keeps none. */
  tags?: string[];
  /** Sessions other than the panel's own at the last count (null: never counted). */
  otherSessions?: number | null;
}

/**
 * How every interface names an account: `#12 +15551234567 @name`. Leave `phone` out where the
 * number must not travel (forwarded hits); without a username the first name stands in.
 */
export function accountLabel(a: { id: number; phone?: string | null; username?: string | null; firstName?: string | null }): string {
  const name = a.username ? `@${a.username}` : (a.firstName ?? '').trim();
  return [`#${a.id}`, a.phone ?? '', name].filter((p) => p !== '').join(' ');
}
