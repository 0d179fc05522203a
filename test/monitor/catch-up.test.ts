import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderStatus } from '../../src/interfaces/cli/commands/monitor.ts';
import { openSqlite } from '../../src/store/db.ts';
import { MonitorStore } from '../../src/store/monitor.ts';
import { enrol, joinWith, simPanel, type SimPanel } from '../support/sim-panel.ts';

/**
 * Keyword hits posted while the panel is down are caught up on the next start, whether the panel
 * was killed (SIGKILL) or stopped (SIGTERM): real `start` processes over the production mtcute
 * client and the simulator, with the update state kept in panel.db. Each hit is queued once.
 */
const MAIN = join(import.meta.dirname, '..', '..', 'src', 'interfaces', 'cli', 'main.ts');

const children: ChildProcess[] = [];
let panel: SimPanel | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await panel?.close();
  panel = undefined;
});

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

function start(p: SimPanel): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--no-bot'], {
    env: { ...process.env, ...p.env, LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

/** Reads panel.db as another process would while the panel runs. */
function read<T>(p: SimPanel, fn: (store: MonitorStore) => T): T {
  const db = openSqlite(join(p.env.DATA_DIR!, 'panel.db'));
  try {
    return fn(new MonitorStore(db));
  } finally {
    db.close();
  }
}

const queued = (p: SimPanel): string[] =>
  read(p, (s) => s.outbox(undefined, 1000))
    .map((r) => `${r.chatId}:${r.messageId}`)
    .sort();

/** Waits until every account finished catching up after `since` (the monitor records it). */
async function caughtUp(p: SimPanel, run: Running, accounts: number, since: number): Promise<void> {
  await vi.waitFor(
    () => {
      const done = read(p, (s) => s.watches()).filter((w) => (w.lastCatchUpAt ?? 0) >= since);
      expect(done.length, run.output()).toBe(accounts);
    },
    { timeout: 60_000, interval: 100 },
  );
}

describe('monitor catch-up across a stop (real processes)', () => {
  it('queues hits posted while the panel was killed or stopped exactly once, and says when a gap was too long', async () => {
    const p = (panel = simPanel({ accounts: 2, users: 12, groups: 8, seed: 5 }, { ACTION_DELAY: '0-0', ACTION_CONCURRENCY: '2' }));
    const app = p.open();
    for (const acc of p.summary.accounts) await enrol(app, acc);
    const chats = p.summary.groups.map((g) => ({ ...g, row: p.world.findChat(g.link) }));
    const supergroup = chats.find((c) => c.row.kind === 'supergroup' && c.row.username && !c.row.forum && !c.row.join_request)!;
    const basic = chats.find((c) => c.row.kind === 'group')!;
    for (const c of [supergroup, basic]) {
      await joinWith(app, c.link, { accounts: 2 });
    }
    app.monitorService.addKeyword('usdt');
    await app.close();
    const superId = -1_000_000_000_000 - supergroup.row.id;
    const basicId = -basic.row.id;
    const key = (chatId: number, messageId: number): string => `${chatId}:${messageId}`;
    const postSuper = (text: string): string => key(superId, p.world.post(supergroup.link, text).messageId);
    // A basic-group message has an id in each member's box: read back the one the monitor queued (newest first).
    const boxKey = (): string => {
      const rows = read(p, (s) => s.outbox(undefined, 1000)).filter((r) => r.chatId === basicId);
      return key(basicId, rows[0]!.messageId);
    };

    // 1. Running: a live hit is queued.
    let t = Date.now();
    const first = start(p);
    await caughtUp(p, first, 2, t);
    const live = postSuper('live usdt offer');
    await vi.waitFor(() => expect(queued(p)).toEqual([live]), { timeout: 30_000, interval: 50 });

    // 2. Killed: hits posted while down (a supergroup and a basic group) are queued after the restart.
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const down1 = postSuper('usdt while killed');
    p.world.post(basic.link, 'usdt in the family group');
    postSuper('hello, nothing to see');
    t = Date.now();
    const second = start(p);
    await caughtUp(p, second, 2, t);
    await vi.waitFor(() => expect(queued(p)).toHaveLength(3), { timeout: 30_000, interval: 50 });
    const basic1 = boxKey();
    expect(queued(p)).toEqual([live, down1, basic1].sort());

    // 3. Stopped cleanly: the same.
    second.child.kill('SIGTERM');
    expect(await second.exited, second.output()).toBe(0);
    const down2 = postSuper('usdt after a clean stop');
    p.world.post(basic.link, 'more usdt in the family group');
    t = Date.now();
    const third = start(p);
    await caughtUp(p, third, 2, t);
    await vi.waitFor(() => expect(queued(p)).toHaveLength(5), { timeout: 30_000, interval: 50 });
    const basic2 = boxKey();
    expect(queued(p)).toEqual([live, down1, basic1, down2, basic2].sort());
    third.child.kill('SIGTERM');
    expect(await third.exited, third.output()).toBe(0);

    // 4. A gap longer than Telegram returns: the latest messages come back, the rest is reported lost.
    p.world.setMeta('channel_diff_too_long', '2');
    const lost = [postSuper('usdt lost 1'), postSuper('usdt lost 2')];
    const kept = [postSuper('usdt kept 1'), postSuper('usdt kept 2')];
    t = Date.now();
    const fourth = start(p);
    await caughtUp(p, fourth, 2, t);
    await vi.waitFor(() => expect(queued(p)).toHaveLength(7), { timeout: 30_000, interval: 50 });
    expect(queued(p)).toEqual([live, down1, basic1, down2, basic2, ...kept].sort());
    for (const k of lost) expect(queued(p)).not.toContain(k);
    const reader = p.open();
    const status = reader.monitorService.status();
    expect(status.accounts).toHaveLength(2);
    for (const a of status.accounts) {
      expect(a.lastCatchUpAt).toBeGreaterThanOrEqual(t);
      expect(a.gap?.chats).toEqual([superId]);
    }
    expect(renderStatus(status)).toContain(`gap too long to recover at`);
    await reader.close();
    fourth.child.kill('SIGTERM');
    expect(await fourth.exited, fourth.output()).toBe(0);
  }, 300_000);
});
