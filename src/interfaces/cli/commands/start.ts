import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

/** The panel's version from its package.json (beside src/ or dist/), for the worker's row. */
function panelVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (!existsSync(p)) continue;
    try {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'telegram-panel') return pkg.version ?? '';
    } catch {
      return '';
    }
  }
  return '';
}

/** `npm start`: runs until SIGINT/SIGTERM, then stops every part in order and exits within STOP_DEADLINE_MS (see server.ts). */
export function registerStart(start: Command, ctx: CliContext): void {
  const options = start
    .option('--no-bot', 'run the fleet and the monitor without the admin bot')
    .option('--no-web', 'do not serve the web dashboard (WEB_ADDR)')
    .option('--accounts <account...>', 'this worker takes only these accounts (ids, phones or @usernames); other workers leave them to it')
    .option('--tag <tag>', 'this worker takes only the accounts with this tag (tag the accounts that must connect from this host)');
  options.action(async (o: { bot: boolean; web: boolean; accounts?: string[]; tag?: string }) => {
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
    // mtcute 0.30 leaves one promise unhandled when a client is closed while its updates loop is
    // still starting ("Client is destroyed", from its connect guard): a worker handing an account
    // over right after taking it meets that. It is no failure of the panel; anything else still
    // ends the process as Node would.
    process.on('unhandledRejection', (e) => {
      if (e instanceof Error && e.message === 'Client is destroyed') {
        log.debug({ err: e }, 'a closed client was called once more (mtcute); ignored');
        return;
      }
      throw e;
    });
    const sim = config.simWorld ? (await import('../../../sim/connection.ts')).simConnection(config.simWorld) : undefined;
    try {
      await serve(config, log, {
        bot: o.bot,
        web: o.web,
        stop,
        ...(sim ? { connection: sim.connection } : {}),
        pin: { ...(o.accounts ? { accounts: o.accounts } : {}), ...(o.tag !== undefined ? { tag: o.tag } : {}) },
        version: panelVersion(),
      });
    } finally {
      sim?.close();
      // Every part has stopped or run out of time; a request left open by one that timed out
      // (to a Bot API that no longer answers) must not keep the process alive.
      setTimeout(() => process.exit(), 500).unref();
    }
  });
}
