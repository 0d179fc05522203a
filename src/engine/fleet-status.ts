import type { AccountStatus } from '../core/accounts.ts';
import type { CallKind } from '../core/actions.ts';
import type { Clock } from '../core/clock.ts';
import { failureEffect, statusNeedsOperator, type FailureEffect } from '../core/failure-policy.ts';
import type { Failure } from '../core/failures.ts';
import type { Reason } from '../core/reasons.ts';
import { englishReason } from '../core/stored-reasons.ts';
import type { AccountStore } from '../store/accounts.ts';

/**
 * The fleet's account statuses: what a failure, a connection attempt or a connection does to
 * the stored status, by the rules of `core/failure-policy.ts`. Every change is announced.
 */
export class FleetStatus {
  constructor(
    private readonly store: AccountStore,
    private readonly clock: Clock,
    private readonly announce: (accountId: number, status: AccountStatus, reason: Reason | null) => void,
  ) {}

  set(accountId: number, status: AccountStatus, reason: Reason | null, until: number | null = null): void {
    this.store.setStatus(accountId, status, reason, this.clock.now(), until);
    this.announce(accountId, status, reason);
  }

  /** Applies what `f`, met by `kind` of call, means for the account; returns what it did (null: no such account). */
  apply(accountId: number, kind: CallKind, f: Failure, when: 'call' | 'connect'): FailureEffect | null {
    const cur = this.store.rawStatus(accountId);
    if (!cur) return null;
    const effect = failureEffect(cur, kind, f, this.clock.now(), when);
    if (effect.park) this.store.park(accountId, effect.park.kind, effect.park.until, f.code);
    const s = effect.status;
    if (s && (s.status !== cur.status || englishReason(s.reason) !== cur.reason || s.until !== cur.until)) this.set(accountId, s.status, s.reason, s.until);
    return effect;
  }

  /** Before a connection attempt (through the proxy labelled `proxy`): says so, unless a status that outlives connections is set. */
  connecting(accountId: number, proxy: string | null): void {
    const cur = this.store.rawStatus(accountId);
    if (cur && !statusNeedsOperator(cur.status) && cur.status !== 'peer_flood' && cur.status !== 'flood_wait') {
      this.set(accountId, 'connecting', proxy === null ? null : { code: 'account_connecting_proxy', params: { proxy } });
    }
  }

  /** Connected: active again, unless a limit that a connection does not lift is still in force. */
  connected(accountId: number): void {
    const now = this.clock.now();
    const cur = this.store.rawStatus(accountId);
    const keep = cur && (cur.status === 'peer_flood' || (cur.status === 'flood_wait' && (cur.until ?? 0) > now));
    if (!keep) this.set(accountId, 'active', null);
  }

  /** Whether the fleet may connect the account by itself (no operator action pending). */
  mayConnect(accountId: number): boolean {
    const a = this.store.rawStatus(accountId);
    return a !== undefined && a.enabled && !statusNeedsOperator(a.status);
  }
}
