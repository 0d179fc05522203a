/**
 * The world's own SQLite file: opened, recognised and migrated here, apart from the panel's store
 * (the simulator stands for Telegram, so it shares no code path with panel.db).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { InputError } from '../core/errors.ts';
import { SIM_MIGRATIONS, WORLD_KIND, type WorldMigration } from './schema.ts';

export type Db = Database.Database;

/** Distinct SQL texts are a few hundred at most; past this a text is compiled per call (a bug, not a leak). */
const MAX_CACHED = 1000;

/**
 * A connection that compiles each SQL text once: every simulated RPC runs a dozen or so queries,
 * and compiling them anew on each call was a large share of the simulator's CPU per request. No
 * sim code iterates a statement or changes its modes (pluck, raw), so one shared statement per
 * text is safe (the panel's store, which does both, guards for them in cached-statements.ts).
 */
class WorldDb extends Database {
  private readonly statements = new Map<string, Database.Statement>();

  override prepare<P extends unknown[] | object = unknown[], R = unknown>(source: string): Database.Statement<P, R> {
    let s = this.statements.get(source);
    if (!s) {
      s = super.prepare(source);
      if (this.statements.size < MAX_CACHED) this.statements.set(source, s);
    }
    return s as unknown as Database.Statement<P, R>;
  }
}

const SQLITE_HEADER = 'SQLite format 3\0';

export interface OpenWorldFileOptions {
  /** Create the file when it does not exist. */
  create?: boolean;
}

/** Opens (or creates) a world file, refusing (and never touching) a file that is not one. */
export function openWorldFile(path: string, opts: OpenWorldFileOptions = {}): Db {
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(`${path} is a folder; give the world file (made by: telegram-panel sim create <world.db>)`);
  const exists = existsSync(path) && statSync(path).size > 0;
  if (!exists && opts.create && !existsSync(dirname(resolve(path)))) throw new InputError(`the folder ${dirname(resolve(path))} does not exist; create it first or pick another path for the world`);
  if (!exists && !opts.create) throw new InputError(`${path} does not exist; create a world with: telegram-panel sim create ${path}`);
  if (exists) checkIsWorld(path);
  const db = openDb(path, false);
  try {
    migrate(db, path);
    if (!exists) db.prepare('INSERT OR IGNORE INTO sim_meta (key, value) VALUES (?, ?)').run('kind', WORLD_KIND);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

function notAWorld(path: string): InputError {
  return new InputError(`${path} is not a simulator world (not a usable SQLite file); it was left untouched`);
}

/** Reads the file's header and its kind marker without writing anything to it. */
function checkIsWorld(path: string): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    if (readSync(fd, buf, 0, 16, 0) < 16 || buf.toString('latin1') !== SQLITE_HEADER) throw notAWorld(path);
  } finally {
    closeSync(fd);
  }
  let db: Db;
  try {
    db = openDb(path, true);
  } catch {
    throw notAWorld(path);
  }
  try {
    let kind: string | undefined;
    try {
      kind = (db.prepare("SELECT value FROM sim_meta WHERE key = 'kind'").get() as { value: string } | undefined)?.value;
    } catch {
      kind = undefined;
    }
    if (kind !== WORLD_KIND) {
      throw new InputError(`${path} is a SQLite file but not a simulator world; it was left untouched. Pick another file name for the world`);
    }
  } finally {
    db.close();
  }
}

function openDb(path: string, readonly: boolean): Db {
  const db = new WorldDb(path, { readonly, fileMustExist: readonly });
  try {
    db.pragma('busy_timeout = 5000');
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new InputError(`${path} is damaged (${String(check)}); it was left untouched`);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

function migrate(db: Db, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = SIM_MIGRATIONS.reduce((m, x) => Math.max(m, x.version), 0);
  if (current > latest) throw new InputError(`${path} was made by a newer simulator (world schema ${current}, this version knows ${latest}); it was left untouched`);
  const pending: WorldMigration[] = SIM_MIGRATIONS.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  if (pending.length === 0) return;
  db.transaction(() => {
    for (const m of pending) db.exec(m.sql);
    db.pragma(`user_version = ${latest}`);
  })();
}
