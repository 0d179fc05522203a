import { beforeEach, expect, it } from 'vitest';
import type { ForwardMessage } from '../core/forward-format.ts';
import { describeEngines } from '../../test/support/engines.ts';
import { MonitorStore, type NewHit } from './monitor.ts';

const T0 = Date.UTC(2026, 5, 1);
const payload: ForwardMessage = { text: 'hello world', entities: [], buttons: [] };

function hit(chatId: number, messageId: number, accountId: number, at: number): NewHit {
  return { chatId, messageId, accountId, chatTitle: `chat ${chatId}`, keywords: ['hello'], payload, at };
}

describeEngines('MonitorStore', (t) => {
  let store: MonitorStore;
  beforeEach(() => {
    store = new MonitorStore(t.db);
  });

  it('keeps keywords once per folded form and counts every rule change in the version', () => {
    expect(store.rulesVersion()).toBe(0);
    const a = store.addKeyword('Hello', 'plain', 'hello', T0);
    expect(a).toMatchObject({ added: true, rule: { id: 1, pattern: 'Hello', mode: 'plain', normalized: 'hello', createdAt: T0 } });
    expect(store.addKeyword('HELLO', 'plain', 'hello', T0 + 1)).toEqual({ added: false, rule: a.rule });
    const b = store.addKeyword('hel+o', 'regex', 'hel+o', T0 + 2);
    expect(store.keywords().map((k) => k.id)).toEqual([a.rule.id, b.rule.id]);
    expect(store.rulesVersion()).toBe(2);
    expect(store.removeKeyword(a.rule.id)).toEqual(a.rule);
    expect(store.removeKeyword(a.rule.id)).toBeUndefined();
    expect(store.keywords()).toEqual([b.rule]);
    // A rule change made by another connection (another process) shows in the version this one reads.
    new MonitorStore(t.connect()).addKeyword('x', 'word', 'x', T0);
    expect(store.rulesVersion()).toBe(4);
    expect(store.localChanges).toBe(3);
  });

  it('ignores senders by id or username, each once', () => {
    expect(store.addIgnored({ senderId: 42 }, T0)).toBe(true);
    expect(store.addIgnored({ senderId: 42 }, T0 + 1)).toBe(false);
    expect(store.addIgnored({ username: 'spammer' }, T0 + 2)).toBe(true);
    expect(store.addIgnored({ username: 'spammer' }, T0 + 3)).toBe(false);
    // Ids are not compared: PostgreSQL's identity spends a number on an insert that met a conflict.
    expect(store.ignored().map(({ id: _, ...rest }) => rest)).toEqual([
      { senderId: 42, username: null, createdAt: T0 },
      { senderId: null, username: 'spammer', createdAt: T0 + 2 },
    ]);
    expect(store.rulesVersion()).toBe(2);
    expect(store.removeIgnored({ senderId: 42 })).toBe(true);
    expect(store.removeIgnored({ senderId: 42 })).toBe(false);
    expect(store.removeIgnored({ username: 'spammer' })).toBe(true);
    expect(store.removeIgnored({ username: 'spammer' })).toBe(false);
    expect(store.ignored()).toEqual([]);
    expect(store.rulesVersion()).toBe(4);
  });

  it('keeps target groups ordered by title whatever the case, and the options', () => {
    expect(store.addTarget({ id: -1002, kind: 'supergroup', title: 'beta', username: null }, T0)).toBe(true);
    expect(store.addTarget({ id: -1001, kind: 'supergroup', title: 'Alpha', username: 'alpha' }, T0)).toBe(true);
    expect(store.addTarget({ id: -1001, kind: 'supergroup', title: 'Alpha again', username: null }, T0)).toBe(false);
    expect(store.addTarget({ id: -5, kind: 'group', title: 'Gamma', username: null }, T0 + 1)).toBe(true);
    expect(store.targets().map((x) => [x.chatId, x.title])).toEqual([
      [-1001, 'Alpha'],
      [-1002, 'beta'],
      [-5, 'Gamma'],
    ]);
    expect(store.targets()[0]).toEqual({ chatId: -1001, kind: 'supergroup', title: 'Alpha', username: 'alpha', createdAt: T0 });
    expect(store.removeTarget(-1002)).toBe(true);
    expect(store.removeTarget(-1002)).toBe(false);
    expect(store.options()).toEqual({ channels: false, private: false });
    expect(store.setOptions({ channels: true })).toEqual({ channels: true, private: false });
    expect(store.setOptions({ private: true, channels: false })).toEqual({ channels: false, private: true });
    expect(new MonitorStore(t.reopen()).options()).toEqual({ channels: false, private: true });
  });

  it('queues a message seen by several accounts once, and sends it through the outbox', () => {
    expect(store.nextDueAt()).toBeNull();
    expect(store.recordHit(hit(-1001, 7, 1, T0))).toBe('queued');
    expect(store.recordHit(hit(-1001, 7, 2, T0 + 5))).toBe('duplicate');
    expect(store.recordHit(hit(-1001, 8, 2, T0 + 10))).toBe('queued');
    expect(store.nextDueAt()).toBe(T0);
    expect(store.nextDue(T0 - 1)).toBeUndefined();
    const first = store.nextDue(T0 + 100)!;
    expect(first).toEqual({
      id: 1,
      chatId: -1001,
      messageId: 7,
      accountId: 1,
      chatTitle: 'chat -1001',
      keywords: ['hello'],
      payload,
      createdAt: T0,
      state: 'pending',
      attempts: 0,
      nextAt: T0,
      held: false,
      lastError: null,
      sentAt: null,
      sentMessageId: null,
    });
    store.markAttempt(first.id);
    store.retryLater(first.id, T0 + 1000, 'CHAT_WRITE_FORBIDDEN', true);
    expect(store.outboxRow(first.id)).toMatchObject({ attempts: 1, nextAt: T0 + 1000, held: true, lastError: 'CHAT_WRITE_FORBIDDEN' });
    // The retried row keeps its place among rows due.
    expect(store.nextDue(T0 + 2000)?.id).toBe(first.id);
    expect(store.outboxSummary()).toEqual({
      pending: 2,
      held: 1,
      sent: 0,
      oldestPendingAt: T0,
      lastError: 'CHAT_WRITE_FORBIDDEN',
      lastHit: { at: T0 + 10, chatTitle: 'chat -1001', keywords: ['hello'], state: 'pending' },
    });
    expect(store.releaseHeld(T0 + 50)).toBe(1);
    expect(store.outboxRow(first.id)).toMatchObject({ held: false, nextAt: T0 + 50 });
    store.retryLater(2, T0 + 9000, 'FLOOD_WAIT_9', false);
    expect(store.releaseHeld(T0 + 60, 2)).toBe(1);
    expect(store.outboxRow(2)).toMatchObject({ held: false, nextAt: T0 + 60 });
    store.markSent(first.id, T0 + 70, 555);
    expect(store.outboxRow(first.id)).toMatchObject({ state: 'sent', sentAt: T0 + 70, sentMessageId: 555, held: false, lastError: null });
    expect(store.outbox().map((r) => r.id)).toEqual([2, 1]);
    expect(store.outbox('sent').map((r) => r.id)).toEqual([1]);
    expect(store.outbox('pending', 1).map((r) => r.id)).toEqual([2]);
    expect(store.outboxSummary()).toMatchObject({ pending: 1, held: 0, sent: 1, oldestPendingAt: T0 + 10, lastError: 'FLOOD_WAIT_9' });
    store.markSent(2, T0 + 80, null);
    expect(store.outboxSummary()).toMatchObject({ pending: 0, held: 0, sent: 2, oldestPendingAt: null, lastError: null });
    expect(store.nextDueAt()).toBeNull();
  });

  it('sums nothing to zero on an empty outbox', () => {
    expect(store.outboxSummary()).toEqual({ pending: 0, held: 0, sent: 0, oldestPendingAt: null, lastError: null, lastHit: null });
  });

  it('prunes old keys and sent rows, never pending ones', () => {
    store.recordHit(hit(-1, 1, 1, T0));
    store.recordHit(hit(-1, 2, 1, T0 + 100));
    store.markSent(1, T0 + 10, 9);
    expect(store.prune(T0 + 50, T0 + 50)).toEqual({ seen: 1, sent: 1 });
    expect(store.outbox().map((r) => r.id)).toEqual([2]);
    // The forgotten key no longer dedupes: a message that old is ignored before it gets here.
    expect(store.recordHit(hit(-1, 1, 1, T0 + 200))).toBe('queued');
    expect(store.prune(T0 + 1000, T0 + 1000)).toEqual({ seen: 2, sent: 0 });
    expect(store.outbox('pending')).toHaveLength(2);
  });

  it('keeps each account watch row with its last catch-up and gap', () => {
    store.saveWatch({ accountId: 2, state: 'live', lastActivityAt: T0, lastResyncAt: null, resyncs: 0, lastError: null, updatedAt: T0, lastCatchUpAt: null, gap: null });
    const stale = { accountId: 1, state: 'stale' as const, lastActivityAt: null, lastResyncAt: T0, resyncs: 3, lastError: 'timeout', updatedAt: T0 + 1, lastCatchUpAt: T0 - 5, gap: { at: T0 - 1, chats: [-1001, null] } };
    store.saveWatch(stale);
    store.saveWatch({ ...stale, state: 'resyncing', resyncs: 4, updatedAt: T0 + 2 });
    expect(store.watches().map((w) => [w.accountId, w.state])).toEqual([
      [1, 'resyncing'],
      [2, 'live'],
    ]);
    expect(store.watch(1)).toEqual({ ...stale, state: 'resyncing', resyncs: 4, updatedAt: T0 + 2 });
    expect(store.watch(2)?.gap).toBeNull();
    expect(store.watch(3)).toBeUndefined();
  });
});
