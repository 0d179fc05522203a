import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readEnvironment } from '../../../config.ts';
import type { CliContext } from '../context.ts';
import { runTour } from '../demo-tour.ts';
import { table } from '../table.ts';

export function registerDemo(demo: Command, ctx: CliContext): void {
  demo
    .option('--seed <seed>', 'the same seed builds the same world', 'demo')
    .option('--world-only', 'only create the world and show what is in it')
    .action(async (o: { seed: string; worldOnly?: boolean }) => {
      if (!o.worldOnly) {
        const operatorHasSecret = (readEnvironment(ctx.env, join(ctx.cwd, '.env')).PANEL_SECRET?.trim() ?? '') !== '';
        await runTour({ seed: o.seed, print: (line) => ctx.print(line), log: await ctx.log(ctx.config()), operatorHasSecret });
        return;
      }
      const dir = mkdtempSync(join(tmpdir(), 'telegram-panel-demo-'));
      const world = join(dir, 'world.db');
      // The simulator is loaded only by the commands that use it.
      const { createWorld } = await import('../../../sim/index.ts');
      const summary = createWorld(world, { seed: o.seed, accounts: 5, users: 60, groups: 8 });
      ctx.emit({ world, ...summary }, () =>
        [
          `A simulated Telegram world was created in ${world}`,
          '',
          'Accounts (yours; log in with the phone, code and 2FA password):',
          table(['phone', 'code', '2FA password', 'username'], summary.accounts.map((a) => [a.phone, a.code, a.password ?? '-', `@${a.username}`])),
          '',
          'Groups and channels to join:',
          table(['title', 'link'], summary.groups.map((g) => [g.title, g.link])),
          '',
          'Posts to react to, vote in and comment on:',
          table(['link', 'comments', 'poll'], summary.posts.map((p) => [p.link, p.hasComments ? 'yes' : 'no', p.poll ? `${p.poll.options} options${p.poll.multiple ? ', multiple' : ''}` : '-'])),
          '',
          `People to message: ${summary.usernames.slice(0, 6).map((u) => `@${u}`).join(', ')}, … (${summary.usernames.length} in all)`,
          `Usernames that do not exist: ${summary.missingUsernames.slice(0, 3).map((u) => `@${u}`).join(', ')}, …`,
          '',
          `Try it: TELEGRAM_SIM=${world} npx telegram-panel <command>   (or --sim ${world})`,
          `Look inside: npx telegram-panel sim show ${world}`,
        ].join('\n'),
      );
    });
}
