import type { Command } from 'commander';
import { openApp } from '../../../app.ts';
import { parseChannelRef } from '../../../core/monitor-filter.ts';
import { MonitorRuntime } from '../../../engine/monitor-runtime.ts';
import { MonitorStore } from '../../../store/monitor.ts';
import { createBotForwarder } from '../../bot/forwarder.ts';
import { botProxyAgent } from '../../bot/proxy.ts';
import { startBot } from '../../bot/wiring.ts';
import type { CliContext } from '../context.ts';

/**
 * `npm start`: the fleet, the monitor and the admin bot in one process until SIGINT/SIGTERM,
 * then a graceful stop (bot first so no new work starts, then the monitor, then the fleet).
 */
export function registerStart(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run the admin bot together with the fleet, the keyword monitor and the engine (needs BOT_TOKEN and ADMIN_IDS)')
    .option('--no-bot', 'run the fleet and the monitor without the admin bot')
    .action(async (o: { bot: boolean }) => {
      const config = ctx.config(o.bot ? ['telegram', 'bot'] : ['telegram']);
      const log = ctx.log(config);
      const app = openApp(config, { log });
      const stopped = new Promise<string>((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve(sig));
      });
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
        const bot = o.bot ? await startBot(app, { monitor: monitor.monitor }, config.botApiRoot ? { apiRoot: config.botApiRoot } : {}) : null;
        log.info(o.bot ? 'telegram-panel is running; talk to your bot (Ctrl-C stops)' : 'telegram-panel is running without the bot (Ctrl-C stops)');

        const signal = await stopped;
        log.info(`${signal}: stopping`);
        await bot?.stop();
        await monitor.stop();
      } finally {
        await app.close();
      }
    });
}
