import { ACTION_KINDS, type ActionKind, type ActionSpec } from '../../../core/actions.ts';
import { InputError } from '../../../core/errors.ts';
import { isTelegramFailure } from '../../../core/failures.ts';
import { isLinkRefusal, parseLink, toJoinTarget, toLeaveTarget, toMessageTarget, toUsername } from '../../../core/links.ts';
import type { JoinTarget, LeaveTarget, MessageTarget, PollInfo } from '../../../core/session.ts';
import { hasTag, RESERVE_TAG } from '../../../core/tags.ts';
import { isSingleEmoji, MAX_TEXT_LENGTH } from '../../../engine/action-input.ts';
import { defaultSet } from '../../../engine/account-selection.ts';
import type { PoolAccount } from '../../../engine/ports.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import { describeError } from '../errors.ts';
import { nums, str } from '../flows.ts';
import { iso } from '../i18n/bidi.ts';
import type { Registry } from '../runtime.ts';
import type { Turn } from '../turn.ts';
import { button, cb, grid, type Button, type Keyboard, type View } from '../ui.ts';
import { intArg, paged, unavailable } from './common.ts';
import { navRow } from './home.ts';

/** Reactions offered as buttons; any other emoji may be typed. */
export const QUICK_EMOJI = ['👍', '❤️', '🔥', '🥰', '👏', '😁', '🎉', '🤩', '🙏', '👌', '😢', '👎'];

const PICK_PAGE = 8;

export type Ops = NonNullable<Turn['rt']['deps']['services']['operations']>;

export function isKind(s: string | undefined): s is ActionKind {
  return ACTION_KINDS.includes(s as ActionKind);
}

function kindOf(flow: FlowRecord): ActionKind {
  const k = str(flow, 'kind');
  return isKind(k) ? k : 'reaction';
}

/** What the admin chose so far, as the action the engine runs (when complete). */
export function specOf(flow: FlowRecord): ActionSpec | undefined {
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

export function summary(turn: Turn, flow: FlowRecord): string {
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

/**
 * `usable`: every account that can act now (named picks may take any); `counted`: those a count
 * of accounts may pick, by the engine's own rule (the reserve stays out unless named).
 */
function usableOf(turn: Turn, ops: Ops, kind: ActionKind): { usable: PoolAccount[]; counted: PoolAccount[]; unusable: number } {
  const u = ops.usable(kind);
  return { usable: u.usable, counted: defaultSet(u.usable), unusable: u.unusable.length };
}

function selectionText(turn: Turn, flow: FlowRecord): string {
  const picked = nums(flow, 'picked');
  const count = typeof flow.data.count === 'number' ? flow.data.count : undefined;
  return picked.length > 0 ? turn.t.actPicked(picked.length) : turn.t.actCount(count ?? 0);
}

export function prompt(turn: Turn, flow: FlowRecord): View {
  const t = turn.t;
  const kind = kindOf(flow);
  const back = (route: string): Button[] => navRow(turn, route);
  switch (flow.step) {
    case 'target':
      return { text: `${t.actTitle(t.kindName(kind))}\n\n${t.askTarget(kind)}`, keyboard: [back(cb(ACT.kinds))] };
    case 'emoji':
      return {
        text: `${summary(turn, flow)}\n\n${t.askEmoji}`,
        keyboard: [...grid(QUICK_EMOJI.map((e, i) => button(e, cb(ACT.emoji, i))), 6), back(cb(ACT.back, 'target'))],
      };
    case 'vote': {
      const poll = flow.data.poll as PollInfo | undefined;
      if (!poll) return { text: t.askTarget(kind), keyboard: [back(cb(ACT.kinds))] };
      const chosen = nums(flow, 'options');
      const rows: Keyboard = poll.options.map((o, i) => [button(`${chosen.includes(i + 1) ? '✅ ' : ''}${i + 1}. ${o.length > 60 ? `${o.slice(0, 60)}…` : o}`, cb(ACT.voteOption, i + 1))]);
      if (poll.multiple) rows.push([button(t.btnDone, cb(ACT.voteDone))]);
      return { text: `${summary(turn, flow)}\n\n${t.askVote(iso(poll.question), poll.multiple)}`, keyboard: [...rows, back(cb(ACT.back, 'target'))] };
    }
    case 'text':
      return { text: `${summary(turn, flow)}\n\n${t.askActText(kind)}`, keyboard: [back(cb(ACT.back, 'target'))] };
    case 'who': {
      const ops = turn.rt.deps.services.operations;
      const { usable, counted, unusable } = ops ? usableOf(turn, ops, kind) : { usable: [], counted: [], unusable: 0 };
      const n = counted.length;
      const reserved = usable.length - n;
      const counts = [1, 3, 5, 10, 25].filter((c) => c < n);
      const rows: Keyboard = [];
      if (counts.length) rows.push(counts.map((c) => button(String(c), cb(ACT.count, c))));
      if (n > 0) rows.push([button(t.btnAllUsable(n), cb(ACT.count, n))]);
      if (usable.length > 0) rows.push([button(t.btnPickAccounts, cb(ACT.pickPage, 0))]);
      const ask = n === 0 && reserved === 0 ? t.actNoUsable(unusable) : t.askWho(n, unusable);
      return {
        text: `${summary(turn, flow)}\n\n${ask}${reserved > 0 ? `\n${t.actReserved(reserved)}` : ''}`,
        keyboard: [...rows, back(cb(ACT.back, stepAfterTarget(kind) === 'who' ? 'target' : stepAfterTarget(kind)))],
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
        (a) => button(`${picked.includes(a.id) ? '✅' : '▫️'} #${a.id} ${a.phone}${a.username ? ` @${a.username}` : ''}${hasTag(a, RESERVE_TAG) ? ` 🏷${RESERVE_TAG}` : ''}`, cb(ACT.pickToggle, a.id)),
        (n) => cb(ACT.pickPage, n),
      );
      return {
        text: `${summary(turn, flow)}\n\n${t.askPick(picked.length)}`,
        keyboard: [...p.rows, ...(picked.length > 0 ? [[button(t.btnDone, cb(ACT.pickDone))]] : []), back(cb(ACT.back, 'who'))],
      };
    }
    case 'confirm':
      return {
        text: `${summary(turn, flow)}\n${t.actSummaryWho(selectionText(turn, flow))}\n\n${t.askConfirmRun}`,
        keyboard: [[button(t.btnRun, cb(ACT.run))], back(cb(ACT.back, 'who'))],
      };
    default:
      return { text: t.useMenu, keyboard: [back(cb(ACT.kinds))] };
  }
}

/** Parses what the admin typed as the target of `kind`; a reason when it does not fit. */
function parseTarget(turn: Turn, kind: ActionKind, text: string): { ok: true; data: Record<string, unknown> } | { ok: false; reason: string } {
  const parsed = parseLink(text);
  if (!parsed.ok) return { ok: false, reason: turn.t.badLink(turn.t.linkError(parsed)) };
  const link = parsed.link;
  const refuse = (r: object): { ok: false; reason: string } => ({ ok: false, reason: turn.t.badLink(isLinkRefusal(r) ? turn.t.linkError(r) : '') });
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

/**
 * The actions menus' routes. The ids stay short because they travel in callback data (64 bytes);
 * changing one would need MENU_VERSION bumped.
 */
export const ACT = {
  kinds: 'act',
  kind: 'act.k',
  back: 'act.b',
  emoji: 'act.e',
  voteOption: 'act.v',
  voteDone: 'act.vd',
  count: 'act.n',
  pickPage: 'act.pk',
  pickToggle: 'act.t',
  pickDone: 'act.pd',
  run: 'act.go',
} as const;

/** Prefix of the Stop button on an operation's progress message (works after /start too). */
export const STOP_PREFIX = 'op:x:';

export function opsOf(turn: Turn): Ops | undefined {
  return turn.rt.deps.services.operations;
}

/** Reads the flow for a button of the actions flow; undefined (and the current screen) when it does not apply. */
export async function flowAt(turn: Turn, steps: string[]): Promise<FlowRecord | undefined> {
  const rec = turn.flow();
  if (rec?.flow === 'act' && steps.includes(rec.step)) return rec;
  await turn.answer(turn.t.menuExpired);
  await turn.current();
  return undefined;
}

/** The next step, shown in place of the screen whose button was pressed. */
export function go(turn: Turn, rec: FlowRecord, step: string, data: Record<string, unknown> = {}): Promise<void> {
  const next = turn.setFlow('act', step, { ...rec.data, ...data });
  return turn.show(prompt(turn, next));
}

/** The next step after a typed answer: a new message below it. */
async function goFresh(turn: Turn, rec: FlowRecord, step: string, data: Record<string, unknown> = {}): Promise<void> {
  const next = turn.setFlow('act', step, { ...rec.data, ...data });
  await turn.send(prompt(turn, next));
}

/** One action, step by step: kind, target, the kind's own question, accounts, confirmation. */
export function registerActionWizard(reg: Registry): void {
  reg.route(ACT.kind, async (turn, [kind]) => {
    if (!isKind(kind)) return turn.current(turn.t.menuExpired);
    if (!opsOf(turn)) return unavailable(turn);
    const rec = turn.setFlow('act', 'target', { kind });
    await turn.show(prompt(turn, rec));
  });

  /** Back inside the flow: to an earlier step, keeping what was chosen before it. */
  reg.route(ACT.back, async (turn, [step]) => {
    const rec = await flowAt(turn, ['emoji', 'vote', 'text', 'who', 'pick', 'confirm']);
    if (!rec || step === undefined) return;
    const order = ['target', 'emoji', 'vote', 'text', 'who', 'pick', 'confirm'];
    if (order.indexOf(step) < 0 || order.indexOf(step) >= order.indexOf(rec.step)) return turn.current();
    await go(turn, rec, step);
  });

  reg.route(ACT.emoji, async (turn, [i]) => {
    const rec = await flowAt(turn, ['emoji']);
    const emoji = QUICK_EMOJI[intArg(i) ?? -1];
    if (!rec || !emoji) return;
    await go(turn, rec, 'who', { emoji });
  });

  reg.route(ACT.voteOption, async (turn, [n]) => {
    const rec = await flowAt(turn, ['vote']);
    const option = intArg(n);
    const poll = rec?.data.poll as PollInfo | undefined;
    if (!rec || !poll || option === undefined || option < 1 || option > poll.options.length) return;
    if (!poll.multiple) return go(turn, rec, 'who', { options: [option] });
    const chosen = nums(rec, 'options');
    const next = chosen.includes(option) ? chosen.filter((o) => o !== option) : [...chosen, option].sort((a, b) => a - b);
    await go(turn, rec, 'vote', { options: next });
  });

  reg.route(ACT.voteDone, async (turn) => {
    const rec = await flowAt(turn, ['vote']);
    if (!rec) return;
    if (nums(rec, 'options').length === 0) return turn.answer(turn.t.pickOneOption, true);
    await go(turn, rec, 'who');
  });

  reg.route(ACT.count, async (turn, [n]) => {
    const rec = await flowAt(turn, ['who']);
    const count = intArg(n);
    if (!rec || count === undefined) return;
    await go(turn, rec, 'confirm', { count, picked: [] });
  });

  reg.route(ACT.pickPage, async (turn, [page]) => {
    const rec = await flowAt(turn, ['who', 'pick']);
    if (!rec) return;
    await go(turn, rec, 'pick', { page: intArg(page) ?? 0 });
  });

  reg.route(ACT.pickToggle, async (turn, [id]) => {
    const rec = await flowAt(turn, ['pick']);
    const accountId = intArg(id);
    if (!rec || accountId === undefined) return;
    const picked = nums(rec, 'picked');
    await go(turn, rec, 'pick', { picked: picked.includes(accountId) ? picked.filter((x) => x !== accountId) : [...picked, accountId] });
  });

  reg.route(ACT.pickDone, async (turn) => {
    const rec = await flowAt(turn, ['pick']);
    if (!rec) return;
    if (nums(rec, 'picked').length === 0) return turn.answer(turn.t.pickOneAccount, true);
    await go(turn, rec, 'confirm', { count: undefined });
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

