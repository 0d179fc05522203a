import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../app.ts';
import type { AccountSession, IncomingMessage } from '../core/session.ts';
import { simPanel, type SimPanel } from '../../test/support/sim-panel.ts';

/** The parts of AccountSession this issue owns (me, dialogs, onMessage, spamStatus, resync) against the simulator. */

let panel: SimPanel;
let app: App;
let id: number;
let session: AccountSession;
let userId: number;

beforeAll(async () => {
  panel = simPanel({ accounts: 2, users: 20, groups: 110, seed: 5 });
  app = panel.open();
  const acc = panel.summary.accounts.find((a) => a.password === null)!;
  const start = await app.logins.start(acc.phone);
  if (start.step !== 'code') throw new Error(JSON.stringify(start));
  const done = await app.logins.code(start.loginId, acc.code);
  if (done.step !== 'done') throw new Error(JSON.stringify(done));
  id = done.account.id;
  userId = done.account.userId;
  // Membership of every chat, straight in the world, so the dialog list spans several pages.
  panel.world.db.prepare("INSERT OR IGNORE INTO members (chat_id, user_id, role, joined_at) SELECT id, ?, 'member', ? FROM chats").run(userId, panel.world.now());
  session = await app.fleet.session(id);
});

afterAll(async () => {
  await panel.close();
});

describe('MtcuteAccountSession', () => {
  it('answers me() from getMe', async () => {
    const me = await session.me();
    expect(me).toMatchObject({ userId, phone: panel.summary.accounts.find((a) => a.password === null)!.phone });
  });

  it('lists every group, supergroup and channel over all pages, and no private chats', async () => {
    await session.spamStatus(); // leaves a private chat with @SpamBot in the dialogs
    const chats = await session.dialogs();
    const expected = panel.world.db.prepare('SELECT count(*) AS n FROM members WHERE user_id = ?').get(userId) as { n: number };
    expect(expected.n).toBeGreaterThan(100);
    expect(chats).toHaveLength(expected.n);
    expect(new Set(chats.map((c) => c.id)).size).toBe(chats.length);
    expect(chats.every((c) => c.kind !== 'private')).toBe(true);
    const kinds = new Set(chats.map((c) => c.kind));
    expect(kinds.has('channel')).toBe(true);
    expect(kinds.has('supergroup') || kinds.has('forum')).toBe(true);
    // Stored through the health service as well.
    const refreshed = await app.health.refreshGroups(id);
    expect(app.accounts.get(id, app.clock.now())?.groupsCount).toBe(refreshed.length);
  });

  it('hands new messages to onMessage with the chat and sender, until unsubscribed', async () => {
    const got: IncomingMessage[] = [];
    const off = session.onMessage((m) => got.push(m));
    const chat = panel.world.db.prepare("SELECT id, title FROM chats WHERE kind = 'supergroup' ORDER BY id LIMIT 1").get() as { id: number; title: string };
    const posted = panel.world.post(String(chat.id), 'the word is banana');
    await vi.waitFor(() => expect(got.some((m) => m.text === 'the word is banana')).toBe(true), { timeout: 10_000, interval: 20 });
    const m = got.find((x) => x.text === 'the word is banana')!;
    expect(m).toMatchObject({ messageId: posted.messageId, chat: { title: chat.title }, sender: { isBot: false } });
    expect(m.chat.kind === 'supergroup' || m.chat.kind === 'forum').toBe(true);
    off();
    panel.world.post(String(chat.id), 'after unsubscribing');
    await session.resync?.();
    expect(got.some((x) => x.text === 'after unsubscribing')).toBe(false);
  });

  it('reads @SpamBot: clean, limited by a fault, limited until a date by the budget', async () => {
    expect(await session.spamStatus()).toEqual({ state: 'clean' });
    const phone = panel.summary.accounts.find((a) => a.password === null)!.phone;
    panel.world.setFault(phone, 'peer-flood');
    expect(await session.spamStatus()).toEqual({ state: 'limited', until: null });
    panel.world.clearFault(phone, 'peer_flood');
    const t = Date.UTC(2026, 3, 1, 12, 0);
    panel.world.setTime(t);
    panel.world.setBudget('peer_flood', 1, 86_400_000);
    await session.sendMessage(panel.summary.usernames[0]!, 'hello stranger', 77n);
    expect(await session.spamStatus()).toEqual({ state: 'limited', until: t + 86_400_000 });
    panel.world.clearBudget('peer_flood');
    // Through the health check, the account's status follows the answer.
    panel.world.setFault(phone, 'peer-flood');
    const [r] = await app.health.check({ ids: [id], spam: true });
    expect(r).toMatchObject({ ok: true, spam: { state: 'limited' }, status: 'peer_flood' });
    panel.world.clearFault(phone, 'peer_flood');
    const [clean] = await app.health.check({ ids: [id], spam: true });
    expect(clean).toMatchObject({ ok: true, spam: { state: 'clean' }, status: 'active' });
  });
});
