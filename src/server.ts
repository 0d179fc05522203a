import { openApp, type AppOptions } from './app.ts';
import type { Config } from './config.ts';
import type { MetricsService } from './engine/metrics.ts';
import type { MonitorRuntime } from './engine/monitor-runtime.ts';
import type { WorkExecutor } from './engine/operation-work.ts';
import type { Scheduler } from './engine/schedules.ts';
import { resolvePin, type Worker, type WorkerRole } from './engine/workers.ts';
import type { CampaignWatcher } from './engine/campaign-watcher.ts';
import { createBotForwarder } from './interfaces/bot/forwarder.ts';
import { botProxyAgent } from './interfaces/bot/proxy.ts';
import type { PanelBot } from './interfaces/bot/bot.ts';
import type { MetricsServer } from './interfaces/web/metrics-server.ts';
import type { WebServer } from './interfaces/web/server.ts';
import { startBot } from './interfaces/bot/wiring.ts';
import { scrubText, type Logger } from './log.ts';

export interface ServeOptions {
  /** Run the admin bot (needs BOT_TOKEN and ADMIN_IDS). */
  bot: boolean;
  /** Serve the web dashboard at WEB_ADDR (off unless asked: `start` asks unless --no-web). */
  web?: boolean;
  /** Called with the dashboard once it listens (tests read its bound address). */
  onWeb?: (web: WebServer) => void;
  /** Resolves with a reason when the server should stop (SIGINT/SIGTERM in the CLI). */
  stop: Promise<string>;
  /** The simulator's connection with --sim (the CLI opens the world; see app.ts). */
  connection?: AppOptions['connection'];
  /** Time each part gets to stop (tests shorten it); the defaults add up to less than STOP_DEADLINE_MS. */
  stopBudgetMs?: Partial<Record<Part, number>>;
  /** `start --accounts` / `start --tag`: the only accounts this worker takes. */
  pin?: { accounts?: string[]; tag?: string };
  /** Shown in the worker's row (`workers`). */
  version?: string;
  /** Lease TTL and heartbeat (WORKER_TTL_MS, WORKER_HEARTBEAT_MS; tests shorten them). */
  fleet?: AppOptions['fleet'];
}

interface RolePart {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The parts that run in one worker only (the bot's polling, the outbox sender, the scheduler):
 * started when this worker wins their role, stopped when it loses it, one change at a time.
 * Changes before `ready` (the roles are won before the fleet connects) wait for it, so the parts
 * start in the usual order, after the fleet and the monitor.
 */
class RoleParts {
  private readonly parts = new Map<WorkerRole, RolePart>();
  private readonly wanted = new Map<WorkerRole, boolean>();
  private readonly running = new Set<WorkerRole>();
  private chain: Promise<void> = Promise.resolve();
  private open = false;
  private closed = false;

  constructor(private readonly log: Logger) {}

  define(role: WorkerRole, part: RolePart): void {
    this.parts.set(role, part);
  }

  /** From the worker: this process won (true) or lost (false) the role. */
  set(role: WorkerRole, held: boolean): void {
    this.wanted.set(role, held);
    if (this.open) this.apply(role).catch((e: unknown) => this.log.error({ err: e }, `the ${role} could not be ${held ? 'started' : 'stopped'} here`));
  }

  /** Starts the parts of the roles held, in this order; one that fails to start fails the start, as before. */
  async ready(order: readonly WorkerRole[]): Promise<void> {
    this.open = true;
    for (const role of order) await this.apply(role);
  }

  isRunning(role: WorkerRole): boolean {
    return this.running.has(role);
  }

  private apply(role: WorkerRole): Promise<void> {
    const step = this.chain.then(async () => {
      const part = this.parts.get(role);
      const want = (this.wanted.get(role) ?? false) && !this.closed;
      if (!part || want === this.running.has(role)) return;
      if (want) {
        await part.start();
        this.running.add(role);
      } else {
        this.running.delete(role);
        await part.stop();
      }
    });
    this.chain = step.catch(() => undefined);
    return step;
  }

  /** No part starts or stops from here on (the shutdown stops them); waits for a change under way, a bounded time. */
  async close(ms: number): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.chain, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }
}

type Part = 'web' | 'bot' | 'scheduler' | 'monitor' | 'fleet' | 'metrics' | 'store';

/**
 * Supervisors send SIGKILL some seconds after SIGTERM (Docker 10 s, systemd 90 s); the steps'
 * budgets add up to less than this, and the CLI exits at this deadline whatever is still running.
 */
export const STOP_DEADLINE_MS = 10_000;

/** The METRICS_ADDR listener runs only without the dashboard, so `web` and `metrics` share one slot of the sum. */
const STOP_BUDGET_MS: Record<Part, number> = { web: 400, bot: 2500, scheduler: 1000, monitor: 2000, fleet: 2500, metrics: 300, store: 1500 };

/** A part that did not stop cleanly; `start` exits non-zero with this message. */
export class ShutdownError extends Error {
  constructor(readonly failed: ReadonlyArray<{ part: Part; problem: string }>) {
    super(`stopped, but not cleanly: ${failed.map((f) => `the ${f.part} ${f.problem}`).join('; ')}`);
    this.name = 'ShutdownError';
  }
}

class StopDuringStart extends Error {}

/** Waits for `work` at most `ms`; a part that hangs must not keep the next parts from stopping. */
async function bounded(work: () => Promise<void>, ms: number): Promise<{ ok: true } | { ok: false; problem: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
    timer.unref();
  });
  try {
    const r = await Promise.race([work().then(() => 'done' as const), late]);
    return r === 'done' ? { ok: true } : { ok: false, problem: `did not stop within ${Math.round(ms / 1000)} s` };
  } catch (e) {
    // The CLI prints this message as is, outside the logger that scrubs tokens from log lines.
    return { ok: false, problem: `did not stop cleanly (${scrubText(e instanceof Error ? e.message : String(e))})` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stops the parts in order (the bot first so no new work arrives, the scheduler with the runs it
 * started, then the monitor, the fleet,
 * and the store last, so nothing writes to a closed database), each within its budget, every
 * one of them whatever happened to the one before. Throws ShutdownError naming those that failed.
 */
async function stopInOrder(log: Logger, steps: ReadonlyArray<[Part, (() => Promise<void>) | null]>, budget: Record<Part, number>): Promise<void> {
  const failed: Array<{ part: Part; problem: string }> = [];
  for (const [part, stop] of steps) {
    if (!stop) continue;
    const r = await bounded(stop, budget[part]);
    if (r.ok) log.info(`stop: the ${part} stopped`);
    else {
      failed.push({ part, problem: r.problem });
      log.error(`stop: the ${part} ${r.problem}`);
    }
  }
  if (failed.length > 0) throw new ShutdownError(failed);
}

/**
 * The long-running panel: the fleet, the monitor and the admin bot in one process. A second
 * composition root beside app.ts, because it wires an interface (the bot) into the engine, which
 * no other interface may do. Stops in order: the bot (no new work), the monitor, the fleet.
 */
export async function serve(config: Config, log: Logger, opts: ServeOptions): Promise<void> {
  const app = openApp(config, { log, ...(opts.connection ? { connection: opts.connection } : {}), ...(opts.fleet ? { fleet: opts.fleet } : {}) });
  const budget = { ...STOP_BUDGET_MS, ...opts.stopBudgetMs };
  let monitor: MonitorRuntime | undefined;
  let scheduler: Scheduler | undefined;
  let work: WorkExecutor | undefined;
  let campaignWatcher: CampaignWatcher | undefined;
  let bot: PanelBot | null = null;
  let web: WebServer | undefined;
  let metricsServer: MetricsServer | undefined;
  let metrics: MetricsService | undefined;
  let worker: Worker | undefined;
  const roles = new RoleParts(log);
  let failure: Error | undefined;
  let reason: string | undefined;
  void opts.stop.then((r) => (reason = r));
  // A signal during start-up (restoring many accounts takes a while) stops at once instead of
  // after the start-up finishes; what was started by then is stopped below.
  const unlessStopped = async <T>(work: Promise<T>): Promise<T> => {
    const done = work.then((value) => ({ value }));
    // Abandoned after a stop, its later failure must not surface as an unhandled rejection.
    done.catch(() => undefined);
    const r = await Promise.race([done, opts.stop.then(() => null)]);
    if (r === null) throw new StopDuringStart();
    return r.value;
  };
  try {
    // First, so a dashboard address in use fails the start before any account connects.
    if (opts.web || config.metrics) metrics = await unlessStopped(app.metrics());
    if (opts.web) {
      const { startWebServer } = await import('./interfaces/web/server.ts');
      web = await unlessStopped(startWebServer(app, config.web, log));
      opts.onWeb?.(web);
      if (config.metrics) log.info('METRICS_ADDR is not used while the dashboard runs: /healthz and /metrics are on its address');
    } else if (config.metrics && metrics) {
      const { startMetricsServer } = await import('./interfaces/web/metrics-server.ts');
      metricsServer = await unlessStopped(startMetricsServer(metrics, config.metrics, log));
    }
    const sender =
      config.botToken && config.channelId
        ? createBotForwarder(config.botToken, config.channelId, {
            agent: botProxyAgent(config.proxyUrl),
            ...(config.botApiRoot ? { apiRoot: config.botApiRoot } : {}),
          })
        : null;
    // This process is one worker: it takes its share of the accounts, and the roles it can run
    // that no other live worker holds (alone: every account and every role, as a single panel).
    worker = app.worker({
      pin: resolvePin(app.accounts.list(app.clock.now()), opts.pin ?? {}),
      roles: ['scheduler', ...(sender ? (['outbox'] as const) : []), ...(opts.bot ? (['bot'] as const) : [])],
      ...(opts.version !== undefined ? { version: opts.version } : {}),
      onRole: (role, held) => roles.set(role, held),
    });
    const report = await unlessStopped(worker.start());
    log.info(
      { connected: report.connected.length, failed: report.failed.length, skipped: report.skipped.length },
      `fleet: ${report.connected.length} connected, ${report.failed.length} failed, ${report.skipped.length} skipped`,
    );
    for (const f of report.failed) log.warn({ accountId: f.accountId, kind: f.failure.kind }, `account #${f.accountId}: ${f.failure.message}`);

    // The monitor listens on this worker's accounts; its outbox sender runs where that role is.
    const runtime = app.monitorRuntime(sender);
    monitor = runtime;
    await unlessStopped(runtime.start({ outbox: false }));
    const webOrigin = web?.origin;
    roles.define('outbox', { start: () => Promise.resolve(runtime.outbox?.start()), stop: async () => runtime.outbox?.stop() });
    roles.define('bot', {
      start: async () => {
        bot = await startBot(app, { monitor: runtime.monitor, ...(webOrigin ? { webOrigin } : {}) }, config.botApiRoot ? { apiRoot: config.botApiRoot } : {});
      },
      stop: async () => {
        const b = bot;
        bot = null;
        await b?.stop();
      },
    });
    roles.define('scheduler', {
      start: () => {
        scheduler = app.scheduler();
        scheduler.start();
        return Promise.resolve();
      },
      stop: async () => {
        const s = scheduler;
        scheduler = undefined;
        await s?.stop();
      },
    });
    // The scheduler last, so a run missed while the panel was down finds the fleet connected.
    await unlessStopped(roles.ready(['outbox', 'bot', 'scheduler']));
    if (opts.bot && !roles.isRunning('bot')) log.info('the admin bot runs in another worker');
    // Operations started elsewhere act through this worker's accounts once it holds them.
    work = app.operationWork();
    work.start();
    // This worker's part of every running campaign, with the accounts it holds.
    campaignWatcher = app.campaignWatcher();
    campaignWatcher.start();
    log.info(opts.bot ? 'telegram-panel is running; talk to your bot (Ctrl-C stops)' : 'telegram-panel is running without the bot (Ctrl-C stops)');

    await opts.stop;
  } catch (e) {
    if (!(e instanceof StopDuringStart)) failure = e instanceof Error ? e : new Error(String(e));
  }
  if (reason !== undefined) log.info(`${reason}: stopping`);
  // Unhealthy from the first moment, so a load balancer moves away while the parts stop.
  metrics?.markStopping();
  // Whatever started is stopped, also after a failed start (a monitor left running would write
  // to the database closed under it, for as long as the process lives).
  // The role parts change no more: what runs now is what stops below.
  await roles.close(budget.bot);
  const running = bot as PanelBot | null;
  const workerRunning = worker;
  const webRunning = web;
  const monitorRunning = monitor;
  const schedulerRunning = scheduler;
  const workRunning = work;
  const watcherRunning = campaignWatcher;
  const metricsRunning = metricsServer;
  try {
    await stopInOrder(
      log,
      [
        ['web', webRunning ? () => webRunning.stop() : null],
        ['bot', running ? () => running.stop() : null],
        // The work executor runs operations too: it stops with the scheduler, in the same slot of the budget.
        ['scheduler', schedulerRunning || workRunning || watcherRunning ? async () => void (await Promise.all([schedulerRunning?.stop(), workRunning?.stop(), watcherRunning?.stop()])) : null],
        ['monitor', monitorRunning ? () => monitorRunning.stop() : null],
        // The worker releases its roles once their parts stopped, and removes its row once its accounts are released.
        ['fleet', workerRunning ? () => workerRunning.stop() : () => app.fleet.stop()],
        // After the fleet: until the store closes, /healthz answers 503 and /metrics still reads.
        ['metrics', metricsRunning ? () => metricsRunning.stop() : null],
        ['store', () => app.close()],
      ],
      budget,
    );
  } catch (e) {
    // A failed start is the news; a part that then also failed to stop is logged above.
    if (failure === undefined) failure = e instanceof Error ? e : new Error(String(e));
  }
  if (failure !== undefined) throw failure;
}
