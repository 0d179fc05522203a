import type { AccountSummary } from '../core/accounts.ts';
import type { ActionKind } from '../core/actions.ts';
import type { Failure } from '../core/failures.ts';
import type { AccountSession } from '../core/session.ts';

/** An account as the schedulers see it: its summary plus the action kinds parked until a time. */
export interface PoolAccount extends AccountSummary {
  /** Epoch ms until which each action kind is closed for this account (FLOOD_WAIT). */
  parkedUntil: Partial<Record<ActionKind, number>>;
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
  /**
   * Records what a failure means for the account: `flood_wait` parks `kind` until it passes,
   * `peer_flood` takes the account out of private messages, revoked/banned/frozen set the status.
   * Other kinds change nothing about the account.
   */
  reportFailure(accountId: number, kind: ActionKind, failure: Failure): void;
  /** Marks the account as used now (for least-recently-used picking). */
  markUsed(accountId: number): void;
}
