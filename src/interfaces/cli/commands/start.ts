import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

/** `npm start`: runs until SIGINT/SIGTERM, then stops every part in order and exits within STOP_DEADLINE_MS (see server.ts). */
export function registerStart(start: Command, ctx: CliContext): void {
  const options = start.option('--no-bot', 'run the fleet and the monitor without the admin bot').option('--no-web', 'do not serve the web dashboard (WEB_ADDR)');
  options.action(async (o: { bot: boolean; web: boolean }) => {
    // Without the admin bot, BOT_TOKEN and CHANNEL_ID still forward the monitor's hits.
    const config = ctx.config([...(o.bot ? (['telegram', 'bot'] as const) : (['telegram', 'forward'] as const)), ...(o.web ? (['web'] as const) : (['metrics'] as const))]);
    const { serve, STOP_DEADLINE_MS } = await import('../../../server.ts');
    const log = await ctx.log(config, true);
    let signalled = false;
    const stop = new Promise<string>((resolve) => {
      const onSignal = (sig: NodeJS.Signals | 'parent exited'): void => {
        if (signalled) {
          log.warn(`${sig} again: exiting without waiting for the parts to stop`);
          process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
        }
        signalled = true;
        // The parts' own budgets end sooner; this holds even if one of them ignores its budget.
        setTimeout(() => {
          log.error(`still stopping ${STOP_DEADLINE_MS / 1000} s after ${sig}: exiting`);
          process.exit(1);
        }, STOP_DEADLINE_MS).unref();
        resolve(sig);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // npx (and npm scripts without exec) run the panel behind `sh -c`: npm hands a supervisor's
      // SIGTERM to the shell, which dies without passing it on, and nothing would ever stop the
      // panel. Under npm, losing the parent means the launcher is gone: stop as if signalled.
      if (process.env.npm_lifecycle_event !== undefined) {
        const parent = process.ppid;
        const watch = setInterval(() => {
          if (process.ppid === parent) return;
          clearInterval(watch);
          if (!signalled) onSignal('parent exited');
        }, 500);
        watch.unref();
      }
    });
    const sim = config.simWorld ? (await import('../../../sim/connection.ts')).simConnection(config.simWorld) : undefined;
    try {
      await serve(config, log, { bot: o.bot, web: o.web, stop, ...(sim ? { connection: sim.connection } : {}) });
    } finally {
      sim?.close();
      // Every part has stopped or run out of time; a request left open by one that timed out
      // (to a Bot API that no longer answers) must not keep the process alive.
      setTimeout(() => process.exit(), 500).unref();
    }
  });
}
