import type { Db } from './db.ts';
import { idsFromJson } from './sql.ts';

/** What a lease is held on: an account's one connection, a campaign's one run, or a singleton role of one worker (engine/workers.ts). */
export type LeaseScope = 'account' | 'campaign' | 'role';

export interface LeaseHolder {
  owner: string;
  heartbeatAt: number;
  expiresAt: number;
}

export type LeaseResult = { ok: true } | { ok: false; holder: LeaseHolder };

/**
 * One live holder per resource across processes: a process holds the lease while it works on
 * the resource, renews it with a heartbeat, and gives it up when done. A lease whose holder
 * stopped renewing expires; `isDead` lets a caller take over at once from a holder it knows has
 * exited (same host, process gone). Accounts and campaigns use the same rule, one scope each.
 */
export class LeaseStore {
  private readonly sql;

  constructor(
    private readonly db: Db,
    readonly scope: LeaseScope = 'account',
  ) {
    this.sql = {
      holder: db.prepare<[LeaseScope, number], { owner: string; heartbeat_at: number; expires_at: number }>(
        'SELECT owner, heartbeat_at, expires_at FROM leases WHERE scope = ? AND resource_id = ?',
      ),
      // Taken when free, already ours, or expired; else nothing is written and no row comes back.
      take: db.prepare<[LeaseScope, number, string, number, number, number], { owner: string }>(
        `INSERT INTO leases (scope, resource_id, owner, acquired_at, heartbeat_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope, resource_id) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at,
           heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at
         WHERE leases.owner = excluded.owner OR leases.expires_at <= excluded.acquired_at
         RETURNING owner`,
      ),
      // From a holder known to be gone: only while that holder still has it.
      takeFrom: db.prepare<[string, number, number, number, LeaseScope, number, string], { owner: string }>(
        'UPDATE leases SET owner = ?, acquired_at = ?, heartbeat_at = ?, expires_at = ? WHERE scope = ? AND resource_id = ? AND owner = ? RETURNING owner',
      ),
      renew: db.prepare<[number, number, LeaseScope, string, string], { resource_id: number }>(
        `UPDATE leases SET heartbeat_at = ?, expires_at = ? WHERE scope = ? AND owner = ? AND resource_id IN (${idsFromJson(db)}) RETURNING resource_id`,
      ),
      release: db.prepare<[LeaseScope, number, string]>('DELETE FROM leases WHERE scope = ? AND resource_id = ? AND owner = ?'),
      releaseAll: db.prepare<[LeaseScope, string]>('DELETE FROM leases WHERE scope = ? AND owner = ?'),
      forget: db.prepare<[LeaseScope, number]>('DELETE FROM leases WHERE scope = ? AND resource_id = ?'),
      others: db.prepare<[LeaseScope, string, number], { resource_id: number; owner: string }>(
        'SELECT resource_id, owner FROM leases WHERE scope = ? AND owner <> ? AND expires_at > ?',
      ),
    };
  }

  /**
   * Takes the lease unless another owner holds it in force (not expired, not known dead). Each
   * step is one statement that checks and writes at once, so workers taking leases together never
   * both win, and need no transaction that PostgreSQL could fail for serialization.
   */
  acquire(id: number, owner: string, now: number, ttlMs: number, isDead: (owner: string) => boolean = () => false): LeaseResult {
    // Each pass either decides or saw another process change the row in between: it ends.
    for (;;) {
      if (this.sql.take.get(this.scope, id, owner, now, now, now + ttlMs)) return { ok: true };
      const cur = this.holder(id);
      if (!cur) continue;
      if (!isDead(cur.owner)) return { ok: false, holder: cur };
      if (this.sql.takeFrom.get(owner, now, now, now + ttlMs, this.scope, id, cur.owner)) return { ok: true };
    }
  }

  /** Extends the leases `owner` holds on `ids`; returns the ones it asked for but no longer holds. */
  renew(owner: string, ids: readonly number[], now: number, ttlMs: number): number[] {
    if (ids.length === 0) return [];
    // One statement, atomic on both engines: a worker renewing hundreds of leases in a transaction
    // of one UPDATE each failed PostgreSQL's serialization checks against other workers' takes.
    const kept = new Set(this.sql.renew.all(now, now + ttlMs, this.scope, owner, JSON.stringify(ids)).map((r) => r.resource_id));
    return ids.filter((id) => !kept.has(id));
  }

  release(id: number, owner: string): void {
    this.sql.release.run(this.scope, id, owner);
  }

  releaseAll(owner: string): void {
    this.sql.releaseAll.run(this.scope, owner);
  }

  /** Drops whatever lease the resource has: for a resource being deleted. */
  forget(id: number): void {
    this.sql.forget.run(this.scope, id);
  }

  holder(id: number): LeaseHolder | undefined {
    const r = this.sql.holder.get(this.scope, id);
    return r ? { owner: r.owner, heartbeatAt: r.heartbeat_at, expiresAt: r.expires_at } : undefined;
  }

  /** The owner other than `self` whose lease on the resource is in force now, else null. */
  liveHolder(id: number, self: string, now: number, isDead: (owner: string) => boolean): string | null {
    const h = this.holder(id);
    return h && h.owner !== self && h.expiresAt > now && !isDead(h.owner) ? h.owner : null;
  }

  /** Every resource whose lease another owner than `self` holds in force now, with that owner. */
  heldElsewhere(self: string, now: number, isDead: (owner: string) => boolean): Map<number, string> {
    const out = new Map<number, string>();
    const dead = new Map<string, boolean>();
    for (const r of this.sql.others.all(this.scope, self, now)) {
      let gone = dead.get(r.owner);
      if (gone === undefined) dead.set(r.owner, (gone = isDead(r.owner)));
      if (!gone) out.set(r.resource_id, r.owner);
    }
    return out;
  }
}
