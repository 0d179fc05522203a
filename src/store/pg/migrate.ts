import { StoreError } from '../db.ts';
import type { Migration } from '../migration.ts';
import type { PgDatabase } from './pg-database.ts';

/** Any fixed number: the lock every worker takes to migrate, so two starting at once do not both apply. */
const MIGRATION_LOCK = 7_151_007;

/** The version a PostgreSQL panel database is at: 0 for an empty database. */
export function pgSchemaVersion(db: PgDatabase): number {
  const exists = db.prepare<[], { t: string | null }>("SELECT to_regclass('schema_version')::text AS t").get();
  if (!exists?.t) return 0;
  const row = db.prepare<[], { version: number }>('SELECT version FROM schema_version').get();
  return row?.version ?? 0;
}

/** Applies what the database has not seen, in one transaction, under a lock other workers wait on. */
export function migratePg(db: PgDatabase, where: string, migrations: readonly Migration[]): void {
  const latest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  db.transaction(() => {
    db.prepare('SELECT pg_advisory_xact_lock(?)').get(MIGRATION_LOCK);
    const current = pgSchemaVersion(db);
    if (current > latest) {
      throw new StoreError(
        `${where} was written by a newer version of Telegram Panel (schema ${current}, this version knows ${latest}); ` +
          'it was left untouched. Upgrade the panel to open it',
      );
    }
    if (current > 0 && current < migrations[0]!.version) {
      throw new StoreError(`${where} is at schema ${current}, older than any PostgreSQL schema this version knows; it was left untouched`);
    }
    const pending = migrations.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
    if (pending.length === 0) return;
    for (const m of pending) db.exec(m.sql);
    db.prepare('DELETE FROM schema_version').run();
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(latest);
  })();
}
