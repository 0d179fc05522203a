import { closeSync, constants, accessSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CachingDatabase } from './cached-statements.ts';
import type { Migration } from './migration.ts';
import { MIGRATIONS } from './migrations.ts';
import { InputError } from '../core/errors.ts';

export type { Db } from './sql.ts';
/** The SQLite file itself, for what only SQLite has (pragmas, the WAL file). */
export type SqliteDb = CachingDatabase;

/** A data folder, database or key the operator pointed at that cannot be used: bad input (exit 2). */
export class StoreError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

const SQLITE_HEADER = 'SQLite format 3\0';

/** Creates the data folder (mode 0700) or explains why it cannot be used. */
export function ensureDataDir(dir: string): void {
  try {
    makeFolders(resolve(dir));
    if (!statSync(dir).isDirectory()) throw new Error('it is a file, not a folder');
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (e) {
    const reason = e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e);
    throw new StoreError(`DATA_DIR ${dir} cannot be used (${reason}): point DATA_DIR or --data-dir at a folder you can write`);
  }
}

/**
 * mkdir -p one level at a time: Node's recursive mkdir spins forever where mkdir answers ENOENT
 * under a parent that exists (e.g. /proc/x), which would hang the CLI instead of refusing.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d, { mode: 0o700 });
}

/** Refuses a file that exists but is not SQLite, before SQLite could write anything to it. */
function checkHeader(path: string): void {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) throw new StoreError(`${path} is a folder, not a database file; it was left untouched. Move it away`);
  if (statSync(path).size === 0) return;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    if (n < 16 || buf.toString('latin1') !== SQLITE_HEADER) {
      throw new StoreError(`${path} is not a SQLite database (corrupt or a different file); it was left untouched. Restore it from a backup or move it away`);
    }
  } finally {
    closeSync(fd);
  }
}

export interface OpenOptions {
  migrations?: readonly Migration[];
  readonly?: boolean;
}

/** Opens a SQLite file with the panel's settings (WAL, foreign keys, busy timeout) and migrates it. */
export function openSqlite(path: string, opts: OpenOptions = {}): SqliteDb {
  checkHeader(path);
  let db: SqliteDb;
  try {
    db = new CachingDatabase(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (e) {
    throw new StoreError(`cannot open ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new StoreError(`${path} is damaged (${String(check)}); it was left untouched. Restore it from a backup`);
    if (!opts.readonly) migrate(db, path, opts.migrations ?? MIGRATIONS);
    return db;
  } catch (e) {
    db.close();
    if (e instanceof StoreError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreError(`${path} is not a usable SQLite database (${code}); it was left untouched. Restore it from a backup or move it away`);
    }
    throw e;
  }
}

/** Applies the migrations the file has not seen, all in one transaction. */
export function migrate(db: SqliteDb, path: string, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  if (current > latest) {
    throw new StoreError(
      `${path} was written by a newer version of Telegram Panel (schema ${current}, this version knows ${latest}); ` +
        `it was left untouched. Upgrade the panel to open it`,
    );
  }
  const pending = migrations.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  if (pending.length === 0) return;
  db.transaction(() => {
    for (const m of pending) db.exec(m.sql);
    db.pragma(`user_version = ${latest}`);
  })();
}

export function openPanelDb(dataDir: string): SqliteDb {
  ensureDataDir(dataDir);
  const path = join(dataDir, DB_FILE);
  refuseBotchedRestore(path, join(dataDir, KEY_FILE));
  return openSqlite(path);
}

export const DB_FILE = 'panel.db';
/** Where loadKey keeps the generated key; the restore check and export guards need the same name. */
export const KEY_FILE = 'secret.key';

/**
 * An empty panel.db beside a key file is a restore that copied the key but not the data (or
 * copied a database that was still being written): opened, it would become a new empty panel
 * and the real one could be restored over a database that has since been written to. A first
 * run has neither file, so refusing costs a fresh install nothing.
 */
function refuseBotchedRestore(dbPath: string, keyPath: string): void {
  if (!existsSync(dbPath) || !existsSync(keyPath)) return;
  const st = statSync(dbPath);
  if (!st.isFile() || st.size !== 0) return;
  const sidecars = ['-wal', '-shm']
    .map((s) => dbPath + s)
    .filter((p) => existsSync(p))
    .map((p) => `${p} (${statSync(p).size} bytes)`);
  throw new StoreError(
    `${dbPath} is empty (0 bytes) but ${keyPath} exists${sidecars.length > 0 ? `, with ${sidecars.join(' and ')}` : ''}: ` +
      'this looks like an unfinished restore, so nothing was opened or written. Copy the backed-up panel.db in again ' +
      '(stop the panel first and copy panel.db together with any panel.db-wal), or, to start over with no data, move both files away',
  );
}
