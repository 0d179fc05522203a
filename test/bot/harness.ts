import { randomBytes } from 'node:crypto';
import type { Update } from 'grammy/types';
import type { PacingConfig } from '../../src/config.ts';
import { VirtualClock, type Clock } from '../../src/core/clock.ts';
import { PacingSettings } from '../../src/engine/pacing-settings.ts';
import { createBot, type CreateBotOptions, type PanelBot } from '../../src/interfaces/bot/bot.ts';
import type { BotDeps } from '../../src/interfaces/bot/deps.ts';
import { stripIsolates } from '../../src/interfaces/bot/i18n/bidi.ts';
import type { BotServices } from '../../src/interfaces/bot/services.ts';
import { silentLogger } from '../../src/log.ts';
import { BotStore } from '../../src/store/bot.ts';
import { openPanelDb, type Db } from '../../src/store/db.ts';
import { Secrets } from '../../src/store/secrets.ts';
import { BOT_INFO, FakeBotApi, TOKEN, type FakeUser, type StoredMessage } from '../support/fake-bot-api.ts';
import { tempDir } from '../support/tmp.ts';

export const ADMIN: FakeUser = { id: 1001, first_name: 'Admin', username: 'the_admin', language_code: 'en' };
export const STRANGER: FakeUser = { id: 666, first_name: 'Eve', username: 'eve_x' };

export const PACING: PacingConfig = {
  actionDelay: { min: 8, max: 15 },
  actionConcurrency: 4,
  campaignDelay: { min: 60, max: 180 },
  campaignPerAccount: 4,
  campaignDailyCap: 20,
};

export interface Harness {
  api: FakeBotApi;
  bot: PanelBot;
  clock: VirtualClock;
  db: Db;
  deps: BotDeps;
  dir: string;
  /** Sends an update through handleUpdate. */
  update(u: Omit<Update, 'update_id'>): Promise<void>;
  text(s: string, from?: FakeUser): Promise<void>;
  /** Presses the button whose label contains `label` on the admin's current menu message. */
  press(label: string | RegExp, from?: FakeUser): Promise<void>;
  /** The admin's current menu message. */
  menu(): StoredMessage;
  /** Text of the admin's current menu message, without bidi isolates. */
  screen(): string;
  labels(): string[];
}

export interface HarnessOptions {
  services?: BotServices;
  dir?: string;
  secrets?: Secrets;
  clock?: VirtualClock;
  api?: FakeBotApi;
  bot?: Partial<CreateBotOptions>;
}

let updateId = 1;

/** Bot deps over a real panel database, built the way app.ts builds them. */
export function depsOver(db: Db, clock: Clock, secrets = new Secrets(randomBytes(32)), services: BotServices = {}): BotDeps {
  const state = new BotStore(db, secrets);
  return { log: silentLogger, clock, state, pacing: new PacingSettings(PACING, state), services };
}

export function harness(opts: HarnessOptions = {}): Harness {
  const dir = opts.dir ?? tempDir('tp-bot-');
  const db = openPanelDb(dir);
  const clock = opts.clock ?? new VirtualClock();
  const api = opts.api ?? new FakeBotApi();
  const deps = depsOver(db, clock, opts.secrets, opts.services);
  const bot = createBot(deps, {
    token: TOKEN,
    adminIds: [ADMIN.id],
    botInfo: BOT_INFO,
    fetch: api.fetch,
    // Menu tests press buttons faster than Telegram's per-chat pace; the limiter has its own tests.
    limits: { privateChat: { intervalMs: 0, burst: 1 }, global: { intervalMs: 0, burst: 1 } },
    ...opts.bot,
  });
  const h: Harness = {
    api,
    bot,
    clock,
    db,
    deps,
    dir,
    update: (u) => bot.handleUpdate({ ...u, update_id: updateId++ }),
    text: (s, from = ADMIN) => h.update(api.textUpdate(from, s)),
    async press(label, from = ADMIN) {
      const m = h.menu();
      const b = api.buttons(m).find((x) => (typeof label === 'string' ? stripIsolates(x.text).includes(label) : label.test(stripIsolates(x.text))));
      if (!b?.data) throw new Error(`no button "${String(label)}" on the menu; buttons: ${h.labels().join(' | ')}\n${h.screen()}`);
      await h.update(api.callbackUpdate(from, m.messageId, b.data));
    },
    menu() {
      const ref = bot.runtime.store.menu(ADMIN.id);
      if (!ref) throw new Error('the admin has no menu message');
      const m = api.message(ref.chatId, ref.messageId);
      if (!m) throw new Error('the menu message is unknown to the fake API');
      return m;
    },
    screen: () => stripIsolates(h.menu().text),
    labels: () => api.buttons(h.menu()).map((b) => stripIsolates(b.text)),
  };
  return h;
}
