/**
 * Restoring a big fleet over several workers (issue 15): 2,000 stored accounts of one simulated
 * world restored by real `start --no-bot --no-web` processes, timed from outside through the
 * database (the workers' rows, the account leases and the accounts' statuses), polled every 100 ms.
 *
 * 1. One `start` on PostgreSQL restoring all of them.
 * 2. Four `start`s on PostgreSQL started together over the same accounts, until every account is
 *    connected and each worker holds its fair share (N/4 ± 1).
 * 3. One `start` on the SQLite file: the baseline the others are divided by.
 *
 * An account counts as connected when a live worker holds its lease and its status turned
 * 'active' after the run began (the fleet takes the lease, marks it 'connecting', connects and
 * checks it with getMe, then marks it 'active'). Times run from spawning the processes, so they
 * include each one's start-up (loading, migrations check, registering as a worker). Each
 * process's CPU time and peak RSS are read from /proc when the run is complete; on PostgreSQL the
 * server's own CPU (its backends included) is added to the total. Every `start` runs the
 * simulator inside itself (it sits under mtcute), so a worker's CPU and memory include the
 * simulated Telegram's share of its accounts.
 *
 * Each scenario runs with a simulated round trip of 40 ms per answer (as with Telegram, where the
 * restore mostly waits) and without latency (where the time is the processes' own work). Sessions
 * are made directly (bench/support/sim-sessions.ts) rather than by 2,000 phone logins, in a world
 * made past the simulator's 1,000-account limit (bench/support/big-world.ts).
 *
 * BENCH_RESTORE_ACCOUNTS sets the size (default 2000); BENCH_RESTORE_LATENCY=40 or 0 runs only
 * that one; TEST_DATABASE_URL uses that server instead of a throwaway embedded one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { listWorkers } from '../src/engine/workers.ts';
import { openWorld } from '../src/sim/world.ts';
import { openStore } from '../src/store/open.ts';
import type { Db } from '../src/store/sql.ts';
import { startEmbeddedPostgres } from '../test/support/embedded-postgres.ts';
import { createFleetWorld } from './support/big-world.ts';
import { procUsage, treeCpuMs, type ProcUsage } from './support/proc-usage.ts';
import { storeSimSessions } from './support/sim-sessions.ts';

const ACCOUNTS = Number(process.env.BENCH_RESTORE_ACCOUNTS ?? 2000);
const WORKERS = 4;
const LATENCY_MS = 40;
const POLL_MS = 100;
const TIMEOUT_MS = Number(process.env.BENCH_RESTORE_TIMEOUT_MS ?? 180_000);
const BIN = join(import.meta.dirname, '..', 'bin', 'telegram-panel.mjs');

interface Store {
  name: 'sqlite' | 'postgres';
  env: Record<string, string>;
  /** The PostgreSQL server's postmaster, whose CPU counts in the total (null: SQLite, or a server elsewhere). */
  serverPid: number | null;
}

interface Outcome {
  workers: number;
  /** From spawning until every process is listed as a live worker. */
  registeredMs: number;
  /** Until every account is connected (by whichever worker). */
  connectedMs: number;
  /** Until every account is connected and each worker holds its fair share. */
  balancedMs: number;
  /** Accounts held per worker at the end. */
  held: number[];
  /** Per process, read when the run was complete. */
  usage: ProcUsage[];
  /** The database server's CPU during the run (0 on SQLite). */
  serverCpuMs: number;
  /** Connections made (accounts turned 'active'): more than the accounts when some were handed over. */
  connections: number;
  /** Warnings the workers logged, by kind, up to the end of the run. */
  warnings: Map<string, number>;
}

interface Count {
  owner: string;
  held: number;
  connected: number;
}

/** Held and connected accounts per lease owner, as any process sees them in the database. */
function counts(db: Db, since: number): Count[] {
  return db
    .prepare<[number, number], { owner: string; held: number | string; connected: number | string }>(
      `SELECT l.owner AS owner, COUNT(*) AS held,
              SUM(CASE WHEN a.status = 'active' AND a.status_since >= ? THEN 1 ELSE 0 END) AS connected
         FROM leases l JOIN accounts a ON a.id = l.resource_id
        WHERE l.scope = 'account' AND l.expires_at > ?
        GROUP BY l.owner`,
    )
    .all(since, Date.now())
    .map((r) => ({ owner: r.owner, held: Number(r.held), connected: Number(r.connected) }));
}

interface Worker {
  child: ChildProcess;
  stderr: () => string;
  /** Its warnings and errors (LOG_LEVEL=warn) by kind. */
  warnings: Map<string, number>;
}

/** A log line's message and error, digits blanked, so repeats of one kind add up. */
function warningKind(line: string): string {
  let text = line.trim();
  try {
    const j = JSON.parse(text) as { msg?: string; err?: { message?: string } };
    text = `${j.msg ?? ''}${j.err?.message ? ` (${j.err.message})` : ''}`;
  } catch {
    // Not JSON (a crash's stack trace): the line as it is.
  }
  return text.replace(/\d+/g, '#').slice(0, 200);
}

function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [BIN, 'start', '--no-bot', '--no-web'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  let partial = '';
  const warnings = new Map<string, number>();
  child.stderr.on('data', (b: Buffer) => {
    err = (err + b.toString()).slice(-4000);
    const lines = (partial + b.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const key = warningKind(line);
      if (key) warnings.set(key, (warnings.get(key) ?? 0) + 1);
    }
  });
  return { child, stderr: () => err, warnings };
}

async function stop(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
  c.kill('SIGTERM');
  const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

function tally(procs: readonly Worker[]): Map<string, number> {
  const all = new Map<string, number>();
  for (const p of procs) for (const [k, n] of p.warnings) all.set(k, (all.get(k) ?? 0) + n);
  return all;
}

async function restore(store: Store, workers: number): Promise<Outcome> {
  const db = openStore({ dataDir: store.env.DATA_DIR!, databaseUrl: store.env.DATABASE_URL });
  const procs: Worker[] = [];
  try {
    const since = Date.now();
    const serverCpu0 = store.serverPid === null ? 0 : treeCpuMs(store.serverPid);
    const t0 = performance.now();
    for (let i = 0; i < workers; i++) procs.push(startWorker(store.env));
    const pids = new Set(procs.map((p) => p.child.pid!));
    let registeredMs = 0;
    let connectedMs = 0;
    let last: Count[] = [];
    for (;;) {
      const elapsed = performance.now() - t0;
      const dead = procs.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
      if (dead) throw new Error(`a worker exited during the restore (${dead.child.exitCode ?? dead.child.signalCode}): ${dead.stderr()}`);
      if (elapsed > TIMEOUT_MS) {
        const warned = [...tally(procs)].map(([w, n]) => `warned ${n}x: ${w}`).join('\n');
        throw new Error(`timed out after ${s(elapsed)}; held/connected per worker ${JSON.stringify(last.map((c) => [c.held, c.connected]))}\n${warned}`);
      }
      const live = listWorkers(db, Date.now()).filter((w) => w.live && pids.has(w.pid));
      if (registeredMs === 0 && live.length === workers) registeredMs = elapsed;
      const owners = new Set(live.map((w) => w.owner));
      last = counts(db, since).filter((c) => owners.has(c.owner));
      const connected = last.reduce((n, c) => n + c.connected, 0);
      if (connectedMs === 0 && connected === ACCOUNTS) connectedMs = elapsed;
      const share = ACCOUNTS / workers;
      if (connected === ACCOUNTS && last.length === workers && last.every((c) => Math.abs(c.held - share) <= 1)) {
        const usage = procs.map((p) => procUsage(p.child.pid!)!);
        const serverCpuMs = store.serverPid === null ? 0 : treeCpuMs(store.serverPid) - serverCpu0;
        const connections = Number(
          db.prepare<[number], { n: number | string }>("SELECT COUNT(*) AS n FROM account_status_history WHERE status = 'active' AND at >= ?").get(since)?.n ?? 0,
        );
        return { workers, registeredMs, connectedMs, balancedMs: elapsed, held: last.map((c) => c.held), usage, serverCpuMs, connections, warnings: tally(procs) };
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    await Promise.all(procs.map((p) => stop(p.child)));
    db.close();
  }
}

function setLatency(worldPath: string, phones: readonly string[], ms: number): void {
  const world = openWorld(worldPath);
  try {
    for (const phone of phones) {
      if (ms > 0) world.setFault(phone, `slow:${ms}`);
      else world.clearFault(phone, 'slow');
    }
  } finally {
    world.close();
  }
}

async function newDatabase(admin: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `bench_restore_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const cpuOf = (o: Outcome): number => o.usage.reduce((n, u) => n + u.cpuMs, 0) + o.serverCpuMs;

function describe(label: string, o: Outcome): string {
  const perWorker = o.usage.map((u, i) => `${s(u.cpuMs)} CPU / ${mb(u.peakRssBytes)} peak RSS / ${o.held[i]} held`).join('; ');
  return (
    `  ${label}: all connected ${s(o.connectedMs)}${o.workers > 1 ? `, fair shares ${s(o.balancedMs)}` : ''} (workers registered ${s(o.registeredMs)}); ` +
    `CPU ${s(cpuOf(o))} in all${o.serverCpuMs > 0 ? ` (PostgreSQL server ${s(o.serverCpuMs)})` : ''}; ${o.connections} connections made\n    per worker: ${perWorker}` +
    [...o.warnings].map(([w, n]) => `\n    warned ${n}x: ${w}`).join('')
  );
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-workers-restore-'));
  const given = process.env.TEST_DATABASE_URL;
  const server = given ? undefined : await startEmbeddedPostgres();
  const database = await newDatabase(given ?? server!.url);
  try {
    // The bin rebuilds a stale dist/ before running: do that now, not inside a timed start.
    spawnSync(process.execPath, [BIN, '--help'], { stdio: 'ignore' });
    const setup0 = performance.now();
    const worldPath = join(dir, 'world.db');
    const summary = createFleetWorld(worldPath, ACCOUNTS);
    const common = { TELEGRAM_SIM: worldPath, PANEL_SECRET: randomBytes(32).toString('base64'), LOG_LEVEL: 'warn' };
    const sqlite: Store = { name: 'sqlite', env: { ...common, DATA_DIR: join(dir, 'sqlite') }, serverPid: null };
    const postgres: Store = {
      name: 'postgres',
      env: { ...common, DATA_DIR: join(dir, 'pg'), DATABASE_URL: database.url },
      serverPid: server ? Number(readFileSync(join(server.dir, 'postmaster.pid'), 'utf8').split('\n')[0]) : null,
    };
    // Each store gets its own sessions (keys), all authorised in the one world.
    await storeSimSessions(loadConfig(sqlite.env), worldPath, summary);
    const sqliteSetup = performance.now() - setup0;
    await storeSimSessions(loadConfig(postgres.env), worldPath, summary);
    console.log(
      `${ACCOUNTS} accounts, ${WORKERS} workers on a machine with ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores; ` +
        `setup ${s(sqliteSetup)} (world + SQLite sessions), ${s(performance.now() - setup0 - sqliteSetup)} (PostgreSQL sessions)`,
    );

    const only = process.env.BENCH_RESTORE_LATENCY;
    const phones = summary.accounts.map((a) => a.phone);
    for (const latency of [LATENCY_MS, 0]) {
      if (only !== undefined && Number(only) !== latency) continue;
      setLatency(worldPath, phones, latency);
      console.log(latency > 0 ? `${latency} ms per answer (each worker connects 16 accounts at a time):` : 'no network latency (the processes’ own work):');
      // A run that fails is reported and the others still run: a failure is a finding too.
      const attempt = async (label: string, store: Store, workers: number): Promise<Outcome | null> => {
        try {
          const o = await restore(store, workers);
          console.log(describe(label, o));
          return o;
        } catch (e) {
          console.log(`  ${label}: FAILED: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 10).join('\n    ')}`);
          return null;
        }
      };
      const base = await attempt('SQLite, 1 process', sqlite, 1);
      const one = await attempt('PostgreSQL, 1 process', postgres, 1);
      const four = await attempt(`PostgreSQL, ${WORKERS} processes`, postgres, WORKERS);
      const maxRss = (o: Outcome): number => Math.max(...o.usage.map((u) => u.peakRssBytes));
      if (one && base) {
        console.log(
          `  PostgreSQL 1 / SQLite 1: wall ${(one.connectedMs / base.connectedMs).toFixed(2)}, CPU ${(cpuOf(one) / cpuOf(base)).toFixed(2)}, RSS ${(maxRss(one) / maxRss(base)).toFixed(2)}`,
        );
      }
      if (four && one) {
        console.log(
          `  PostgreSQL ${WORKERS} / 1: wall ${(four.balancedMs / one.connectedMs).toFixed(2)}, total CPU ${(cpuOf(four) / cpuOf(one)).toFixed(2)}, ` +
            `largest worker's RSS ${(maxRss(four) / maxRss(one)).toFixed(2)}, largest worker's CPU ${(Math.max(...four.usage.map((u) => u.cpuMs)) / one.usage[0]!.cpuMs).toFixed(2)}`,
        );
      }
    }
    console.log(
      `  (${WORKERS} processes share this machine's cores, so their wall time is not what ${WORKERS} machines would see: ` +
        `there each would do its own worker's CPU and memory above, in parallel)`,
    );
  } finally {
    await database.drop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('workers-restore.bench.ts')) await run();
