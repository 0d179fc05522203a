import { openApp, type AppOptions } from './app.ts';
import type { Config } from './config.ts';
import type { MetricsService } from './engine/metrics.ts';
import type { MonitorRuntime } from './engine/monitor-runtime.ts';
import type { WorkExecutor } from './engine/operation-work.ts';
import type { Scheduler } from './engine/schedules.ts';
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
  const app = openApp(config, { log, ...(opts.connection ? { connection: opts.connection } : {}) });
  const budget = { ...STOP_BUDGET_MS, ...opts.stopBudgetMs };
  let monitor: MonitorRuntime | undefined;
  let scheduler: Scheduler | undefined;
  let work: WorkExecutor | undefined;
  let campaignWatcher: CampaignWatcher | undefined;
  let bot: PanelBot | null = null;
  let web: WebServer | undefined;
  let metricsServer: MetricsServer | undefined;
  let metrics: MetricsService | undefined;
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
    const report = await unlessStopped(app.fleet.start());
    log.info(
      { connected: report.connected.length, failed: report.failed.length, skipped: report.skipped.length },
      `fleet: ${report.connected.length} connected, ${report.failed.length} failed, ${report.skipped.length} skipped`,
    );
    for (const f of report.failed) log.warn({ accountId: f.accountId, kind: f.failure.kind }, `account #${f.accountId}: ${f.failure.message}`);

    const sender =
      config.botToken && config.channelId
        ? createBotForwarder(config.botToken, config.channelId, {
            agent: botProxyAgent(config.proxyUrl),
            ...(config.botApiRoot ? { apiRoot: config.botApiRoot } : {}),
          })
        : null;
    monitor = app.monitorRuntime(sender);
    await unlessStopped(monitor.start());
    bot = opts.bot ? await unlessStopped(startBot(app, { monitor: monitor.monitor, ...(web ? { webOrigin: web.origin } : {}) }, config.botApiRoot ? { apiRoot: config.botApiRoot } : {})) : null;
    // Last, so a run missed while the panel was down finds the fleet connected.
    scheduler = app.scheduler();
    scheduler.start();
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
  const running = bot;
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
        ['fleet', () => app.fleet.stop()],
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
