import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../test/support/embedded-postgres.ts';

export interface BenchPostgres {
  /** Superuser URL (carries the password: never print it). */
  admin: string;
  /** Stops the embedded server; a TEST_DATABASE_URL server is left running. */
  stop(): Promise<void>;
}

/**
 * The server a bench measures on: TEST_DATABASE_URL's (to measure on a chosen machine), else a
 * throwaway embedded one, so a bench needs no manual step.
 */
export async function benchPostgres(): Promise<BenchPostgres> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { admin: given, stop: () => Promise.resolve() };
  const server = await startEmbeddedPostgres();
  return { admin: server.url, stop: () => server.stop() };
}

/**
 * Runs `fn` on a new, empty database on the server at `admin`, so each measurement starts from
 * the same state; the database is dropped afterwards with FORCE, which also ends connections
 * `fn` left open. The name is random so runs sharing a server never collide.
 */
export async function withScratchDatabase<T>(admin: string, prefix: string, fn: (url: string) => T | Promise<T>): Promise<T> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  }
}
