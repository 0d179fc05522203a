import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { App } from '../../../app.ts';
import { TARGET_STATES, UNCERTAIN_DECISIONS, type TargetCounts, type UncertainDecision } from '../../../core/campaigns.ts';
import { InputError } from '../../../core/errors.ts';
import { quoteInput } from '../../../core/text.ts';
import { TelegramFailure } from '../../../core/failures.ts';
import { campaignExport, checkExportTarget, isExportFormat, writeExportFile } from '../../../engine/campaign-export.ts';
import { CampaignService, type CampaignEvent, type CampaignStatus, type RunReport, type TargetHistory } from '../../../engine/campaigns.ts';
import type { AccountPool } from '../../../engine/ports.ts';
import type { CliContext } from '../context.ts';
import { progressBar, type ProgressBar } from '../progress.ts';
import { table } from '../table.ts';

/**
 * Sending needs the live fleet (`app.fleet`, which needs API credentials or a simulator); commands
 * that only read or change campaign rows list accounts straight from the account store.
 */
function poolOf(app: App, live: boolean): AccountPool {
  if (live) return app.fleet;
  const offline = new TelegramFailure({ kind: 'unknown', code: 'OFFLINE', message: 'this command does not connect accounts' });
  return {
    accounts: () => {
      const now = app.clock.now();
      const parks = app.accounts.parks(now);
      return app.accounts
        .list(now)
        .filter((a) => a.enabled)
        .map((a) => ({ ...a, parkedUntil: parks.get(a.id) ?? {} }));
    },
    session: () => Promise.reject(offline),
    reportFailure: () => undefined,
    markUsed: () => undefined,
  };
}

function service(app: App, live = false): CampaignService {
  return new CampaignService({ db: app.db, pool: poolOf(app, live), clock: app.clock, pacing: app.config.pacing, log: app.log });
}

function notAFile(path: string): string | undefined {
  if (!existsSync(path)) return 'does not exist';
  return statSync(path).isFile() ? undefined : 'is a folder, not a file';
}

/** `--message`: the text itself, or `@path` to read it from a file. */
export function readMessage(value: string): string {
  if (!value.startsWith('@')) return value;
  const path = value.slice(1);
  const problem = notAFile(path);
  if (problem !== undefined) {
    throw new InputError(`cannot read the message file ${path}: it ${problem} (to send text starting with "@", put it in a file and pass @file)`);
  }
  return readFileSync(path, 'utf8');
}

/** `--targets`: a file, or `-` for standard input. */
export function readTargets(value: string, stdin: () => string = () => readFileSync(0, 'utf8')): string {
  if (value === '-') return stdin();
  const problem = notAFile(value);
  if (problem !== undefined) throw new InputError(`cannot read the targets file ${value}: it ${problem}; give a text file of usernames, or - for standard input`);
  return readFileSync(value, 'utf8');
}

/** `--delay 60-180` (seconds). */
export function parseDelay(value: string): { min: number; max: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
  if (!m) throw new InputError(`--delay takes <min>-<max> seconds, e.g. 60-180 (got ${quoteInput(value)})`);
  return { min: Number(m[1]), max: Number(m[2]) };
}

function wholeNumber(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) throw new InputError(`${flag} takes a whole number (got ${quoteInput(value)})`);
    return Number(value);
  };
}

function countsLine(c: TargetCounts): string {
  return TARGET_STATES.filter((s) => c[s] > 0)
    .map((s) => `${s} ${c[s]}`)
    .join(' · ') || 'no targets';
}

export function renderStatus(s: CampaignStatus): string {
  const lines = [`campaign "${s.name}": ${s.state}${s.reason ? ` (${s.reason})` : ''}`, countsLine(s.counts)];
  const d = s.settings;
  lines.push(
    `accounts: ${d.accountIds ? d.accountIds.map((a) => `#${a}`).join(' ') : 'every usable one'}; up to ${d.perAccountCap} per account, ` +
      `${d.dailyCap} per account per day, ${d.delay.minMs / 1000}-${d.delay.maxMs / 1000} s apart; ${d.skipContacted ? 'skips people already messaged' : 'includes people already messaged'}`,
  );
  if (s.accounts.length > 0) {
    lines.push(
      '',
      table(
        ['account', 'status', 'sent', 'failed', 'not found', 'private', 'uncertain', 'remaining cap'],
        s.accounts.map((a) => [`#${a.accountId} ${a.username ? '@' + a.username : (a.phone ?? '')}`.trim(), a.status, a.sent, a.failed, a.notFound, a.privacyRestricted, a.uncertain, a.remainingCap]),
      ),
    );
  }
  return lines.join('\n');
}

function renderReport(r: RunReport): string {
  const lines = [`campaign "${r.name}": ${r.state}${r.reason ? ` (${r.reason})` : ''}`, countsLine(r.counts)];
  lines.push(`this run: ${r.run.sent} sent, ${r.run.settled} earlier claim(s) settled, ${r.run.uncertain} made uncertain, ${r.run.attempts} send attempt(s)`);
  if (r.state === 'paused') lines.push(`resume with: telegram-panel campaign run ${quote(r.name)}`);
  if (r.counts.uncertain > 0) lines.push(`uncertain messages wait for you: telegram-panel campaign settle ${quote(r.name)} --uncertain retry|sent|skip`);
  return lines.join('\n');
}

function quote(name: string): string {
  return /^[\w.-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`;
}

/** Follows a campaign run's events on the command line's progress bar. */
function campaignProgress(bar: ProgressBar): { onEvent: (e: CampaignEvent) => void; clear: () => void } {
  let total = 0;
  let done = 0;
  let sent = 0;
  let note = '';
  return {
    onEvent(e) {
      if (e.type === 'started') {
        total = e.total;
        done = total - e.counts.pending - e.counts.claimed;
        sent = e.counts.sent;
      } else if (e.type === 'target') {
        if (e.state === 'pending') note = `@${e.username} went back to the queue (${e.error ?? ''})`;
        else {
          done++;
          if (e.state === 'sent') sent++;
          note = e.state === 'sent' ? '' : `@${e.username}: ${e.state}`;
        }
      } else if (e.type === 'account') {
        note = e.change === 'waiting' && e.until !== null ? `${e.reason} until ${new Date(e.until).toLocaleTimeString()}` : e.reason;
      }
      if (e.type !== 'finished') bar.draw({ done, total, counts: [['sent', sent]], note });
    },
    clear: () => bar.clear(),
  };
}

/** Runs until done or paused; SIGINT/SIGTERM pause once the sends in flight settle. */
async function runCampaign(ctx: CliContext, name: string, resume: boolean, err: NodeJS.WriteStream = process.stderr): Promise<void> {
  await ctx.withApp(['telegram'], async (app) => {
    const svc = service(app, true);
    if (resume) svc.resume(name);
    const ctl = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      if (ctl.signal.aborted) process.exit(130);
      err.write(`\n${signal}: pausing once the messages in flight are settled (again to quit at once; the next run settles them)\n`);
      ctl.abort(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const terminal = progressBar(err, ctx.json);
    const bar = terminal && campaignProgress(terminal);
    let report: RunReport;
    try {
      report = await svc.run(name, { signal: ctl.signal, onEvent: bar?.onEvent });
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      bar?.clear();
    }
    ctx.emit(report, () => renderReport(report));
  });
}

interface CreateOptions {
  message: string;
  targets: string;
  accounts?: string[];
  tag?: string;
  maxPerAccount?: number;
  dailyCap?: number;
  delay?: string;
  includeContacted?: boolean;
  recheckUnreachable?: boolean;
}

/** What earlier campaigns learned about the listed people, and what this campaign does with them. */
function historyLines(h: TargetHistory, skipContacted: boolean, recheck: boolean): string[] {
  const lines: string[] = [];
  if (h.contacted > 0) {
    lines.push(`${h.contacted} already messaged by an earlier campaign: ${skipContacted ? 'skipped (--include-contacted messages them again)' : 'messaged again (--include-contacted)'}`);
  }
  if (h.notFound + h.privacyRestricted > 0) {
    const found = [h.notFound > 0 ? `${h.notFound} not to exist` : '', h.privacyRestricted > 0 ? `${h.privacyRestricted} privacy-restricted` : ''].filter((x) => x !== '').join(' and ');
    const what = !recheck ? "skipped, sparing the accounts' daily username lookups (--recheck-unreachable tries them again)" : 'looked up again (--recheck-unreachable)';
    lines.push(`an earlier campaign found ${found}: ${what}`);
  }
  return lines;
}

export function registerCampaign(campaign: Command, ctx: CliContext): void {

  campaign
    .command('create <name>')
    .description('create a campaign (the same name and message again adds new targets to it)')
    .requiredOption('--message <text|@file>', 'the message (plain text), or @path to read it from a file')
    .requiredOption('--targets <file|->', 'usernames separated by newlines, spaces or commas (@ optional); - reads standard input')
    .option('--accounts <account...>', 'accounts to use (ids, phones or @usernames; default: every usable one but those tagged reserve)')
    .option('--tag <tag>', 'use the accounts with this tag now (with --accounts: both)')
    .option('--max-per-account <n>', 'messages per account in this campaign (default CAMPAIGN_PER_ACCOUNT)', wholeNumber('--max-per-account'))
    .option('--daily-cap <n>', 'messages per account per UTC day over all campaigns (default CAMPAIGN_DAILY_CAP)', wholeNumber('--daily-cap'))
    .option('--delay <min-max>', 'seconds between one account\'s messages, drawn at random (default CAMPAIGN_DELAY)')
    .option('--include-contacted', 'also message people an earlier campaign already messaged')
    .option('--recheck-unreachable', 'also look up people an earlier campaign found not to exist or privacy-restricted (skipped by default: lookups spend each account\'s daily username budget)')
    .addHelpText('after', '\nInvalid usernames are reported (count and examples); nothing is created when the input is bad (exit 2).')
    .action(async (name: string, o: CreateOptions) => {
      const message = readMessage(o.message);
      const targets = readTargets(o.targets);
      const delaySeconds = o.delay === undefined ? undefined : parseDelay(o.delay);
      await ctx.withApp([], (app) => {
        const r = service(app).create({
          name,
          message,
          targets,
          accounts: o.accounts,
          tag: o.tag,
          perAccountCap: o.maxPerAccount,
          dailyCap: o.dailyCap,
          delaySeconds,
          includeContacted: o.includeContacted,
          recheckUnreachable: o.recheckUnreachable,
        });
        const data = {
          name: r.campaign.name,
          created: r.created,
          added: r.added,
          counts: r.counts,
          duplicates: r.targets.duplicates,
          invalid: r.targets.invalid,
          history: r.history,
          skippedUnreachable: r.skippedUnreachable,
          settings: { accountIds: r.campaign.accountIds, perAccountCap: r.campaign.perAccountCap, dailyCap: r.campaign.dailyCap, delay: r.campaign.delay, skipContacted: r.campaign.skipContacted },
        };
        ctx.emit(data, () =>
          [
            r.created ? `created campaign "${r.campaign.name}"` : `campaign "${r.campaign.name}" exists with this message: ${r.added} new target(s) added`,
            `targets: ${r.targetsNote}`,
            ...r.targets.invalid.examples.map((e) => `  left out: ${e.problem}`),
            ...historyLines(r.history, r.campaign.skipContacted, o.recheckUnreachable === true),
            `run it: telegram-panel campaign run ${quote(r.campaign.name)}`,
          ].join('\n'),
        );
        return Promise.resolve();
      });
    });

  campaign
    .command('run <name>')
    .description('send until done or paused (no usable account, caps reached, paused elsewhere); Ctrl-C pauses cleanly')
    .addHelpText('after', '\nClaims left by an interrupted run are settled first by the account that made them. A progress bar shows on a terminal.')
    .action((name: string) => (ctx.capture ? ctx.capture({ kind: 'campaign-run', name }) : runCampaign(ctx, name, false)));

  campaign
    .command('resume <name>')
    .description('clear a pause and run the campaign again (as run)')
    .action((name: string) => runCampaign(ctx, name, true));

  campaign
    .command('pause <name>')
    .description('pause: a run (here or in another process) stops after its messages in flight settle')
    .action((name: string) =>
      ctx.withApp([], (app) => {
        const s = service(app).pause(name);
        ctx.emit(s, () => renderStatus(s));
        return Promise.resolve();
      }),
    );

  campaign
    .command('cancel <name>')
    .description('cancel: nothing more is sent; unconfirmed messages become uncertain')
    .action((name: string) =>
      ctx.withApp([], (app) => {
        const s = service(app).cancel(name);
        ctx.emit(s, () => renderStatus(s));
        return Promise.resolve();
      }),
    );

  campaign
    .command('status <name>')
    .description('counts per outcome and a per-account summary (sent, failed, remaining cap)')
    .option('--json', 'print {"name","state","counts",…} as JSON')
    .action((name: string, o: { json?: boolean }) =>
      ctx.withApp([], (app) => {
        const s = service(app).status(name);
        const data = { name: s.name, state: s.state, counts: s.counts, reason: s.reason, accounts: s.accounts };
        if (o.json === true || ctx.json) ctx.print(JSON.stringify(data, null, 2));
        else ctx.print(renderStatus(s));
        return Promise.resolve();
      }),
    );

  campaign
    .command('list')
    .description('every campaign with its state and counts')
    .action(() =>
      ctx.withApp([], (app) => {
        const list = service(app).list();
        ctx.emit(list, () =>
          list.length === 0
            ? 'no campaigns yet (campaign create)'
            : table(
                ['name', 'state', 'targets', 'sent', 'pending', 'uncertain', 'created'],
                list.map((c) => [c.name, c.state, c.total, c.counts.sent, c.counts.pending + c.counts.claimed, c.counts.uncertain, new Date(c.createdAt).toISOString().slice(0, 16).replace('T', ' ')]),
              ),
        );
        return Promise.resolve();
      }),
    );

  campaign
    .command('export <name>')
    .description('one row per target: username, outcome, account, time, error')
    .option('--format <csv|json>', 'csv or json', 'csv')
    .option('--out <file>', 'write to this file instead of standard output (never over an existing file without --force)')
    .option('--force', 'with --out: replace the file if it exists (the panel\'s panel.db* and secret.key are refused even so)')
    .addHelpText('after', '\nThe bot\'s export buttons give the same file. Cells with free text (usernames, errors) that start with = + - @ get a leading \' so a spreadsheet shows them as text.')
    .action((name: string, o: { format: string; out?: string; force?: boolean }) => {
      const format = o.format;
      if (!isExportFormat(format)) throw new InputError(`--format is csv or json (got "${format}")`);
      if (o.force === true && o.out === undefined) throw new InputError('--force only applies with --out <file>');
      const target = o.out === undefined ? undefined : { path: o.out, opts: { force: o.force === true, dataDir: ctx.config([]).dataDir, example: `${name}.${format}` } };
      if (target) checkExportTarget(target.path, target.opts);
      return ctx.withApp([], (app) => {
        const { text } = campaignExport(service(app).exportRows(name), format);
        if (target) {
          writeExportFile(target.path, text, target.opts);
          ctx.print(`wrote ${target.path}`);
        } else ctx.out.write(text);
        return Promise.resolve();
      });
    });

  campaign
    .command('settle <name>')
    .description('decide uncertain messages: retry (send again), sent (it arrived) or skip (leave it)')
    .requiredOption('--uncertain <decision>', 'retry | sent | skip')
    .addHelpText(
      'after',
      '\nA message is uncertain when it may have gone out but the account that sent it can no longer confirm it.\n' +
        'sent and skip add the person to the contacted ledger; retry sends again on the next run, by any account.',
    )
    .action((name: string, o: { uncertain: string }) => {
      if (!(UNCERTAIN_DECISIONS as readonly string[]).includes(o.uncertain)) throw new InputError(`--uncertain is retry, sent or skip (got "${o.uncertain}")`);
      return ctx.withApp([], (app) => {
        const r = service(app).settle(name, o.uncertain as UncertainDecision);
        ctx.emit(r, () => `${r.changed} uncertain target(s) settled as ${o.uncertain}\n${renderStatus(r.status)}`);
        return Promise.resolve();
      });
    });

  campaign
    .command('demo')
    .description('try it on a temporary simulated world: send, kill the sender with SIGKILL midway, resume, report')
    .option('--seed <seed>', 'the same seed builds the same world', 'demo')
    .action(async (o: { seed: string }) => {
      // The simulator loads only for the demo.
      const { campaignDemo } = await import('./campaign-demo.ts');
      const r = await campaignDemo(o.seed, (line) => {
        if (!ctx.json) ctx.print(line);
      });
      ctx.emit(r, () =>
        [
          renderReport(r.report),
          `delivery log of the simulated Telegram: ${r.deliveries} messages, ${r.duplicates.length === 0 ? 'nobody got it twice' : `twice to ${r.duplicates.join(', ')}`}`,
          `look closer: telegram-panel --data-dir ${join(r.dir, 'data')} --sim ${r.world} campaign status demo`,
        ].join('\n'),
      );
    });
}
