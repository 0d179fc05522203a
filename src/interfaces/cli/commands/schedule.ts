import { Command, CommanderError } from 'commander';
import type { App } from '../../../app.ts';
import { findAccount } from '../../../core/account-refs.ts';
import { InputError } from '../../../core/errors.ts';
import type { ScheduledJob, ScheduleRun } from '../../../core/schedules.ts';
import { quoteInput } from '../../../core/text.ts';
import { checkTimeZone, systemTimeZone } from '../../../engine/schedule-when.ts';
import type { ScheduleView } from '../../../engine/schedules.ts';
import { CliContext, type CapturedCommand } from '../context.ts';
import { table } from '../table.ts';
import { COMMANDS } from './index.ts';

/** The commands a schedule may run: `act <kind>`, `campaign run`, `accounts check`. */
function schedulable(argv: readonly string[]): boolean {
  const [group, sub] = argv;
  return group === 'act' || (group === 'campaign' && sub === 'run') || (group === 'accounts' && sub === 'check');
}

/**
 * Reads the command after `--` with the CLI's own definitions of it (arguments, options, checks),
 * in a context that captures what it parsed instead of running it.
 */
export async function readCommand(ctx: CliContext, argv: readonly string[]): Promise<CapturedCommand> {
  if (!schedulable(argv)) {
    throw new InputError(`only act …, campaign run <name> and accounts check … can be scheduled; got ${quoteInput(argv.slice(0, 2).join(' ') || '(nothing)')}`);
  }
  const group = COMMANDS.find((g) => g.name === argv[0])!;
  const register = await group.load();
  const program = new Command('telegram-panel').exitOverride();
  const silent = { writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined };
  const planCtx = new CliContext(program, ctx.out, ctx.err, ctx.env, ctx.cwd);
  let captured: CapturedCommand | undefined;
  planCtx.capture = (c) => {
    captured = c;
  };
  register(program.command(group.name), planCtx);
  const configure = (c: Command): void => {
    c.exitOverride().configureOutput(silent);
    c.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) throw new InputError(`the command to schedule: ${e.message.replace(/^error: /, '')}`);
    throw e;
  }
  if (!captured) throw new InputError('the command to schedule does nothing to run');
  return captured;
}

function accountIds(app: App, refs: readonly string[]): number[] {
  const all = app.accounts.list(app.clock.now());
  return refs.map((ref) => {
    const found = findAccount(all, ref);
    if (!found.ok) throw new InputError(found.problem);
    return found.value.id;
  });
}

/** What the scheduler stores: account names resolved to ids now, so a later rename cannot change the work. */
function toJob(app: App, c: CapturedCommand): ScheduledJob {
  switch (c.kind) {
    case 'act': {
      const choice = c.choice as Record<string, unknown>;
      if (Array.isArray(choice.refs)) return { kind: 'act', spec: c.spec, selection: { accountIds: accountIds(app, choice.refs as string[]) } };
      if (typeof choice.accounts === 'number') return { kind: 'act', spec: c.spec, selection: c.choice as { accounts: number } };
      throw new InputError('a scheduled action takes --accounts N or named accounts (--account)');
    }
    case 'campaign-run':
      return { kind: 'campaign-run', name: c.name.trim() };
    case 'accounts-check':
      if (c.tag !== undefined) throw new InputError('a scheduled check takes named accounts or none (every enabled account), not --tag');
      return { kind: 'accounts-check', ids: c.refs.length > 0 ? accountIds(app, c.refs) : null, spam: c.spam };
  }
}

/** The command as typed, quoted where the shell would need it. */
function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@#:/.,+=%-]+$/u.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** `2026-12-24 09:00` in the schedule's own zone. */
function at(ms: number | null, tz: string): string | null {
  if (ms === null) return null;
  return new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(ms);
}

function runText(r: ScheduleRun | null, tz: string): string | null {
  return r ? `${r.status} ${at(r.startedAt, tz) ?? ''}`.trim() : null;
}

function scheduleTable(list: readonly ScheduleView[]): string {
  if (list.length === 0) return 'no schedules: add one with `schedule add <when> -- <command>`';
  return table(
    ['id', 'state', 'when', 'next run', 'last run', 'command'],
    list.map((s) => [s.id, s.state, `${s.when} (${s.tz})`, at(s.nextRunAt, s.tz), runText(s.lastRun, s.tz), s.command]),
  );
}

function runsTable(runs: readonly ScheduleRun[]): string {
  if (runs.length === 0) return 'no runs yet';
  return table(
    ['run', 'schedule', 'due', 'started', 'status', 'operation', 'campaign', 'detail'],
    runs.map((r) => [r.id, r.scheduleId, new Date(r.dueAt).toISOString(), new Date(r.startedAt).toISOString(), r.status, r.operationId, r.campaign, r.detail]),
  );
}

function scheduleId(text: string): number {
  const m = /^#?(\d{1,9})$/.exec(text.trim());
  if (!m) throw new InputError(`a schedule is named by its number (\`schedule list\`); got ${quoteInput(text)}`);
  return Number(m[1]);
}

export function registerSchedule(schedule: Command, ctx: CliContext): void {
  schedule
    .command('add')
    .description('run act …, campaign run <name> or accounts check … later, once or on a cron schedule, inside `start`')
    .argument('<when>', 'a local time (2026-12-24T09:00), a span from now (+2h, +1h30m), or a cron expression in quotes ("0 9 * * 1-5", @daily)')
    .argument('<command...>', 'after --: the command as you would type it, e.g. -- act join @chat --accounts 3')
    .option('--tz <zone>', "the time zone of a local time or cron expression (IANA, e.g. Europe/Berlin); default TZ, else this machine's")
    .addHelpText(
      'after',
      '\nThe command is checked now as the CLI checks it (bad input exits 2 and nothing is stored). Schedules run inside `start`; ' +
        'a time missed while the panel was stopped runs once when it starts again, not once per missed time.\n' +
        'Example: schedule add "0 9 * * 1-5" --tz Asia/Tehran -- act reaction https://t.me/chan/5 👍 --accounts 3',
    )
    .action(async (when: string, command: string[], o: { tz?: string }) => {
      const captured = await readCommand(ctx, command);
      const tz = (o.tz ?? ctx.env.TZ ?? '').trim().replace(/^:/, '') || systemTimeZone();
      if (o.tz === undefined && ctx.env.TZ) {
        try {
          checkTimeZone(tz);
        } catch {
          throw new InputError(`TZ=${quoteInput(ctx.env.TZ)} is not a time zone name; give --tz (e.g. --tz Europe/Berlin)`);
        }
      }
      await ctx.withApp([], (app) => {
        const s = app.schedules.add({ when, tz, job: toJob(app, captured), command: shellLine(command), actor: 'cli' });
        ctx.emit(s, () => `added schedule #${s.id} (${s.kind === 'cron' ? `cron ${s.cron}` : 'once'}, ${s.tz}): next run ${at(s.nextRunAt, s.tz)}; it runs inside \`start\``);
        return Promise.resolve();
      });
    });

  schedule
    .command('list')
    .description('every schedule: state, time, next and last run, command')
    .action(() =>
      ctx.withApp([], (app) => {
        const list = app.schedules.list();
        ctx.emit(list, () => scheduleTable(list));
        return Promise.resolve();
      }),
    );

  schedule
    .command('runs')
    .description('the record of runs, newest first: when each was due and started, its status, and the operation or campaign it ran')
    .argument('[schedule]', 'only this schedule (its number)')
    .option('--limit <n>', 'how many', '20')
    .action((ref: string | undefined, o: { limit: string }) => {
      const limit = Number(o.limit);
      if (!Number.isSafeInteger(limit) || limit < 1) throw new InputError(`--limit takes a whole number from 1; got ${quoteInput(o.limit)}`);
      const id = ref === undefined ? undefined : scheduleId(ref);
      return ctx.withApp([], (app) => {
        const runs = app.schedules.runs(id, limit);
        ctx.emit(runs, () => runsTable(runs));
        return Promise.resolve();
      });
    });

  for (const [name, description, verb] of [
    ['remove', 'delete a schedule (the record of its runs stays; a run in progress goes on)', 'removed'],
    ['pause', 'stop a schedule from running until resumed', 'paused'],
    ['resume', 'run a paused schedule again (a cron schedule from its next time; times missed while paused are not made up)', 'resumed'],
  ] as const) {
    schedule
      .command(name)
      .description(description)
      .argument('<schedule>', 'its number (`schedule list`)')
      .action((ref: string) => {
        const id = scheduleId(ref);
        return ctx.withApp([], (app) => {
          const s = app.schedules[name](id);
          ctx.emit(s, () => `${verb} schedule #${s.id}: ${s.command}${name === 'remove' ? '' : ` (next run ${at(s.nextRunAt, s.tz) ?? 'none'})`}`);
          return Promise.resolve();
        });
      });
  }
}
