import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { WorkerView } from '../../src/engine/workers.ts';
import { BIN } from '../support/cli.ts';
import type { SimPanel } from '../support/sim-panel.ts';

/** Short timings so a dead worker's leases lapse within seconds (defaults: 60 s and 20 s). */
export const FAST = { WORKER_TTL_MS: '2000', WORKER_HEARTBEAT_MS: '250' };

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  stderr(): string;
  exited: Promise<number | null>;
}

const started: WorkerProcess[] = [];

/**
 * A real `start --sim --no-bot --no-web` process over the panel's database and simulated world;
 * `killWorkers` ends it if the test does not.
 */
export function startWorker(panel: SimPanel, env: Record<string, string>, args: string[] = [], opts: { otherHost?: boolean } = {}): WorkerProcess {
  const argv = [BIN, 'start', '--no-bot', '--no-web', ...args];
  const options = { env: { ...process.env, ...panel.env, LOG_LEVEL: 'info', ...FAST, ...env }, stdio: ['ignore', 'ignore', 'pipe'] as ['ignore', 'ignore', 'pipe'] };
  // In its own UTS namespace under another host name, the worker looks remote: nobody can see its
  // process die, only its heartbeat stop (the exec keeps the pid).
  const child = opts.otherHost
    ? spawn('unshare', ['-u', 'sh', '-c', `hostname tp-test-other-host && exec "${process.execPath}" "$@"`, 'sh', ...argv], options)
    : spawn(process.execPath, argv, options);
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const worker = { child, pid: child.pid!, stderr: () => err, exited };
  started.push(worker);
  return worker;
}

/** The workers started since the last `killWorkers` (a timed-out wait prints their logs). */
export function startedWorkers(): readonly WorkerProcess[] {
  return started;
}

/**
 * SIGKILLs every worker started since the last call that is still running. A test file's
 * afterEach calls it first, so no worker still uses the world or database it then closes.
 */
export function killWorkers(): void {
  for (const w of started.splice(0)) if (w.child.exitCode === null) w.child.kill('SIGKILL');
}

/** `telegram-panel workers --json` through the real executable. */
export function workersJson(panel: SimPanel, env: Record<string, string> = {}): WorkerView[] {
  const r = spawnSync(process.execPath, [BIN, 'workers', '--json'], { env: { ...process.env, ...panel.env, LOG_LEVEL: 'silent', ...env }, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`workers --json failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as WorkerView[];
}

/** The live worker of this process id. */
export function byPid(list: readonly WorkerView[], pid: number): WorkerView | undefined {
  return list.find((w) => w.pid === pid && w.live);
}

/** Sessions the simulator caught used over two connections at once (it answers AUTH_KEY_DUPLICATED and marks them). */
export function duplicatedSessions(panel: SimPanel): number {
  return (panel.world.db.prepare("SELECT count(*) AS n FROM authorizations WHERE state = 'duplicated'").get() as { n: number }).n;
}

/** Whether this machine lets a test give a process another host name (root, or user namespaces). */
export const canFakeAnotherHost = spawnSync('unshare', ['-u', 'true']).status === 0;
