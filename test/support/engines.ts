import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import { PgDatabase } from '../../src/store/pg/pg-database.ts';
import type { Db, Dialect } from '../../src/store/sql.ts';
import { freshPostgresDatabase, type FreshPostgresDatabase } from './postgres.ts';
import { tempDir } from './tmp.ts';

export const ENGINES: readonly Dialect[] = ['sqlite', 'postgres'];

/** What a test inside describeEngines gets: its engine and a fresh, migrated store. */
export interface EngineFixture {
  readonly engine: Dialect;
  /** The current test's database: migrated and empty at the start of every test. */
  readonly db: Db;
  /** Closes the test's connection and opens the same store again: what a restarted panel sees. */
  reopen(): Db;
  /** Another connection to the same store (a second process or worker); closed after the test. */
  connect(): Db;
  /** The SQLite file's folder (DATA_DIR); null on PostgreSQL. */
  readonly dir: string | null;
}

let active: EngineFixture | undefined;

/** The fixture of the test running now, for helpers outside the describe block. */
export function engineFixture(): EngineFixture {
  if (!active) throw new Error('engineFixture() is only there inside a describeEngines test or its hooks');
  return active;
}

/**
 * Runs `body` once per engine: as `<name> [sqlite]` on a new SQLite file per test, and as
 * `<name> [postgres]` on a database of the run's PostgreSQL server. Creating a PostgreSQL
 * database costs tens of milliseconds and dropping one more, so each describe block gets one,
 * and every test starts from it emptied (TRUNCATE … RESTART IDENTITY, so ids restart at 1 as in
 * a new file). Read `t.db` inside hooks and tests, never at collection time.
 */
export function describeEngines(name: string, body: (t: EngineFixture) => void): void {
  describe.each(ENGINES)(`${name} [%s]`, (engine) => {
    const fixture = engine === 'sqlite' ? sqliteFixture() : postgresFixture();
    beforeEach(() => {
      active = fixture;
    });
    afterEach(() => {
      active = undefined;
    });
    body(fixture);
  });
}

function sqliteFixture(): EngineFixture {
  let dir: string | undefined;
  let current: Db | undefined;
  const extra: Db[] = [];
  beforeEach(() => {
    dir = tempDir('engine-');
    current = openStore({ dataDir: dir });
  });
  afterEach(() => {
    for (const d of [current, ...extra.splice(0)]) if (d?.open) d.close();
    current = undefined;
  });
  return {
    engine: 'sqlite',
    get dir(): string | null {
      return dir ?? null;
    },
    get db(): Db {
      if (!current) throw new Error('t.db is only there inside a test or its hooks');
      return current;
    },
    reopen(): Db {
      current?.close();
      current = openStore({ dataDir: dir! });
      return current;
    },
    connect(): Db {
      const d = openStore({ dataDir: dir! });
      extra.push(d);
      return d;
    },
  };
}

function postgresFixture(): EngineFixture {
  let database: FreshPostgresDatabase | undefined;
  let current: Db | undefined;
  let dirty = '';
  let dataDir = '';
  const extra: Db[] = [];
  beforeAll(async () => {
    database = await freshPostgresDatabase();
    // DATA_DIR still holds what stays local with DATABASE_URL (secret.key).
    dataDir = tempDir('engine-pg-');
    current = openStore({ dataDir, databaseUrl: database.url });
    dirty = dirtyTablesQuery(current);
  });
  beforeEach(() => {
    if (!current?.open) current = openStore({ dataDir, databaseUrl: database!.url });
    // Truncating every table costs about 80 ms; a test touches a few of them.
    const touched = current.prepare<[], { t: string }>(dirty).all().map((r) => r.t);
    if (touched.length > 0) current.exec(`TRUNCATE ${touched.join(', ')} RESTART IDENTITY CASCADE`);
  });
  afterEach(() => {
    for (const d of extra.splice(0)) if (d.open) d.close();
  });
  afterAll(async () => {
    if (current?.open) current.close();
    current = undefined;
    await database?.drop();
  });
  return {
    engine: 'postgres',
    dir: null,
    get db(): Db {
      if (!current) throw new Error('t.db is only there inside a test or its hooks');
      return current;
    },
    reopen(): Db {
      current?.close();
      current = openStore({ dataDir, databaseUrl: database!.url });
      return current;
    },
    connect(): Db {
      const d = openStore({ dataDir, databaseUrl: database!.url });
      extra.push(d);
      return d;
    },
  };
}

/**
 * With PG_SQL_LOG=<folder>, every SQL text a store executed on PostgreSQL during this test file is
 * written there when the file ends, for test/support/pg-sql-coverage.ts to compare with the
 * statements the stores hold. Off otherwise: PgDatabase then records nothing.
 */
const logDir = process.env.PG_SQL_LOG;
if (logDir) {
  const seen = new Set<string>();
  PgDatabase.executedTexts = seen;
  afterAll(() => {
    mkdirSync(logDir, { recursive: true });
    writeFileSync(join(logDir, `${process.pid}-${randomBytes(4).toString('hex')}.json`), JSON.stringify([...seen]));
  });
}

/** One query naming the tables a test left rows in or whose identity it advanced (ids must restart at 1). */
function dirtyTablesQuery(db: Db): string {
  const tables = db
    .prepare<[], { t: string; seq: string | null }>(
      `SELECT c.relname AS t, pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS seq
       FROM pg_class c LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attidentity <> '' AND a.attnum > 0
       WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND c.relname <> 'schema_version'
       ORDER BY c.relname`,
    )
    .all();
  return tables
    .map(({ t, seq }) => `SELECT '${t}' AS t WHERE EXISTS (SELECT 1 FROM ${t})${seq ? ` OR (SELECT is_called FROM ${seq})` : ''}`)
    .join(' UNION ALL ');
}
