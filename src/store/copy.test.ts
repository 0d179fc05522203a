import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildPanel, dump, T0, type PanelFacts } from '../../test/support/panel-data.ts';
import { freshPostgresDatabase, type FreshPostgresDatabase } from '../../test/support/postgres.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { AccountStore } from './accounts.ts';
import { CampaignStore } from './campaigns.ts';
import { copyPanel, copySqliteToPostgres, sourceTables } from './copy.ts';
import { openPanelDb, StoreError } from './db.ts';
import { MIGRATIONS } from './migrations.ts';
import { MonitorStore } from './monitor.ts';
import { openStore } from './open.ts';
import { PgDatabase } from './pg/pg-database.ts';
import { ScheduleStore } from './schedules.ts';
import { Secrets, verifyKey } from './secrets.ts';
import type { Db } from './sql.ts';
import { WebAuthStore } from './web-auth.ts';

const KNOWN = Math.max(...MIGRATIONS.map((m) => m.version));

let dir: string;
let panel: PanelFacts;
let tables: string[];
let sqliteDump: Record<string, string[]>;

beforeAll(() => {
  dir = tempDir('copy-');
  panel = buildPanel(dir);
  const db = openPanelDb(dir);
  tables = sourceTables(db).map((t) => t.name);
  sqliteDump = dump(db, tables);
  db.close();
});

/** Each test gets its own empty PostgreSQL database, dropped after. */
let target: FreshPostgresDatabase;
const opened: Db[] = [];
beforeEach(async () => {
  target = await freshPostgresDatabase();
  return async () => {
    for (const d of opened.splice(0)) if (d.open) d.close();
    await target.drop();
  };
});

function pg(): PgDatabase {
  const d = PgDatabase.connect(target.url);
  opened.push(d);
  return d;
}

function hasTable(db: Db, name: string): boolean {
  return db.prepare<[string], { t: string | null }>('SELECT to_regclass(?)::text AS t').get(name)?.t != null;
}

describe('db copy: SQLite panel into PostgreSQL', () => {
  it('orders tables so every foreign key points at one copied before it', () => {
    const db = openPanelDb(dir);
    try {
      for (const t of sourceTables(db)) {
        const parents = db.prepare<[string], { p: string }>('SELECT "table" AS p FROM pragma_foreign_key_list(?)').all(t.name);
        for (const { p } of parents) expect(tables.indexOf(p), `${p} before ${t.name}`).toBeLessThan(tables.indexOf(t.name));
      }
      // Read from the file, not a list: every table of the schema is there.
      const all = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").get()!.n;
      expect(tables).toHaveLength(all);
    } finally {
      db.close();
    }
  });

  it('copies every row of every table exactly, and the stores on PostgreSQL read the same panel with the same secret', () => {
    const r = copySqliteToPostgres(dir, target.url, { batchRows: 64 });
    expect(r.schemaVersion).toBe(KNOWN);
    expect(r.tables.find((t) => t.table === 'campaign_targets')?.rows).toBe(panel.targets);
    expect(r.rows).toBe(Object.values(sqliteDump).reduce((s, rows) => s + rows.length, 0));
    for (const t of r.tables) expect(t.rows, t.table).toBe(sqliteDump[t.table]!.length);

    const db = openStore({ dataDir: dir, databaseUrl: target.url });
    opened.push(db);
    // Byte for byte: BLOBs (sealed keys, hashes), integers past 2^53 held as text, every column.
    expect(dump(db, tables)).toEqual(sqliteDump);

    const secrets = new Secrets(Buffer.from(panel.secret, 'base64'));
    expect(() => verifyKey(db, secrets)).not.toThrow();
    expect(() => verifyKey(db, new Secrets(Buffer.alloc(32, 7)))).toThrow(/cannot decrypt/);
    const accounts = new AccountStore(db, secrets);
    expect(accounts.list(T0).map((a) => a.id)).toEqual(panel.accounts.map((a) => a.id));
    for (const a of panel.accounts) {
      expect(Buffer.from(accounts.sessions.authKey(a.id, 2)!).equals(a.authKey)).toBe(true);
      expect(accounts.proxyUrl(a.id)).toBe(a.proxyUrl);
    }
    expect(accounts.sessions.peerByUsername(panel.accounts[0]!.id, 'peer1')?.accessHash).toBe('123456789');

    const campaigns = new CampaignStore(db);
    expect(campaigns.counts(panel.campaignId)).toMatchObject({ sent: 20, not_found: 5, uncertain: 3, claimed: 1, pending: panel.targets - 29 });
    expect(campaigns.getById(panel.campaignId)?.state).toBe('paused');
    expect(new MonitorStore(db).outboxSummary()).toMatchObject({ pending: 2 });
    expect(new ScheduleStore(db).list().map((s) => s.command)).toEqual(['campaign run spring']);
    expect(new WebAuthStore(db).liveTokens().map((t) => t.name)).toEqual(['grafana']);

    // Identity sequences moved past the copied ids (account 3 was removed: past the largest, not the count).
    const fresh = accounts.create({ phone: '+15559999', userId: 9999, username: null, firstName: 'New' }, { authKeys: [], kv: [] }, T0);
    expect(fresh).toBe(Math.max(...panel.accounts.map((a) => a.id)) + 1);
  });

  it('refuses a target that already holds panel data and writes nothing', () => {
    copySqliteToPostgres(dir, target.url);
    const db = pg();
    db.prepare('UPDATE campaigns SET message = ?').run('changed on PostgreSQL');
    const before = dump(db, tables);
    expect(() => copySqliteToPostgres(dir, target.url)).toThrow(StoreError);
    expect(() => copySqliteToPostgres(dir, target.url)).toThrow(/already holds panel data \(.*accounts.*\); nothing was written.*--replace/);
    expect(dump(db, tables)).toEqual(before);
  });

  it('replaces what the target holds when told to', () => {
    copySqliteToPostgres(dir, target.url);
    const db = pg();
    db.prepare('UPDATE campaigns SET message = ?').run('changed on PostgreSQL');
    db.prepare("INSERT INTO audit (at, actor, action) VALUES (1, 'x', 'extra')").run();
    const r = copySqliteToPostgres(dir, target.url, { replace: true });
    expect(r.replaced).toBe(true);
    expect(dump(db, tables)).toEqual(sqliteDump);
  });

  it('will not replace a target on which a live worker holds leases', () => {
    copySqliteToPostgres(dir, target.url);
    const db = pg();
    db.prepare('INSERT INTO leases (scope, resource_id, owner, acquired_at, heartbeat_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run('account', 99, 'other-host/77/cafe', 0, 0, Date.now() + 60_000);
    const before = dump(db, tables);
    expect(() => copySqliteToPostgres(dir, target.url, { replace: true })).toThrow(/is in use: other-host\/77\/cafe holds 1 lease; nothing was copied/);
    expect(dump(db, tables)).toEqual(before);
  });

  it('copies into a database that `db migrate` prepared (schema there, no rows)', () => {
    openStore({ dataDir: dir, databaseUrl: target.url }).close();
    const r = copySqliteToPostgres(dir, target.url);
    expect(r.replaced).toBe(false);
    expect(dump(pg(), tables)).toEqual(sqliteDump);
  });

  it('refuses a target written by a newer version, leaving it as it was', () => {
    const db = pg();
    db.exec('CREATE TABLE schema_version (version BIGINT NOT NULL); INSERT INTO schema_version VALUES (99)');
    expect(() => copySqliteToPostgres(dir, target.url)).toThrow(new RegExp(`newer version of Telegram Panel \\(schema 99, this version knows ${KNOWN}\\)`));
    expect(hasTable(db, 'accounts')).toBe(false);
    expect(db.prepare<[], { version: number }>('SELECT version FROM schema_version').get()?.version).toBe(99);
  });

  it('leaves the target empty when the copy fails midway', () => {
    const source = openPanelDb(dir);
    const db = pg();
    let batches = 0;
    try {
      expect(() =>
        copyPanel(source, db, 'the target', {
          batchRows: 50,
          onBatch: (table) => {
            batches++;
            if (table === 'campaign_targets' && batches > 3) throw new Error('connection lost');
          },
        }),
      ).toThrow('connection lost');
    } finally {
      source.close();
    }
    expect(batches).toBeGreaterThan(3);
    // Not even the schema: migration and rows were one transaction.
    expect(hasTable(db, 'schema_version')).toBe(false);
    expect(hasTable(db, 'accounts')).toBe(false);
    // And a second attempt then succeeds.
    copySqliteToPostgres(dir, target.url);
    expect(dump(db, tables)).toEqual(sqliteDump);
  });

  it('refuses while a live process holds leases on the source, naming it; a holder that is gone is no obstacle', () => {
    const d = tempDir('copy-lease-');
    buildPanel(d, { targets: 40 });
    const source = openPanelDb(d);
    const live = `${hostname()}/${process.pid}/abcd1234`;
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    source.prepare('INSERT INTO leases (scope, resource_id, owner, acquired_at, heartbeat_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run('account', 1, live, 0, 0, Date.now() + 60_000);
    const isGone = (o: string) => o.includes(`/${gone}/`);
    try {
      expect(() => copyPanel(source, pg(), 'the target', { ownerIsGone: isGone, describeOwner: (o) => `holder ${o}` })).toThrow(
        new RegExp(`in use: holder ${live} holds 1 lease; nothing was copied`),
      );
      expect(hasTable(pg(), 'accounts')).toBe(false);
      source.prepare('UPDATE leases SET owner = ?').run(`${hostname()}/${gone}/dead0000`);
      const r = copyPanel(source, pg(), 'the target', { ownerIsGone: isGone });
      expect(r.tables.find((t) => t.table === 'leases')?.rows).toBe(1);
    } finally {
      source.close();
    }
  });

  it('never shows the password of the target URL', () => {
    const url = new URL(target.url);
    const password = decodeURIComponent(url.password);
    expect(password.length).toBeGreaterThan(0);
    url.password = 'not-the-password-xyz';
    let error: unknown;
    try {
      copySqliteToPostgres(dir, url.toString());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect(String((error as Error).message)).toMatch(/cannot connect to PostgreSQL at postgres.*\*\*\*@/);
    expect(String((error as Error).message)).not.toContain('not-the-password-xyz');
    const ok = copySqliteToPostgres(dir, target.url);
    expect(JSON.stringify(ok)).not.toContain(password);
  });
});

