/**
 * Start-up cost of the real executable (bin/telegram-panel.mjs, compiled dist/), as CPU time of
 * the child process (user + system) in ratios to `node -e 0` measured in the same run:
 *
 * - `--help`, `link <url> --json`, `config variables`: target at most 3x `node -e 0`;
 * - `accounts list` and `campaign status` on a data folder with 100 accounts: at most 6x;
 * - `start --no-bot` with 100 simulated accounts, until it logs that it is running, minus the
 *   same with no accounts: target under 3 s of CPU.
 *
 * Short commands are timed by bash's `times` (the CPU of the shell's finished children); the
 * long-running start by /proc/<pid>/stat when its ready line arrives, then it is stopped.
 * Each figure is the median of several runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createWorld } from '../src/sim/create.ts';
import { storeSimSessions } from './support/sim-sessions.ts';

// STARTUP_BIN times another checkout's executable (a before/after comparison) over the same data.
const BIN = process.env.STARTUP_BIN ?? join(import.meta.dirname, '..', 'bin', 'telegram-panel.mjs');
const RUNS = 5;
const ACCOUNTS = 100;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** CPU seconds (user + system) of one run of `node <args>`, from bash's `times`. */
function cpuOf(args: string[], env: NodeJS.ProcessEnv): number {
  const command = [process.execPath, ...args].map(quote).join(' ');
  const r = spawnSync('bash', ['-c', `${command} >/dev/null 2>&1; code=$?; times; exit $code`], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  // `times` prints the shell's own times, then its children's: "0m0.101s 0m0.012s".
  const children = r.stdout.trim().split('\n').at(-1)!;
  const [user, sys] = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return user! + sys!;
}

function medianCpu(args: string[], env: NodeJS.ProcessEnv): number {
  return median(Array.from({ length: RUNS }, () => cpuOf(args, env)));
}

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds a running process has used so far (utime + stime in /proc/<pid>/stat). */
function cpuSoFar(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3, utime 14 and stime 15 (1-based over the whole line).
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds `start --no-bot` uses until it logs that it is running; then it is stopped. */
async function startCpu(env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [BIN, 'start', '--no-bot'], { env: { ...env, LOG_FORMAT: 'json', LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let seen = '';
  const cpu = await new Promise<number>((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      seen += chunk;
      if (seen.includes('telegram-panel is running')) resolve(cpuSoFar(child.pid!));
    });
    void exited.then(() => reject(new Error(`start exited before it was ready:\n${seen}`)));
  });
  child.kill('SIGTERM');
  await exited;
  return cpu;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-startup-'));
  try {
    const worldPath = join(dir, 'world.db');
    const summary = createWorld(worldPath, { accounts: ACCOUNTS, users: 10, groups: 0, seed: 'bench', faults: 'none' });
    const secret = randomBytes(32).toString('base64');
    const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', PANEL_SECRET: secret, TELEGRAM_SIM: worldPath };
    const full = { ...base, DATA_DIR: join(dir, 'data') };
    const empty = { ...base, DATA_DIR: join(dir, 'empty') };
    await storeSimSessions(loadConfig(full), worldPath, summary);
    const cli = (args: string[], env: NodeJS.ProcessEnv = full): number => medianCpu([BIN, ...args], env);
    // Also rebuilds a stale dist/ before anything is timed.
    const created = spawnSync(process.execPath, [BIN, 'campaign', 'create', 'bench', '--message', 'hi', '--targets', '-'], { env: full, input: summary.usernames.join('\n'), encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`campaign create failed: ${created.stderr}`);

    const node = medianCpu(['-e', '0'], full);
    // Outside --sim (production): the simulator is not chosen, so it must not be loaded either.
    const prod = { ...full, TELEGRAM_SIM: '' };
    const rows: Array<[string, number, number]> = [
      ['--help', cli(['--help'], prod), 3],
      ['link https://t.me/durov/1 --json', cli(['link', 'https://t.me/durov/1', '--json'], prod), 3],
      ['config variables', cli(['config', 'variables'], prod), 3],
      [`accounts list (${ACCOUNTS} accounts)`, cli(['accounts', 'list'], prod), 6],
      ['campaign status bench', cli(['campaign', 'status', 'bench'], prod), 6],
    ];
    console.log(`node -e 0: ${(node * 1000).toFixed(0)} ms CPU (median of ${RUNS})`);
    for (const [what, cpu, target] of rows) {
      const ratio = cpu / node;
      console.log(`${what}: ${(cpu * 1000).toFixed(0)} ms CPU, ${ratio.toFixed(1)}x node -e 0 (target at most ${target}x) ${ratio <= target ? 'ok' : 'OVER'}`);
    }

    const startRuns = 3;
    const idle = median(await sequence(startRuns, () => startCpu(empty)));
    const loaded = median(await sequence(startRuns, () => startCpu(full)));
    console.log(
      `start --no-bot until running: ${idle.toFixed(2)} s CPU with no accounts, ${loaded.toFixed(2)} s with ${ACCOUNTS} simulated ones ` +
        `(simulator in-process): ${(loaded - idle).toFixed(2)} s above the empty fleet (target under 3 s) ${loaded - idle < 3 ? 'ok' : 'OVER'}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sequence<T>(n: number, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}

if (process.argv[1]?.endsWith('startup.bench.ts')) await run();
