import type { Command } from 'commander';
import { VARIABLES } from '../../../config.ts';
import type { CliContext } from '../context.ts';
import { table } from '../table.ts';

export function registerConfig(config: Command, ctx: CliContext): void {
  config
    .command('check')
    .description('validate the configuration for everything (Telegram API, bot) and report every problem at once')
    .action(() => {
      const c = ctx.config(['telegram', 'bot', 'web', 'metrics']);
      ctx.emit(
        { dataDir: c.dataDir, admins: c.adminIds.length, channel: c.channelId ?? null, sim: c.simWorld ?? null, pacing: c.pacing, web: c.web },
        () => `configuration is valid\ndata dir: ${c.dataDir}\nadmins: ${c.adminIds.length}\nforward channel: ${c.channelId ?? 'off'}`,
      );
    });
  config
    .command('variables')
    .description('list every variable the panel reads')
    .action(() => {
      ctx.emit(VARIABLES, () => table(['variable', 'secret', 'form'], Object.entries(VARIABLES).map(([k, v]) => [k, v.secret ? 'yes' : 'no', v.form])));
    });
}
