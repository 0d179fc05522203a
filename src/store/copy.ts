import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DB_FILE, openPanelDb, StoreError, type SqliteDb } from './db.ts';
import { PG_MIGRATIONS } from './migrations-pg.ts';
import { migratePg, pgSchemaVersion } from './pg/migrate.ts';
import { PgDatabase } from './pg/pg-database.ts';
import { redactUrl } from './open.ts';

/**
 * `db copy`: one SQLite panel into one PostgreSQL database. The table list comes from the SQLite
 * file itself (sqlite_master, ordered so that every foreign key points at a table already copied),
 * so a table a later migration adds is copied without anyone remembering to list it. Values go
 * across as stored: sealed columns stay sealed with the same key (the key-check row in settings
 * goes along), BLOBs byte for byte, integers exactly (read as BigInt).
 */

export interface CopiedTable {
  table: string;
  rows: number;
}

export interface CopyReport {
  schemaVersion: number;
  tables: CopiedTable[];
  rows: number;
  /** Whether rows the target held were deleted first (--replace). */
  replaced: boolean;
  ms: number;
}

export interface CopyOptions {
  /** Delete what the target holds instead of refusing it. */
  replace?: boolean;
  /** Rows per INSERT statement (capped so one statement stays under PostgreSQL's 65,535 parameters). */
  batchRows?: number;
  now?: number;
  /** Whether a lease owner's process is known to have exited (a lease it left behind is no obstacle). */
  ownerIsGone?: (owner: string) => boolean;
  /** How a lease owner is named in messages. */
  describeOwner?: (owner: string) => string;
  /** Called after every batch written; throwing from it abandons the copy (the target is left as it was). */
  onBatch?: (table: string, copiedInTable: number, totalInTable: number) => void;
}

export interface SourceTable {
  name: string;
  columns: string[];
}

const DEFAULT_BATCH_ROWS = 500;
const MAX_PARAMETERS = 65_535;
/** PostgreSQL-only bookkeeping with no SQLite counterpart (SQLite keeps the version in user_version). */
const PG_ONLY_TABLES = new Set(['schema_version']);

/** Opens DATA_DIR/panel.db and the PostgreSQL database at `targetUrl`, copies, and closes both. */
export function copySqliteToPostgres(dataDir: string, targetUrl: string, opts: CopyOptions = {}): CopyReport & { source: string; target: string } {
  const sourcePath = join(dataDir, DB_FILE);
  const target = redactUrl(targetUrl);
  if (!existsSync(sourcePath) || statSync(sourcePath).size === 0) {
    throw new StoreError(`there is no panel to copy at ${sourcePath}: point DATA_DIR or --data-dir at the folder that holds panel.db`);
  }
  const source = openPanelDb(dataDir);
  try {
    let pg: PgDatabase;
    try {
      pg = PgDatabase.connect(targetUrl);
    } catch (e) {
      throw new StoreError(`cannot connect to PostgreSQL at ${target}: ${redactPassword(message(e), targetUrl)}`);
    }
    try {
      return { ...copyPanel(source, pg, target, opts), source: sourcePath, target };
    } catch (e) {
      throw redactError(e, targetUrl);
    } finally {
      pg.close();
    }
  } finally {
    source.close();
  }
}

/**
 * Copies every table of `source` into `target` in one PostgreSQL transaction: migrates the target,
 * refuses it if it already holds panel data (unless `replace`) or if a live process holds leases on
 * the source, copies in batches, moves the identity sequences past the copied ids, and checks every
 * table's count before committing. Any failure rolls the target back to what it was.
 * `where` names the target in messages (never with its password).
 */
export function copyPanel(source: SqliteDb, target: PgDatabase, where: string, opts: CopyOptions = {}): CopyReport {
  const started = performance.now();
  const now = opts.now ?? Date.now();
  // One read transaction: every table is read from the same moment, however long the copy takes.
  source.exec('BEGIN');
  try {
    refuseLiveLeases(source, 'the SQLite panel', now, opts);
    const version = source.pragma('user_version', { simple: true }) as number;
    const tables = sourceTables(source);
    const expected = new Map(tables.map((t) => [t.name, countRows(source, t.name)]));
    const report = target.transaction((): CopyReport => {
      migratePg(target, where, PG_MIGRATIONS);
      const targetVersion = pgSchemaVersion(target);
      if (targetVersion !== version) {
        throw new StoreError(`the SQLite panel is at schema ${version} but ${where} is at ${targetVersion}; run both on the same version of Telegram Panel`);
      }
      checkSameTables(tables, target, where);
      const held = tables.filter((t) => countRows(target, t.name) > 0);
      if (held.length > 0) {
        if (!opts.replace) {
          throw new StoreError(
            `${where} already holds panel data (${held.map((t) => t.name).join(', ')}); nothing was written. ` +
              'Copy into an empty database, or give --replace to delete what it holds first',
          );
        }
        refuseLiveLeases(target, where, now, opts);
        target.exec(`TRUNCATE ${tables.map((t) => quote(t.name)).join(', ')}`);
      }
      const copied: CopiedTable[] = [];
      for (const t of tables) copied.push({ table: t.name, rows: copyTable(source, target, t, expected.get(t.name)!, opts) });
      advanceIdentities(target);
      // The check reads back what PostgreSQL holds, not what was sent.
      const wrong = copied
        .map((c) => ({ ...c, expected: expected.get(c.table)!, found: countRows(target, c.table) }))
        .filter((c) => c.found !== c.expected || c.rows !== c.expected);
      if (wrong.length > 0) {
        throw new Error(`the copy does not match its source (${wrong.map((w) => `${w.table}: ${w.expected} rows in SQLite, ${w.found} in PostgreSQL`).join('; ')}); nothing was kept`);
      }
      return { schemaVersion: version, tables: copied, rows: copied.reduce((s, c) => s + c.rows, 0), replaced: held.length > 0, ms: 0 };
    })();
    return { ...report, ms: performance.now() - started };
  } finally {
    source.exec('COMMIT');
  }
}

/** The SQLite panel's tables with their columns, parents before children. */
export function sourceTables(source: SqliteDb): SourceTable[] {
  const names = source
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid")
    .all()
    .map((r) => r.name);
  const parents = new Map(
    names.map((n) => [
      n,
      source
        .prepare<[string], { parent: string }>('SELECT DISTINCT "table" AS parent FROM pragma_foreign_key_list(?)')
        .all(n)
        .map((r) => r.parent)
        .filter((p) => p !== n),
    ]),
  );
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') throw new StoreError(`the SQLite panel's foreign keys form a cycle (${[...path, n].join(' -> ')}); it cannot be copied table by table`);
    state.set(n, 'visiting');
    for (const p of parents.get(n) ?? []) {
      if (!parents.has(p)) throw new StoreError(`table ${n} refers to ${p}, which the SQLite panel does not have`);
      visit(p, [...path, n]);
    }
    state.set(n, 'done');
    ordered.push(n);
  };
  for (const n of names) visit(n, []);
  return ordered.map((name) => ({
    name,
    columns: source
      .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?) ORDER BY cid')
      .all(name)
      .map((r) => r.name),
  }));
}

function checkSameTables(tables: readonly SourceTable[], target: PgDatabase, where: string): void {
  const cols = new Map<string, Set<string>>();
  for (const r of target
    .prepare<[], { t: string; c: string }>('SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema()')
    .all()) {
    if (PG_ONLY_TABLES.has(r.t)) continue;
    let set = cols.get(r.t);
    if (!set) cols.set(r.t, (set = new Set()));
    set.add(r.c);
  }
  const problems: string[] = [];
  for (const t of tables) {
    const have = cols.get(t.name);
    if (!have) {
      problems.push(`table ${t.name} is missing`);
      continue;
    }
    const missing = t.columns.filter((c) => !have.has(c));
    const extra = [...have].filter((c) => !t.columns.includes(c));
    if (missing.length > 0) problems.push(`${t.name} lacks ${missing.join(', ')}`);
    if (extra.length > 0) problems.push(`${t.name} has ${extra.join(', ')} that SQLite has not`);
  }
  const names = new Set(tables.map((t) => t.name));
  for (const t of cols.keys()) if (!names.has(t)) problems.push(`table ${t} is not in the SQLite panel`);
  if (problems.length > 0) {
    throw new StoreError(`${where} does not have the SQLite panel's schema (${problems.join('; ')}); nothing was written`);
  }
}

/** Streams one table from SQLite and writes it in multi-row INSERTs; returns the rows written. */
function copyTable(source: SqliteDb, target: PgDatabase, t: SourceTable, total: number, opts: CopyOptions): number {
  const width = t.columns.length;
  const perStatement = Math.max(1, Math.min(opts.batchRows ?? DEFAULT_BATCH_ROWS, Math.floor(MAX_PARAMETERS / width)));
  const head = `INSERT INTO ${quote(t.name)} (${t.columns.map(quote).join(', ')}) VALUES `;
  const tuple = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  const full = head + Array.from({ length: perStatement }, () => tuple).join(', ');
  const read = source.prepare(`SELECT ${t.columns.map(quote).join(', ')} FROM ${quote(t.name)}`);
  let written = 0;
  let batch: unknown[] = [];
  let rowsInBatch = 0;
  const flush = (): void => {
    if (rowsInBatch === 0) return;
    const sql = rowsInBatch === perStatement ? full : head + Array.from({ length: rowsInBatch }, () => tuple).join(', ');
    written += target.prepare(sql).run(...batch).changes;
    batch = [];
    rowsInBatch = 0;
    opts.onBatch?.(t.name, written, total);
  };
  // Raw rows (arrays) skip building an object per row; BigInt keeps integers past 2^53 exact.
  read.raw(true).safeIntegers(true);
  try {
    for (const row of read.iterate() as IterableIterator<unknown[]>) {
      for (const v of row) batch.push(v);
      if (++rowsInBatch === perStatement) flush();
    }
    flush();
  } finally {
    // The connection caches statements by text; the next caller must get plain numbers again.
    read.safeIntegers(false);
  }
  return written;
}

/**
 * Rows copied with their ids leave each identity's sequence behind them, so the next insert would
 * collide. The identity columns are read from the catalog, like the tables from SQLite, so one a
 * later migration adds is moved too.
 */
function advanceIdentities(target: PgDatabase): void {
  const identities = target
    .prepare<[], { t: string; c: string }>(
      "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name",
    )
    .all();
  for (const { t, c } of identities) {
    target
      .prepare<[string, string]>(`SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX(${quote(c)}) FROM ${quote(t)}), 0) + 1, false)`)
      .get(quote(t), c);
  }
}

/** Live leases mean a `start` is working on this database: its rows would change under the copy. */
function refuseLiveLeases(db: SqliteDb | PgDatabase, where: string, now: number, opts: CopyOptions): void {
  const rows = (db as SqliteDb)
    .prepare<[number], { owner: string; n: number }>('SELECT owner, COUNT(*) AS n FROM leases WHERE expires_at > ? GROUP BY owner ORDER BY owner')
    .all(now);
  const live = rows.filter((r) => !(opts.ownerIsGone?.(r.owner) ?? false));
  if (live.length === 0) return;
  const name = opts.describeOwner ?? ((o: string) => o);
  throw new StoreError(
    `${where} is in use: ${live.map((r) => `${name(r.owner)} holds ${Number(r.n)} lease${Number(r.n) === 1 ? '' : 's'}`).join(', ')}; ` +
      'nothing was copied. Stop `start` there first (leases left by a process that is gone expire within a minute)',
  );
}

function countRows(db: SqliteDb | PgDatabase, table: string): number {
  const r = (db as SqliteDb).prepare<[], { n: number | bigint }>(`SELECT COUNT(*) AS n FROM ${quote(table)}`).get();
  return Number(r?.n ?? 0);
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The URL's password, wherever a driver or server message might have repeated it. */
function redactPassword(text: string, url: string): string {
  try {
    const u = new URL(url);
    const pw = [u.password, decodeURIComponent(u.password)].filter((p) => p.length > 0);
    return pw.reduce((t, p) => t.replaceAll(p, '***'), text.replaceAll(url, redactUrl(url)));
  } catch {
    return text;
  }
}

function redactError(e: unknown, url: string): unknown {
  if (!(e instanceof Error)) return e;
  const clean = redactPassword(e.message, url);
  if (clean === e.message) return e;
  if (e instanceof StoreError) return new StoreError(clean);
  return new Error(clean);
}
