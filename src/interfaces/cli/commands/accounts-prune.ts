import { resolve } from 'node:path';
import type { Command } from 'commander';
import { accountLabel } from '../../../core/accounts.ts';
import { InputError } from '../../../core/errors.ts';
import { parsePruneStatuses, pruneAccounts, pruneCandidates, pruneCsv, pruneStamp, PRUNABLE_STATUSES, DEFAULT_PRUNE_STATUSES } from '../../../engine/account-prune.ts';
import { checkExportTarget, writeExportFile } from '../../../engine/campaign-export.ts';
import type { CliContext } from '../context.ts';
import { table } from '../table.ts';
import type { Answers } from './accounts.ts';

/** `answers`: the prompt `accounts` uses (passed in, so the two modules do not import each other). */
export function registerPrune(accounts: Command, ctx: CliContext, answers: () => Answers): void {
  accounts
    .command('prune')
    .description(`remove the accounts that are dead by their last check (default: ${DEFAULT_PRUNE_STATUSES.join(', ')}), after writing their phones and reasons to a file and asking`)
    .option('--status <statuses>', `which statuses count as dead, comma separated: ${PRUNABLE_STATUSES.join(', ')}`)
    .option('--out <file>', 'where to write the removed accounts (CSV); default pruned-accounts-<time>.csv here')
    .option('--force', 'replace --out when it exists (never the panel database or key)')
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .addHelpText('after', '\nStatuses are those of the last check or use: run `accounts check --all` first to refresh them. Removing deletes each account and its session keys.')
    .action(async (o: { status?: string; out?: string; force?: boolean; yes?: boolean }) => {
      const statuses = parsePruneStatuses(o.status);
      await ctx.withApp([], async (app) => {
        const now = app.clock.now();
        const doomed = pruneCandidates(app.accounts.list(now), statuses);
        if (doomed.length === 0) {
          ctx.emit({ removed: [], file: null, statuses }, () => `no ${statuses.join(' or ')} accounts to prune`);
          return;
        }
        const out = resolve(ctx.cwd, o.out ?? `pruned-accounts-${pruneStamp(now)}.csv`);
        const fileOpts = { force: o.force === true, dataDir: app.config.dataDir, example: 'pruned-accounts.csv' };
        // Every refusal (a file in the way, no confirmation) comes before anything is removed.
        checkExportTarget(out, fileOpts);
        const interactive = process.stdin.isTTY === true && !ctx.json;
        if (!o.yes && !interactive) throw new InputError(`pruning would remove ${doomed.length} account(s) and delete their session keys; confirm with --yes`);
        if (!ctx.json) {
          ctx.print(
            table(
              ['id', 'phone', 'username', 'status', 'reason'],
              doomed.map((a) => [a.id, a.phone, a.username ? `@${a.username}` : null, a.status, a.statusReason]),
            ),
          );
        }
        if (!o.yes) {
          const prompt = answers();
          const reply = await prompt.ask(`remove these ${doomed.length} account(s) and delete their session keys? type "yes": `, { what: 'confirmation' });
          prompt.close();
          if (reply.trim().toLowerCase() !== 'yes') {
            ctx.emit({ removed: [], file: null, statuses }, () => 'nothing removed');
            return;
          }
        }
        writeExportFile(out, pruneCsv(doomed), fileOpts);
        const removed = await pruneAccounts(app.fleet, doomed.map((a) => a.id));
        ctx.emit(
          { removed: doomed.filter((a) => removed.includes(a.id)).map((a) => ({ id: a.id, phone: a.phone, status: a.status, reason: a.statusReason })), file: out, statuses },
          () => `removed ${removed.length} account(s) and their sessions: ${doomed.map((a) => accountLabel(a)).join(', ')}\ntheir phones and reasons are in ${out}`,
        );
      });
    });
}
