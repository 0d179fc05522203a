import { openApp, type AppOptions } from './app.ts';
import type { Config } from './config.ts';
import { parseChannelRef } from './core/monitor-filter.ts';
import { MonitorRuntime } from './engine/monitor-runtime.ts';
import { createBotForwarder } from './interfaces/bot/forwarder.ts';
import { botProxyAgent } from './interfaces/bot/proxy.ts';
import { startBot } from './interfaces/bot/wiring.ts';
import type { Logger } from './log.ts';
import { MonitorStore } from './store/monitor.ts';

export interface ServeOptions {
  /** Run the admin bot (needs BOT_TOKEN and ADMIN_IDS). */
  bot: boolean;
  /** Resolves with a reason when the server should stop (SIGINT/SIGTERM in the CLI). */
  stop: Promise<string>;
  /** The simulator's connection with --sim (the CLI opens the world; see app.ts). */
  connection?: AppOptions['connection'];
}

/**
 * The long-running panel: the fleet, the monitor and the admin bot in one process. A second
 * composition root beside app.ts, because it wires an interface (the bot) into the engine, which
 * no other interface may do. Stops in order: the bot (no new work), the monitor, the fleet.
 */
export async function serve(config: Config, log: Logger, opts: ServeOptions): Promise<void> {
  const app = openApp(config, { log, ...(opts.connection ? { connection: opts.connection } : {}) });
  try {
    const report = await app.fleet.start();
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
    const monitor = new MonitorRuntime({
      store: new MonitorStore(app.db),
      clock: app.clock,
      log,
      channel: parseChannelRef(config.channelId),
      fleet: app.fleet,
      sender,
      ownUserIds: () => app.accounts.list(app.clock.now()).map((a) => a.userId),
    });
    await monitor.start();
    const bot = opts.bot ? await startBot(app, { monitor: monitor.monitor }, config.botApiRoot ? { apiRoot: config.botApiRoot } : {}) : null;
    log.info(opts.bot ? 'telegram-panel is running; talk to your bot (Ctrl-C stops)' : 'telegram-panel is running without the bot (Ctrl-C stops)');

    const reason = await opts.stop;
    log.info(`${reason}: stopping`);
    await bot?.stop();
    await monitor.stop();
  } finally {
    await app.close();
  }
}
