import type { App } from '../../app.ts';
import { ConfigError } from '../../config.ts';
import { TelegramFailure } from '../../core/failures.ts';
import type { CampaignService } from '../../engine/campaigns.ts';
import type { Monitor } from '../../engine/monitor.ts';
import type { OperationsEngine } from '../../engine/operations.ts';
import { createBot, type CreateBotOptions, type PanelBot } from './bot.ts';
import type { BotDeps } from './deps.ts';
import type { AccountsPort, BotServices } from './services.ts';

/** What `start` may already have built and wants the bot to share (one engine per process). */
export interface SharedServices {
  operations?: OperationsEngine;
  campaigns?: CampaignService;
  monitor?: Monitor;
  /** The web dashboard's origin when `start` serves it: /web sends sign-in links to it. */
  webOrigin?: string;
}

/**
 * Account management over the app's store, fleet and health service: the same steps the
 * `accounts` CLI takes (disable disconnects, a proxy change reconnects, remove deletes the keys).
 */
export function accountsPort(app: App): AccountsPort {
  const now = (): number => app.clock.now();
  return {
    list: () => app.accounts.list(now()),
    get: (id) => app.accounts.get(id, now()),
    groups: (id) => app.accounts.groups(id),
    // The same fleet operations the CLI calls, so both interfaces behave alike (lease checks,
    // disconnects, proxy validation).
    async setEnabled(id, enabled) {
      await app.fleet.setEnabled(id, enabled);
      if (enabled) void app.fleet.session(id).catch((e: unknown) => app.log.debug({ err: e, accountId: id }, 'enabled account did not connect'));
    },
    async setProxy(id, url) {
      await app.fleet.setProxy(id, url);
    },
    async remove(id) {
      await app.fleet.remove(id);
    },
    check: (ids, spam) => app.health.check({ ids, spam }),
    refreshGroups: (id) => app.health.refreshGroups(id),
  };
}

/** The bot's view of the app: the services app.ts built once, shared with every other interface. */
export function botDeps(app: App, shared: SharedServices = {}): BotDeps {
  if (shared.monitor) app.attachMonitor(shared.monitor);
  const services: BotServices = {
    accounts: accountsPort(app),
    get login() {
      return app.logins;
    },
    get importer() {
      return app.imports;
    },
    get operations() {
      return shared.operations ?? app.operations;
    },
    polls: {
      async poll(target) {
        const usable = app.fleet.accounts().filter((a) => a.status === 'active');
        if (usable.length === 0) throw new TelegramFailure({ kind: 'no_access', code: 'NO_ACCOUNT', message: 'no active account can read the poll' });
        const session = await app.fleet.session(usable[0]!.id);
        return session.poll(target);
      },
    },
    get campaigns() {
      return shared.campaigns ?? app.campaigns;
    },
    get monitor() {
      return app.monitorService;
    },
    get pool() {
      return app.fleet;
    },
    get accountCare() {
      return app.accountCare;
    },
    tags: app.tags,
    get schedules() {
      return app.schedules;
    },
    ...(shared.webOrigin !== undefined
      ? {
          web: {
            link: (by: string) => {
              const { token, expiresAt } = app.webAuth.createLink(by);
              return { url: `${shared.webOrigin}/signin?t=${token}`, expiresAt };
            },
          },
        }
      : {}),
    usage: {
      usedToday: (accountId) => (shared.campaigns ?? app.campaigns).usedToday(accountId),
      recentOperations: (limit) => app.operationStore.list({ limit }),
    },
  };
  return { log: app.log, clock: app.clock, state: app.botState, pacing: app.pacing, services };
}

/**
 * Builds the admin bot for the app from BOT_TOKEN, ADMIN_IDS and PROXY_URL and starts long
 * polling; `npm start` calls this next to the fleet and the monitor. Stop it with `stop()`.
 */
export async function startBot(app: App, shared: SharedServices = {}, opts: Partial<CreateBotOptions> = {}): Promise<PanelBot> {
  const token = opts.token ?? app.config.botToken;
  const adminIds = opts.adminIds ?? app.config.adminIds;
  if (!token || adminIds.length === 0) throw new ConfigError(['BOT_TOKEN and ADMIN_IDS are needed to run the admin bot']);
  const bot = createBot(botDeps(app, shared), { ...opts, token, adminIds, ...(app.config.proxyUrl ? { proxyUrl: app.config.proxyUrl } : {}) });
  await bot.start();
  return bot;
}
