import type { Command } from 'commander';
import type { App } from '../../../app.ts';
import { accountLabel, type AccountSummary } from '../../../core/accounts.ts';
import { findAccount } from '../../../core/account-refs.ts';
import { TWO_FACTOR_ACTIONS, twoFactorProblem, type TwoFactorAction, type TwoFactorInput } from '../../../core/account-care.ts';
import { InputError, PanelError } from '../../../core/errors.ts';
import type { CareFailure, CodesReport, SessionsReport } from '../../../engine/account-care.ts';
import type { CliContext } from '../context.ts';
import { table } from '../table.ts';

/** What account care asks on the terminal (or reads from stdin lines); accounts.ts supplies it. */
export interface Asker {
  readonly interactive: boolean;
  ask(question: string, opts: { hidden?: boolean; what: string }): Promise<string>;
  close(): void;
}

function resolveAll(app: App, refs: readonly string[]): AccountSummary[] {
  const list = app.accounts.list(app.clock.now());
  const out: AccountSummary[] = [];
  const problems: string[] = [];
  for (const ref of refs) {
    const found = findAccount(list, ref);
    if (!found.ok) problems.push(found.problem);
    else if (!out.some((a) => a.id === found.value.id)) out.push(found.value);
  }
  if (problems.length > 0) throw new InputError(problems.join('; '));
  return out;
}

function when(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 90) return `${s}s ago`;
  if (s < 5400) return `${Math.round(s / 60)}m ago`;
  if (s < 129_600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

function failureText(f: CareFailure | null): string | null {
  return f ? `${f.message}` : null;
}

export function sessionsTable(report: SessionsReport, now: number): string {
  return table(
    ['session', 'device', 'system', 'app', 'ip', 'country', 'last active', 'since'],
    report.sessions.map((s) => [
      s.current ? 'this panel' : s.id,
      s.device,
      [s.platform, s.system].filter((x) => x !== '').join(' '),
      `${s.app} ${s.appVersion}`.trim() + (s.official ? '' : ' (unofficial)'),
      s.ip,
      [s.country, s.region].filter((x) => x !== '').join(', '),
      s.current ? 'now' : when(s.activeAt, now),
      when(s.createdAt, now),
    ]),
  );
}

function codesText(r: CodesReport, now: number, waited: boolean): string {
  if (r.codes.length === 0) return waited ? 'no new login code arrived in two minutes' : 'no login codes in the last day (start the login on the other device, or use --wait)';
  const lines = r.codes.map((c) => `${c.code}  ${when(c.date, now)}${r.fresh && c.messageId === r.fresh.messageId ? '  (new)' : ''}`);
  if (waited && !r.fresh) lines.push('no new login code arrived in two minutes');
  return lines.join('\n');
}

/** Reads a password line; on stdin, a missing line is bad input (nothing has happened yet). */
async function readPassword(answers: Asker, question: string, what: string, layout: string): Promise<string> {
  try {
    return await answers.ask(question, { hidden: true, what });
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`stdin ended before the ${what} (${layout})`);
    throw e;
  }
}

export function registerAccountCare(accounts: Command, ctx: CliContext, answersFor: (input: NodeJS.ReadStream) => Asker): void {
  const err = (s: string): void => void ctx.err.write(s.endsWith('\n') ? s : s + '\n');

  accounts
    .command('sessions')
    .description("the devices and apps logged into an account (which one is this panel); --end-others ends all but the panel's own")
    .argument('<accounts...>', 'id, phone or @username (several with --end-others)')
    .option('--end-others', 'end every other session of these accounts (asks first; Telegram allows it once the panel’s session is a day old)')
    .option('--yes', 'with --end-others: do not ask for confirmation')
    .action(async (refs: string[], o: { endOthers?: boolean; yes?: boolean }) => {
      if (!o.endOthers && refs.length > 1) throw new InputError('list the sessions of one account at a time (several accounts go with --end-others)');
      if (o.yes && !o.endOthers) throw new InputError('--yes goes with --end-others');
      const interactive = ctx.stdin.isTTY === true;
      if (o.endOthers && !o.yes && !interactive) throw new InputError('ending sessions logs those devices out; confirm with --yes');
      await ctx.withApp(['telegram'], async (app) => {
        const targets = resolveAll(app, refs);
        const now = app.clock.now();
        if (!o.endOthers) {
          const report = await app.accountCare.sessions(targets[0]!.id);
          ctx.emit(report, () => `${accountLabel(targets[0]!)}: ${report.others} other session${report.others === 1 ? '' : 's'}\n${sessionsTable(report, now)}`);
          return;
        }
        if (!o.yes) {
          let total = 0;
          for (const a of targets) total += (await app.accountCare.sessions(a.id)).others;
          if (total === 0) {
            ctx.emit({ ended: 0, results: [] }, () => 'no other sessions to end');
            return;
          }
          const answers = answersFor(ctx.stdin);
          let reply: string;
          try {
            reply = await answers.ask(`end ${total} session${total === 1 ? '' : 's'} on ${targets.length} account${targets.length === 1 ? '' : 's'}? type "yes": `, { what: 'confirmation' });
          } finally {
            answers.close();
          }
          if (reply.trim().toLowerCase() !== 'yes') {
            ctx.emit({ ended: 0, results: [] }, () => 'nothing ended');
            return;
          }
        }
        const results = await app.accountCare.endOthers(targets.map((a) => a.id));
        const label = new Map(targets.map((a) => [a.id, accountLabel(a)]));
        ctx.emit(results, () =>
          table(
            ['account', 'ended', 'result'],
            results.map((r) => [label.get(r.accountId) ?? `#${r.accountId}`, r.ended, r.ok ? 'ok' : failureText(r.failure)]),
          ),
        );
        const failed = results.filter((r) => !r.ok).length;
        if (failed > 0) throw new PanelError(`${failed} of ${results.length} accounts kept their other sessions`);
      });
    });

  accounts
    .command('2fa')
    .description('set, change or remove the two-step verification password of accounts (asked twice on a terminal, never stored)')
    .argument('<args...>', 'the accounts (id, phone or @username), then set, change or remove')
    .option('--hint <text>', 'a hint Telegram shows when the password is asked')
    .option('--email <address>', 'a recovery email; Telegram emails a code that is asked for next')
    .addHelpText(
      'after',
      '\nWithout a terminal, stdin lines: the current password (change, remove), then the new one (set, change), then one emailed code per account with --email.',
    )
    .action(async (args: string[], o: { hint?: string; email?: string }) => {
      const actions = args.filter((a): a is TwoFactorAction => (TWO_FACTOR_ACTIONS as readonly string[]).includes(a.toLowerCase()));
      if (actions.length !== 1) throw new InputError('say what to do once: set, change or remove');
      const action = actions[0]!.toLowerCase() as TwoFactorAction;
      const refs = args.filter((a) => a.toLowerCase() !== action);
      if (refs.length === 0) throw new InputError('name at least one account');
      await ctx.withApp(['telegram'], async (app) => {
        const targets = resolveAll(app, refs);
        const answers = answersFor(ctx.stdin);
        try {
          const layout = 'without a terminal give the current password on the first line (change, remove), then the new one';
          const current = action === 'set' ? null : await readPassword(answers, 'current two-step password: ', 'current password', layout);
          let next: string | null = null;
          let repeat: string | undefined;
          if (action !== 'remove') {
            next = await readPassword(answers, 'new two-step password: ', 'new password', layout);
            if (answers.interactive) repeat = await readPassword(answers, 'the new password again: ', 'new password again', layout);
          }
          const input: TwoFactorInput = {
            action,
            current,
            next,
            ...(repeat !== undefined ? { repeat } : {}),
            ...(o.hint !== undefined ? { hint: o.hint } : {}),
            ...(o.email !== undefined ? { email: o.email.trim() } : {}),
          };
          const problem = twoFactorProblem(input);
          if (problem) throw new InputError(problem);
          const label = new Map(targets.map((a) => [a.id, accountLabel(a)]));
          const results = await app.accountCare.twoFactor(
            targets.map((a) => a.id),
            input,
            async (accountId, attempt, length) => {
              if (answers.interactive && attempt === 1) err(`Telegram emailed a ${length}-digit code to ${o.email ?? 'the recovery address'} for ${label.get(accountId) ?? `#${accountId}`}.`);
              if (!answers.interactive && attempt > 1) return null;
              try {
                return await answers.ask(attempt === 1 ? 'emailed code: ' : 'that code is wrong; emailed code: ', { what: 'emailed code' });
              } catch (e) {
                if (e instanceof InputError) return null;
                throw e;
              }
            },
          );
          ctx.emit(results, () =>
            table(
              ['account', 'result', 'reason'],
              results.map((r) => [label.get(r.accountId) ?? `#${r.accountId}`, r.ok ? r.outcome : r.outcome === 'email_pending' ? 'waits for the emailed code' : 'failed', failureText(r.failure)]),
            ),
          );
          const failed = results.filter((r) => !r.ok).length;
          if (failed > 0) throw new PanelError(`${failed} of ${results.length} accounts were not changed`);
        } finally {
          answers.close();
        }
      });
    });

  accounts
    .command('codes')
    .description('the recent login codes Telegram sent to an account (to log in on a phone or desktop); shown, never stored')
    .argument('<account>', 'id, phone or @username')
    .option('--wait', 'also wait up to two minutes for a new code')
    .action(async (ref: string, o: { wait?: boolean }) => {
      await ctx.withApp(['telegram'], async (app) => {
        const [a] = resolveAll(app, [ref]);
        const ctl = new AbortController();
        const onSigint = (): void => ctl.abort();
        if (o.wait) process.once('SIGINT', onSigint);
        try {
          const report = await app.accountCare.codes(a!.id, {
            wait: o.wait === true,
            signal: ctl.signal,
            onWaiting: () => err(`waiting up to two minutes for a new login code for ${accountLabel(a!)} (start the login on the other device now)`),
          });
          ctx.emit(report, () => codesText(report, app.clock.now(), o.wait === true));
        } finally {
          process.removeListener('SIGINT', onSigint);
        }
      });
    });
}
