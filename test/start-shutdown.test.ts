import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, FakeBotApi, TOKEN } from './support/fake-bot-api.ts';
import { enrolThroughBin } from './support/bin-enrol.ts';
import { simPanel, type SimPanel } from './support/sim-panel.ts';

/**
 * `start` must exit after SIGTERM however its parts behave: here the Bot API goes away (refuses
 * connections) or stops answering (a black hole) while the panel runs. Real child processes, the
 * production bot, monitor and fleet over a simulated Telegram.
 */
const BIN = join(import.meta.dirname, '..', 'bin', 'telegram-panel.mjs');
const ADMIN_ID = 5001;
const CHANNEL = -1009999999999;
/** Far above the panel's own 10 s deadline: only a panel that never exits reaches it. */
const NEVER_MS = 40_000;

const children: ChildProcess[] = [];
let panel: SimPanel | undefined;
let api: FakeBotApi | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await api?.close();
  api = undefined;
  await panel?.close();
  panel = undefined;
});

async function runningPanel(): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  panel = simPanel({ accounts: 2, users: 6, groups: 2, seed: 31 });
  enrolThroughBin(panel);
  api = new FakeBotApi();
  const apiRoot = await api.listen();
  const env = { ...process.env, ...panel.env, BOT_TOKEN: TOKEN, ADMIN_IDS: String(ADMIN_ID), BOT_API_ROOT: apiRoot, CHANNEL_ID: String(CHANNEL), LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));
  await eventually(() => /telegram-panel is running/.test(out) || undefined, 'the panel to start', 60_000).catch((e: unknown) => {
    throw new Error(`${String(e)}; output:\n${out}`);
  });
  await eventually(() => api!.callsOf('getUpdates').length > 0, 'the bot to poll', 30_000);
  return { child, output: () => out, exited };
}

async function exitOf(exited: Promise<number | null>): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const never = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), NEVER_MS)));
  try {
    return await Promise.race([exited, never]);
  } finally {
    clearTimeout(timer);
  }
}

describe('start stops on SIGTERM whatever the Bot API does', () => {
  it('exits non-zero, having stopped the monitor, the fleet and the store in order, when the Bot API refuses connections', async () => {
    const { child, output, exited } = await runningPanel();
    await api!.close();
    child.kill('SIGTERM');
    const code = await exitOf(exited);
    const out = output();
    expect(code, out).toBe(1);
    expect(out).toContain('SIGTERM: stopping');
    expect(out).toMatch(/stop: the bot did not stop cleanly/);
    for (const part of ['monitor', 'fleet', 'store']) expect(out).toMatch(new RegExp(`stop: the ${part} stopped`));
    expect(out.indexOf('stop: the monitor stopped')).toBeLessThan(out.indexOf('stop: the fleet stopped'));
    expect(out.indexOf('stop: the fleet stopped')).toBeLessThan(out.indexOf('stop: the store stopped'));
    expect(out).not.toContain('database connection is not open');
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain(panel!.env.PANEL_SECRET);
  }, 120_000);

  it('exits non-zero within its deadline when the Bot API stops answering, and still stops every other part', async () => {
    const { child, output, exited } = await runningPanel();
    api!.stall();
    child.kill('SIGTERM');
    const code = await exitOf(exited);
    const out = output();
    expect(code, out).toBe(1);
    expect(out).toMatch(/stop: the bot did not stop within \d+ s/);
    for (const part of ['monitor', 'fleet', 'store']) expect(out).toMatch(new RegExp(`stop: the ${part} stopped`));
    expect(out).not.toContain('database connection is not open');
    expect(out).not.toContain(TOKEN);
  }, 120_000);
});
