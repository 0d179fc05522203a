import type { Command } from 'commander';
import { InputError } from '../../../core/errors.ts';
import { describeLink, formatLink, parseLink } from '../../../core/links.ts';
import type { CliContext } from '../context.ts';

/**
 * `link <input>`: shows how every action will read a pasted link, without contacting Telegram.
 * With --json it prints exactly one compact JSON object (the parsed link, or {"error"}) so
 * scripts can read it line by line; a refused link exits with code 2.
 */
export function registerLink(link: Command, ctx: CliContext): void {
  link
    .argument('<input>', 't.me/…, telegram.me/…, tg://… link, @name or name (quote it when it holds & or spaces)')
    .addHelpText('after', '\nPrints the message, invite or chat the link names; a refused link prints the reason and exits with code 2.')
    .action((input: string) => {
      const parsed = parseLink(input);
      if (!parsed.ok) {
        if (ctx.json) ctx.print(JSON.stringify({ error: parsed.error }));
        throw new InputError(parsed.error);
      }
      ctx.print(ctx.json ? JSON.stringify(parsed.link) : `${describeLink(parsed.link)}: ${formatLink(parsed.link)}`);
    });
}
