import { ConfigError, type Config } from './config.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { parseChannelRef } from './core/monitor-filter.ts';
import { CampaignService } from './engine/campaigns.ts';
import { CampaignWatcher } from './engine/campaign-watcher.ts';
import { Fleet } from './engine/fleet.ts';
import { HealthService } from './engine/health.ts';
import { AccountCareService } from './engine/account-care.ts';
import type { ImportService } from './engine/import.ts';
import type { LoginService } from './engine/login.ts';
import type { MetricsService } from './engine/metrics.ts';
import { accountChatDirectory, followChats, MonitorService } from './engine/monitor-service.ts';
import type { Monitor } from './engine/monitor.ts';
import { MonitorRuntime } from './engine/monitor-runtime.ts';
import type { ForwardSender } from './engine/outbox-sender.ts';
import { OperationsEngine } from './engine/operations.ts';
import type { OperationWork } from './engine/operation-follow.ts';
import { WorkExecutor } from './engine/operation-work.ts';
import { PacingSettings } from './engine/pacing-settings.ts';
import { Scheduler, ScheduleService } from './engine/schedules.ts';
import { TagService } from './engine/tags.ts';
import { WebAuthService } from './engine/web-auth.ts';
import { listWorkers, Worker, type WorkerOptions, type WorkerView } from './engine/workers.ts';
import { ownerIsGone, processOwner } from './engine/process-owner.ts';
import { createLogger, type Logger } from './log.ts';
import { AccountStore } from './store/accounts.ts';
import { BotStore } from './store/bot.ts';
import type { Db } from './store/db.ts';
import { openStore } from './store/open.ts';
import { LeaseStore } from './store/leases.ts';
import { MonitorStore } from './store/monitor.ts';
import { OperationStore } from './store/operations.ts';
import { OperationWorkStore } from './store/operation-work.ts';
import { WorkerStore } from './store/workers.ts';
import { wakeupsFor } from './store/wakeups.ts';
import { ScheduleStore } from './store/schedules.ts';
import { loadKey, Secrets, verifyKey } from './store/secrets.ts';
import { WebAuthStore } from './store/web-auth.ts';
import type { ConnectionOverrideFactory } from './telegram/client.ts';
import type { TelegramConnector } from './telegram/connect.ts';
import type { TelegramApi } from './telegram/login.ts';

/** Phone logins; LoginService loads (with mtcute) on the first call. */
export type Logins = Pick<LoginService, 'open' | 'start' | 'code' | 'password' | 'cancel' | 'close'>;
/** Session imports; ImportService loads (with mtcute) on the first call. */
export type Imports = Pick<ImportService, 'read' | 'import'>;

/**
 * The composition root: config -> store -> fleet -> services. Interfaces build one App and call
 * its services; nothing below this file knows which interface is driving it.
 */
export interface App {
  config: Config;
  log: Logger;
  clock: Clock;
  db: Db;
  secrets: Secrets;
  /** Stored accounts, their sessions, parks and groups. */
  accounts: AccountStore;
  /** Account tags (selection by tag, the reserve). */
  readonly tags: TagService;
  /** Live connections (the engine's AccountPool). Built on first use; needs API_ID/API_HASH or a simulator. */
  readonly fleet: Fleet;
  /** Phone logins (CLI and bot). */
  readonly logins: Logins;
  /** Session imports (strings, .session files, tdata). */
  readonly imports: Imports;
  /** getMe / @SpamBot checks and group lists. */
  readonly health: HealthService;
  /** Devices logged into each account, the two-step password and login codes (CLI and bot). */
  readonly accountCare: AccountCareService;
  /** Bulk actions with pacing, FLOOD_WAIT parking and stored records; one per process. */
  readonly operations: OperationsEngine;
  /** Operation records; operations left running by a process that was killed read as interrupted. */
  readonly operationStore: OperationStore;
  /** The pacing in force: the configuration with what the operator changed in the bot's Settings. */
  readonly pacing: PacingSettings;
  /** Campaigns over the fleet; one per process. */
  readonly campaigns: CampaignService;
  /** Monitor rules, known chats and status; tells the monitor running here (`attachMonitor`) to reload. */
  readonly monitorService: MonitorService;
  /** The admin bot's own state: admins' language, live menu message, conversation steps, refusals. */
  readonly botState: BotStore;
  /** The web dashboard's sign-in links, sessions and API tokens (the CLI, the bot and the web share them). */
  readonly webAuth: WebAuthService;
  /** Scheduled work: add, list, pause, resume, remove (CLI and bot). */
  readonly schedules: ScheduleService;
  /**
   * `/healthz` and `/metrics` over this app's services, built once on the first call (prom-client
   * loads then, so commands that never serve metrics never load it).
   */
  metrics(): Promise<MetricsService>;
  /**
   * Runs the parts of operations started elsewhere (CLI, bot, web of any process) for the accounts
   * this process's fleet holds; `start` starts and stops it.
   */
  operationWork(): WorkExecutor;
  /** Makes this process a campaign worker (`start`): it runs its part of every running campaign with the accounts it holds. */
  campaignWatcher(opts?: { pollMs?: number }): CampaignWatcher;
  /** The scheduler that runs due schedules with this app's services; `start` starts and stops it. */
  scheduler(opts?: { pollMs?: number }): Scheduler;
  /** This process as one worker of the panel (`start`): its share of the accounts and the singleton roles it wins. */
  worker(opts: Omit<WorkerOptions, 'db' | 'fleet' | 'clock' | 'log' | 'ttlMs'>): Worker;
  /** The workers of this database: live ones, and those that died within the last hour (`workers`). */
  workers(): WorkerView[];
  /** The monitor running in this process (start), so rule changes made through `monitorService` reach it. */
  attachMonitor(monitor: Monitor | undefined): void;
  /**
   * The monitor over the fleet's accounts, attached to `monitorService`; `sender` posts its hits
   * (null: hits wait in the outbox). The caller starts and stops it.
   */
  monitorRuntime(sender: ForwardSender | null): MonitorRuntime;
  close(): Promise<void>;
}

export interface AppOptions {
  log?: Logger;
  clock?: Clock;
  /**
   * Replaces Telegram under every client: the simulator (TELEGRAM_SIM, which the caller opens, so
   * this file never loads src/sim) or a test double.
   */
  connection?: ConnectionOverrideFactory;
  /** How often stored operation work is looked at besides wake-ups (ms; default 1000). */
  workPollMs?: number;
  /** Fleet tuning (tests, benchmarks). */
  fleet?: { restoreConcurrency?: number; leaseTtlMs?: number; heartbeatMs?: number; backoffMs?: number; connectTimeoutMs?: number };
}

/** A simulated world ignores the API credentials; these stand in for them. */
const SIM_API = { apiId: 1, apiHash: '00000000000000000000000000000000' };

export function openApp(config: Config, opts: AppOptions = {}): App {
  const log = opts.log ?? createLogger({ level: config.logLevel });
  const db = openStore(config);
  let secrets: Secrets;
  try {
    secrets = new Secrets(loadKey(config.dataDir, config.panelSecret, db));
    verifyKey(db, secrets);
  } catch (e) {
    db.close();
    throw e;
  }
  const closers: Array<() => Promise<void> | void> = [];
  const clock = opts.clock ?? systemClock;
  const accounts = new AccountStore(db, secrets);
  const leases = new LeaseStore(db);

  const override = opts.connection;
  let api: TelegramApi | undefined;
  const telegramApi = (): TelegramApi => {
    if (api) return api;
    if (override) api = { ...SIM_API, log, override };
    // Never real Telegram when the operator asked for a simulated world.
    else if (config.simWorld) throw new Error(`TELEGRAM_SIM is set (${config.simWorld}) but no simulated connection was given to openApp`);
    else if (config.apiId !== undefined && config.apiHash !== undefined) api = { apiId: config.apiId, apiHash: config.apiHash, log };
    else throw new ConfigError(['API_ID and API_HASH are needed to talk to Telegram (or use --sim <world.db>); get them from https://my.telegram.org']);
    return api;
  };
  // mtcute (about 0.5 s of CPU to load) comes with the modules that connect, on first use:
  // commands that only read or change the store never load it.
  let connector: Promise<TelegramConnector> | undefined;
  let loginService: Promise<LoginService> | undefined;
  let loginsLoaded: LoginService | undefined;
  let importService: Promise<ImportService> | undefined;
  const getLogins = (): Promise<LoginService> =>
    (loginService ??= import('./engine/login.ts').then(
      ({ LoginService }) => (loginsLoaded = new LoginService({ api: telegramApi(), store: accounts, clock, log, defaultProxyUrl: config.proxyUrl })),
    ));
  const getImports = (): Promise<ImportService> =>
    (importService ??= import('./engine/import.ts').then(
      ({ ImportService }) => new ImportService({ api: telegramApi(), store: accounts, clock, log, defaultProxyUrl: config.proxyUrl }),
    ));
  const logins: Logins = {
    get open() {
      return loginsLoaded?.open ?? 0;
    },
    start: async (...a) => (await getLogins()).start(...a),
    code: async (...a) => (await getLogins()).code(...a),
    password: async (...a) => (await getLogins()).password(...a),
    cancel: async (...a) => (await getLogins()).cancel(...a),
    close: async () => loginsLoaded?.close(),
  };
  const imports: Imports = {
    read: async (...a) => (await getImports()).read(...a),
    import: async (...a) => (await getImports()).import(...a),
  };

  let fleet: Fleet | undefined;
  let health: HealthService | undefined;
  let accountCare: AccountCareService | undefined;
  let operations: OperationsEngine | undefined;
  let operationStore: OperationStore | undefined;
  let botState: BotStore | undefined;
  let pacing: PacingSettings | undefined;
  let campaigns: CampaignService | undefined;
  let monitorService: MonitorService | undefined;
  let liveMonitor: Monitor | undefined;
  let monitorStore: MonitorStore | undefined;
  let schedules: ScheduleService | undefined;
  let webAuth: WebAuthService | undefined;
  let metrics: Promise<MetricsService> | undefined;
  let operationWork: OperationWork | undefined;
  const getOperationWork = (): OperationWork =>
    (operationWork ??= { store: new OperationWorkStore(db), workers: new WorkerStore(db), wakeups: wakeupsFor(db), pollMs: opts.workPollMs ?? 1000 });
  const getMonitorStore = (): MonitorStore => (monitorStore ??= new MonitorStore(db));
  const chatDirectory = accountChatDirectory(accounts, clock);
  const getBotState = (): BotStore => (botState ??= new BotStore(db, secrets));
  const getPacing = (): PacingSettings => (pacing ??= new PacingSettings(config.pacing, getBotState()));
  const getOperationStore = (): OperationStore => {
    if (operationStore) return operationStore;
    operationStore = new OperationStore(db, processOwner());
    operationStore.markInterrupted(clock.now(), ownerIsGone);
    return operationStore;
  };
  const getFleet = (): Fleet => {
    if (fleet) return fleet;
    const f = { ...config.workers, ...opts.fleet };
    fleet = new Fleet({
      store: accounts,
      leases,
      // Built on the first connection, so commands that only read or change the store need no API credentials.
      connector: {
        connect: async (req) => {
          connector ??= import('./telegram/connect.ts').then(
            ({ TelegramConnector }) => new TelegramConnector(telegramApi(), accounts.sessions, clock, f.connectTimeoutMs),
          );
          const outcome = await (await connector).connect(req);
          // Every session's joins and leaves, whoever makes them, keep the account's stored chats right.
          if (outcome.ok) followChats(chatDirectory, req.accountId, outcome.session, log);
          return outcome;
        },
      },
      clock,
      log,
      defaultProxyUrl: config.proxyUrl,
      ...(f.restoreConcurrency !== undefined ? { restoreConcurrency: f.restoreConcurrency } : {}),
      ...(f.leaseTtlMs !== undefined ? { leaseTtlMs: f.leaseTtlMs } : {}),
      ...(f.heartbeatMs !== undefined ? { heartbeatMs: f.heartbeatMs } : {}),
      ...(f.backoffMs !== undefined ? { backoffMs: f.backoffMs } : {}),
    });
    return fleet;
  };
  // Services close before the fleet, the fleet before the simulator and the database.
  closers.push(async () => (await metrics?.catch(() => undefined))?.close());
  closers.push(async () => {
    await logins.close();
    await fleet?.stop();
  });
  return {
    config,
    log,
    clock,
    db,
    secrets,
    accounts,
    tags: new TagService(accounts, () => clock.now()),
    get fleet() {
      return getFleet();
    },
    logins,
    imports,
    get health() {
      health ??= new HealthService({ fleet: getFleet(), store: accounts, clock, log });
      return health;
    },
    get accountCare() {
      accountCare ??= new AccountCareService({ pool: getFleet(), clock, log, store: accounts });
      return accountCare;
    },
    get operationStore() {
      return getOperationStore();
    },
    get operations() {
      // Read at the start of every operation, so Settings changes apply without a restart.
      operations ??= new OperationsEngine({ pool: getFleet(), store: getOperationStore(), clock, pacing: () => getPacing().current(), log, work: getOperationWork() });
      return operations;
    },
    get pacing() {
      return getPacing();
    },
    get campaigns() {
      // Claims need the account's lease under the fleet's name: only the process holding an account claims with it.
      campaigns ??= new CampaignService({ db, pool: getFleet(), clock, pacing: () => getPacing().current(), log, leaseOwner: getFleet().owner, leasedAccounts: true });
      return campaigns;
    },
    get monitorService() {
      monitorService ??= new MonitorService({
        store: getMonitorStore(),
        clock,
        channel: parseChannelRef(config.channelId),
        directory: chatDirectory,
        // Read at each change, so a monitor attached after this service was built still reloads.
        get monitor() {
          return liveMonitor;
        },
      });
      return monitorService;
    },
    get botState() {
      return getBotState();
    },
    get webAuth() {
      webAuth ??= new WebAuthService(new WebAuthStore(db), clock);
      return webAuth;
    },
    get schedules() {
      schedules ??= new ScheduleService({
        store: new ScheduleStore(db),
        clock,
        accountIds: () => accounts.list(clock.now()).map((a) => a.id),
        campaignExists: (name) => this.campaigns.list().some((c) => c.name === name.trim()),
      });
      return schedules;
    },
    metrics() {
      metrics ??= import('./engine/metrics.ts').then(
        ({ MetricsService }) =>
          new MetricsService({
            statuses: () => accounts.list(clock.now()).map((a) => a.status),
            parks: () => accounts.parks(clock.now()),
            messagesSent: () => this.campaigns.list().reduce((n, c) => n + c.counts.sent, 0),
            outbox: () => getMonitorStore().outboxSummary(),
            ping: () => {
              db.prepare('SELECT 1').get();
            },
            fleet: getFleet,
          }),
      );
      return metrics;
    },
    operationWork() {
      return new WorkExecutor({ engine: this.operations, work: getOperationWork(), owner: getFleet().owner, clock, log });
    },
    campaignWatcher(opts = {}) {
      const fleet = getFleet();
      this.campaigns.becomeWorker((id) => fleet.isLive(id));
      return new CampaignWatcher({ campaigns: this.campaigns, wakeups: wakeupsFor(db), clock, log, ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}) });
    },
    scheduler(opts = {}) {
      // The services are read when a run starts, so a run uses the same engine the bot uses.
      return new Scheduler({
        store: new ScheduleStore(db),
        clock,
        log,
        work: { operations: () => this.operations, campaigns: () => this.campaigns, health: () => this.health },
        ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
      });
    },
    worker(o) {
      const f = getFleet();
      return new Worker({ ...o, db, fleet: f, clock, log, ttlMs: f.leaseTtlMs });
    },
    workers() {
      return listWorkers(db, clock.now());
    },
    attachMonitor(monitor) {
      liveMonitor = monitor;
    },
    monitorRuntime(sender) {
      const runtime = new MonitorRuntime({
        store: getMonitorStore(),
        clock,
        log,
        channel: parseChannelRef(config.channelId),
        fleet: getFleet(),
        sender,
        ownUserIds: () => accounts.list(clock.now()).map((a) => a.userId),
        directory: chatDirectory,
        wakeups: wakeupsFor(db),
      });
      liveMonitor = runtime.monitor;
      return runtime;
    },
    async close() {
      for (const c of closers.reverse()) await c();
      db.close();
    },
  };
}
