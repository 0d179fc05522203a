import { afterEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../../src/app.ts';
import type { MonitorRuntime } from '../../src/engine/monitor-runtime.ts';
import { enrol, joinWith, simPanel, type SimPanel } from '../support/sim-panel.ts';

/**
 * Catch-up over the production client and the simulator, in one process (a closed app stands for
 * a stopped panel): gaps longer than one page come back in pages (`differenceSlice`, channel
 * difference pages), and a gap past Telegram's bound (`differenceTooLong`) is reported, not hidden.
 */
let panel: SimPanel | undefined;
afterEach(async () => {
  await panel?.close();
  panel = undefined;
});

async function run(p: SimPanel, work: (app: App, runtime: MonitorRuntime) => Promise<void>): Promise<void> {
  const app = p.open();
  await app.fleet.start();
  const since = Date.now();
  const runtime = app.monitorRuntime(null);
  await runtime.start();
  await vi.waitFor(() => expect(runtime.monitor.watches().every((w) => (w.lastCatchUpAt ?? 0) >= since) && runtime.monitor.attached().length === 1).toBe(true), {
    timeout: 30_000,
    interval: 50,
  });
  try {
    await work(app, runtime);
  } finally {
    await runtime.stop();
    await app.close();
  }
}

describe('catch-up gaps (production client against the simulator)', () => {
  it('pages long gaps back in full and reports one past the bound', async () => {
    const p = (panel = simPanel({ accounts: 1, users: 10, groups: 8, seed: 3 }, { ACTION_DELAY: '0-0' }));
    const chats = p.summary.groups.map((g) => ({ ...g, row: p.world.findChat(g.link) }));
    const supergroup = chats.find((c) => c.row.kind === 'supergroup' && c.row.username && !c.row.forum && !c.row.join_request)!;
    const basic = chats.find((c) => c.row.kind === 'group')!;
    {
      const app = p.open();
      await enrol(app, p.summary.accounts[0]!);
      for (const c of [supergroup, basic]) {
        await joinWith(app, c.link, { accounts: 1 });
      }
      app.monitorService.addKeyword('usdt');
      await app.close();
    }
    const superId = -1_000_000_000_000 - supergroup.row.id;
    const basicId = -basic.row.id;
    const count = (app: App, chatId: number): number => app.monitorService.outbox(10_000).filter((r) => r.chatId === chatId).length;

    // The first start takes the account's update state.
    await run(p, () => Promise.resolve());

    // Down: more than a page of each (100 messages a page).
    for (let i = 0; i < 130; i++) p.world.post(supergroup.link, `usdt in the supergroup ${i}`);
    for (let i = 0; i < 120; i++) p.world.post(basic.link, `usdt in the basic group ${i}`);
    await run(p, async (app, runtime) => {
      await vi.waitFor(() => expect([count(app, superId), count(app, basicId)]).toEqual([130, 120]), { timeout: 30_000, interval: 50 });
      expect(runtime.monitor.watches()[0]!.gap).toBeNull();
    });

    // Down again, past the bound of the account's own box: Telegram answers differenceTooLong.
    p.world.setMeta('diff_too_long', '5');
    for (let i = 0; i < 8; i++) p.world.post(basic.link, `usdt lost ${i}`);
    await run(p, (app, runtime) => {
      expect(count(app, basicId)).toBe(120);
      expect(runtime.monitor.watches()[0]!.gap?.chats).toEqual([null]);
      expect(app.monitorService.status().accounts[0]!.gap?.chats).toEqual([null]);
      return Promise.resolve();
    });
  }, 180_000);
});
