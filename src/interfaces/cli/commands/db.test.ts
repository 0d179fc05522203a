import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, type CliRun } from '../../../../test/support/cli.ts';
import { buildPanel, type PanelFacts } from '../../../../test/support/panel-data.ts';
import { freshPostgresDatabase, type FreshPostgresDatabase } from '../../../../test/support/postgres.ts';
import { tempDir } from '../../../../test/support/tmp.ts';
import { openSqlite } from '../../../store/db.ts';
import { MIGRATIONS } from '../../../store/migrations.ts';
import { PG_MIGRATIONS } from '../../../store/migrations-pg.ts';
import { PgDatabase } from '../../../store/pg/pg-database.ts';

const KNOWN = Math.max(...MIGRATIONS.map((m) => m.version));
const KNOWN_PG = Math.max(...PG_MIGRATIONS.map((m) => m.version));

const databases: FreshPostgresDatabase[] = [];
async function postgres(): Promise<{ url: string; password: string }> {
  const d = await freshPostgresDatabase();
  databases.push(d);
  return { url: d.url, password: decodeURIComponent(new URL(d.url).password) };
}
afterAll(async () => {
  for (const d of databases) await d.drop();
});

/** Every run of a test, so one check can say no password reached any output. */
const runs: CliRun[] = [];
async function run(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const r = await cli(args, env);
  runs.push(r);
  return r;
}

function userVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

function withPg<T>(url: string, fn: (db: PgDatabase) => T): T {
  const db = PgDatabase.connect(url);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('db status and db migrate on SQLite', () => {
  it('reports a data folder with no database yet and creates nothing', async () => {
    const dir = join(tempDir(), 'data');
    const r = await run(['--data-dir', dir, 'db', 'status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('engine: SQLite');
    expect(r.stdout).toContain(`database: ${join(dir, 'panel.db')} (not created yet`);
    expect(r.stdout).toMatch(new RegExp(`schema: 0 \\(this version knows ${KNOWN}\\), ${KNOWN} pending: 1 foundation`));
    expect(existsSync(join(dir, 'panel.db'))).toBe(false);
  });

  it('shows an older file as it is (no migration), then migrates it and says from which version to which', async () => {
    const dir = tempDir();
    const path = join(dir, 'panel.db');
    openSqlite(path, { migrations: MIGRATIONS.slice(0, 10) }).close();
    const s = await run(['--data-dir', dir, '--json', 'db', 'status']);
    expect(s.code).toBe(0);
    const status = JSON.parse(s.stdout) as { engine: string; schemaVersion: number; knownVersion: number; pending: Array<{ version: number }>; usable: boolean; tables: Array<{ table: string }> };
    expect(status).toMatchObject({ engine: 'sqlite', schemaVersion: 10, knownVersion: KNOWN, usable: true });
    expect(status.pending.map((m) => m.version)).toEqual(MIGRATIONS.slice(10).map((m) => m.version));
    expect(status.tables.map((t) => t.table)).toContain('schedules');
    expect(status.tables.map((t) => t.table)).not.toContain('web_sessions');
    expect(userVersion(path)).toBe(10);

    const m = await run(['--data-dir', dir, 'db', 'migrate']);
    expect(m.code).toBe(0);
    expect(m.stdout).toContain(`migrated ${path} from schema 10 to ${KNOWN}: 11 web-auth`);
    expect(userVersion(path)).toBe(KNOWN);

    const again = await run(['--data-dir', dir, '--json', 'db', 'migrate']);
    expect(JSON.parse(again.stdout)).toMatchObject({ engine: 'sqlite', from: KNOWN, to: KNOWN, applied: [] });
    const up = await run(['--data-dir', dir, 'db', 'status']);
    expect(up.stdout).toContain(`schema: ${KNOWN} (this version knows ${KNOWN}), up to date`);
    expect(up.stdout).toMatch(/web_sessions\s+0/);
  });

  it('refuses a file written by a newer version: status says so and exits 2, migrate changes nothing', async () => {
    const dir = tempDir();
    const path = join(dir, 'panel.db');
    openSqlite(path).close();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    const s = await run(['--data-dir', dir, 'db', 'status']);
    expect(s.code).toBe(2);
    expect(s.stdout).toContain(`usable: no: ${path} was written by a newer version of Telegram Panel (schema 99, this version knows ${KNOWN})`);
    expect(s.stderr).toContain('newer version');
    const m = await run(['--data-dir', dir, 'db', 'migrate']);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('newer version of Telegram Panel (schema 99');
    expect(userVersion(path)).toBe(99);
  });

  it('says a damaged or foreign file cannot be used (exit 2) and leaves it alone', async () => {
    const dir = tempDir();
    const path = join(dir, 'panel.db');
    writeFileSync(path, 'not a database at all, just text that is long enough');
    const s = await run(['--data-dir', dir, '--json', 'db', 'status']);
    expect(s.code).toBe(2);
    expect(JSON.parse(s.stdout)).toMatchObject({ usable: false, schemaVersion: null, problem: expect.stringContaining('is not a SQLite database') as unknown });
  });
});

describe('db status and db migrate on PostgreSQL', () => {
  it('reports an empty database, migrates it, and refuses a newer schema, never showing the password', async () => {
    const { url, password } = await postgres();
    const env = { DATABASE_URL: url };
    const s = await run(['--json', 'db', 'status'], env);
    expect(s.code).toBe(0);
    const status = JSON.parse(s.stdout) as { engine: string; location: string; exists: boolean; schemaVersion: number; pending: Array<{ version: number }>; tables: unknown[] };
    expect(status).toMatchObject({ engine: 'postgres', exists: false, schemaVersion: 0, tables: [] });
    expect(status.location).toContain(':***@');
    expect(status.pending.map((m) => m.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    // Reading changed nothing: still no schema.
    expect(withPg(url, (db) => db.prepare<[], { t: string | null }>("SELECT to_regclass('schema_version')::text AS t").get()?.t)).toBeNull();

    const m = await run(['db', 'migrate'], env);
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(new RegExp(`^migrated postgres://\\S+:\\*\\*\\*@\\S+ from schema 0 to ${KNOWN_PG}: 15 baseline`));

    const up = await run(['db', 'status'], env);
    expect(up.stdout).toContain('engine: PostgreSQL');
    expect(up.stdout).toContain(`schema: ${KNOWN_PG} (this version knows ${KNOWN_PG}), up to date`);
    expect(up.stdout).toMatch(/campaign_targets\s+0/);

    withPg(url, (db) => db.prepare('UPDATE schema_version SET version = 99').run());
    const newer = await run(['db', 'status'], env);
    expect(newer.code).toBe(2);
    expect(newer.stdout).toContain('usable: no:');
    expect(newer.stdout).toContain(`newer version of Telegram Panel (schema 99, this version knows ${KNOWN_PG})`);
    const refused = await run(['db', 'migrate'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('newer version of Telegram Panel (schema 99');
    expect(withPg(url, (db) => db.prepare<[], { version: number }>('SELECT version FROM schema_version').get()?.version)).toBe(99);

    for (const r of [s, m, up, newer, refused]) expect(r.stdout + r.stderr).not.toContain(password);
  });

  it('names an unreachable server without its password (exit 2)', async () => {
    const { url, password } = await postgres();
    const wrong = new URL(url);
    wrong.password = 'wrong-secret-pw';
    const r = await run(['db', 'status'], { DATABASE_URL: wrong.toString() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot connect to PostgreSQL at postgres://');
    expect(r.stderr).not.toContain('wrong-secret-pw');
    expect(r.stderr).not.toContain(password);
  });
});

describe('db copy', () => {
  let dir: string;
  let panel: PanelFacts;
  beforeAll(() => {
    dir = tempDir('cli-copy-');
    panel = buildPanel(dir);
  });

  it('copies the panel to the URL an environment variable names, reports the counts, and the copy opens with the same secret', async () => {
    const { url, password } = await postgres();
    const r = await run(['--data-dir', dir, 'db', 'copy', '--to-env', 'TARGET_URL'], { TARGET_URL: url });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`copied ${join(dir, 'panel.db')} to postgres://`);
    expect(r.stdout).toMatch(new RegExp(`campaign_targets\\s+${panel.targets}\\n`));
    expect(r.stdout).toMatch(/every table's count matches the SQLite panel/);
    expect(r.stdout + r.stderr).not.toContain(password);

    // The panel on PostgreSQL, with the same secret: the accounts and their sealed proxies read back.
    const env = { DATABASE_URL: url, PANEL_SECRET: panel.secret };
    const list = await run(['--data-dir', tempDir(), '--json', 'accounts', 'list'], env);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ phone: string }>).map((a) => a.phone)).toEqual(panel.accounts.map((a) => a.phone));
    const status = await run(['--json', 'db', 'status'], env);
    const tables = (JSON.parse(status.stdout) as { tables: Array<{ table: string; rows: number }> }).tables;
    expect(tables.find((t) => t.table === 'accounts')?.rows).toBe(panel.accounts.length);

    // A second copy into the same database, with the target from DATABASE_URL: refused, nothing changed.
    const again = await run(['--data-dir', dir, '--json', 'db', 'copy'], env);
    expect(again.code).toBe(2);
    expect((JSON.parse(again.stderr) as { error: string }).error).toMatch(/already holds panel data .*nothing was written/);
    expect(again.stdout + again.stderr).not.toContain(password);
    const after = await run(['--json', 'db', 'status'], env);
    expect((JSON.parse(after.stdout) as { tables: unknown }).tables).toEqual(tables);

    const replaced = await run(['--data-dir', dir, '--json', 'db', 'copy', '--replace'], env);
    expect(replaced.code).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ replaced: true, schemaVersion: KNOWN });
  });

  it('refuses while a running panel holds leases on the source, naming the process', async () => {
    const d = tempDir('cli-copy-lease-');
    buildPanel(d, { targets: 40 });
    const db = openSqlite(join(d, 'panel.db'));
    db.prepare('INSERT INTO leases (scope, resource_id, owner, acquired_at, heartbeat_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      'account',
      1,
      `${hostname()}/${process.pid}/feedbeef`,
      Date.now(),
      Date.now(),
      Date.now() + 60_000,
    );
    db.close();
    const { url } = await postgres();
    const r = await run(['--data-dir', d, 'db', 'copy', '--to', url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is in use: process ${process.pid} on ${hostname()} holds 1 lease; nothing was copied`);
    expect(withPg(url, (pg) => pg.prepare<[], { t: string | null }>("SELECT to_regclass('accounts')::text AS t").get()?.t)).toBeNull();
  });

  it('refuses what is not a target before touching anything, without echoing it', async () => {
    const bad = await run(['--data-dir', dir, 'db', 'copy', '--to', 'mysql://u:secret-in-url@h/db']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--to is not a postgres:// URL');
    expect(bad.stderr).not.toContain('secret-in-url');
    const none = await run(['--data-dir', dir, 'db', 'copy']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('say where to copy to');
    const unset = await run(['--data-dir', dir, 'db', 'copy', '--to-env', 'NOT_SET_ANYWHERE']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('NOT_SET_ANYWHERE is not set');
    const empty = await run(['--data-dir', tempDir(), 'db', 'copy', '--to', 'postgres://u:p@127.0.0.1:1/x']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('there is no panel to copy');
  });

  it('says in its help that copying back to SQLite is not supported', async () => {
    const r = await run(['db', 'copy', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('Copying from PostgreSQL back to SQLite is not supported');
    expect(r.stdout).toContain('--to-env <name>');
  });
});

// Last in the file: every command line above, refused or not, kept the server's password to itself.
it('printed no database password in any run of this file', () => {
  expect(runs.length).toBeGreaterThan(15);
  const passwords = new Set(databases.map((d) => decodeURIComponent(new URL(d.url).password)));
  for (const p of passwords) for (const r of runs) expect(r.stdout + r.stderr).not.toContain(p);
});
