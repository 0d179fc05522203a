import type { Migration } from '../migration.ts';

/**
 * One row per bulk action and one per account that took part. Results keep the account id
 * without a foreign key: the record outlives an account that is removed later.
 */
export const operations: Migration = {
  version: 3,
  name: 'operations',
  sql: `
    CREATE TABLE operations (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      spec TEXT NOT NULL,
      selection TEXT NOT NULL,
      actor TEXT NOT NULL,
      -- The process running it (host/pid/random), so work left by a killed process can be told apart.
      owner TEXT,
      status TEXT NOT NULL,
      planned INTEGER NOT NULL,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      stop_reason TEXT
    );
    CREATE INDEX operations_started ON operations (started_at);
    CREATE TABLE operation_results (
      operation_id INTEGER NOT NULL REFERENCES operations (id) ON DELETE CASCADE,
      account_id INTEGER NOT NULL,
      status TEXT NOT NULL,
      at INTEGER NOT NULL,
      attempts INTEGER NOT NULL,
      replaced INTEGER NOT NULL DEFAULT 0,
      detail TEXT,
      failure_kind TEXT,
      failure_code TEXT,
      failure_message TEXT,
      failure_seconds INTEGER,
      PRIMARY KEY (operation_id, account_id)
    );
  `,
};
