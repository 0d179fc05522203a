import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { createBot, type PanelBot } from '../../src/interfaces/bot/bot.ts';
import { stripIsolates } from '../../src/interfaces/bot/i18n/bidi.ts';
import { botDeps } from '../../src/interfaces/bot/wiring.ts';
import { eventually, FakeBotApi, TOKEN, type StoredMessage } from '../support/fake-bot-api.ts';
import { simPanel, type SimPanel } from '../support/sim-panel.ts';
import { ADMIN } from './harness.ts';

let panel: SimPanel | undefined;
let api: FakeBotApi | undefined;
const bots: PanelBot[] = [];

afterEach(async () => {
  for (const b of bots.splice(0)) await b.stop();
  await api?.close();
  await panel?.close();
});

const LIMITS = { privateChat: { intervalMs: 0, burst: 1 }, global: { intervalMs: 0, burst: 1 } };

async function boot(app: App, apiRoot: string): Promise<PanelBot> {
  const bot = createBot(botDeps(app), { token: TOKEN, adminIds: [ADMIN.id], apiRoot, pollTimeoutSeconds: 30, limits: LIMITS });
  bots.push(bot);
  await bot.start();
  return bot;
}

describe('a restart in the middle of adding an account', () => {
  it('resumes the flow after a restart: the lost login gets a new code, then the account is stored', async () => {
    panel = simPanel();
    const acc = panel.summary.accounts.find((a) => a.password === null)!;
    api = new FakeBotApi();
    const fake = api;
    const apiRoot = await fake.listen();
    let bot = await boot(panel.open(), apiRoot);

    /** The admin's menu message once its text satisfies `test`. */
    const screen = (test: (text: string) => boolean, what: string): Promise<StoredMessage> =>
      eventually(() => {
        const ref = bot.runtime.store.menu(ADMIN.id);
        const m = ref && fake.message(ref.chatId, ref.messageId);
        return m && test(stripIsolates(m.text)) ? m : undefined;
      }, what, 15_000).catch((e: unknown) => {
        throw new Error(`${String(e)}; the chat shows:\n${fake.chat(ADMIN.id).map((m) => `${m.fromBot ? 'bot' : 'admin'}: ${stripIsolates(m.text)}`).join('\n')}`);
      });
    const press = (m: StoredMessage, label: string): void => {
      const b = fake.buttons(m).find((x) => stripIsolates(x.text).includes(label));
      if (!b?.data) throw new Error(`no button ${label}`);
      fake.push(fake.callbackUpdate(ADMIN, m.messageId, b.data));
    };

    fake.push(fake.textUpdate(ADMIN, '/start'));
    press(await screen((t) => t.includes('Telegram Panel'), 'the main menu'), 'Accounts');
    press(await screen((t) => t.includes('Accounts: 0'), 'the accounts menu'), 'Add (log in)');
    await screen((t) => t.includes('Send its phone number'), 'the phone question');
    fake.push(fake.textUpdate(ADMIN, acc.phone));
    await screen((t) => t.includes('Telegram sent a 5-digit code'), 'the code question');

    // The panel restarts: the first process's login (in memory only) is gone with it.
    await bot.stop();
    await bots.shift()!.stop();
    const second = panel.open();
    bot = await boot(second, apiRoot);

    const spaced = acc.code.split('').join(' ');
    fake.push(fake.textUpdate(ADMIN, spaced));
    await screen((t) => t.includes('A new code was sent.') && t.includes('Telegram sent a 5-digit code'), 'the code asked again');
    fake.push(fake.textUpdate(ADMIN, acc.code.split('').join('-')));
    const card = await screen((t) => t.includes('The account was added.'), 'the new account card');
    expect(stripIsolates(card.text)).toContain(acc.phone);
    expect(second.accounts.list(second.clock.now()).map((a) => a.phone)).toEqual([acc.phone]);
    const codes = fake.chat(ADMIN.id).filter((m) => !m.fromBot && (m.text === spaced || m.text === acc.code.split('').join('-')));
    expect(codes).toHaveLength(2);
    expect(codes.every((m) => m.deleted)).toBe(true);
    expect(bot.runtime.store.flow(ADMIN.id)).toBeUndefined();
  });
});
