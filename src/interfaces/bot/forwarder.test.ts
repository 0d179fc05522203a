import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeBotApi, TOKEN } from '../../../test/support/fake-bot-api.ts';
import { MessageSession } from '../../../test/support/message-session.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { systemClock } from '../../core/clock.ts';
import { formatForward } from '../../core/forward-format.ts';
import type { IncomingMessage } from '../../core/session.ts';
import { Monitor } from '../../engine/monitor.ts';
import { OutboxSender } from '../../engine/outbox-sender.ts';
import { silentLogger } from '../../log.ts';
import { openSqlite, type Db } from '../../store/db.ts';
import { MonitorStore } from '../../store/monitor.ts';
import { createBotForwarder } from './forwarder.ts';

const CHANNEL = '-1009999999999';
const CHANNEL_ID = Number(CHANNEL);

const apis: FakeBotApi[] = [];
const dbs: Db[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) db.close();
  for (const a of apis.splice(0)) await a.close();
});

async function fakeApi(): Promise<{ api: FakeBotApi; root: string }> {
  const api = new FakeBotApi();
  apis.push(api);
  return { api, root: await api.listen() };
}

const hit: IncomingMessage = {
  chat: { id: -1001234567890, kind: 'supergroup', title: 'Traders', username: 'traders' },
  messageId: 77,
  sender: { id: 555, name: 'Sara', username: 'sara', isBot: false },
  text: 'selling USDT',
  date: Date.now(),
};

describe('BotForwarder over HTTP with grammY', () => {
  it('posts the forward with entities, no preview, and both buttons', async () => {
    const { api, root } = await fakeApi();
    const f = createBotForwarder(TOKEN, CHANNEL, { apiRoot: root });
    const message = formatForward({ accountLabel: '#1', message: hit, keywords: ['usdt'] });
    const r = await f.send({ id: 1, message });
    expect(r).toMatchObject({ status: 'sent' });
    const [call] = api.callsOf('sendMessage');
    expect(call!.payload).toMatchObject({ chat_id: CHANNEL_ID, text: message.text, link_preview_options: { is_disabled: true } });
    expect(call!.payload.entities).toEqual(message.entities);
    expect(api.buttons(api.lastBotMessage(CHANNEL_ID))).toEqual([
      { text: 'Open message', url: 'https://t.me/traders/77', data: undefined },
      { text: 'Ignore this sender', data: 'mon:ignore:555', url: undefined },
    ]);
  });

  it('reports 429 with its retry_after, 5xx and network errors as retries, and 403 as refused', async () => {
    const { api, root } = await fakeApi();
    const f = createBotForwarder(TOKEN, CHANNEL, { apiRoot: root });
    const item = { id: 1, message: { text: 'x', entities: [], buttons: [] } };
    api.rateLimitNext('sendMessage', 7);
    expect(await f.send(item)).toMatchObject({ status: 'retry', afterMs: 7_000 });
    api.failNext('sendMessage', 502, 'Bad Gateway');
    expect(await f.send(item)).toMatchObject({ status: 'retry', afterMs: null });
    api.failNext('sendMessage', 403, 'Forbidden: bot is not a member of the channel chat');
    expect(await f.send(item)).toEqual({ status: 'refused', reason: 'Forbidden: bot is not a member of the channel chat' });
    expect(api.chat(CHANNEL_ID)).toHaveLength(0);

    const port = await freePort();
    const down = createBotForwarder(TOKEN, CHANNEL, { apiRoot: `http://127.0.0.1:${port}` });
    expect(await down.send(item)).toMatchObject({ status: 'retry', afterMs: null, reason: expect.stringContaining('network error') });
  });

  it('a hit that meets 429 and a restart is delivered exactly once', async () => {
    const { api, root } = await fakeApi();
    const path = join(tempDir('fwd-'), 'panel.db');
    api.rateLimitNext('sendMessage', 1);

    const run = (db: Db) => {
      const store = new MonitorStore(db);
      const monitor = new Monitor({ store, clock: systemClock, log: silentLogger, channel: { id: CHANNEL_ID } });
      const sender = new OutboxSender(store, createBotForwarder(TOKEN, CHANNEL, { apiRoot: root }), systemClock, silentLogger, { minIntervalMs: 0 });
      const sessions = [1, 2, 3, 4, 5].map((id) => {
        const s = new MessageSession(id, 1000 + id);
        monitor.attach(id, s, { userId: 1000 + id });
        return s;
      });
      return { store, monitor, sender, sessions };
    };

    const db1 = openSqlite(path);
    dbs.push(db1);
    const first = run(db1);
    first.store.addKeyword('usdt', 'plain', 'usdt', Date.now());
    first.sender.start();
    for (const s of first.sessions) s.deliver(hit);
    first.sender.wake();
    await vi.waitFor(() => expect(api.callsOf('sendMessage')).toHaveLength(1), { timeout: 5_000, interval: 10 });
    await vi.waitFor(() => expect(first.sender.state.pausedUntil).not.toBeNull(), { timeout: 5_000, interval: 10 });
    // Restart: everything in memory is gone; the database file stays.
    await first.sender.stop();
    await first.monitor.close();
    db1.close();
    dbs.splice(dbs.indexOf(db1), 1);

    const db2 = openSqlite(path);
    dbs.push(db2);
    const second = run(db2);
    for (const s of second.sessions) s.deliver(hit); // the same update again after the restart
    second.sender.start();
    await vi.waitFor(() => expect(second.store.outboxSummary()).toMatchObject({ pending: 0, sent: 1 }), { timeout: 10_000, interval: 20 });
    await second.sender.stop();
    await second.monitor.close();

    expect(api.chat(CHANNEL_ID)).toHaveLength(1);
    expect(api.callsOf('sendMessage')).toHaveLength(2);
    const sent = api.lastBotMessage(CHANNEL_ID)!;
    expect(sent.text).toContain('Keywords: usdt');
    expect(sent.text).toContain('Link: https://t.me/traders/77');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
