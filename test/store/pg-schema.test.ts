import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDb } from '../../src/store/db.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { PG_IDENTITY_COLUMNS, PG_MIGRATIONS, advanceIdentitiesSql } from '../../src/store/migrations-pg.ts';
import { freshPostgresDatabase, type FreshPostgresDatabase } from '../support/postgres.ts';
import { tempDir } from '../support/tmp.ts';

/**
 * Keeps the two migration histories in step: the schema a fresh SQLite file migrates to and the
 * one the PostgreSQL history builds must have the same tables, columns (type, nullability,
 * default), keys, indexes, foreign keys and checks. A SQLite migration without its PostgreSQL
 * twin fails here.
 */

/** PostgreSQL-only bookkeeping: SQLite keeps its version in user_version. */
const PG_ONLY_TABLES = ['schema_version'];

const TYPES: Record<string, string> = { INTEGER: 'bigint', TEXT: 'text', BLOB: 'bytea', REAL: 'double precision' };

interface Column {
  type: string;
  notNull: boolean;
  default: string | null;
  identity: boolean;
}
type Schema = Record<string, Record<string, Column>>;

let sqlite: SqliteDb;
let database: FreshPostgresDatabase;
let client: pg.Client;

beforeAll(async () => {
  sqlite = openSqlite(join(tempDir('pg-schema-'), 'panel.db'));
  database = await freshPostgresDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  for (const m of [...PG_MIGRATIONS].sort((a, b) => a.version - b.version)) {
    await client.query('BEGIN');
    await client.query(m.sql);
    await client.query('UPDATE schema_version SET version = $1', [m.version]);
    await client.query('COMMIT');
  }
});

afterAll(async () => {
  sqlite.close();
  await client.end();
  await database.drop();
});

async function rows<R>(sql: string, params: unknown[] = []): Promise<R[]> {
  return (await client.query(sql, params)).rows as R[];
}

function sqliteTables(): string[] {
  return sqlite
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((r) => r.name);
}

interface TableInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

function tableInfo(table: string): TableInfo[] {
  return sqlite.pragma(`table_info(${table})`) as TableInfo[];
}

/** A rowid alias: the one column of an INTEGER PRIMARY KEY, which SQLite numbers itself. */
function rowidAlias(table: string): string | undefined {
  const pk = tableInfo(table).filter((c) => c.pk > 0);
  return pk.length === 1 && pk[0]!.type.toUpperCase() === 'INTEGER' ? pk[0]!.name : undefined;
}

function sqliteSchema(): Schema {
  const schema: Schema = {};
  for (const table of sqliteTables()) {
    schema[table] = {};
    for (const c of tableInfo(table)) {
      const type = TYPES[c.type.toUpperCase()];
      if (type === undefined) throw new Error(`${table}.${c.name}: SQLite type ${c.type} has no PostgreSQL mapping in this test`);
      schema[table][c.name] = {
        type,
        // PostgreSQL makes every key column NOT NULL; SQLite only says so when asked.
        notNull: c.notnull === 1 || c.pk > 0,
        default: c.dflt_value,
        identity: PG_IDENTITY_COLUMNS[table] === c.name,
      };
    }
  }
  return schema;
}

async function pgSchema(): Promise<Schema> {
  const cols = await rows<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null; is_identity: string }>(
    `SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  const schema: Schema = {};
  for (const c of cols) {
    if (PG_ONLY_TABLES.includes(c.table_name)) continue;
    (schema[c.table_name] ??= {})[c.column_name] = {
      type: c.data_type,
      notNull: c.is_nullable === 'NO',
      // '1' stays '1'; 'pending'::text is SQLite's 'pending'.
      default: c.column_default === null ? null : c.column_default.replace(/::[a-z ]+$/, ''),
      identity: c.is_identity === 'YES',
    };
  }
  return schema;
}

/** `table(columns) [unique] [where predicate] [name]`; the name only for indexes created by name. */
type IndexSignature = string;

function normalizePredicate(p: string): string {
  let s = p.trim().replace(/\s+/g, ' ').toLowerCase();
  while (s.startsWith('(') && s.endsWith(')')) s = s.slice(1, -1).trim();
  return s;
}

function signature(table: string, columns: string[], unique: boolean, predicate: string | null, name: string | null): IndexSignature {
  return `${table}(${columns.join(', ')})${unique ? ' unique' : ''}${predicate === null ? '' : ` where ${normalizePredicate(predicate)}`}${name === null ? '' : ` as ${name}`}`;
}

function sqliteIndexes(): IndexSignature[] {
  const out: IndexSignature[] = [];
  for (const table of sqliteTables()) {
    const pk = tableInfo(table)
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    // A rowid table's primary key has no entry in index_list, a WITHOUT ROWID one's does: take it from table_info for both.
    if (pk.length > 0) out.push(signature(table, pk, true, null, null));
    const list = sqlite.pragma(`index_list(${table})`) as { name: string; unique: number; origin: string; partial: number }[];
    for (const idx of list) {
      if (idx.origin === 'pk') continue;
      const columns = (sqlite.pragma(`index_info(${idx.name})`) as { seqno: number; name: string | null }[])
        .sort((a, b) => a.seqno - b.seqno)
        .map((c) => c.name ?? '<expression>');
      let predicate: string | null = null;
      if (idx.partial === 1) {
        const sql = sqlite.prepare<[string], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(idx.name)!.sql;
        predicate = sql.slice(sql.search(/\bWHERE\b/i) + 'WHERE'.length);
      }
      out.push(signature(table, columns, idx.unique === 1, predicate, idx.origin === 'c' ? idx.name : null));
    }
  }
  return out.sort();
}

async function pgIndexes(): Promise<IndexSignature[]> {
  const list = await rows<{ table: string; name: string; columns: (string | null)[]; unique: boolean; predicate: string | null; by_constraint: boolean }>(
    `SELECT t.relname AS table, i.relname AS name, x.indisunique AS unique,
            pg_get_expr(x.indpred, x.indrelid) AS predicate,
            EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) AS by_constraint,
            ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                    LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                   ORDER BY k.n) AS columns
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace ns ON ns.oid = t.relnamespace
      WHERE ns.nspname = 'public'`,
  );
  return list
    .filter((i) => !PG_ONLY_TABLES.includes(i.table))
    .map((i) => signature(i.table, i.columns.map((c) => c ?? '<expression>'), i.unique, i.predicate, i.by_constraint ? null : i.name))
    .sort();
}

const FK_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

function sqliteForeignKeys(): string[] {
  const out: string[] = [];
  for (const table of sqliteTables()) {
    const list = sqlite.pragma(`foreign_key_list(${table})`) as { id: number; seq: number; table: string; from: string; to: string | null; on_update: string; on_delete: string }[];
    for (const id of new Set(list.map((f) => f.id))) {
      const parts = list.filter((f) => f.id === id).sort((a, b) => a.seq - b.seq);
      const first = parts[0]!;
      const to = parts.map((f) => f.to ?? rowidAlias(first.table) ?? '?');
      out.push(`${table}(${parts.map((f) => f.from).join(', ')}) -> ${first.table}(${to.join(', ')}) on delete ${first.on_delete} on update ${first.on_update}`);
    }
  }
  return out.sort();
}

async function pgForeignKeys(): Promise<string[]> {
  const list = await rows<{ table: string; cols: string[]; ref: string; ref_cols: string[]; del: string; upd: string }>(
    `SELECT c.conrelid::regclass::text AS table, c.confrelid::regclass::text AS ref,
            c.confdeltype AS del, c.confupdtype AS upd,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS cols,
            ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n) AS ref_cols
       FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
      WHERE c.contype = 'f' AND ns.nspname = 'public'`,
  );
  return list
    .map((f) => `${f.table}(${f.cols.join(', ')}) -> ${f.ref}(${f.ref_cols.join(', ')}) on delete ${FK_ACTIONS[f.del]} on update ${FK_ACTIONS[f.upd]}`)
    .sort();
}

function sqliteCheckCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const table of sqliteTables()) {
    const sql = sqlite.prepare<[string], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)!.sql;
    const n = (sql.match(/\bCHECK\s*\(/gi) ?? []).length;
    if (n > 0) out[table] = n;
  }
  return out;
}

async function pgCheckCounts(): Promise<Record<string, number>> {
  const list = await rows<{ table: string; n: string }>(
    `SELECT c.conrelid::regclass::text AS table, count(*) AS n
       FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
      WHERE c.contype = 'c' AND ns.nspname = 'public' GROUP BY 1`,
  );
  return Object.fromEntries(list.map((r) => [r.table, Number(r.n)]));
}

describe('PostgreSQL schema against SQLite', () => {
  it('both histories end at the same version, and PostgreSQL records it', async () => {
    const latest = (ms: readonly { version: number }[]): number => Math.max(...ms.map((m) => m.version));
    expect(latest(PG_MIGRATIONS)).toBe(latest(MIGRATIONS));
    expect(sqlite.pragma('user_version', { simple: true })).toBe(latest(MIGRATIONS));
    expect(await rows('SELECT version::int AS version FROM schema_version')).toEqual([{ version: latest(MIGRATIONS) }]);
    await expect(client.query('INSERT INTO schema_version (version) VALUES (1)')).rejects.toThrow(/duplicate key/);
  });

  it('has every table and column, with a matching type, nullability and default', async () => {
    expect(await pgSchema()).toEqual(sqliteSchema());
  });

  it('numbers exactly the rowid-alias ids, and only those', () => {
    const expected: Record<string, string> = {};
    for (const table of sqliteTables()) {
      const alias = rowidAlias(table);
      if (alias === 'id') expected[table] = alias;
    }
    expect(PG_IDENTITY_COLUMNS).toEqual(expected);
  });

  it('has the same keys and indexes, with the same uniqueness and partial predicates', async () => {
    expect(await pgIndexes()).toEqual(sqliteIndexes());
  });

  it('has the same foreign keys with the same ON DELETE, and the same checks', async () => {
    expect(await pgForeignKeys()).toEqual(sqliteForeignKeys());
    expect(await pgCheckCounts()).toEqual(sqliteCheckCounts());
  });

  it('keeps copied ids and numbers new rows after them once the identities are advanced', async () => {
    await client.query(
      `INSERT INTO accounts (id, phone, user_id, status, status_since, created_at) VALUES (41, '+1000', 7, 'active', 0, 0)`,
    );
    for (const sql of advanceIdentitiesSql()) await client.query(sql);
    const next = await rows<{ id: string }>(
      `INSERT INTO accounts (phone, user_id, status, status_since, created_at) VALUES ('+1001', 8, 'active', 0, 0) RETURNING id`,
    );
    expect(Number(next[0]!.id)).toBe(42);
    const empty = await rows<{ id: string }>(`INSERT INTO audit (at, actor, action) VALUES (0, 'test', 'x') RETURNING id`);
    expect(Number(empty[0]!.id)).toBe(1);
  });
});
