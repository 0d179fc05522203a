import type { AccountSummary } from '../core/accounts.ts';
import type { CallKind } from '../core/actions.ts';
import type { Failure } from '../core/failures.ts';
import type { AccountSession } from '../core/session.ts';

/** An account as the schedulers see it: its summary plus the action kinds parked until a time. */
export interface PoolAccount extends AccountSummary {
  /** Epoch ms until which each kind of call is closed for this account (FLOOD_WAIT). */
  parkedUntil: Partial<Record<CallKind, number>>;
  /** Another live panel process that holds the account's connection (`host/pid/random`); it cannot act here. */
  heldBy?: string | null;
}

/**
 * What operations and campaigns need from the fleet (implemented by engine/fleet.ts over the
 * store and live sessions; tests pass an in-memory one).
 */
export interface AccountPool {
  /** Every enabled account with its status and parks, least recently used first. */
  accounts(): PoolAccount[];
  /** The account's live session, connecting it when needed. Throws `TelegramFailure` when it cannot. */
  session(accountId: number): Promise<AccountSession>;
  /** Records what a failure met by `kind` of call means for the account (core/failure-policy.ts decides). */
  reportFailure(accountId: number, kind: CallKind, failure: Failure): void;
  /** Marks the account as used now (for least-recently-used picking). */
  markUsed(accountId: number): void;
}
