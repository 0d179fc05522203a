import type { AccountStatus } from './accounts.ts';
import type { CallKind } from './actions.ts';
import type { Failure, FailureKind } from './failures.ts';
import type { Reason } from './reasons.ts';
import { failureReason } from './stored-reasons.ts';

/**
 * What a refused campaign send (or a failure while getting ready to send) means for its row:
 * - `not_found` / `privacy_restricted`: final for the person, never retried;
 * - `park`: FLOOD_WAIT, the account waits, nothing went out;
 * - `peer_flood`: the account may not message strangers any more, nothing went out;
 * - `account_lost`: the account cannot go on (revoked, banned, frozen, duplicate session, disabled
 *   or removed): its lane stops and its unconfirmed claims become uncertain;
 * - `account_busy`: another process holds the account: its lane stops and its claims wait, still
 *   claimed, for a run that holds it;
 * - `refused`: this account may not message this person (blocked, not allowed); another may;
 * - `ambiguous`: the connection failed or Telegram had an internal error, so the message may
 *   have gone out: only the same account, with the same random_id, may try again.
 */
export type RowEffect = 'not_found' | 'privacy_restricted' | 'park' | 'peer_flood' | 'account_lost' | 'account_busy' | 'refused' | 'ambiguous';

export interface FailurePolicy {
  /**
   * The account status the failure sets: `call` when an action or check met it on a live session,
   * `connect` when it ended a connection attempt. `null`: the status stays. A `flood_wait` status
   * is only shown: what stops the account is the park of the one kind of call that met it.
   */
  status: { call: AccountStatus | null; connect: AccountStatus | null };
  /** The kind of call that met it is closed for the failure's `seconds` (FLOOD_WAIT is per method). */
  parksKind: boolean;
  /** The live connection is dropped at once: it cannot be used any more. */
  endsSession: boolean;
  /**
   * Whether the fleet connects the account again by itself: `backoff` (doubling waits),
   * `after_wait` (once the wait has passed), `operator` (never: someone must act first).
   */
  reconnect: 'backoff' | 'after_wait' | 'operator';
  /** The same account may try the same call again once the wait has passed. */
  retriedAfterWait: boolean;
  /** The failure says nothing about the target, so another account may take the work. */
  replaceable: boolean;
  /** The target refuses whoever asks: stop spending accounts on it (`first`: only before any success). */
  stopsOperation: 'always' | 'first' | 'never';
  /** What it does to a campaign row. */
  row: RowEffect;
}

const TARGET: Pick<FailurePolicy, 'status' | 'parksKind' | 'endsSession' | 'reconnect' | 'retriedAfterWait' | 'replaceable'> = {
  status: { call: null, connect: 'error' },
  parksKind: false,
  endsSession: false,
  reconnect: 'backoff',
  retriedAfterWait: false,
  replaceable: false,
};

const ACCOUNT_ENDED = (status: AccountStatus, reconnect: FailurePolicy['reconnect']): FailurePolicy => ({
  status: { call: status, connect: status },
  parksKind: false,
  endsSession: true,
  reconnect,
  retriedAfterWait: false,
  replaceable: true,
  stopsOperation: 'never',
  row: 'account_lost',
});

/** The account is out of this process's reach; nothing is recorded against it. */
const UNAVAILABLE = (row: RowEffect): FailurePolicy => ({
  status: { call: null, connect: null },
  parksKind: false,
  endsSession: false,
  reconnect: 'operator',
  retriedAfterWait: false,
  replaceable: true,
  stopsOperation: 'never',
  row,
});

/**
 * The one table of what each failure kind does. The fleet (statuses, parks, reconnects), the
 * operations engine (retry, replace, stop), campaign runs (rows, lanes) and health checks read
 * it; none of them decides by kind on its own.
 */
export const FAILURE_POLICY: Readonly<Record<FailureKind, FailurePolicy>> = {
  flood_wait: {
    status: { call: 'flood_wait', connect: 'flood_wait' },
    parksKind: true,
    endsSession: false,
    reconnect: 'after_wait',
    retriedAfterWait: true,
    replaceable: true,
    stopsOperation: 'never',
    row: 'park',
  },
  peer_flood: {
    status: { call: 'peer_flood', connect: 'peer_flood' },
    parksKind: false,
    endsSession: false,
    reconnect: 'backoff',
    retriedAfterWait: false,
    replaceable: true,
    stopsOperation: 'never',
    row: 'peer_flood',
  },
  revoked: ACCOUNT_ENDED('revoked', 'operator'),
  banned: ACCOUNT_ENDED('banned', 'operator'),
  frozen: ACCOUNT_ENDED('frozen', 'operator'),
  // Someone else used the session at the same time; it may be ours again once they stop.
  duplicate_session: ACCOUNT_ENDED('error', 'backoff'),
  not_found: { ...TARGET, stopsOperation: 'never', row: 'not_found' },
  privacy_restricted: { ...TARGET, stopsOperation: 'never', row: 'privacy_restricted' },
  not_allowed: { ...TARGET, stopsOperation: 'first', row: 'refused' },
  bad_request: { ...TARGET, stopsOperation: 'always', row: 'refused' },
  no_access: { ...TARGET, stopsOperation: 'never', row: 'refused' },
  network: { ...TARGET, replaceable: true, stopsOperation: 'never', row: 'ambiguous' },
  proxy: { ...TARGET, replaceable: true, stopsOperation: 'never', row: 'ambiguous' },
  unknown: { ...TARGET, stopsOperation: 'never', row: 'ambiguous' },
  lease_held: UNAVAILABLE('account_busy'),
  disabled: UNAVAILABLE('account_lost'),
  no_account: UNAVAILABLE('account_lost'),
};

export function policyOf(kind: FailureKind): FailurePolicy {
  return FAILURE_POLICY[kind];
}

/** Statuses set by failures that end the account until the operator acts (never reconnected by itself). */
export function statusNeedsOperator(status: AccountStatus): boolean {
  return OPERATOR_STATUSES.has(status);
}

const OPERATOR_STATUSES: ReadonlySet<AccountStatus> = new Set(
  Object.values(FAILURE_POLICY)
    .filter((p) => p.reconnect === 'operator' && p.status.connect !== null)
    .map((p) => p.status.connect!),
);

/** What applying one failure to one account changes. */
export interface FailureEffect {
  /** Close `kind` on this account until `until` (FLOOD_WAIT). */
  park: { kind: CallKind; until: number } | null;
  /** The new status, or null when the current one stays. */
  status: { status: AccountStatus; reason: Reason; until: number | null } | null;
  /** Drop the live connection now. */
  endsSession: boolean;
}

/** How strongly a status speaks about the account: a failure never replaces a stronger one. */
const STATUS_RANK: Record<AccountStatus, number> = {
  active: 0,
  connecting: 0,
  flood_wait: 1,
  peer_flood: 2,
  error: 2,
  disabled: 3,
  revoked: 4,
  banned: 4,
  frozen: 4,
};

/** A flood wait without a time: Telegram always sends one, so this only guards a malformed answer. */
const DEFAULT_WAIT_S = 60;

/** When a flood wait met at `now` lifts. */
export function waitUntil(f: Failure, now: number): number {
  return now + Math.max(1, f.seconds ?? DEFAULT_WAIT_S) * 1000;
}

/**
 * What `f`, met by `kind` of call (`when` a call on a live session or a connection attempt),
 * does to an account whose status is `cur`. The fleet applies it to the store; test fakes of
 * the pool apply it in memory, so both follow the same rules.
 */
export function failureEffect(cur: { status: AccountStatus; until: number | null }, kind: CallKind, f: Failure, now: number, when: 'call' | 'connect'): FailureEffect {
  const p = FAILURE_POLICY[f.kind];
  const park = p.parksKind ? { kind, until: waitUntil(f, now) } : null;
  const next = p.status[when];
  let status: FailureEffect['status'] = null;
  if (next !== null) {
    if (next === 'flood_wait') {
      // Shown while any kind waits; it never hides a stronger status.
      if (STATUS_RANK[cur.status] <= STATUS_RANK.flood_wait) {
        const until = Math.max(park?.until ?? 0, cur.status === 'flood_wait' && cur.until !== null ? cur.until : 0);
        status = { status: 'flood_wait', reason: { code: 'account_flood_wait', params: { code: f.code, call: kind } }, until };
      }
    } else if (STATUS_RANK[next] >= STATUS_RANK[cur.status] || (when === 'connect' && !statusNeedsOperator(cur.status))) {
      status = { status: next, reason: failureReason(f), until: null };
    }
  }
  return { park, status, endsSession: p.endsSession };
}
