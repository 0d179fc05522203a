import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { freshPostgresDatabase } from '../support/postgres.ts';

const CHILD = fileURLToPath(new URL('./pg-server-child.ts', import.meta.url));

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

describe('the test PostgreSQL server', () => {
  it('gives each caller its own empty UTF-8 database and drops it despite open connections', async () => {
    const [a, b] = await Promise.all([freshPostgresDatabase(), freshPostgresDatabase()]);
    // Names, not URLs: a failed assertion prints its values, and the URLs carry the password.
    const dbName = (url: string): string => new URL(url).pathname.slice(1);
    expect(dbName(a.url)).not.toBe(dbName(b.url));
    await query(a.url, 'CREATE TABLE only_in_a (x BIGINT)');
    const inB = await query(b.url, "SELECT to_regclass('only_in_a') AS t");
    expect(inB.rows[0].t).toBeNull();
    const enc = await query(b.url, "SELECT current_setting('server_encoding') AS e, datcollate FROM pg_database WHERE datname = current_database()");
    expect(enc.rows[0]).toEqual({ e: 'UTF8', datcollate: 'C' });

    const leftover = new pg.Client({ connectionString: a.url });
    leftover.on('error', () => {});
    await leftover.connect();
    const name = dbName(a.url);
    await a.drop();
    await b.drop();
    const left = await query(inject('postgresUrl'), `SELECT datname FROM pg_database WHERE datname LIKE 'panel_test_${process.pid}_%'`);
    expect(left.rows.map((r: { datname: string }) => r.datname)).not.toContain(name);
    await leftover.end().catch(() => {});
  });

  it('is stopped and its folder removed when the process that started it is killed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ dir: string; port: number }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(JSON.parse(out) as { dir: string; port: number });
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    expect(existsSync(started.dir)).toBe(true);
    expect(await accepts(started.port)).toBe(true);

    child.kill('SIGKILL');
    // The watchdog needs a moment to stop the server: wait for the outcome, not for a time.
    while (existsSync(started.dir)) await new Promise((r) => setTimeout(r, 50));
    expect(await accepts(started.port)).toBe(false);
  });
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
