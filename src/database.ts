import { describeOwner, ownerIsGone } from './engine/process-owner.ts';
import { copySqliteToPostgres, type CopyReport } from './store/copy.ts';
import { databaseStatus, migrateDatabase, type DatabaseStatus, type MigrateResult } from './store/db-status.ts';
import type { StoreLocation } from './store/open.ts';

/**
 * The database itself as the operator manages it (`db status|migrate|copy`). Beside app.ts, not in
 * it, because these open a database without building a panel on it: status must not migrate, and a
 * copy reads a SQLite file while writing a PostgreSQL one.
 */
export const database = {
  status(where: StoreLocation): DatabaseStatus {
    return databaseStatus(where);
  },

  migrate(where: StoreLocation): MigrateResult {
    return migrateDatabase(where);
  },

  /** A live `start` on the source is recognised by the same owner rule as the fleet's leases. */
  copyToPostgres(
    dataDir: string,
    targetUrl: string,
    opts: { replace: boolean; onBatch?: (table: string, done: number, total: number) => void },
  ): CopyReport & { source: string; target: string } {
    return copySqliteToPostgres(dataDir, targetUrl, { ...opts, ownerIsGone, describeOwner });
  },
};
