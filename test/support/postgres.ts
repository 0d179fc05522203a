import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface FreshPostgresDatabase {
  /** Connection URL of the new database (carries the server password: never print it). */
  url: string;
  /** Drops the database, ending any connection a test left open. */
  drop(): Promise<void>;
}

/**
 * A new, empty database on the run's PostgreSQL server (test/support/postgres-setup.ts), for
 * one test file or one test. The name is random so parallel forks never collide. It is copied
 * from template0 with UTF-8 and C collation, so results do not depend on the server's locale or
 * on what someone left in template1 of a shared server.
 */
export async function freshPostgresDatabase(): Promise<FreshPostgresDatabase> {
  const admin = inject('postgresUrl');
  const name = `panel_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, (c) =>
    c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`),
  );
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      // FORCE terminates the connections still open on it (a pool a failed test never closed).
      await withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin(url: string, fn: (c: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}
