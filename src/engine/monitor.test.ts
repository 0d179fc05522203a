import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageSession } from '../../test/support/message-session.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { VirtualClock } from '../core/clock.ts';
import type { ChatInfo, IncomingMessage, SenderInfo } from '../core/session.ts';
import { silentLogger } from '../log.ts';
import { openSqlite, type Db } from '../store/db.ts';
import { MonitorStore } from '../store/monitor.ts';
import { accountLabel, MonitorRuntime, type MonitorFleet } from './monitor-runtime.ts';
import { Monitor, type MonitorDeps } from './monitor.ts';

const GROUP: ChatInfo = { id: -1001000000001, kind: 'supergroup', title: 'Traders', username: null };
const OTHER: ChatInfo = { id: -1001000000002, kind: 'supergroup', title: 'Other', username: 'othergroup' };
const BASIC: ChatInfo = { id: -4000001, kind: 'group', title: 'Family', username: null };
const CHANNEL: ChatInfo = { id: -1001000000003, kind: 'channel', title: 'News', username: 'newsch' };
const FORWARD: ChatInfo = { id: -1009999999999, kind: 'channel', title: 'Hits', username: null };
const STRANGER: SenderInfo = { id: 555, name: 'Stranger', username: 'stranger', isBot: false };

const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function setup(over: Partial<MonitorDeps> = {}, path = join(tempDir('mon-'), 'panel.db')) {
  const db = openSqlite(path);
  opened.push(db);
  const store = new MonitorStore(db);
  const clock = new VirtualClock();
  const monitor = new Monitor({ store, clock, log: silentLogger, channel: { id: FORWARD.id }, ...over });
  return { db, store, clock, monitor, path };
}

let nextId = 1;
function message(chat: ChatInfo, text: string, sender: SenderInfo | null = STRANGER, messageId = nextId++): IncomingMessage {
  return { chat, messageId, sender, text, date: Date.UTC(2026, 0, 1) };
}

function sessions(monitor: Monitor, n: number): MessageSession[] {
  return Array.from({ length: n }, (_, i) => {
    const s = new MessageSession(i + 1, 100_000 + i + 1);
    monitor.attach(i + 1, s, { userId: 100_000 + i + 1, label: `#${i + 1}` });
    return s;
  });
}

describe('Monitor pipeline', () => {
  it('forwards a hit seen by five accounts once', () => {
    const { store, monitor } = setup();
    store.addKeyword('usdt', 'plain', 'usdt', 0);
    const accounts = sessions(monitor, 5);
    const m = message(GROUP, 'Selling USDT today');
    for (const s of accounts) s.deliver(m);
    const rows = store.outbox();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ chatId: GROUP.id, messageId: m.messageId, accountId: 1, keywords: ['usdt'], state: 'pending' });
    expect(rows[0]!.payload.text).toContain('Seen by: #1');
    expect(monitor.stats()).toMatchObject({ queued: 1, duplicates: 4, messages: 5 });
  });

  it('keeps the de-duplication across a restart', () => {
    const first = setup();
    first.store.addKeyword('usdt', 'plain', 'usdt', 0);
    const m = message(GROUP, 'usdt');
    expect(first.monitor.handle(1, m)).toBe('queued');
    first.db.close();
    opened.splice(opened.indexOf(first.db), 1);
    const second = setup({}, first.path);
    expect(second.monitor.handle(2, m)).toBe('duplicate');
    expect(second.store.outbox()).toHaveLength(1);
  });

  it('skips ignored senders, own accounts, non-target chats and the forward channel', () => {
    const { store, monitor } = setup({ ownUserIds: () => [424242] });
    store.addKeyword('hit', 'plain', 'hit', 0);
    sessions(monitor, 2);
    store.addIgnored({ senderId: 777 }, 0);
    store.addIgnored({ username: 'spammer' }, 0);
    expect(monitor.handle(1, message(GROUP, 'hit', { id: 777, name: 'x', username: null, isBot: false }))).toBe('ignored_sender');
    expect(monitor.handle(1, message(GROUP, 'hit', { id: 778, name: 'x', username: 'SpAmmer', isBot: false }))).toBe('ignored_sender');
    // Another fleet account writing in the group (attached, or only known to the fleet).
    expect(monitor.handle(1, message(GROUP, 'hit', { id: 100_002, name: 'me', username: null, isBot: false }))).toBe('own_account');
    expect(monitor.handle(1, message(GROUP, 'hit', { id: 424242, name: 'me', username: null, isBot: false }))).toBe('own_account');
    expect(monitor.handle(1, message(FORWARD, 'hit', null))).toBe('forward_channel');
    // Channels and private chats are off by default; groups of every kind are on.
    expect(monitor.handle(1, message(CHANNEL, 'hit', null))).toBe('chat_kind');
    expect(monitor.handle(1, message({ id: 555, kind: 'private', title: 'Stranger', username: null }, 'hit'))).toBe('chat_kind');
    expect(monitor.handle(1, message(BASIC, 'hit'))).toBe('queued');
    // With targets set, only they are watched.
    store.addTarget(OTHER, 0);
    expect(monitor.handle(1, message(GROUP, 'hit'))).toBe('not_target');
    expect(monitor.handle(1, message(OTHER, 'hit'))).toBe('queued');
    expect(store.outbox().map((r) => r.chatId).sort()).toEqual([BASIC.id, OTHER.id].sort());
  });

  it('watches channels and private chats only when turned on', () => {
    const { store, monitor } = setup();
    store.addKeyword('hit', 'plain', 'hit', 0);
    store.setOptions({ channels: true, private: true });
    expect(monitor.handle(1, message(CHANNEL, 'hit', null))).toBe('queued');
    expect(monitor.handle(1, message({ id: 555, kind: 'private', title: 'Stranger', username: null }, 'a hit'))).toBe('queued');
    expect(monitor.handle(1, message(FORWARD, 'hit', null))).toBe('forward_channel');
  });

  it('matches Persian variants and names them in the forward', () => {
    const { store, monitor } = setup();
    store.addKeyword('كتاب', 'word', 'کتاب', 0);
    store.addKeyword('قیمت', 'plain', 'قیمت', 0);
    expect(monitor.handle(1, message(GROUP, 'این کِتــاب خوب است'))).toBe('queued');
    expect(monitor.handle(1, message(GROUP, 'قيمت ۱۰۰'))).toBe('queued');
    expect(monitor.handle(1, message(GROUP, 'کتابها'))).toBe('no_match');
    const [second, first] = store.outbox();
    expect(first!.keywords).toEqual(['كتاب']);
    expect(second!.keywords).toEqual(['قیمت']);
  });

  it('reads rules from memory, and picks up rule changes made by another process within the check interval', async () => {
    const { monitor, path, store, clock } = setup({ rulesCheckMs: 1000 });
    const other = openSqlite(path);
    opened.push(other);
    expect(monitor.handle(1, message(GROUP, 'alpha'))).toBe('no_match');
    let reads = 0;
    const read = store.rulesVersion.bind(store);
    store.rulesVersion = () => (reads++, read());
    for (let i = 0; i < 50; i++) monitor.handle(1, message(GROUP, 'nothing'));
    expect(reads).toBe(0);
    new MonitorStore(other).addKeyword('alpha', 'plain', 'alpha', 0);
    await clock.advance(1000);
    expect(monitor.handle(1, message(GROUP, 'alpha'))).toBe('queued');
    expect(reads).toBe(1);
  });

  it('runs a regex rule with nested unbounded repeats over a long message without stalling, and still matches the others', () => {
    const { store, monitor } = setup();
    // Stored directly, as an older panel may have kept it: the monitor runs it on RE2 all the same.
    store.addKeyword('\\w*\\w*\\w*\\w*\\w*\\w*\\w*\\w*\\w*\\w*x', 'regex', '', 0);
    store.addKeyword('(a+)+$', 'regex', '(a+)+$', 0);
    store.addKeyword('usdt', 'plain', 'usdt', 0);
    expect(monitor.handle(1, message(GROUP, 'usdt ' + 'a'.repeat(4000) + '!'))).toBe('queued');
    expect(store.outbox()[0]!.keywords).toEqual(['usdt']);
  });

  it('does not forward a message again when it comes back edited', () => {
    const { store, monitor } = setup();
    store.addKeyword('usdt', 'plain', 'usdt', 0);
    store.addKeyword('btc', 'plain', 'btc', 0);
    const m = message(GROUP, 'usdt');
    expect(monitor.handle(1, m)).toBe('queued');
    // An edit keeps the (chat, message) key, even with another keyword and seen by another account.
    expect(monitor.handle(2, { ...m, text: 'usdt and btc' })).toBe('duplicate');
    expect(store.outbox()).toHaveLength(1);
  });

  it('skips messages older than the catch-up window', () => {
    const { store, monitor, clock } = setup({ maxMessageAgeMs: 60_000 });
    store.addKeyword('hit', 'plain', 'hit', 0);
    expect(monitor.handle(1, { ...message(GROUP, 'hit'), date: clock.now() - 120_000 })).toBe('too_old');
  });

  it('stops listening when an account is detached', () => {
    const { store, monitor } = setup();
    store.addKeyword('hit', 'plain', 'hit', 0);
    const [s] = sessions(monitor, 1);
    monitor.detach(1);
    expect(s!.listeners).toBe(0);
    s!.deliver(message(GROUP, 'hit'));
    expect(store.outbox()).toHaveLength(0);
    expect(store.watches()[0]).toMatchObject({ accountId: 1, state: 'detached' });
  });

  it('learns the account user id from the session when not given', async () => {
    const { store, monitor, clock } = setup();
    store.addKeyword('hit', 'plain', 'hit', 0);
    monitor.attach(9, new MessageSession(9, 900));
    await clock.advance(0);
    expect(monitor.handle(9, message(GROUP, 'hit', { id: 900, name: 'me', username: null, isBot: false }))).toBe('own_account');
  });
});

describe('MonitorRuntime', () => {
  it('attaches accounts as the fleet connects them and detaches them when they drop', async () => {
    const db = openSqlite(join(tempDir('rt-'), 'panel.db'));
    opened.push(db);
    const store = new MonitorStore(db);
    store.addKeyword('hit', 'plain', 'hit', 0);
    const clock = new VirtualClock();
    const sessions = new Map([1, 2, 3].map((id) => [id, new MessageSession(id, 500 + id)]));
    const listeners = new Set<(e: { type: string; accountId: number }) => void>();
    const live = new Set([1]);
    const fleet: MonitorFleet = {
      onEvent: (l) => (listeners.add(l), () => listeners.delete(l)),
      liveIds: () => [...live],
      session: (id) => Promise.resolve(sessions.get(id)!),
      accounts: () => [1, 2, 3].map((id) => ({ id, userId: 500 + id, username: id === 1 ? 'first' : null, firstName: `Acc ${id}` })),
    };
    const rt = new MonitorRuntime({ store, clock, log: silentLogger, channel: null, fleet, sender: null });
    await rt.start();
    await clock.advance(0);
    expect(rt.monitor.attached()).toEqual([1]);
    live.add(2);
    for (const l of listeners) l({ type: 'connected', accountId: 2 });
    await clock.advance(0);
    expect(rt.monitor.attached().sort()).toEqual([1, 2]);
    for (const l of listeners) l({ type: 'disconnected', accountId: 1 });
    expect(rt.monitor.attached()).toEqual([2]);
    // Account 3 is not attached, but its messages in a group are still the fleet's own.
    sessions.get(2)!.deliver(message(GROUP, 'hit', { id: 503, name: 'x', username: null, isBot: false }));
    sessions.get(2)!.deliver(message(GROUP, 'a hit'));
    const [row] = store.outbox();
    expect(store.outbox()).toHaveLength(1);
    expect(row!.payload.text).toContain('Seen by: #2 Acc 2');
    expect(accountLabel({ id: 1, username: 'first', firstName: 'x' })).toBe('#1 @first');
    await rt.stop();
    expect(listeners.size).toBe(0);
  });

  it('attaches every live account with one fleet listing, refreshes their chats at connect, and keeps catch-up news', async () => {
    const db = openSqlite(join(tempDir('rt-'), 'panel.db'));
    opened.push(db);
    const store = new MonitorStore(db);
    const clock = new VirtualClock();
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    const sessions = new Map(ids.map((id) => [id, new MessageSession(id, 500 + id)]));
    for (const s of sessions.values()) s.chats = [GROUP];
    let listings = 0;
    const fleet: MonitorFleet = {
      onEvent: () => () => undefined,
      liveIds: () => ids,
      session: (id) => Promise.resolve(sessions.get(id)!),
      accounts: () => (listings++, ids.map((id) => ({ id, userId: 500 + id, username: null, firstName: `Acc ${id}` }))),
    };
    const saved = new Map<number, number>();
    const directory = { accounts: () => [], save: (id: number, chats: ChatInfo[]) => void saved.set(id, chats.length) };
    const rt = new MonitorRuntime({ store, clock, log: silentLogger, channel: null, fleet, sender: null, directory });
    await rt.start();
    expect(listings).toBe(1);
    expect(rt.monitor.attached()).toHaveLength(40);
    await vi.waitFor(() => expect(saved.size).toBe(40));
    expect([...saved.values()].every((n) => n === 1)).toBe(true);
    // What a session says about catching up is kept, and survives the next attach.
    sessions.get(1)!.emitCatchUp({ kind: 'gap_too_long', chatId: GROUP.id, at: 1000 });
    sessions.get(1)!.emitCatchUp({ kind: 'caught_up', at: 2000 });
    expect(rt.monitor.watches().find((w) => w.accountId === 1)).toMatchObject({ lastCatchUpAt: 2000, gap: { at: 1000, chats: [GROUP.id] } });
    rt.monitor.attach(1, sessions.get(1)!);
    expect(store.watch(1)).toMatchObject({ lastCatchUpAt: 2000, gap: { at: 1000, chats: [GROUP.id] } });
    await rt.stop();
  });
});

describe('MonitorRuntime stop', () => {
  it('stops listening even when a post in flight never settles', async () => {
    const db = openSqlite(join(tempDir('rt-'), 'panel.db'));
    opened.push(db);
    const store = new MonitorStore(db);
    store.addKeyword('hit', 'plain', 'hit', 0);
    const clock = new VirtualClock();
    const session = new MessageSession(1, 501);
    const fleet: MonitorFleet = {
      onEvent: () => () => undefined,
      liveIds: () => [1],
      session: () => Promise.resolve(session),
      accounts: () => [{ id: 1, userId: 501, username: null, firstName: 'Acc 1' }],
    };
    let posting = false;
    // A Bot API that takes the post and never answers, deaf to the abort.
    const sender = { send: () => ((posting = true), new Promise<never>(() => undefined)) };
    const rt = new MonitorRuntime({ store, clock, log: silentLogger, channel: { id: FORWARD.id }, fleet, sender });
    await rt.start();
    session.deliver(message(GROUP, 'a hit'));
    await vi.waitFor(() => expect(posting).toBe(true));
    void rt.stop();
    await vi.waitFor(() => expect(rt.monitor.attached()).toEqual([]));
  });
});

describe('Monitor watchdog', () => {
  it('resyncs an account whose updates stopped, and the status shows it', async () => {
    const { monitor, clock, store } = setup({ watchdog: { staleAfterMs: 10 * 60_000, checkEveryMs: 60_000 } });
    const [quiet, busy] = sessions(monitor, 2);
    monitor.start();
    for (let minute = 0; minute < 12; minute++) {
      busy!.deliver(message(GROUP, `tick ${minute}`));
      await clock.advance(60_000);
    }
    expect(quiet!.resyncCalls).toBe(1);
    expect(busy!.resyncCalls).toBe(0);
    const watch = monitor.watches().find((w) => w.accountId === 1)!;
    expect(watch).toMatchObject({ state: 'live', resyncs: 1 });
    expect(store.watches().find((w) => w.accountId === 1)).toMatchObject({ state: 'live', resyncs: 1 });
    await monitor.stop();
  });

  it('marks an account stale when its resync fails or it cannot resync', async () => {
    const { monitor, clock, store } = setup({ watchdog: { staleAfterMs: 60_000, checkEveryMs: 10_000 } });
    const [failing, unable] = sessions(monitor, 2);
    failing!.resyncScript = () => Promise.reject(new Error('connection lost'));
    unable!.resyncScript = undefined;
    monitor.start();
    await clock.advance(70_000);
    expect(store.watches().map((w) => [w.accountId, w.state, w.lastError])).toEqual([
      [1, 'stale', 'connection lost'],
      [2, 'stale', expect.stringContaining('cannot resync')],
    ]);
    // An update brings it back.
    failing!.deliver(message(GROUP, 'hello'));
    expect(monitor.watches().find((w) => w.accountId === 1)!.state).toBe('live');
    await monitor.stop();
  });
});
