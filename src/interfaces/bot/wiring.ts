import type { App } from '../../app.ts';
import { ConfigError } from '../../config.ts';
import { TelegramFailure } from '../../core/failures.ts';
import { utcDay } from '../../core/campaign-schedule.ts';
import { parseChannelRef } from '../../core/monitor-filter.ts';
import { CampaignService } from '../../engine/campaigns.ts';
import { accountChatDirectory, MonitorService } from '../../engine/monitor-service.ts';
import type { Monitor } from '../../engine/monitor.ts';
import { OperationsEngine } from '../../engine/operations.ts';
import { effectivePacing, BotStore } from '../../store/bot.ts';
import { CampaignStore } from '../../store/campaigns.ts';
import { MonitorStore } from '../../store/monitor.ts';
import { createBot, type CreateBotOptions, type PanelBot } from './bot.ts';
import type { BotDeps } from './deps.ts';
import type { AccountsPort, BotServices } from './services.ts';

/** What `start` may already have built and wants the bot to share (one engine per process). */
export interface SharedServices {
  operations?: OperationsEngine;
  campaigns?: CampaignService;
  monitor?: Monitor;
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

/** The bot's view of the app: every service the CLI uses, built lazily like the app's own. */
export function botDeps(app: App, shared: SharedServices = {}): BotDeps {
  const pacing = (): ReturnType<typeof effectivePacing> => effectivePacing(app.config.pacing, new BotStore(app.db, app.secrets).pacing());
  let operations = shared.operations;
  let campaigns = shared.campaigns;
  let monitor: MonitorService | undefined;
  const accounts = accountsPort(app);
  const campaignStore = new CampaignStore(app.db);
  const operationStore = app.operationStore;
  const services: BotServices = {
    accounts,
    get login() {
      return app.logins;
    },
    get importer() {
      return app.imports;
    },
    get operations() {
      operations ??= new OperationsEngine({ pool: app.fleet, store: operationStore, clock: app.clock, pacing: pacing(), log: app.log });
      return operations;
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
      campaigns ??= new CampaignService({ db: app.db, pool: app.fleet, clock: app.clock, pacing: pacing(), log: app.log });
      return campaigns;
    },
    get monitor() {
      monitor ??= new MonitorService({
        store: new MonitorStore(app.db),
        clock: app.clock,
        channel: parseChannelRef(app.config.channelId),
        directory: accountChatDirectory(app.accounts, app.clock),
        ...(shared.monitor ? { monitor: shared.monitor } : {}),
      });
      return monitor;
    },
    get pool() {
      return app.fleet;
    },
    usage: {
      usedToday: (accountId) => campaignStore.usedOn(accountId, utcDay(app.clock.now())),
      recentOperations: (limit) => operationStore.list({ limit }),
    },
  };
  return { log: app.log, clock: app.clock, db: app.db, secrets: app.secrets, pacing: app.config.pacing, services };
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
