import { EventEmitter } from 'node:events';
import { PgDatabase } from './pg/pg-database.ts';
import type { Db } from './sql.ts';

/** What changed: work rows for accounts, campaign states, account leases, progress of a run, the monitor's outbox. */
export type WakeTopic = 'work' | 'campaigns' | 'leases' | 'progress' | 'outbox';

/**
 * Wake-ups between the parts of a panel, so a worker reacts to new work at once instead of at its
 * next poll. On PostgreSQL they reach every worker (NOTIFY, delivered when the writer's transaction
 * commits); on the SQLite file only this process hears them, so callers keep a slow poll as well
 * (another process may have written), which on PostgreSQL only covers a lost listener connection.
 */
export interface Wakeups {
  readonly crossProcess: boolean;
  notify(topic: WakeTopic, payload?: string): void;
  /** Returns the unsubscribe function. */
  on(topic: WakeTopic, fn: (payload: string) => void): () => void;
}

const CHANNEL_PREFIX = 'telegram_panel_';
const byDb = new WeakMap<Db, Wakeups>();

/** One per database handle, so a process LISTENs on one connection whatever number of callers. */
export function wakeupsFor(db: Db): Wakeups {
  let w = byDb.get(db);
  if (!w) {
    w = db instanceof PgDatabase ? new PgWakeups(db) : new LocalWakeups();
    byDb.set(db, w);
  }
  return w;
}

class LocalWakeups implements Wakeups {
  readonly crossProcess = false;
  private readonly bus = new EventEmitter<Record<WakeTopic, [string]>>().setMaxListeners(0);

  notify(topic: WakeTopic, payload = ''): void {
    // After the caller's transaction and stack unwind, as NOTIFY is delivered after COMMIT.
    setImmediate(() => this.bus.emit(topic, payload));
  }

  on(topic: WakeTopic, fn: (payload: string) => void): () => void {
    this.bus.on(topic, fn);
    return () => this.bus.off(topic, fn);
  }
}

class PgWakeups implements Wakeups {
  readonly crossProcess = true;
  private readonly bus = new EventEmitter<Record<string, [string]>>().setMaxListeners(0);
  private readonly listening = new Set<WakeTopic>();

  constructor(private readonly db: PgDatabase) {
    db.pg.on('notification', (channel, payload) => {
      if (channel.startsWith(CHANNEL_PREFIX)) this.bus.emit(channel.slice(CHANNEL_PREFIX.length), payload);
    });
  }

  notify(topic: WakeTopic, payload = ''): void {
    this.db.prepare<[string, string]>('SELECT pg_notify(?, ?)').get(CHANNEL_PREFIX + topic, payload);
  }

  on(topic: WakeTopic, fn: (payload: string) => void): () => void {
    if (!this.listening.has(topic)) {
      this.db.pg.listen(CHANNEL_PREFIX + topic);
      this.listening.add(topic);
    }
    this.bus.on(topic, fn);
    return () => this.bus.off(topic, fn);
  }
}
