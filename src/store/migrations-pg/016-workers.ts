import type { Migration } from '../migration.ts';

/** SQLite's 016-workers: the workers table, and the lease scope 'role' (PostgreSQL alters the check in place). */
export const workers: Migration = {
  version: 16,
  name: 'workers',
  sql: `
    CREATE TABLE workers (
      owner TEXT PRIMARY KEY,
      host TEXT NOT NULL,
      pid BIGINT NOT NULL,
      started_at BIGINT NOT NULL,
      heartbeat_at BIGINT NOT NULL,
      ttl_ms BIGINT NOT NULL,
      accounts_held BIGINT NOT NULL DEFAULT 0,
      pin TEXT NOT NULL DEFAULT '',
      roles TEXT NOT NULL DEFAULT '',
      version TEXT NOT NULL DEFAULT ''
    );
    ALTER TABLE leases DROP CONSTRAINT leases_scope_check;
    ALTER TABLE leases ADD CONSTRAINT leases_scope_check CHECK (scope IN ('account', 'campaign', 'role'));
  `,
};
