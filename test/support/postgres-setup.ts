import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL server; tests get their own database from freshPostgresDatabase. */
    postgresUrl: string;
  }
}

/**
 * vitest globalSetup: one PostgreSQL server for the whole run. `TEST_DATABASE_URL` names an
 * existing server (a role allowed to create databases); without it a throwaway server is started
 * from the `embedded-postgres` binaries in a temp folder and removed at teardown, or by its
 * watchdog if the run is killed. Test files never share a database: see postgres.ts.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TEST_DATABASE_URL;
  if (given !== undefined && given !== '') {
    project.provide('postgresUrl', given);
    return async () => {};
  }
  const server = await startEmbeddedPostgres();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
