/**
 * Workers sharing one fleet (issue 15): real `start --no-bot --no-web` processes over one
 * database and one simulated world of 24 accounts, timed from outside through the workers'
 * rows and leases (the same listing `workers` prints), polled every 20 ms.
 *
 * 1. A new worker reaching its fair share: worker A holds all 24; B starts; the time until each
 *    holds 12 (B's start-up, A noticing B and handing over, B connecting its share).
 * 2. Lease hand-over after a kill, as seen from the same host: B is SIGKILLed; the time until A
 *    holds all 24 (A sees B's pid gone, so it does not wait for the TTL).
 * 3. The same as another host sees it: B runs under another host name (its own UTS namespace,
 *    `unshare -u`), so nothing but the TTL tells A that it died.
 *
 * Each with the default timings (TTL 60 s, heartbeat 20 s) and the tests' (2 s, 250 ms), on the
 * SQLite file (no wake-ups between processes: heartbeats only) and on PostgreSQL (NOTIFY wakes
 * the others at once). The PostgreSQL server is TEST_DATABASE_URL's or a throwaway embedded one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { createWorld } from '../src/sim/create.ts';
import { benchPostgres, withScratchDatabase } from './support/postgres.ts';
import { storeSimSessions } from './support/sim-sessions.ts';

const ACCOUNTS = 24;
const BIN = join(import.meta.dirname, '..', 'bin', 'telegram-panel.mjs');
const TIMINGS = {
  default: {},
  test: { WORKER_TTL_MS: '2000', WORKER_HEARTBEAT_MS: '250' },
} as const;
const canUnshare = spawnSync('unshare', ['-u', 'true']).status === 0;

interface Panel {
  env: Record<string, string>;
  app: App;
}

async function panel(dir: string, databaseUrl?: string): Promise<Panel> {
  const worldPath = join(dir, 'world.db');
  const summary = createWorld(worldPath, { accounts: ACCOUNTS, users: 4, groups: 1, seed: 5 });
  const env: Record<string, string> = {
    DATA_DIR: join(dir, 'data'),
    TELEGRAM_SIM: worldPath,
    PANEL_SECRET: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const config = loadConfig(env);
  await storeSimSessions(config, worldPath, summary);
  return { env, app: openApp(config, { log: silentLogger }) };
}

function start(p: Panel, timings: Record<string, string>, otherHost = false): ChildProcess {
  const args = [BIN, 'start', '--no-bot', '--no-web'];
  const env = { ...process.env, ...p.env, ...timings };
  return otherHost
    ? spawn('unshare', ['-u', 'sh', '-c', `hostname bench-other-host && exec "${process.execPath}" "$@"`, 'sh', ...args], { env, stdio: 'ignore' })
    : spawn(process.execPath, args, { env, stdio: 'ignore' });
}

/** Held accounts per live worker, by pid. */
function loads(p: Panel): Map<number, number> {
  return new Map(p.app.workers().filter((w) => w.live).map((w) => [w.pid, w.accounts.length]));
}

async function until(check: () => boolean, what: string, ms = 240_000): Promise<number> {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - t0;
}

function kill(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });
}

/** The pid the worker registered with (unshare's child execs node under the same pid). */
async function pidOf(p: Panel, known: ReadonlySet<number>): Promise<number> {
  let pid = 0;
  await until(() => {
    pid = [...loads(p).keys()].find((x) => !known.has(x)) ?? 0;
    return pid !== 0;
  }, 'the worker to register');
  return pid;
}

async function scenario(p: Panel, timings: Record<string, string>): Promise<{ share: number; kill: number; killOtherHost: number | null }> {
  const a = start(p, timings);
  const children = [a];
  try {
    const aPid = await pidOf(p, new Set());
    await until(() => loads(p).get(aPid) === ACCOUNTS, 'A to hold every account');
    const half = ACCOUNTS / 2;
    const b = start(p, timings);
    children.push(b);
    const share = await until(() => {
      const l = [...loads(p).values()];
      return l.length === 2 && l.every((n) => n === half);
    }, 'B to get its share');
    await kill(b);
    const killMs = await until(() => loads(p).get(aPid) === ACCOUNTS, 'A to take the killed worker’s accounts');
    let otherHost: number | null = null;
    if (canUnshare) {
      const c = start(p, timings, true);
      children.push(c);
      await until(() => {
        const l = [...loads(p).values()];
        return l.length === 2 && l.every((n) => n === half);
      }, 'C to get its share');
      await kill(c);
      otherHost = await until(() => loads(p).get(aPid) === ACCOUNTS, 'A to take the accounts of a worker on another host');
    }
    return { share, kill: killMs, killOtherHost: otherHost };
  } finally {
    for (const c of children) await kill(c);
  }
}

const s = (ms: number | null): string => (ms === null ? 'n/a (no unshare)' : `${(ms / 1000).toFixed(2)} s`);

export async function run(): Promise<void> {
  const server = await benchPostgres();
  // BENCH_WORKERS_TIMINGS=default|test and BENCH_WORKERS_ENGINE=sqlite|postgres run a part only.
  const only = process.env.BENCH_WORKERS_TIMINGS;
  const onlyEngine = process.env.BENCH_WORKERS_ENGINE;
  try {
    for (const [timingName, timings] of Object.entries(TIMINGS)) {
      if (only && only !== timingName) continue;
      for (const engine of ['sqlite', 'postgres'] as const) {
        if (onlyEngine && onlyEngine !== engine) continue;
        const dir = mkdtempSync(join(tmpdir(), 'tp-bench-workers-'));
        try {
          const r =
            engine === 'sqlite'
              ? await (async () => {
                  const p = await panel(dir);
                  try {
                    return await scenario(p, timings);
                  } finally {
                    await p.app.close();
                  }
                })()
              : await withScratchDatabase(server.admin, 'bench_workers', async (url) => {
                  const p = await panel(dir, url);
                  try {
                    return await scenario(p, timings);
                  } finally {
                    await p.app.close();
                  }
                });
          console.log(
            `${timingName} timings (${timingName === 'default' ? 'TTL 60 s, heartbeat 20 s' : 'TTL 2 s, heartbeat 250 ms'}), ${engine}, ${ACCOUNTS} accounts: ` +
              `new worker at its share ${s(r.share)}; hand-over after SIGKILL, same host ${s(r.kill)}, another host ${s(r.killOtherHost)}`,
          );
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await server.stop();
  }
}

if (process.argv[1]?.endsWith('workers.bench.ts')) await run();
