import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DB_FILE, KEY_FILE, openPanelDb, openSqlite, StoreError, type SqliteDb } from './db.ts';
import type { Migration } from './migration.ts';
import { MIGRATIONS } from './migrations.ts';
import { PG_MIGRATIONS } from './migrations-pg.ts';
import { migratePg, pgSchemaVersion } from './pg/migrate.ts';
import { PgDatabase } from './pg/pg-database.ts';
import { redactUrl, type StoreLocation } from './open.ts';

/** `db status` and `db migrate` for whichever engine DATABASE_URL / DATA_DIR names. */

export type Engine = 'sqlite' | 'postgres';

export interface PendingMigration {
  version: number;
  name: string;
}

export interface DatabaseStatus {
  engine: Engine;
  /** The SQLite file's path, or the PostgreSQL URL with its password hidden. */
  location: string;
  /** False when there is no database yet (the first `start` or `db migrate` creates it). */
  exists: boolean;
  /** null when the database could not be read at all. */
  schemaVersion: number | null;
  knownVersion: number;
  pending: PendingMigration[];
  tables: Array<{ table: string; rows: number }>;
  usable: boolean;
  /** Why it cannot be used, when it cannot. */
  problem: string | null;
}

export interface MigrateResult {
  engine: Engine;
  location: string;
  from: number;
  to: number;
  applied: PendingMigration[];
}

/** Reads the database's state without migrating or writing it (SQLite is opened read-only). */
export function databaseStatus(where: StoreLocation): DatabaseStatus {
  return where.databaseUrl ? postgresStatus(where.databaseUrl) : sqliteStatus(where.dataDir);
}

/** Applies the pending migrations of the configured engine; a newer schema is refused, nothing changed. */
export function migrateDatabase(where: StoreLocation): MigrateResult {
  if (where.databaseUrl) {
    const location = redactUrl(where.databaseUrl);
    const db = connect(where.databaseUrl);
    try {
      const from = pgSchemaVersion(db);
      migratePg(db, location, PG_MIGRATIONS);
      const to = pgSchemaVersion(db);
      return { engine: 'postgres', location, from, to, applied: pendingAfter(PG_MIGRATIONS, from).filter((m) => m.version <= to) };
    } finally {
      db.close();
    }
  }
  const path = join(where.dataDir, DB_FILE);
  // Read first, read-only, so that "from" is the file's own version (openPanelDb migrates at once).
  let from = 0;
  if (existsSync(path) && statSync(path).isFile() && statSync(path).size > 0) {
    const ro = openSqlite(path, { readonly: true });
    try {
      from = sqliteVersion(ro);
    } finally {
      ro.close();
    }
  }
  const db = openPanelDb(where.dataDir);
  try {
    const to = sqliteVersion(db);
    return { engine: 'sqlite', location: path, from, to, applied: pendingAfter(MIGRATIONS, from).filter((m) => m.version <= to) };
  } finally {
    db.close();
  }
}

function sqliteStatus(dataDir: string): DatabaseStatus {
  const path = join(dataDir, DB_FILE);
  const known = latest(MIGRATIONS);
  const base = { engine: 'sqlite' as const, location: path, knownVersion: known };
  if (!existsSync(path)) {
    return { ...base, exists: false, schemaVersion: 0, pending: pendingAfter(MIGRATIONS, 0), tables: [], usable: true, problem: null };
  }
  if (statSync(path).isFile() && statSync(path).size === 0 && existsSync(join(dataDir, KEY_FILE))) {
    return {
      ...base,
      exists: true,
      schemaVersion: null,
      pending: [],
      tables: [],
      usable: false,
      problem: `${path} is empty (0 bytes) but ${join(dataDir, KEY_FILE)} exists: this looks like an unfinished restore; copy the backed-up panel.db in again`,
    };
  }
  let db: SqliteDb;
  try {
    db = openSqlite(path, { readonly: true });
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    return { ...base, exists: true, schemaVersion: null, pending: [], tables: [], usable: false, problem: e.message };
  }
  try {
    const version = sqliteVersion(db);
    const names = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
      .all()
      .map((r) => r.name);
    const tables = names.map((table) => ({ table, rows: count(db, table) }));
    return { ...base, exists: true, schemaVersion: version, pending: pendingAfter(MIGRATIONS, version), tables, ...verdict(path, version, known, MIGRATIONS) };
  } finally {
    db.close();
  }
}

function postgresStatus(url: string): DatabaseStatus {
  const location = redactUrl(url);
  const known = latest(PG_MIGRATIONS);
  const db = connect(url);
  try {
    const version = pgSchemaVersion(db);
    const names = db
      .prepare<[], { t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_version' ORDER BY tablename")
      .all()
      .map((r) => r.t);
    const tables = names.map((table) => ({ table, rows: count(db, table) }));
    return {
      engine: 'postgres',
      location,
      exists: version > 0,
      schemaVersion: version,
      knownVersion: known,
      pending: pendingAfter(PG_MIGRATIONS, version),
      tables,
      ...verdict(location, version, known, PG_MIGRATIONS),
    };
  } finally {
    db.close();
  }
}

/** The same refusals the panel makes when it opens the database. */
function verdict(where: string, version: number, known: number, history: readonly Migration[]): { usable: boolean; problem: string | null } {
  if (version > known) {
    return {
      usable: false,
      problem: `${where} was written by a newer version of Telegram Panel (schema ${version}, this version knows ${known}); upgrade the panel to open it`,
    };
  }
  // PostgreSQL's history starts at a baseline: a database below it was made by no release.
  const first = Math.min(...history.map((m) => m.version));
  if (version > 0 && version < first) {
    return { usable: false, problem: `${where} is at schema ${version}, older than any schema this version can migrate from` };
  }
  return { usable: true, problem: null };
}

function connect(url: string): PgDatabase {
  try {
    return PgDatabase.connect(url);
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    let pw = '';
    try {
      pw = decodeURIComponent(new URL(url).password);
    } catch {
      // An unparsable URL has no password to hide beyond the URL itself, which is never shown.
    }
    throw new StoreError(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${pw ? text.replaceAll(pw, '***') : text}`);
  }
}

function sqliteVersion(db: SqliteDb): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function count(db: SqliteDb | PgDatabase, table: string): number {
  const r = (db as SqliteDb).prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM "${table.replaceAll('"', '""')}"`).get();
  return Number(r?.n ?? 0);
}

function latest(history: readonly Migration[]): number {
  return history.reduce((m, x) => Math.max(m, x.version), 0);
}

function pendingAfter(history: readonly Migration[], version: number): PendingMigration[] {
  return history
    .filter((m) => m.version > version)
    .sort((a, b) => a.version - b.version)
    .map((m) => ({ version: m.version, name: m.name }));
}
