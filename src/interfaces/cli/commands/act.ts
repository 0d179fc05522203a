import type { Command } from 'commander';
import type { ActionKind, ActionSpec, OperationSpec } from '../../../core/actions.ts';
import { InputError, PanelError } from '../../../core/errors.ts';
import { isLinkRefusal, parseLink, toJoinTarget, toLeaveTarget, toMessageTarget, toUsername, type LinkRefusal, type ParsedLink } from '../../../core/links.ts';
import { resolveAccountRefs } from '../../../core/account-refs.ts';
import { quoteInput } from '../../../core/text.ts';
import { readTag, taggedIds } from '../../../engine/account-selection.ts';
import { validateActionSpec } from '../../../engine/action-input.ts';
import type { OperationEvent, OperationsEngine } from '../../../engine/operations.ts';
import type { AccountPool } from '../../../engine/ports.ts';
import type { OperationRecord, OperationSelection } from '../../../store/operations.ts';
import type { CliContext } from '../context.ts';
import { progressBar, type ProgressBar } from '../progress.ts';
import { accountLabels, renderOperation } from './operations.ts';

/**
 * How the operator chose accounts: a count (among the accounts tagged `tag` when given), names,
 * or every account with a tag (resolved once the fleet is open).
 */
export type AccountChoice = { accounts: number; tag?: string } | { refs: string[] } | { tag: string };

interface SelectionOptions {
  accounts?: string;
  account?: string[];
  tag?: string;
}

function link(input: string): ParsedLink {
  const parsed = parseLink(input);
  if (!parsed.ok) throw new InputError(parsed.error);
  return parsed.link;
}

function unwrap<T extends object>(value: T | LinkRefusal): T {
  if (isLinkRefusal(value)) throw new InputError(value.error);
  return value;
}

function username(input: string, action: string): string {
  const r = toUsername(link(input), action);
  if (typeof r !== 'string') throw new InputError(r.error);
  return r;
}

/** "1 3", "1,3" or "1, 3" → [1, 3]; refuses anything but whole numbers from 1. */
export function parseOptions(args: readonly string[]): number[] {
  const parts = args.flatMap((a) => a.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new InputError('give at least one option number (1 is the first option)');
  const bad = parts.filter((p) => !/^\d{1,6}$/.test(p) || Number(p) < 1);
  if (bad.length > 0) throw new InputError(`option numbers are whole numbers from 1 (the first option); got ${bad.map((b) => quoteInput(b)).join(', ')}`);
  return parts.map(Number);
}

/**
 * Turns the command line of `act <kind>` into an action, refusing bad input with the reason.
 * Pure: nothing is opened or contacted.
 */
export function buildAction(kind: ActionKind, args: readonly string[]): ActionSpec {
  const [first = '', ...rest] = args;
  let spec: ActionSpec;
  switch (kind) {
    case 'reaction':
      spec = { kind, target: unwrap(toMessageTarget(link(first), 'a reaction')), emoji: (rest[0] ?? '').trim() };
      break;
    case 'vote':
      spec = { kind, target: unwrap(toMessageTarget(link(first), 'a vote')), options: parseOptions(rest) };
      break;
    case 'join':
      spec = { kind, target: unwrap(toJoinTarget(link(first))) };
      break;
    case 'leave':
      spec = { kind, target: unwrap(toLeaveTarget(link(first))) };
      break;
    case 'block':
      spec = { kind, username: username(first, 'a block') };
      break;
    case 'pm':
      spec = { kind, username: username(first, 'a private message'), text: rest.join(' ') };
      break;
    case 'comment':
      spec = { kind, target: unwrap(toMessageTarget(link(first), 'a comment')), text: rest.join(' ') };
      break;
  }
  validateActionSpec(spec);
  return spec;
}

export function parseChoice(opts: SelectionOptions): AccountChoice {
  const refs = opts.account ?? [];
  if (opts.accounts !== undefined && refs.length > 0) throw new InputError('give either --accounts N or --account (not both)');
  if (opts.tag !== undefined && refs.length > 0) throw new InputError('give either --tag or --account (not both)');
  const tag = opts.tag === undefined ? undefined : readTag(opts.tag);
  if (opts.accounts !== undefined) {
    if (!/^\d{1,6}$/.test(opts.accounts.trim()) || Number(opts.accounts) < 1) {
      throw new InputError(`--accounts takes a whole number from 1 (got ${quoteInput(opts.accounts)})`);
    }
    return tag === undefined ? { accounts: Number(opts.accounts) } : { accounts: Number(opts.accounts), tag };
  }
  if (tag !== undefined) return { tag };
  if (refs.length === 0) throw new InputError('say how many accounts act (--accounts N), which ones (--account <id|phone|@username>, repeatable) or which tag (--tag <tag>)');
  return { refs };
}

/** What `act` needs: the pool (to name accounts) and the engine that runs the action. */
export interface ActDeps {
  pool: AccountPool;
  engine: OperationsEngine;
}

/** Follows an operation's events on the command line's progress bar. */
function operationProgress(bar: ProgressBar): { onEvent: (e: OperationEvent) => void; clear: () => void } {
  let planned = 0;
  let ok = 0;
  let failed = 0;
  let note = '';
  return {
    onEvent(e) {
      if (e.type === 'started') planned = e.planned;
      else if (e.type === 'result') {
        if (e.result.status === 'failed') {
          if (!e.result.replaced) failed++;
          note = e.result.replaced ? `#${e.result.accountId} ${e.result.failure.code}, moved to another account` : '';
        } else {
          ok++;
          note = '';
        }
      } else if (e.type === 'waiting') note = `#${e.accountId} waits until ${new Date(e.until).toLocaleTimeString()}`;
      if (e.type !== 'finished') bar.draw({ done: ok + failed, total: planned, counts: [['ok', ok], ['failed', failed]], note });
    },
    clear: () => bar.clear(),
  };
}

/** Runs an action from the command line: resolves names, shows progress, prints the results. */
export async function executeAct(ctx: CliContext, deps: ActDeps, spec: OperationSpec, choice: AccountChoice, err: NodeJS.WriteStream = process.stderr): Promise<OperationRecord> {
  const engine = deps.engine;
  const accounts = deps.pool.accounts();
  let selection: OperationSelection;
  if ('accounts' in choice) selection = choice;
  else if ('tag' in choice) selection = { accountIds: taggedIds(accounts, choice.tag) };
  else {
    const ids = resolveAccountRefs(accounts, choice.refs);
    if (!ids.ok) throw new InputError(ids.problem);
    selection = { accountIds: ids.value };
  }
  const terminal = progressBar(err, ctx.json);
  const bar = terminal && operationProgress(terminal);
  const ctl = new AbortController();
  const onSigint = (): void => {
    err.write('\ncancelling: no new account starts; waiting for those acting now (Ctrl-C again to quit at once)\n');
    ctl.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  let record: OperationRecord;
  try {
    record = await engine.runOperation(spec, selection, { actor: 'cli', signal: ctl.signal, onEvent: bar?.onEvent });
  } finally {
    process.removeListener('SIGINT', onSigint);
    bar?.clear();
  }
  ctx.emit(record, () => renderOperation(record, accountLabels(accounts)));
  const s = record.summary;
  const settledOk = s.done + s.already + s.requested;
  if (record.status !== 'finished' || settledOk < s.planned) {
    const why = record.status === 'stopped' ? `stopped: ${record.stopReason ?? ''}` : record.status === 'cancelled' ? 'cancelled' : `${settledOk} of ${s.planned} succeeded`;
    throw new PanelError(`operation #${record.id} ${why}`);
  }
  return record;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

interface ActCommand {
  kind: ActionKind;
  args: string;
  description: string;
  help?: string;
}

const ACT_COMMANDS: readonly ActCommand[] = [
  { kind: 'reaction', args: '<link> <emoji>', description: 'react to a message with one emoji', help: 'The emoji must be one the chat allows; the refusal lists those it does.' },
  { kind: 'vote', args: '<link> <option...>', description: 'vote in the poll under a message (options numbered from 1; several for a multiple-choice poll)' },
  { kind: 'join', args: '<link>', description: 'join a public chat (t.me/<name>, @name) or one behind an invite link (t.me/+<hash>)', help: 'A chat that approves members reports "requested"; a member already reports "already".' },
  { kind: 'leave', args: '<link>', description: 'leave a chat named by link, @name, a message link or its invite link' },
  { kind: 'block', args: '<user>', description: 'block a user (@name, name or t.me/<name>)' },
  { kind: 'pm', args: '<user> <text...>', description: 'send a private message as plain text (no markdown); quote the text' },
  { kind: 'comment', args: '<link> <text...>', description: "comment under a channel post (in its discussion thread); quote the text" },
];

export function registerAct(act: Command, ctx: CliContext): void {
  for (const c of ACT_COMMANDS) {
    act
      .command(`${c.kind} ${c.args}`)
      .description(c.description)
      .option('--accounts <n>', 'this many usable accounts act, least recently used first; failed ones are replaced')
      .option('--account <id|phone|@username>', 'this account acts (repeat for several)', collect)
      .option('--tag <tag>', 'the accounts with this tag act (with --accounts N: N of them); without a tag, --accounts N never picks a reserve account')
      .addHelpText(
        'after',
        `\n${c.help ? c.help + '\n' : ''}Accounts are paced (ACTION_DELAY) and several act at once (ACTION_CONCURRENCY). Bad input exits with code 2 before ` +
          'any account acts; Ctrl-C stops starting new accounts. Exit code 1 when some account failed.',
      )
      .action(async (...received: unknown[]) => {
        // Commander passes the declared arguments (a variadic one as an array), then the options.
        const declared = c.args.split(' ').length;
        const positional = received.slice(0, declared).flatMap((a) => (Array.isArray(a) ? (a as string[]) : [a as string]));
        const opts = received[declared] as SelectionOptions;
        const spec = buildAction(c.kind, positional);
        const choice = parseChoice(opts);
        if (ctx.capture) return ctx.capture({ kind: 'act', spec, choice });
        await ctx.withApp(['telegram'], (app) => executeAct(ctx, { pool: app.fleet, engine: app.operations }, spec, choice));
      });
  }
}
