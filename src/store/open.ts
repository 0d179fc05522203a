import { ensureDataDir, openPanelDb, StoreError } from './db.ts';
import { PG_MIGRATIONS } from './migrations-pg.ts';
import { migratePg } from './pg/migrate.ts';
import { PgDatabase } from './pg/pg-database.ts';
import type { Db } from './sql.ts';

export interface StoreLocation {
  dataDir: string;
  /** postgres:// URL: every store lives in that database instead of DATA_DIR/panel.db. */
  databaseUrl?: string | undefined;
}

/** Opens and migrates the panel's database: the SQLite file by default, PostgreSQL with DATABASE_URL. */
export function openStore(where: StoreLocation): Db {
  if (!where.databaseUrl) return openPanelDb(where.dataDir);
  // DATA_DIR still holds secret.key (unless PANEL_SECRET is set) on each machine.
  ensureDataDir(where.dataDir);
  const shown = redactUrl(where.databaseUrl);
  let db: PgDatabase;
  try {
    db = PgDatabase.connect(where.databaseUrl);
  } catch (e) {
    throw new StoreError(`cannot connect to PostgreSQL at ${shown}: ${redactText(e instanceof Error ? e.message : String(e), where.databaseUrl)}`);
  }
  try {
    migratePg(db, shown, PG_MIGRATIONS);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the DATABASE_URL given';
  }
}

function redactText(text: string, url: string): string {
  try {
    const pw = decodeURIComponent(new URL(url).password);
    return pw ? text.replaceAll(pw, '***') : text;
  } catch {
    return text;
  }
}
