import type { Migration } from '../migration.ts';

/**
 * Every `start` is a worker: it keeps a row here while it runs (its heartbeat says it is alive,
 * `ttl_ms` how long a beat counts) and removes it on a clean stop; a row left by a worker that
 * died shows as dead. Singleton roles (the bot's polling, the outbox sender, the scheduler) are
 * leases of the new scope 'role', which needs the leases table's check rebuilt (SQLite cannot
 * alter a CHECK).
 */
export const workers: Migration = {
  version: 16,
  name: 'workers',
  sql: `
    CREATE TABLE workers (
      owner TEXT PRIMARY KEY,
      host TEXT NOT NULL,
      pid INTEGER NOT NULL,
      started_at INTEGER NOT NULL,
      heartbeat_at INTEGER NOT NULL,
      ttl_ms INTEGER NOT NULL,
      accounts_held INTEGER NOT NULL DEFAULT 0,
      pin TEXT NOT NULL DEFAULT '',
      roles TEXT NOT NULL DEFAULT '',
      version TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE leases_016 (
      scope TEXT NOT NULL CHECK (scope IN ('account', 'campaign', 'role')),
      resource_id INTEGER NOT NULL,
      owner TEXT NOT NULL,
      acquired_at INTEGER NOT NULL,
      heartbeat_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (scope, resource_id)
    );
    INSERT INTO leases_016 (scope, resource_id, owner, acquired_at, heartbeat_at, expires_at)
      SELECT scope, resource_id, owner, acquired_at, heartbeat_at, expires_at FROM leases;
    DROP TABLE leases;
    ALTER TABLE leases_016 RENAME TO leases;
    CREATE INDEX leases_owner ON leases (owner);
  `,
};
