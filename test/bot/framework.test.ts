import { randomBytes } from 'node:crypto';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { pino } from 'pino';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { afterEach, describe, expect, it } from 'vitest';
import { botProxyAgent } from '../../src/interfaces/bot/proxy.ts';
import { BotStore } from '../../src/store/bot.ts';
import { Secrets } from '../../src/store/secrets.ts';
import { cb } from '../../src/interfaces/bot/ui.ts';
import { ADMIN, harness, STRANGER, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.db.close());

describe('admin bot framework', () => {
  it('/start shows the main menu as a new message and records it as the menu', async () => {
    h = harness();
    await h.text('/start');
    expect(h.screen()).toContain('Telegram Panel');
    expect(h.labels()).toEqual(['📊 Status', '👤 Accounts', '⚡ Actions', '✉️ Campaigns', '🔎 Monitor', '⚙️ Settings', '⏰ Schedules']);
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

describe('flow state across versions and keys', () => {
  it('drops a flow written by another flow version and says so', async () => {
    h = harness();
    await h.text('/start');
    await h.press('Settings');
    await h.press('Messages per account per day');
    h.db.prepare('UPDATE bot_flows SET version = 0').run();
    await h.text('12');
    expect(h.screen()).toContain('started by an older version of the panel');
    expect(h.bot.runtime.store.flow(ADMIN.id)).toBeUndefined();
    expect(h.bot.runtime.store.pacing()).toEqual({});
  });

  it('drops a flow whose sealed part another key wrote', async () => {
    h = harness();
    h.bot.runtime.store.saveFlow(ADMIN.id, { version: 1, flow: 'add', step: 'code', data: { loginId: 'x' }, secret: { phone: '+15550001111' }, updatedAt: 0 });
    const other = new BotStore(h.db, new Secrets(randomBytes(32)));
    expect(other.flow(ADMIN.id)).toBe('unreadable');
    h.db.prepare('UPDATE bot_flows SET sealed = ?').run(new Secrets(randomBytes(32)).encrypt('{"phone":"+1"}'));
    await h.text('1 2 3 4 5');
    expect(h.screen()).toContain('started by an older version of the panel');
  });
});

describe('logging', () => {
  it('logs a refused stranger without what they wrote', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    h = harness();
    h.deps.log = log;
    await h.text('my secret plan 12345', STRANGER);
    const entry = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.msg === 'refused a user who is not an admin');
    expect(entry).toMatchObject({ userId: STRANGER.id, attempt: 'message', answered: true });
    expect(lines.join('\n')).not.toContain('secret plan');
  });
});

describe('proxy for the Bot API', () => {
  it('uses SOCKS (resolving names at the proxy) or HTTP(S) agents, and none for MTProxy', () => {
    const socks = botProxyAgent('socks5://u:p@127.0.0.1:1080');
    expect(socks).toBeInstanceOf(SocksProxyAgent);
    expect((socks as SocksProxyAgent).proxy.type).toBe(5);
    expect(botProxyAgent('http://127.0.0.1:8080')).toBeInstanceOf(HttpsProxyAgent);
    expect(botProxyAgent('tg://proxy?server=a&port=1&secret=ee')).toBeUndefined();
    // The same parser as the accounts' connections: a Telegram SOCKS link works for the bot too.
    const tgSocks = botProxyAgent('tg://socks?server=127.0.0.1&port=1080&user=u&pass=p');
    expect(tgSocks).toBeInstanceOf(SocksProxyAgent);
    expect((tgSocks as SocksProxyAgent).proxy).toMatchObject({ host: '127.0.0.1', port: 1080, userId: 'u', password: 'p' });
    expect(botProxyAgent(undefined)).toBeUndefined();
  });
});
