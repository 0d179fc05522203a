import { afterEach, describe, expect, it, vi } from 'vitest';
import { MonitorRuntime } from '../../src/engine/monitor-runtime.ts';
import { MonitorService, accountChatDirectory } from '../../src/engine/monitor-service.ts';
import { createBotForwarder } from '../../src/interfaces/bot/forwarder.ts';
import { silentLogger } from '../../src/log.ts';
import { MonitorStore } from '../../src/store/monitor.ts';
import { FakeBotApi, TOKEN } from '../support/fake-bot-api.ts';
import { enrol, joinWith, simPanel, type SimPanel } from '../support/sim-panel.ts';

/**
 * A basic group keeps each member's copy of a message in that member's own box, with its own
 * id. Two accounts whose boxes differ see one post under two ids; the hit is still forwarded once.
 */
let panel: SimPanel;
let api: FakeBotApi;
let runtime: MonitorRuntime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
  await panel.close();
  await api.close();
});

describe('monitor in a basic group', () => {
  it('forwards a hit seen by two accounts under different message ids once', async () => {
    panel = simPanel({ accounts: 2, users: 6, groups: 6, seed: 11 }, { ACTION_DELAY: '0-0' });
    api = new FakeBotApi();
    const root = await api.listen();
    const app = panel.open();
    const ids: number[] = [];
    for (const acc of panel.summary.accounts) ids.push(await enrol(app, acc));
    const basic = panel.summary.groups.find((g) => panel.world.findChat(g.link).kind === 'group')!;
    const channel = panel.summary.groups.find((g) => panel.world.findChat(g.link).kind === 'channel')!;
    const channelId = Number(`-100${panel.world.findChat(channel.link).id}`);

    // The first account's box moves ahead of the second's before both are in the group.
    await joinWith(app, basic.link, { accountIds: [ids[0]!] });
    panel.world.post(basic.link, 'hello before the second account came');
    await joinWith(app, basic.link, { accountIds: [ids[1]!] });

    const store = new MonitorStore(app.db);
    const service = new MonitorService({ store, clock: app.clock, channel: { id: channelId }, directory: accountChatDirectory(app.accounts, app.clock) });
    service.addKeyword('usdt');
    runtime = new MonitorRuntime({
      store,
      clock: app.clock,
      log: silentLogger,
      channel: { id: channelId },
      fleet: app.fleet,
      sender: createBotForwarder(TOKEN, String(channelId), { apiRoot: root }),
      outbox: { minIntervalMs: 0 },
    });
    await runtime.start();
    // Listening, not only attached: a post before the updates loop runs is the catch-up's business.
    await vi.waitFor(() => expect(runtime!.monitor.watches().filter((w) => w.lastCatchUpAt !== null)).toHaveLength(2), { timeout: 20_000, interval: 20 });

    const monitor = runtime.monitor;
    const handle = monitor.handle.bind(monitor);
    const copies: number[] = [];
    monitor.handle = (accountId, m) => {
      if (m.text === 'selling usdt') copies.push(m.messageId);
      return handle(accountId, m);
    };
    const before = monitor.stats().messages;
    panel.world.post(basic.link, 'selling usdt');
    // Both accounts' copies are handled before anything is counted.
    await vi.waitFor(() => expect(runtime!.monitor.stats().messages).toBe(before + 2), { timeout: 20_000, interval: 20 });
    await vi.waitFor(() => expect(api.chat(channelId)).toHaveLength(1), { timeout: 20_000, interval: 20 });

    expect(new Set(copies).size).toBe(2);
    expect(runtime.monitor.stats()).toMatchObject({ queued: 1, duplicates: 1 });
    expect(store.outbox()).toHaveLength(1);
    await vi.waitFor(() => expect(store.outbox()[0]!.state).toBe('sent'), { timeout: 20_000, interval: 20 });
    expect(api.callsOf('sendMessage')).toHaveLength(1);
  });
});
