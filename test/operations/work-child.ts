/**
 * A worker process for the stored-work tests. `start`: the real `telegram-panel start --no-bot
 * --no-web` (from the sources) on the given environment. `1,2`: a worker pinned to just these
 * accounts (registered in `workers`) with the real fleet and the real work executor;
 * it says `worker <pid>` once it holds those it can (others are taken at a rebalance once free,
 * every WORKER_HEARTBEAT_MS) and runs until it is killed or sent SIGTERM.
 * `cli '{"cwd": …, "args": […]}'`: one command line, in a process started in that folder (its
 * own working directory, unlike the workers').
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { runCli } from '../../src/interfaces/cli/main.ts';
import { silentLogger } from '../../src/log.ts';
import { simConnection } from '../../src/sim/connection.ts';

const env = JSON.parse(process.argv[2]!) as Record<string, string>;
const mode = process.argv[3]!;
if (mode === 'start') {
  process.exitCode = await runCli(['start', '--no-bot', '--no-web'], process.stdout, process.stderr, { env, cwd: mkdtempSync(join(tmpdir(), 'tp-worker-')) });
} else if (mode === 'cli') {
  // A caller on "another machine": relative paths name files in its own folder, which no worker shares.
  const { cwd, args } = JSON.parse(process.argv[4]!) as { cwd: string; args: string[] };
  process.exitCode = await runCli(args, process.stdout, process.stderr, { env, cwd });
} else {
  const heartbeatMs = env.WORKER_HEARTBEAT_MS === undefined ? undefined : Number(env.WORKER_HEARTBEAT_MS);
  const fleet = heartbeatMs === undefined ? {} : { fleet: { heartbeatMs } };
  const app = openApp(loadConfig(env), { log: silentLogger, connection: simConnection(env.TELEGRAM_SIM!).connection, workPollMs: 200, ...fleet });
  const ids = mode.split(',').map(Number);
  // A real worker (its row in `workers` is what callers read to hand it work), pinned to these accounts.
  const worker = app.worker({ pin: { kind: 'accounts', ids }, roles: [] });
  await worker.start();
  for (const id of ids) {
    try {
      await app.fleet.session(id);
    } catch {
      // Held by another live worker: this one takes it at a rebalance once it is free.
    }
  }
  const work = app.operationWork();
  work.start();
  process.stdout.write(`worker ${process.pid}\n`);
  process.on('SIGTERM', () => {
    void work
      .stop()
      .then(() => worker.stop())
      .then(() => app.close())
      .then(() => process.exit(0));
  });
  setInterval(() => undefined, 60_000);
}
