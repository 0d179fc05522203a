import type { Command } from 'commander';
import { serve } from '../../../server.ts';
import type { CliContext } from '../context.ts';

/** `npm start`: runs until SIGINT/SIGTERM, then stops gracefully (see server.ts). */
export function registerStart(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run the admin bot together with the fleet, the keyword monitor and the engine (needs BOT_TOKEN and ADMIN_IDS)')
    .option('--no-bot', 'run the fleet and the monitor without the admin bot')
    .action(async (o: { bot: boolean }) => {
      const config = ctx.config(o.bot ? ['telegram', 'bot'] : ['telegram']);
      const stop = new Promise<string>((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve(sig));
      });
      await serve(config, ctx.log(config), { bot: o.bot, stop });
    });
}
