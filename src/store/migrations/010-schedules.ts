import type { Migration } from '../migration.ts';

/**
 * Scheduled work: what to run and when (`job` is the parsed command as JSON), and one row per run,
 * linked to the operation or campaign it started. Runs outlive their schedule (no foreign key):
 * removing a schedule keeps the record of what it did.
 */
export const schedules: Migration = {
  version: 10,
  name: 'schedules',
  sql: `
    CREATE TABLE schedules (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      when_text TEXT NOT NULL,
      cron TEXT,
      tz TEXT NOT NULL,
      job TEXT NOT NULL,
      command TEXT NOT NULL,
      state TEXT NOT NULL,
      next_run_at INTEGER,
      last_run_at INTEGER,
      created_at INTEGER NOT NULL,
      actor TEXT NOT NULL
    );
    CREATE INDEX schedules_due ON schedules (state, next_run_at);
    CREATE TABLE schedule_runs (
      id INTEGER PRIMARY KEY,
      schedule_id INTEGER NOT NULL,
      due_at INTEGER NOT NULL,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      status TEXT NOT NULL,
      owner TEXT,
      operation_id INTEGER,
      campaign TEXT,
      detail TEXT
    );
    CREATE INDEX schedule_runs_schedule ON schedule_runs (schedule_id, id);
  `,
};
