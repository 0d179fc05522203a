/**
 * Restoring the fleet at start: 500 stored accounts connected (connect + getMe each, lease in
 * panel.db, production TelegramClient against the simulator in this process).
 *
 * 1. Wall time until all 500 are connected with bounded parallelism (the fleet's default, 16 at
 *    a time), against the same restore one account at a time (the original's way), with a
 *    simulated network round trip of 40 ms per answer; and without latency, where the time is
 *    this process's own work per account.
 * 2. Resident memory per idle connected account beyond the fixed cost: RSS with all 500 connected
 *    minus RSS before the restore, divided by 500. It includes the simulator's share (it runs in
 *    this process), so the panel's own share is lower.
 *
 * Setup (not measured): the sessions are made directly (a random auth key per account, known to
 * the world as an authorised key) instead of 500 phone logins, which would take minutes of key
 * exchanges; the restore then runs exactly as at start-up.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp, type App } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { simConnection } from '../src/sim/connection.ts';
import { createWorld } from '../src/sim/create.ts';
import { openWorld } from '../src/sim/world.ts';
import { storeSimSessions } from './support/sim-sessions.ts';

const ACCOUNTS = 500;
const LATENCY_MS = 40;

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function settleMemory(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

interface Restored {
  ms: number;
  /** CPU time of this process (user + system) during the restore. */
  cpuMs: number;
  connected: number;
  rssDelta: number;
  heapDelta: number;
  app: App;
}

async function restore(config: Config, concurrency: number): Promise<Restored> {
  const app = openApp(config, { log: silentLogger, connection: simConnection(config.simWorld!).connection, fleet: { restoreConcurrency: concurrency } });
  // Warm up what every process pays once (the simulator's RSA key, module loading): connect one
  // account and let it go, so both runs start from the same state.
  await app.fleet.session(1);
  await app.fleet.disconnect(1);
  settleMemory();
  const before = process.memoryUsage();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await app.fleet.start();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  settleMemory();
  const after = process.memoryUsage();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, connected: report.connected.length, rssDelta: after.rss - before.rss, heapDelta: after.heapUsed - before.heapUsed, app };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-fleet-'));
  try {
    const worldPath = join(dir, 'world.db');
    const summary = createWorld(worldPath, { accounts: ACCOUNTS, users: 0, groups: 0, seed: 'bench', faults: 'none' });
    const config = loadConfig({ DATA_DIR: join(dir, 'data'), TELEGRAM_SIM: worldPath, PANEL_SECRET: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' });

    await storeSimSessions(config, worldPath, summary);

    // In-process, connecting is pure CPU: this shows the panel's own cost per account.
    const cpu = await restore(config, 16);
    await cpu.app.close();
    // With a network's round trip (40 ms per answer, real time), as with Telegram.
    const slow = openWorld(worldPath);
    for (const acc of summary.accounts) slow.setFault(acc.phone, `slow:${LATENCY_MS}`);
    slow.close();
    const sequential = await restore(config, 1);
    await sequential.app.close();
    const parallel = await restore(config, 16);
    await parallel.app.close();

    console.log(`accounts restored: ${cpu.connected}, ${parallel.connected} and ${sequential.connected} of ${ACCOUNTS} in the three runs`);
    console.log(
      `no network latency, 16 at a time: ${(cpu.ms / 1000).toFixed(2)} s to all connected (${(cpu.ms / ACCOUNTS).toFixed(1)} ms wall, ` +
        `${(cpu.cpuMs / ACCOUNTS).toFixed(1)} ms CPU of this process per account, simulator included)`,
    );
    console.log(
      `${LATENCY_MS} ms per answer: ${(parallel.ms / 1000).toFixed(2)} s bounded (16 at a time) vs ${(sequential.ms / 1000).toFixed(2)} s one at a time ` +
        `(the original's way): ${(sequential.ms / parallel.ms).toFixed(1)}x faster; CPU per account ${(parallel.cpuMs / ACCOUNTS).toFixed(1)} ms bounded, ` +
        `${(sequential.cpuMs / ACCOUNTS).toFixed(1)} ms one at a time`,
    );
    console.log(
      `memory per idle connected account beyond the fixed cost: ${(cpu.rssDelta / ACCOUNTS / 1024).toFixed(0)} KB RSS, ${(cpu.heapDelta / ACCOUNTS / 1024).toFixed(0)} KB heap ` +
        `(RSS +${mb(cpu.rssDelta)} MB for ${ACCOUNTS}; simulator included${(globalThis as { gc?: unknown }).gc ? '' : '; run with --expose-gc for steadier figures'})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('fleet-restore.bench.ts')) await run();
