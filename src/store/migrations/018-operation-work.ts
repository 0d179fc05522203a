import type { Migration } from '../migration.ts';

/**
 * An operation's part for an account another worker holds is a row that worker executes:
 * `queued -> running(owner) -> done | cancelled`. `attempts` counts attempts begun, so a row left
 * by a dead executor is queued again only when nothing may have happened (none begun, or the last
 * one known to have failed with a wait). Whether a holder will run its rows is read from the
 * `workers` table (migration 16): every `start` is a worker and runs an executor, so a second
 * liveness table would only say the same thing on a different heartbeat.
 *
 * `operation_photos` holds a profile edit's photo as the caller read and checked it: a worker on
 * another machine uploads these bytes and never opens the caller's file path.
 */
export const operationWork: Migration = {
  version: 18,
  name: 'operation-work',
  sql: `
    CREATE TABLE operation_work (
      id INTEGER PRIMARY KEY,
      operation_id INTEGER NOT NULL REFERENCES operations (id) ON DELETE CASCADE,
      account_id INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'cancelled')),
      owner TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      waiting_until INTEGER,
      queued_at INTEGER NOT NULL,
      claimed_at INTEGER,
      finished_at INTEGER,
      UNIQUE (operation_id, account_id)
    );
    CREATE INDEX operation_work_open ON operation_work (state, account_id);
    CREATE TABLE operation_photos (
      operation_id INTEGER PRIMARY KEY REFERENCES operations (id) ON DELETE CASCADE,
      bytes BLOB NOT NULL
    );
  `,
};
