import type { Migration } from './migration.ts';
import { baseline } from './migrations-pg/015-baseline.ts';
import { workers } from './migrations-pg/016-workers.ts';
import { operationWork } from './migrations-pg/018-operation-work.ts';
import { campaignRunners } from './migrations-pg/017-campaign-runners.ts';

/**
 * PostgreSQL's history, numbered like SQLite's (migrations.ts): it starts at 15 with the whole
 * schema SQLite had then, and every later SQLite migration gets its PostgreSQL twin with the same
 * number (test/store/pg-schema.test.ts fails until it does). Forward-only; never edit one that
 * has shipped. The version lives in the one-row table schema_version.
 */
export const PG_MIGRATIONS: readonly Migration[] = [baseline, workers, campaignRunners, operationWork];

/**
 * Every identity column, by table. Rows copied with their ids (`db copy`) leave each identity's
 * sequence behind them, so the next insert would collide: run advanceIdentitiesSql() after.
 */
export const PG_IDENTITY_COLUMNS: Readonly<Record<string, string>> = {
  audit: 'id',
  accounts: 'id',
  account_status_history: 'id',
  operations: 'id',
  operation_work: 'id',
  campaigns: 'id',
  monitor_keywords: 'id',
  monitor_ignored: 'id',
  monitor_outbox: 'id',
  schedules: 'id',
  schedule_runs: 'id',
  web_links: 'id',
  web_sessions: 'id',
  api_tokens: 'id',
};

/** Statements that move each identity's sequence past the largest id in its table (or to 1 when empty). */
export function advanceIdentitiesSql(): string[] {
  return Object.entries(PG_IDENTITY_COLUMNS).map(
    ([table, column]) =>
      `SELECT setval(pg_get_serial_sequence('${table}', '${column}'), COALESCE((SELECT MAX(${column}) FROM ${table}), 0) + 1, false)`,
  );
}
