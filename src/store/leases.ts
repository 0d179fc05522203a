import type { Db } from './db.ts';

export interface LeaseHolder {
  owner: string;
  heartbeatAt: number;
  expiresAt: number;
}

export type LeaseResult = { ok: true } | { ok: false; holder: LeaseHolder };

/**
 * One live connection per account across processes: a process holds an account's lease while
 * it is connected, renews it with a heartbeat, and gives it up on disconnect. A lease whose
 * holder stopped renewing expires; `isDead` lets a caller take over at once from a holder it
 * knows has exited (same host, process gone).
 */
export class LeaseStore {
  constructor(private readonly db: Db) {}

  acquire(accountId: number, owner: string, now: number, ttlMs: number, isDead: (owner: string) => boolean = () => false): LeaseResult {
    return this.db.transaction((): LeaseResult => {
      const cur = this.holder(accountId);
      if (cur && cur.owner !== owner && cur.expiresAt > now && !isDead(cur.owner)) return { ok: false, holder: cur };
      this.db
        .prepare(
          `INSERT INTO account_leases (account_id, owner, acquired_at, heartbeat_at, expires_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (account_id) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at,
             heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
        )
        .run(accountId, owner, now, now, now + ttlMs);
      return { ok: true };
    }).immediate();
  }

  /** Extends every lease `owner` holds; returns the accounts it asked for but no longer holds. */
  renew(owner: string, accountIds: readonly number[], now: number, ttlMs: number): number[] {
    return this.db.transaction(() => {
      const upd = this.db.prepare('UPDATE account_leases SET heartbeat_at = ?, expires_at = ? WHERE account_id = ? AND owner = ?');
      return accountIds.filter((id) => upd.run(now, now + ttlMs, id, owner).changes === 0);
    }).immediate();
  }

  release(accountId: number, owner: string): void {
    this.db.prepare('DELETE FROM account_leases WHERE account_id = ? AND owner = ?').run(accountId, owner);
  }

  releaseAll(owner: string): void {
    this.db.prepare('DELETE FROM account_leases WHERE owner = ?').run(owner);
  }

  /** The owner other than `self` whose lease on the account is in force now, else null. */
  liveHolder(accountId: number, self: string, now: number, isDead: (owner: string) => boolean): string | null {
    const h = this.holder(accountId);
    return h && h.owner !== self && h.expiresAt > now && !isDead(h.owner) ? h.owner : null;
  }

  /** Every account whose lease another owner than `self` holds in force now, with that owner. */
  heldElsewhere(self: string, now: number, isDead: (owner: string) => boolean): Map<number, string> {
    const out = new Map<number, string>();
    const dead = new Map<string, boolean>();
    const rows = this.db
      .prepare<[string, number], { account_id: number; owner: string }>('SELECT account_id, owner FROM account_leases WHERE owner <> ? AND expires_at > ?')
      .all(self, now);
    for (const r of rows) {
      let gone = dead.get(r.owner);
      if (gone === undefined) dead.set(r.owner, (gone = isDead(r.owner)));
      if (!gone) out.set(r.account_id, r.owner);
    }
    return out;
  }

  holder(accountId: number): LeaseHolder | undefined {
    const r = this.db
      .prepare<[number], { owner: string; heartbeat_at: number; expires_at: number }>(
        'SELECT owner, heartbeat_at, expires_at FROM account_leases WHERE account_id = ?',
      )
      .get(accountId);
    return r ? { owner: r.owner, heartbeatAt: r.heartbeat_at, expiresAt: r.expires_at } : undefined;
  }
}
