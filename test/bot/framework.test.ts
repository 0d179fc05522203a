import { afterEach, describe, expect, it } from 'vitest';
import { cb } from '../../src/interfaces/bot/ui.ts';
import { ADMIN, harness, STRANGER, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.db.close());

describe('admin bot framework', () => {
  it('/start shows the main menu as a new message and records it as the menu', async () => {
    h = harness();
    await h.text('/start');
    expect(h.screen()).toContain('Telegram Panel');
    expect(h.labels()).toEqual(['📊 Status', '👤 Accounts', '⚡ Actions', '✉️ Campaigns', '🔎 Monitor', '⚙️ Settings']);
  });

  it('refuses a stranger once per hour, changes nothing and never shows a menu', async () => {
    h = harness();
    await h.text('/start', STRANGER);
    await h.text('hello', STRANGER);
    await h.update(h.api.callbackUpdate(STRANGER, 1, cb('acc')));
    await h.update(h.api.inlineUpdate(STRANGER, 'x'));
    const sent = h.api.callsOf('sendMessage');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.payload.text).toBe('This bot is private.');
    const answered = h.api.callsOf('answerCallbackQuery');
    expect(answered).toHaveLength(1);
    expect(answered[0]!.payload.text).toBeUndefined();
    expect(h.bot.runtime.store.menu(STRANGER.id)).toBeUndefined();
    expect(h.bot.runtime.store.refusalAttempts(STRANGER.id)).toBe(4);
    await h.clock.advance(3_600_000);
    await h.text('again', STRANGER);
    expect(h.api.callsOf('sendMessage')).toHaveLength(2);
  });

  it('answers a button from an old message with "expired" and shows the current menu', async () => {
    h = harness();
    await h.text('/start');
    const old = h.menu();
    await h.text('/start');
    await h.update(h.api.callbackUpdate(ADMIN, old.messageId, cb('st')));
    const answer = h.api.callsOf('answerCallbackQuery').at(-1)!;
    expect(answer.payload.text).toBe('This menu has expired; here is the current one.');
    expect(h.menu().messageId).toBeGreaterThan(old.messageId);
    expect(h.screen()).toContain('Telegram Panel');
  });

  it('treats buttons of an older menu version as expired', async () => {
    h = harness();
    await h.text('/start');
    await h.update(h.api.callbackUpdate(ADMIN, h.menu().messageId, 'm0:st'));
    expect(h.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toContain('expired');
  });

  it('text with no flow waiting points at the menu', async () => {
    h = harness();
    await h.text('hi');
    expect(h.screen()).toContain('Use the menu below.');
    await h.text('/nonsense');
    expect(h.screen()).toContain('Unknown command.');
    await h.update(h.api.stickerUpdate(ADMIN));
    expect(h.screen()).toContain('Use the menu below.');
  });

  it('/cancel with nothing running says so', async () => {
    h = harness();
    await h.text('/cancel');
    expect(h.screen()).toContain('Nothing to cancel.');
  });
});
