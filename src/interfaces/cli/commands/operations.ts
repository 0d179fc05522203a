import type { Command } from 'commander';
import { accountLabel } from '../../../core/accounts.ts';
import { OPERATION_KINDS, type OperationKind, type OperationSpec } from '../../../core/actions.ts';
import { describeValues } from '../../../core/profile.ts';
import { InputError } from '../../../core/errors.ts';
import { formatMessageLink } from '../../../core/links.ts';
import type { JoinTarget, LeaveTarget, MessageTarget } from '../../../core/session.ts';
import type { OperationHeader, OperationRecord, OperationResult } from '../../../store/operations.ts';
import type { CliContext } from '../context.ts';
import { table } from '../table.ts';

function messageLink(t: MessageTarget): string {
  const base = formatMessageLink(t.chat, t.messageId);
  return t.commentId !== undefined ? `${base}?comment=${t.commentId}` : base;
}

function joinText(t: JoinTarget): string {
  return t.kind === 'invite' ? `https://t.me/+${t.hash}` : `@${t.username}`;
}

function leaveText(t: LeaveTarget): string {
  if ('inviteHash' in t) return `https://t.me/+${t.inviteHash}`;
  return 'username' in t ? `@${t.username}` : `private chat ${t.channelId}`;
}

function short(text: string, max = 40): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

/** "reaction 👍 on https://t.me/chan/10", "pm to @user: "hello…"". */
export function describeSpec(spec: OperationSpec): string {
  switch (spec.kind) {
    case 'reaction':
      return `reaction ${spec.emoji} on ${messageLink(spec.target)}`;
    case 'vote':
      return `vote ${spec.options.join(', ')} on ${messageLink(spec.target)}`;
    case 'join':
      return `join ${joinText(spec.target)}`;
    case 'leave':
      return `leave ${leaveText(spec.target)}`;
    case 'block':
      return `block @${spec.username}`;
    case 'pm':
      return `pm to @${spec.username}: "${short(spec.text)}"`;
    case 'comment':
      return `comment on ${messageLink(spec.target)}: "${short(spec.text)}"`;
    case 'profile':
      return `profile: ${describeValues(spec.edit, spec.edit.photo !== undefined)}`;
  }
}

function time(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function resultText(r: OperationResult): [string, string] {
  if (r.status !== 'failed') return [r.status, r.detail ?? ''];
  const moved = r.replaced ? ' (moved to another account)' : '';
  return [`failed: ${r.failure.kind}`, `${r.failure.message}${moved}`];
}

function summaryLine(h: OperationHeader): string {
  const s = h.summary;
  const parts = [`${s.done} done`];
  if (s.already) parts.push(`${s.already} already`);
  if (s.requested) parts.push(`${s.requested} requested`);
  if (s.failed) parts.push(`${s.failed} failed${s.replaced ? ` (${s.replaced} moved to another account)` : ''}`);
  if (s.shortfall) parts.push(`${s.shortfall} of ${s.planned} not done`);
  return parts.join(', ');
}

/** "#3 @name", or "#3 +1555…" for an account without a username. */
export function accountLabels(accounts: ReadonlyArray<{ id: number; phone: string; username: string | null }>): Map<number, string> {
  // Compact for result tables: the phone only for accounts without a username.
  return new Map(accounts.map((a) => [a.id, accountLabel(a.username ? { id: a.id, username: a.username } : a)]));
}

/** The human form of one operation: what, how it ended, and a row per account. */
export function renderOperation(r: OperationRecord, labels: ReadonlyMap<number, string> = new Map()): string {
  const took = r.finishedAt === null ? 'running' : `in ${duration(r.finishedAt - r.startedAt)}`;
  const head = `operation #${r.id}: ${describeSpec(r.spec)}\n${r.status}${r.stopReason ? ` (${r.stopReason})` : ''}, ${summaryLine(r)}, ${took}; asked by ${r.actor} at ${time(r.startedAt)}`;
  if (r.results.length === 0) return head;
  const rows = r.results.map((x) => {
    const [result, detail] = resultText(x);
    return [labels.get(x.accountId) ?? `#${x.accountId}`, result, detail, x.attempts, time(x.at)];
  });
  return `${head}\n\n${table(['account', 'result', 'detail', 'tries', 'at'], rows)}`;
}

function positiveInt(text: string, what: string): number {
  if (!/^\d{1,9}$/.test(text.trim()) || Number(text) < 1) throw new InputError(`${what} must be a whole number from 1 (got "${text}")`);
  return Number(text);
}

export function registerOperations(ops: Command, ctx: CliContext): void {
  ops
    .command('list')
    .description('list operations, newest first')
    .option('--limit <n>', 'how many (default 20)')
    .option('--kind <kind>', `only this action: ${OPERATION_KINDS.join(', ')}`)
    .action(async (opts: { limit?: string; kind?: string }) => {
      const limit = opts.limit === undefined ? 20 : positiveInt(opts.limit, '--limit');
      if (opts.kind !== undefined && !(OPERATION_KINDS as readonly string[]).includes(opts.kind)) {
        throw new InputError(`--kind must be one of ${OPERATION_KINDS.join(', ')} (got "${opts.kind}")`);
      }
      await ctx.withApp([], (app) => {
        const list = app.operationStore.list({ limit, kind: opts.kind as OperationKind | undefined });
        ctx.emit(list, () =>
          list.length === 0
            ? 'no operations yet (run one with `act`)'
            : table(
                ['id', 'action', 'status', 'result', 'by', 'started'],
                list.map((o) => [o.id, short(describeSpec(o.spec), 60), o.status, summaryLine(o), o.actor, time(o.startedAt)]),
              ),
        );
        return Promise.resolve();
      });
    });
  ops
    .command('show')
    .description("one operation's input and every account's result")
    .argument('<id>', 'the operation id (see `operations list`)')
    .action(async (idText: string) => {
      const id = positiveInt(idText.replace(/^#/, ''), 'the operation id');
      await ctx.withApp([], (app) => {
        const r = app.operationStore.get(id);
        if (!r) throw new InputError(`no operation #${id}; see \`operations list\``);
        ctx.emit(r, () => renderOperation(r, accountLabels(app.accounts.list(app.clock.now()))));
        return Promise.resolve();
      });
    });
}
