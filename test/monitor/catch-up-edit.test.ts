import { afterEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../../src/app.ts';
import type { MonitorRuntime } from '../../src/engine/monitor-runtime.ts';
import { enrol, joinWith, simPanel, type SimPanel } from '../support/sim-panel.ts';

/**
 * A basic-group message edited while one account was away: that account's catch-up hands it the
 * edited copy as a new message (Telegram's getDifference returns messages as they are now), while
 * the other account forwarded the original. Production client over the simulator, one process (a
 * closed app stands for a stopped panel).
 */
let panel: SimPanel | undefined;
afterEach(async () => {
  await panel?.close();
  panel = undefined;
});

async function run(p: SimPanel, accounts: number, work: (app: App, runtime: MonitorRuntime) => Promise<void>): Promise<void> {
  const app = p.open();
  await app.fleet.start();
  const since = Date.now();
  const runtime = app.monitorRuntime(null);
  await runtime.start();
  await vi.waitFor(
    () => {
      expect(runtime.monitor.attached()).toHaveLength(accounts);
      expect(runtime.monitor.watches().every((w) => (w.lastCatchUpAt ?? 0) >= since)).toBe(true);
    },
    { timeout: 30_000, interval: 50 },
  );
  try {
    await work(app, runtime);
  } finally {
    await runtime.stop();
    await app.close();
  }
}

describe('monitor catch-up of an edited basic-group message', () => {
  it('forwards a hit once when one account saw it live and the other catches up on its edited copy', async () => {
    const p = (panel = simPanel({ accounts: 2, users: 8, groups: 6, seed: 11 }, { ACTION_DELAY: '0-0' }));
    const basic = p.summary.groups.find((g) => p.world.findChat(g.link).kind === 'group')!;
    const basicId = -p.world.findChat(basic.link).id;
    const ids: number[] = [];
    {
      const app = p.open();
      for (const acc of p.summary.accounts) ids.push(await enrol(app, acc));
      await joinWith(app, basic.link, { accounts: 2 });
      app.monitorService.addKeyword('usdt');
      await app.close();
    }
    const hits = (app: App): number => app.monitorService.outbox(1000).filter((r) => r.chatId === basicId).length;
    const setEnabled = async (id: number, enabled: boolean): Promise<void> => {
      const app = p.open();
      await app.fleet.setEnabled(id, enabled);
      await app.close();
    };

    // Both accounts take their update state.
    await run(p, 2, () => Promise.resolve());

    // The second account is away; the first forwards the hit live.
    await setEnabled(ids[1]!, false);
    let posted = 0;
    await run(p, 1, async (app) => {
      posted = p.world.post(basic.link, 'selling usdt').messageId;
      await vi.waitFor(() => expect(hits(app)).toBe(1), { timeout: 30_000, interval: 50 });
    });

    // Edited while the second account is still away: its catch-up brings the edited copy as new.
    p.world.edit(basic.link, posted, 'selling usdt, cheap');
    await setEnabled(ids[1]!, true);
    await run(p, 2, async (app, runtime) => {
      await vi.waitFor(() => expect(runtime.monitor.stats().messages).toBeGreaterThanOrEqual(1), { timeout: 30_000, interval: 50 });
      expect(runtime.monitor.stats()).toMatchObject({ queued: 0, duplicates: 1 });
      expect(hits(app)).toBe(1);
    });
  }, 180_000);
});
