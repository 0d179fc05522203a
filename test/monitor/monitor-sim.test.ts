import { afterEach, describe, expect, it, vi } from 'vitest';
import { MonitorRuntime } from '../../src/engine/monitor-runtime.ts';
import { MonitorService, accountChatDirectory } from '../../src/engine/monitor-service.ts';
import { createBotForwarder } from '../../src/interfaces/bot/forwarder.ts';
import { silentLogger } from '../../src/log.ts';
import { MonitorStore } from '../../src/store/monitor.ts';
import { FakeBotApi, TOKEN } from '../support/fake-bot-api.ts';
import { enrol, joinWith, simPanel, type SimPanel } from '../support/sim-panel.ts';

/**
 * The monitor over the real fleet and the production mtcute client, against the simulated
 * Telegram: messages posted in the world reach every member account as updates; hits go out
 * through the real grammY client to a fake Bot API on loopback.
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

describe('monitor against the simulator', () => {
  it('forwards each hit once across five accounts, skips what it must, and links each chat kind right', async () => {
    panel = simPanel({ accounts: 5, users: 12, groups: 8, seed: 5 }, { ACTION_DELAY: '0-0', ACTION_CONCURRENCY: '5' });
    api = new FakeBotApi();
    const root = await api.listen();
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);

    const chats = panel.summary.groups.map((g) => ({ ...g, row: panel.world.findChat(g.link) }));
    const publicGroup = chats.find((c) => c.row.kind === 'supergroup' && c.row.username && !c.row.forum && !c.row.join_request)!;
    const privateGroup = chats.find((c) => c.row.kind === 'supergroup' && !c.row.username && !c.row.join_request)!;
    const basicGroup = chats.find((c) => c.row.kind === 'group')!;
    const privateChannel = chats.find((c) => c.row.kind === 'channel' && !c.row.username)!;
    for (const c of [publicGroup, privateGroup, basicGroup, privateChannel]) await joinWith(app, c.link, { accounts: 5 });

    // The forward channel is a channel the accounts are in: its own posts are never hits.
    const channelId = `-100${privateChannel.row.id}`;
    const store = new MonitorStore(app.db);
    const service = new MonitorService({ store, clock: app.clock, channel: { id: Number(channelId) }, directory: accountChatDirectory(app.accounts, app.clock) });
    service.addKeyword('usdt');
    service.addKeyword('كتاب', 'word');
    service.setOptions({ channels: true });

    runtime = new MonitorRuntime({
      store,
      clock: app.clock,
      log: silentLogger,
      channel: { id: Number(channelId) },
      fleet: app.fleet,
      sender: createBotForwarder(TOKEN, channelId, { apiRoot: root }),
      outbox: { minIntervalMs: 0 },
    });
    await runtime.start();
    await vi.waitFor(() => expect(runtime!.monitor.attached()).toHaveLength(5), { timeout: 20_000, interval: 20 });
    const forwarded = (): string[] => api.chat(Number(channelId)).map((m) => m.text);

    // A hit in a public supergroup, seen by all five accounts: forwarded once, with its t.me link.
    const a = panel.world.post(publicGroup.link, 'Selling USDT, good price');
    await vi.waitFor(() => expect(forwarded()).toHaveLength(1), { timeout: 20_000, interval: 20 });
    expect(forwarded()[0]).toContain(`Link: https://t.me/${publicGroup.row.username}/${a.messageId}`);
    expect(forwarded()[0]).toContain('Keywords: usdt');

    // Persian variant (Arabic kaf, vowel mark) in a private supergroup: a t.me/c link.
    const b = panel.world.post(privateGroup.link, 'این کِتاب را دارم');
    await vi.waitFor(() => expect(forwarded()).toHaveLength(2), { timeout: 20_000, interval: 20 });
    expect(forwarded()[1]).toContain(`Link: https://t.me/c/${privateGroup.row.id}/${b.messageId}`);
    expect(forwarded()[1]).toContain('Keywords: كتاب');

    // A basic group: no link, with the reason.
    panel.world.post(basicGroup.link, 'usdt here too');
    await vi.waitFor(() => expect(forwarded()).toHaveLength(3), { timeout: 20_000, interval: 20 });
    expect(forwarded()[2]).toContain('Link: none (basic groups have no message links)');

    // Not forwarded: one of the fleet's accounts, an ignored sender, the forward channel itself.
    const own = panel.summary.accounts[2]!.username;
    const seen = runtime.monitor.stats().messages;
    panel.world.post(publicGroup.link, 'my usdt offer', own);
    const probe = panel.world.post(publicGroup.link, 'hello all');
    // Every account's copy of both is processed before the rules change.
    await vi.waitFor(() => expect(runtime!.monitor.stats().messages).toBe(seen + 10), { timeout: 20_000, interval: 20 });
    const stranger = panel.world.messages(publicGroup.link).find((m) => m.id === probe.messageId)!.fromUserId!;
    service.addIgnored(String(stranger));
    panel.world.post(publicGroup.link, 'cheap usdt', String(stranger));
    panel.world.post(privateChannel.link, 'usdt news on the forward channel');
    // Then only target chats (among those the accounts are in): the public group is skipped.
    const refresh = await service.refreshGroups(app.fleet);
    expect(refresh.accounts).toHaveLength(5);
    service.addTarget(String(-1_000_000_000_000 - privateGroup.row.id));
    service.removeIgnored(String(stranger));
    panel.world.post(publicGroup.link, 'usdt again in a non-target chat', String(stranger));
    const last = panel.world.post(privateGroup.link, 'last usdt');
    await vi.waitFor(() => expect(forwarded()).toHaveLength(4), { timeout: 20_000, interval: 20 });
    expect(forwarded()[3]).toContain(`Link: https://t.me/c/${privateGroup.row.id}/${last.messageId}`);
    const stats = runtime.monitor.stats();
    expect(stats.skipped).toMatchObject({ own_account: 5, ignored_sender: 5, forward_channel: 5, not_target: 5 });
    expect(stats.queued).toBe(4);
    expect(api.callsOf('sendMessage')).toHaveLength(4);
  });
});
