import type { Db } from './sql.ts';

/** One worker's row: who it is, since when, its last heartbeat and what it held then. */
export interface WorkerRow {
  owner: string;
  host: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
  /** How long one heartbeat counts: past heartbeatAt + ttlMs the worker is dead. */
  ttlMs: number;
  accountsHeld: number;
  /** The pin filter as text (core/worker-pin.ts); '' for every account. */
  pin: string;
  roles: string[];
  version: string;
}

interface Row {
  owner: string;
  host: string;
  pid: number;
  started_at: number;
  heartbeat_at: number;
  ttl_ms: number;
  accounts_held: number;
  pin: string;
  roles: string;
  version: string;
}

const toRow = (r: Row): WorkerRow => ({
  owner: r.owner,
  host: r.host,
  pid: r.pid,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
  ttlMs: r.ttl_ms,
  accountsHeld: r.accounts_held,
  pin: r.pin,
  roles: r.roles === '' ? [] : r.roles.split(','),
  version: r.version,
});

/** The workers table: each `start` registers, beats and removes its own row; any process reads them all. */
export class WorkerStore {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      register: db.prepare<[string, string, number, number, number, number, number, string, string, string]>(
        `INSERT INTO workers (owner, host, pid, started_at, heartbeat_at, ttl_ms, accounts_held, pin, roles, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (owner) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at,
           ttl_ms = excluded.ttl_ms, accounts_held = excluded.accounts_held, pin = excluded.pin, roles = excluded.roles, version = excluded.version`,
      ),
      beat: db.prepare<[number, number, string, string]>('UPDATE workers SET heartbeat_at = ?, accounts_held = ?, roles = ? WHERE owner = ?'),
      remove: db.prepare<[string]>('DELETE FROM workers WHERE owner = ?'),
      prune: db.prepare<[number]>('DELETE FROM workers WHERE heartbeat_at < ?'),
      all: db.prepare<[], Row>('SELECT owner, host, pid, started_at, heartbeat_at, ttl_ms, accounts_held, pin, roles, version FROM workers ORDER BY started_at, owner'),
      one: db.prepare<[string], Row>('SELECT owner, host, pid, started_at, heartbeat_at, ttl_ms, accounts_held, pin, roles, version FROM workers WHERE owner = ?'),
    };
  }

  register(w: WorkerRow): void {
    this.sql.register.run(w.owner, w.host, w.pid, w.startedAt, w.heartbeatAt, w.ttlMs, w.accountsHeld, w.pin, w.roles.join(','), w.version);
  }

  /** Returns false when the row is gone (removed by hand): the caller registers again. */
  beat(owner: string, now: number, accountsHeld: number, roles: readonly string[]): boolean {
    return this.sql.beat.run(now, accountsHeld, roles.join(','), owner).changes > 0;
  }

  remove(owner: string): void {
    this.sql.remove.run(owner);
  }

  /** Forgets rows whose last heartbeat is older than `before` (workers long dead). */
  prune(before: number): number {
    return this.sql.prune.run(before).changes;
  }

  all(): WorkerRow[] {
    return this.sql.all.all().map(toRow);
  }

  get(owner: string): WorkerRow | undefined {
    const r = this.sql.one.get(owner);
    return r ? toRow(r) : undefined;
  }
}
