import { randomBytes } from 'node:crypto';
import { ACTION_KINDS, type ActionKind, type ActionSpec } from '../../../core/actions.ts';
import { InputError } from '../../../core/errors.ts';
import { isTelegramFailure } from '../../../core/failures.ts';
import { isLinkRefusal, parseLink, toJoinTarget, toLeaveTarget, toMessageTarget, toUsername } from '../../../core/links.ts';
import type { JoinTarget, LeaveTarget, MessageTarget, PollInfo } from '../../../core/session.ts';
import { isSingleEmoji, MAX_TEXT_LENGTH } from '../../../engine/action-input.ts';
import type { OperationEvent } from '../../../engine/operations.ts';
import type { PoolAccount } from '../../../engine/ports.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import type { OperationRecord, OperationResult, OperationSelection } from '../../../store/operations.ts';
import { describeError } from '../errors.ts';
import { nums, str } from '../flows.ts';
import { iso } from '../i18n/bidi.ts';
import { ProgressReporter } from '../progress.ts';
import type { Registry } from '../runtime.ts';
import type { Turn } from '../turn.ts';
import { button, cb, grid, type Button, type Keyboard, type View } from '../ui.ts';
import { currentPacing } from './settings.ts';
import { accountName, intArg, paged, unavailable } from './common.ts';
import { navRow } from './home.ts';

/** Reactions offered as buttons; any other emoji may be typed. */
export const QUICK_EMOJI = ['👍', '❤️', '🔥', '🥰', '👏', '😁', '🎉', '🤩', '🙏', '👌', '😢', '👎'];

const PICK_PAGE = 8;

type Ops = NonNullable<Turn['rt']['deps']['services']['operations']>;

function isKind(s: string | undefined): s is ActionKind {
  return ACTION_KINDS.includes(s as ActionKind);
}

function kindOf(flow: FlowRecord): ActionKind {
  const k = str(flow, 'kind');
  return isKind(k) ? k : 'reaction';
}

/** What the admin chose so far, as the action the engine runs (when complete). */
function specOf(flow: FlowRecord): ActionSpec | undefined {
  const d = flow.data;
  const kind = kindOf(flow);
  switch (kind) {
    case 'reaction':
      return d.target && typeof d.emoji === 'string' ? { kind, target: d.target as MessageTarget, emoji: d.emoji } : undefined;
    case 'vote': {
      const options = nums(flow, 'options');
      return d.target && options.length > 0 ? { kind, target: d.target as MessageTarget, options } : undefined;
    }
    case 'join':
      return d.target ? { kind, target: d.target as JoinTarget } : undefined;
    case 'leave':
      return d.target ? { kind, target: d.target as LeaveTarget } : undefined;
    case 'block':
      return typeof d.username === 'string' ? { kind, username: d.username } : undefined;
    case 'pm':
      return typeof d.username === 'string' && typeof d.text === 'string' ? { kind, username: d.username, text: d.text } : undefined;
    case 'comment':
      return d.target && typeof d.text === 'string' ? { kind, target: d.target as MessageTarget, text: d.text } : undefined;
  }
}

/** The step after the target (and after the kind's own question). */
function stepAfterTarget(kind: ActionKind): string {
  if (kind === 'reaction') return 'emoji';
  if (kind === 'vote') return 'vote';
  if (kind === 'pm' || kind === 'comment') return 'text';
  return 'who';
}

function describeTarget(turn: Turn, flow: FlowRecord): string {
  const raw = str(flow, 'link');
  return raw ? iso(raw) : '-';
}

function summary(turn: Turn, flow: FlowRecord): string {
  const t = turn.t;
  const d = flow.data;
  const lines = [t.actSummaryKind(t.kindName(kindOf(flow))), t.actSummaryTarget(describeTarget(turn, flow))];
  if (typeof d.emoji === 'string') lines.push(t.actSummaryEmoji(d.emoji));
  const poll = d.poll as PollInfo | undefined;
  const options = nums(flow, 'options');
  if (poll && options.length > 0) lines.push(t.actSummaryOptions(options.map((o) => iso(poll.options[o - 1] ?? String(o))).join(', ')));
  if (typeof d.text === 'string') lines.push(t.actSummaryText(iso(d.text.length > 200 ? `${d.text.slice(0, 200)}…` : d.text)));
  return lines.join('\n');
}

function usableOf(turn: Turn, ops: Ops, kind: ActionKind): { usable: PoolAccount[]; unusable: number } {
  const u = ops.usable(kind);
  return { usable: u.usable, unusable: u.unusable.length };
}

function selectionText(turn: Turn, flow: FlowRecord): string {
  const picked = nums(flow, 'picked');
  const count = typeof flow.data.count === 'number' ? flow.data.count : undefined;
  return picked.length > 0 ? turn.t.actPicked(picked.length) : turn.t.actCount(count ?? 0);
}

function prompt(turn: Turn, flow: FlowRecord): View {
  const t = turn.t;
  const kind = kindOf(flow);
  const back = (route: string): Button[] => navRow(turn, route);
  switch (flow.step) {
    case 'target':
      return { text: `${t.actTitle(t.kindName(kind))}\n\n${t.askTarget(kind)}`, keyboard: [back(cb('act'))] };
    case 'emoji':
      return {
        text: `${summary(turn, flow)}\n\n${t.askEmoji}`,
        keyboard: [...grid(QUICK_EMOJI.map((e, i) => button(e, cb('act.e', i))), 6), back(cb('act.b', 'target'))],
      };
    case 'vote': {
      const poll = flow.data.poll as PollInfo | undefined;
      if (!poll) return { text: t.askTarget(kind), keyboard: [back(cb('act'))] };
      const chosen = nums(flow, 'options');
      const rows: Keyboard = poll.options.map((o, i) => [button(`${chosen.includes(i + 1) ? '✅ ' : ''}${i + 1}. ${o.length > 60 ? `${o.slice(0, 60)}…` : o}`, cb('act.v', i + 1))]);
      if (poll.multiple) rows.push([button(t.btnDone, cb('act.vd'))]);
      return { text: `${summary(turn, flow)}\n\n${t.askVote(iso(poll.question), poll.multiple)}`, keyboard: [...rows, back(cb('act.b', 'target'))] };
    }
    case 'text':
      return { text: `${summary(turn, flow)}\n\n${t.askActText(kind)}`, keyboard: [back(cb('act.b', 'target'))] };
    case 'who': {
      const ops = turn.rt.deps.services.operations;
      const { usable, unusable } = ops ? usableOf(turn, ops, kind) : { usable: [], unusable: 0 };
      const n = usable.length;
      const counts = [1, 3, 5, 10, 25].filter((c) => c < n);
      const rows: Keyboard = [];
      if (counts.length) rows.push(counts.map((c) => button(String(c), cb('act.n', c))));
      if (n > 0) rows.push([button(t.btnAllUsable(n), cb('act.n', n))]);
      if (n > 0) rows.push([button(t.btnPickAccounts, cb('act.pk', 0))]);
      return {
        text: `${summary(turn, flow)}\n\n${n === 0 ? t.actNoUsable(unusable) : t.askWho(n, unusable)}`,
        keyboard: [...rows, back(cb('act.b', stepAfterTarget(kind) === 'who' ? 'target' : stepAfterTarget(kind)))],
      };
    }
    case 'pick': {
      const ops = turn.rt.deps.services.operations;
      const usable = ops ? usableOf(turn, ops, kind).usable : [];
      const picked = nums(flow, 'picked');
      const page = typeof flow.data.page === 'number' ? flow.data.page : 0;
      const p = paged(
        turn,
        usable,
        page,
        PICK_PAGE,
        (a) => button(`${picked.includes(a.id) ? '✅' : '▫️'} #${a.id} ${a.phone}${a.username ? ` @${a.username}` : ''}`, cb('act.t', a.id)),
        (n) => cb('act.pk', n),
      );
      return {
        text: `${summary(turn, flow)}\n\n${t.askPick(picked.length)}`,
        keyboard: [...p.rows, ...(picked.length > 0 ? [[button(t.btnDone, cb('act.pd'))]] : []), back(cb('act.b', 'who'))],
      };
    }
    case 'confirm':
      return {
        text: `${summary(turn, flow)}\n${t.actSummaryWho(selectionText(turn, flow))}\n\n${t.askConfirmRun}`,
        keyboard: [[button(t.btnRun, cb('act.go'))], back(cb('act.b', 'who'))],
      };
    default:
      return { text: t.useMenu, keyboard: [back(cb('act'))] };
  }
}

/** Parses what the admin typed as the target of `kind`; a reason when it does not fit. */
function parseTarget(turn: Turn, kind: ActionKind, text: string): { ok: true; data: Record<string, unknown> } | { ok: false; reason: string } {
  const parsed = parseLink(text);
  if (!parsed.ok) return { ok: false, reason: turn.t.badLink(parsed.error) };
  const link = parsed.link;
  const refuse = (r: object): { ok: false; reason: string } => ({ ok: false, reason: turn.t.badLink(isLinkRefusal(r) ? r.error : '') });
  switch (kind) {
    case 'reaction':
    case 'vote':
    case 'comment': {
      const target = toMessageTarget(link, turn.t.kindName(kind));
      return isLinkRefusal(target) ? refuse(target) : { ok: true, data: { target } };
    }
    case 'join': {
      const target = toJoinTarget(link);
      return isLinkRefusal(target) ? refuse(target) : { ok: true, data: { target } };
    }
    case 'leave': {
      const target = toLeaveTarget(link);
      return isLinkRefusal(target) ? refuse(target) : { ok: true, data: { target } };
    }
    case 'block':
    case 'pm': {
      const username = toUsername(link, turn.t.kindName(kind));
      return typeof username === 'string' ? { ok: true, data: { username } } : refuse(username);
    }
  }
}

function resultLine(turn: Turn, r: OperationResult, names: Map<number, string>): string {
  const t = turn.t;
  const who = names.get(r.accountId) ?? iso(`#${r.accountId}`);
  if (r.status === 'failed') return `❌ ${who}: ${t.failure(r.failure.kind, r.failure.code, r.failure.seconds)}${r.replaced ? ` ${t.movedOn}` : ''}`;
  return `${r.status === 'done' ? '✅' : r.status === 'already' ? '↩️' : '⏳'} ${who}: ${t.outcome(r.status)}`;
}

export function registerActions(reg: Registry): void {
  const opsOf = (turn: Turn): Ops | undefined => turn.rt.deps.services.operations;

  /** Reads the flow for a button of the actions flow; undefined (and the current screen) when it does not apply. */
  const flowAt = async (turn: Turn, steps: string[]): Promise<FlowRecord | undefined> => {
    const rec = turn.flow();
    if (rec?.flow === 'act' && steps.includes(rec.step)) return rec;
    await turn.answer(turn.t.menuExpired);
    await turn.current();
    return undefined;
  };

  const go = (turn: Turn, rec: FlowRecord, step: string, data: Record<string, unknown> = {}): Promise<void> => {
    const next = turn.setFlow('act', step, { ...rec.data, ...data });
    return turn.show(prompt(turn, next));
  };

  const goFresh = async (turn: Turn, rec: FlowRecord, step: string, data: Record<string, unknown> = {}): Promise<void> => {
    const next = turn.setFlow('act', step, { ...rec.data, ...data });
    await turn.send(prompt(turn, next));
  };

  reg.route('act', async (turn) => {
    await turn.leaveFlow();
    if (!opsOf(turn)) return unavailable(turn);
    const t = turn.t;
    await turn.show({
      text: t.actionsTitle,
      keyboard: [...grid(ACTION_KINDS.map((k) => button(t.kindButton(k), cb('act.k', k))), 2), navRow(turn, cb('home'))],
    });
  });

  reg.route('act.k', async (turn, [kind]) => {
    if (!isKind(kind)) return turn.current(turn.t.menuExpired);
    if (!opsOf(turn)) return unavailable(turn);
    const rec = turn.setFlow('act', 'target', { kind });
    await turn.show(prompt(turn, rec));
  });

  /** Back inside the flow: to an earlier step, keeping what was chosen before it. */
  reg.route('act.b', async (turn, [step]) => {
    const rec = await flowAt(turn, ['emoji', 'vote', 'text', 'who', 'pick', 'confirm']);
    if (!rec || step === undefined) return;
    const order = ['target', 'emoji', 'vote', 'text', 'who', 'pick', 'confirm'];
    if (order.indexOf(step) < 0 || order.indexOf(step) >= order.indexOf(rec.step)) return turn.current();
    await go(turn, rec, step);
  });

  reg.route('act.e', async (turn, [i]) => {
    const rec = await flowAt(turn, ['emoji']);
    const emoji = QUICK_EMOJI[intArg(i) ?? -1];
    if (!rec || !emoji) return;
    await go(turn, rec, 'who', { emoji });
  });

  reg.route('act.v', async (turn, [n]) => {
    const rec = await flowAt(turn, ['vote']);
    const option = intArg(n);
    const poll = rec?.data.poll as PollInfo | undefined;
    if (!rec || !poll || option === undefined || option < 1 || option > poll.options.length) return;
    if (!poll.multiple) return go(turn, rec, 'who', { options: [option] });
    const chosen = nums(rec, 'options');
    const next = chosen.includes(option) ? chosen.filter((o) => o !== option) : [...chosen, option].sort((a, b) => a - b);
    await go(turn, rec, 'vote', { options: next });
  });

  reg.route('act.vd', async (turn) => {
    const rec = await flowAt(turn, ['vote']);
    if (!rec) return;
    if (nums(rec, 'options').length === 0) return turn.answer(turn.t.pickOneOption, true);
    await go(turn, rec, 'who');
  });

  reg.route('act.n', async (turn, [n]) => {
    const rec = await flowAt(turn, ['who']);
    const count = intArg(n);
    if (!rec || count === undefined) return;
    await go(turn, rec, 'confirm', { count, picked: [] });
  });

  reg.route('act.pk', async (turn, [page]) => {
    const rec = await flowAt(turn, ['who', 'pick']);
    if (!rec) return;
    await go(turn, rec, 'pick', { page: intArg(page) ?? 0 });
  });

  reg.route('act.t', async (turn, [id]) => {
    const rec = await flowAt(turn, ['pick']);
    const accountId = intArg(id);
    if (!rec || accountId === undefined) return;
    const picked = nums(rec, 'picked');
    await go(turn, rec, 'pick', { picked: picked.includes(accountId) ? picked.filter((x) => x !== accountId) : [...picked, accountId] });
  });

  reg.route('act.pd', async (turn) => {
    const rec = await flowAt(turn, ['pick']);
    if (!rec) return;
    if (nums(rec, 'picked').length === 0) return turn.answer(turn.t.pickOneAccount, true);
    await go(turn, rec, 'confirm', { count: undefined });
  });

  reg.route('act.go', async (turn) => {
    const rec = await flowAt(turn, ['confirm']);
    const ops = opsOf(turn);
    if (!rec) return;
    if (!ops) return unavailable(turn);
    const spec = specOf(rec);
    if (!spec) return go(turn, rec, 'target');
    const picked = nums(rec, 'picked');
    const selection: OperationSelection = picked.length > 0 ? { accountIds: picked } : { accounts: typeof rec.data.count === 'number' ? rec.data.count : 1 };
    try {
      ops.check(spec, selection);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const next = turn.setFlow('act', 'who', { ...rec.data });
      await turn.show({ ...prompt(turn, next), text: `⚠️ ${turn.t.inputRefused(e.message)}\n\n${prompt(turn, next).text}` });
      return;
    }
    await turn.leaveFlow();
    const token = randomBytes(6).toString('base64url');
    const ctl = new AbortController();
    turn.rt.memory.set(`op:${token}`, ctl);
    const t = turn.t;
    const title = `${t.actTitle(t.kindName(spec.kind))}\n${summary(turn, rec)}`;
    await turn.show({ text: `${title}\n\n${t.started}`, keyboard: [[button(t.btnHome, cb('home'))]] });
    runOperation(turn, ops, spec, selection, title, token, ctl);
  });

  reg.onForeign('op:x:', async (turn, data) => {
    const token = data.slice('op:x:'.length);
    const ctl = turn.rt.memory.get(`op:${token}`) as AbortController | undefined;
    if (!ctl) return turn.answer(turn.t.opAlreadyOver);
    ctl.abort();
    await turn.answer(turn.t.opCancelling);
  });

  reg.flow({
    name: 'act',
    prompt,
    async onText(turn, flow, text) {
      const t = turn.t;
      const kind = kindOf(flow);
      switch (flow.step) {
        case 'target': {
          const parsed = parseTarget(turn, kind, text);
          if (!parsed.ok) return turn.retry(parsed.reason);
          const data: Record<string, unknown> = { ...parsed.data, link: text.trim().slice(0, 200) };
          if (kind === 'vote') {
            const polls = turn.rt.deps.services.polls;
            if (!polls) return turn.retry(t.notAvailable);
            let poll: PollInfo;
            try {
              poll = await polls.poll(data.target as MessageTarget);
            } catch (e) {
              if (isTelegramFailure(e) || e instanceof InputError) return turn.retry(describeError(t, e).text);
              throw e;
            }
            if (poll.closed) return turn.retry(t.pollClosed);
            return goFresh(turn, flow, 'vote', { ...data, poll, options: [] });
          }
          return goFresh(turn, flow, stepAfterTarget(kind), data);
        }
        case 'emoji': {
          const emoji = text.trim();
          if (!isSingleEmoji(emoji)) return turn.retry(t.notAnEmoji);
          return goFresh(turn, flow, 'who', { emoji });
        }
        case 'vote': {
          const poll = flow.data.poll as PollInfo | undefined;
          const parts = text.split(/[\s,]+/).filter((p) => p !== '').map((p) => p.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d))));
          const options = parts.map(Number);
          const max = poll?.options.length ?? 0;
          if (options.length === 0 || options.some((o) => !Number.isInteger(o) || o < 1 || o > max)) return turn.retry(t.badOptions(max));
          if (!poll?.multiple && options.length > 1) return turn.retry(t.oneOptionOnly);
          return goFresh(turn, flow, 'who', { options: [...new Set(options)].sort((a, b) => a - b) });
        }
        case 'text': {
          if (text.trim() === '') return turn.retry(t.emptyText);
          if (text.length > MAX_TEXT_LENGTH) return turn.retry(t.textTooLong(text.length, MAX_TEXT_LENGTH));
          return goFresh(turn, flow, 'who', { text });
        }
        case 'who': {
          const n = Number(text.trim().replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d))));
          if (!/^\s*[\d۰-۹]{1,6}\s*$/.test(text) || n < 1) return turn.retry(t.badCount);
          return goFresh(turn, flow, 'confirm', { count: n, picked: [] });
        }
        default:
          return turn.retry(t.useButtons);
      }
    },
  });
}

/** Runs the operation in the background with a progress message, then the report. */
function runOperation(turn: Turn, ops: Ops, spec: ActionSpec, selection: OperationSelection, title: string, token: string, ctl: AbortController): void {
  const rt = turn.rt;
  const t = turn.t;
  const chatId = turn.chatId;
  const adminId = turn.adminId;
  const fleet = ops.usable(spec.kind);
  const names = new Map([...fleet.usable, ...fleet.unusable.map((u) => u.account)].map((a) => [a.id, accountName(a)]));
  const cancelRow: Keyboard = [[button(t.btnStopOperation, `op:x:${token}`)]];
  rt.jobs.run(`operation ${spec.kind}`, async (signal) => {
    const stop = (): void => ctl.abort();
    signal.addEventListener('abort', stop, { once: true });
    const reporter = new ProgressReporter(rt, chatId, (s) => ({ text: t.progress(title, s), keyboard: cancelRow }), { signal });
    let planned = 'accounts' in selection ? selection.accounts : selection.accountIds.length;
    let ok = 0;
    let failed = 0;
    await reporter.begin({ done: 0, total: planned, ok, failed });
    const onEvent = (e: OperationEvent): void => {
      if (e.type === 'started') planned = e.planned;
      if (e.type !== 'result') return;
      if (e.result.status === 'failed') {
        if (!e.result.replaced) failed++;
      } else ok++;
      reporter.update({ done: e.settled, total: planned, ok, failed, current: names.get(e.result.accountId) ?? iso(`#${e.result.accountId}`) });
    };
    let record: OperationRecord | undefined;
    let error: unknown;
    try {
      record = await ops.runOperation(spec, selection, {
        actor: `bot:${adminId}`,
        signal: ctl.signal,
        onEvent,
        concurrency: currentPacing(turn).actionConcurrency,
      });
    } catch (e) {
      error = e;
    } finally {
      rt.memory.delete(`op:${token}`);
      signal.removeEventListener('abort', stop);
    }
    const back: Keyboard = [[button(t.btnActions, cb('act')), button(t.btnHome, cb('home'))]];
    if (!record) {
      await reporter.finish({ summary: `${title}\n\n⚠️ ${describeError(t, error).text}`, details: [], fileName: 'operation.txt', detailsInFile: t.detailsInFile, keyboard: back, menuOf: adminId });
      if (!(error instanceof InputError) && !isTelegramFailure(error)) rt.deps.log.error({ err: error }, 'operation from the bot failed');
      return;
    }
    await reporter.finish({
      summary: `${title}\n\n${t.opSummary(record.id, record.status, record.summary, record.stopReason)}`,
      details: record.results.map((r) => resultLine(turn, r, names)),
      fileName: `operation-${record.id}.txt`,
      detailsInFile: t.detailsInFile,
      keyboard: back,
      menuOf: adminId,
    });
  });
}
