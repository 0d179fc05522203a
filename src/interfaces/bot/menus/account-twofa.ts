import { randomBytes } from 'node:crypto';
import type { AccountSummary } from '../../../core/accounts.ts';
import { HINT_MAX, isEmailAddress, PASSWORD_MAX, TWO_FACTOR_ACTIONS, twoFactorIssue, type TwoFactorAction, type TwoFactorInput, type TwoFactorIssue } from '../../../core/account-care.ts';
import { FAILURE_KINDS, type FailureKind } from '../../../core/failures.ts';
import type { CareFailure, TwoFactorResult } from '../../../engine/account-care.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import { describeError } from '../errors.ts';
import { num, str } from '../flows.ts';
import { iso } from '../i18n/bidi.ts';
import type { Messages } from '../i18n/index.ts';
import { adoptMenu, editMessage, sendView } from '../render.ts';
import type { Registry, Runtime } from '../runtime.ts';
import type { AccountCarePort, AccountsPort } from '../services.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type View } from '../ui.ts';
import { accountName, withCardAccount } from './common.ts';
import { navRow } from './home.ts';

/**
 * What the admin typed for one two-step change, in this process's memory only: never in the flow
 * row (SQLite), never logged. The flow row holds a key to it; a restart or a long pause loses it,
 * and the admin starts again.
 */
interface Typed {
  hint?: string;
  email?: string;
  current?: string;
  next?: string;
  timer: NodeJS.Timeout;
  /** Set while the service waits for the code Telegram emailed to the recovery address. */
  emailCode?: (code: string | null) => void;
}

/** A password typed and then abandoned (or an emailed code never given) is dropped after this long. */
const FORGET_MS = 5 * 60_000;

const memKey = (key: string): string => `twofa:${key}`;

function typedOf(rt: Runtime, flow: FlowRecord): Typed | undefined {
  const key = str(flow, 'key');
  return key === undefined ? undefined : (rt.memory.get(memKey(key)) as Typed | undefined);
}

function forget(rt: Runtime, key: string | undefined): void {
  if (key === undefined) return;
  const typed = rt.memory.get(memKey(key)) as Typed | undefined;
  if (!typed) return;
  clearTimeout(typed.timer);
  typed.emailCode?.(null);
  rt.memory.delete(memKey(key));
}

/** Restarts the countdown after which an abandoned entry is dropped. */
function touch(rt: Runtime, key: string, typed: Typed): void {
  clearTimeout(typed.timer);
  typed.timer = setTimeout(() => forget(rt, key), FORGET_MS);
  typed.timer.unref();
}

/** Which answer to ask for again when the request breaks a rule. */
const STEP_OF_ISSUE: Record<TwoFactorIssue, string> = {
  action: 'current',
  current_empty: 'current',
  next_empty: 'new',
  next_too_long: 'new',
  repeat_differs: 'new',
  same_as_current: 'new',
  hint_too_long: 'hint',
  hint_is_password: 'new',
  email_invalid: 'email',
  remove_extras: 'current',
};

const ACTION_ARG: Record<TwoFactorAction, string> = { set: 's', change: 'c', remove: 'r' };

function actionOf(arg: string | undefined): TwoFactorAction | undefined {
  return TWO_FACTOR_ACTIONS.find((a) => ACTION_ARG[a] === arg || a === arg);
}

function failureText(t: Messages, f: CareFailure | null): string {
  if (!f) return t.failure('unknown', 'UNKNOWN');
  if (f.reason) return t.twofaRefused(f.reason, f.message);
  return t.failure((FAILURE_KINDS as readonly string[]).includes(f.kind) ? (f.kind as FailureKind) : 'unknown', f.code);
}

function outcomeText(t: Messages, r: TwoFactorResult | undefined): string {
  if (r?.ok && r.outcome !== null && r.outcome !== 'email_pending') return t.twofaDone(r.outcome);
  return `❌ ${failureText(t, r?.failure ?? null)}`;
}

/**
 * Sets, changes or removes an account's two-step password from its card, through the service
 * `accounts 2fa` calls. The hint and email are asked first and the passwords last, so a password
 * sits in memory only for the moments between its messages and the call; each message carrying
 * one is deleted as soon as it is read.
 */
export function registerAccountTwoFactor(reg: Registry): void {
  const ports = (turn: Turn): { accounts: AccountsPort; care: AccountCarePort } | undefined => {
    const s = turn.rt.deps.services;
    return s.accounts && s.accountCare ? { accounts: s.accounts, care: s.accountCare } : undefined;
  };

  const pickerView = (turn: Turn, a: AccountSummary, prefix?: string): View => {
    const t = turn.t;
    return {
      text: `${prefix ? `${prefix}\n\n` : ''}${t.twofaTitle(accountName(a))}\n\n${t.twofaChoose}`,
      keyboard: [
        [button(t.btnTwofa('set'), cb('acc.2fs', a.id, ACTION_ARG.set)), button(t.btnTwofa('change'), cb('acc.2fs', a.id, ACTION_ARG.change))],
        [button(t.btnTwofa('remove'), cb('acc.2fs', a.id, ACTION_ARG.remove))],
        navRow(turn, cb('acc.c', a.id)),
      ],
    };
  };

  const withAccount = (turn: Turn, idArg: string | undefined, fn: (a: AccountSummary) => Promise<void>): Promise<void> =>
    withCardAccount(turn, ports(turn), idArg, (_p, a) => fn(a));

  const prompt = (turn: Turn, flow: FlowRecord): View => {
    const t = turn.t;
    const id = num(flow, 'accountId') ?? 0;
    const a = turn.rt.deps.services.accounts?.get(id);
    const name = a ? accountName(a) : iso(`#${id}`);
    const back = navRow(turn, cb('acc.2fa', id));
    const skip = [[button(t.btnSkip, cb('acc.2fk', id))], back];
    switch (flow.step) {
      case 'hint':
        return { text: t.askTwofaHint(name), keyboard: skip };
      case 'email':
        return { text: t.askTwofaEmail, keyboard: skip };
      case 'current':
        return { text: t.askTwofaCurrent(name), keyboard: [back] };
      case 'new':
        return { text: t.askTwofaNew(name), keyboard: [back] };
      case 'repeat':
        return { text: t.askTwofaRepeat, keyboard: [back] };
      case 'emailcode':
        return { text: t.askTwofaEmailCode(iso(str(flow, 'email') ?? ''), num(flow, 'length') ?? 6), keyboard: [back] };
      default:
        return { text: t.twofaWorking(name) };
    }
  };

  /** Starts a change: a fresh memory entry, and the first question. */
  const begin = async (turn: Turn, a: AccountSummary, action: TwoFactorAction): Promise<void> => {
    await turn.leaveFlow();
    const key = randomBytes(9).toString('base64url');
    const typed: Typed = { timer: setTimeout(() => undefined, 0) };
    touch(turn.rt, key, typed);
    turn.rt.memory.set(memKey(key), typed);
    const rec = turn.setFlow('twofa', action === 'remove' ? 'current' : 'hint', { accountId: a.id, action, key });
    await turn.show(prompt(turn, rec));
  };

  /** The step after `step` for this action. */
  const after = (action: TwoFactorAction, step: string): string => {
    const order = action === 'set' ? ['hint', 'email', 'new', 'repeat'] : action === 'change' ? ['hint', 'email', 'current', 'new', 'repeat'] : ['current'];
    const i = order.indexOf(step);
    return i >= 0 && i + 1 < order.length ? order[i + 1]! : 'run';
  };

  const move = async (turn: Turn, flow: FlowRecord, step: string, reason?: string): Promise<void> => {
    const rec = turn.setFlow('twofa', step, flow.data);
    if (reason) return turn.retry(reason);
    await turn.show(prompt(turn, rec));
  };

  /** The memory entry is gone (a restart, or left too long): nothing typed can be used. */
  const lost = async (turn: Turn, flow: FlowRecord): Promise<void> => {
    await turn.leaveFlow();
    const a = turn.rt.deps.services.accounts?.get(num(flow, 'accountId') ?? 0);
    if (!a) return turn.current(turn.t.accountGone, true);
    await turn.show(pickerView(turn, a, `⚠️ ${turn.t.twofaLost}`));
  };

  reg.route('acc.2fa', (turn, [id]) =>
    withAccount(turn, id, async (a) => {
      await turn.leaveFlow();
      await turn.show(pickerView(turn, a));
    }),
  );

  reg.route('acc.2fs', (turn, [id, act]) =>
    withAccount(turn, id, async (a) => {
      const action = actionOf(act);
      if (!action) return turn.show(pickerView(turn, a));
      if (action !== 'remove') return begin(turn, a, action);
      await turn.show({
        text: turn.t.confirmTwofaRemove(accountName(a)),
        keyboard: [[button(turn.t.btnYesTwofaRemove, cb('acc.2fy', a.id)), button(turn.t.btnNo, cb('acc.2fa', a.id))], navRow(turn, cb('acc.2fa', a.id))],
      });
    }),
  );

  reg.route('acc.2fy', (turn, [id]) => withAccount(turn, id, (a) => begin(turn, a, 'remove')));

  // Skip the optional hint or email.
  reg.route('acc.2fk', async (turn, [id]) => {
    const flow = turn.flow();
    if (!flow || flow.flow !== 'twofa' || String(num(flow, 'accountId')) !== id || (flow.step !== 'hint' && flow.step !== 'email')) return turn.current(undefined);
    const action = actionOf(str(flow, 'action'));
    if (!action || !typedOf(turn.rt, flow)) return lost(turn, flow);
    await move(turn, flow, after(action, flow.step));
  });

  /** Hands the typed request to the service in the background (an emailed code may be waited for). */
  const run = async (turn: Turn, flow: FlowRecord, action: TwoFactorAction, typed: Typed): Promise<void> => {
    const p = ports(turn);
    const id = num(flow, 'accountId');
    const a = id === undefined ? undefined : p?.accounts.get(id);
    if (!p || !a) {
      forget(turn.rt, str(flow, 'key'));
      await turn.leaveFlow();
      return turn.current(turn.t.accountGone, true);
    }
    const input: TwoFactorInput = {
      action,
      current: action === 'set' ? null : (typed.current ?? null),
      next: action === 'remove' ? null : (typed.next ?? null),
      ...(typed.hint !== undefined ? { hint: typed.hint } : {}),
      ...(typed.email !== undefined ? { email: typed.email } : {}),
    };
    const issue = twoFactorIssue(input);
    if (issue) return move(turn, flow, STEP_OF_ISSUE[issue.issue], turn.t.twofaIssue(issue.issue));
    // From here the passwords live only in `input`, for the length of the call.
    delete typed.current;
    delete typed.next;
    const key = str(flow, 'key')!;
    const rt = turn.rt;
    const t = turn.t;
    const adminId = turn.adminId;
    const chatId = turn.chatId;
    const working = turn.setFlow('twofa', 'working', flow.data);
    await turn.show(prompt(turn, working));
    const stillOurs = (): boolean => {
      const now = turn.flow();
      return now?.flow === 'twofa' && str(now, 'key') === key;
    };
    rt.jobs.run('two-step password', async (signal) => {
      let result: TwoFactorResult | undefined;
      let error: unknown;
      try {
        [result] = await p.care.twoFactor([a.id], input, async (_accountId, attempt, length) => {
          if (signal.aborted || !stillOurs() || !rt.memory.has(memKey(key))) return null;
          const rec = turn.setFlow('twofa', 'emailcode', { ...flow.data, email: input.email ?? '', length });
          const asked = prompt(turn, rec);
          await show(rt, adminId, chatId, attempt > 1 ? { ...asked, text: `⚠️ ${t.twofaEmailCodeWrong}\n\n${asked.text}` } : asked);
          // Unanswered, the entry is forgotten like any other, which gives up on the code.
          touch(rt, key, typed);
          return new Promise<string | null>((resolve) => {
            const done = (code: string | null): void => {
              signal.removeEventListener('abort', stop);
              typed.emailCode = undefined;
              resolve(code);
            };
            const stop = (): void => done(null);
            signal.addEventListener('abort', stop, { once: true });
            typed.emailCode = done;
          });
        });
      } catch (e) {
        error = e;
      } finally {
        forget(rt, key);
      }
      const text = error === undefined ? outcomeText(t, result) : `⚠️ ${describeError(t, error).text}`;
      // The admin may have moved on to another menu meanwhile: then the outcome comes on its own.
      if (!stillOurs()) {
        await sendView(rt, chatId, { text: `${t.twofaTitle(accountName(a))}\n${text}` });
        return;
      }
      rt.store.clearFlow(adminId);
      await show(rt, adminId, chatId, pickerView(turn, p.accounts.get(a.id) ?? a, text));
    });
  };

  reg.flow({
    name: 'twofa',
    prompt,
    async onText(turn, flow, text) {
      // Whatever this step is, the message may hold a password: out of the chat first.
      await turn.deleteIncoming();
      const action = actionOf(str(flow, 'action'));
      const typed = typedOf(turn.rt, flow);
      if (!action || !typed) return lost(turn, flow);
      const t = turn.t;
      switch (flow.step) {
        case 'hint': {
          const hint = text.trim();
          if (hint.length > HINT_MAX) return turn.retry(t.twofaIssue('hint_too_long'));
          typed.hint = hint;
          break;
        }
        case 'email': {
          const email = text.trim();
          if (!isEmailAddress(email)) return turn.retry(t.twofaIssue('email_invalid'));
          typed.email = email;
          break;
        }
        case 'current':
          typed.current = text;
          break;
        case 'new':
          if (text.length > PASSWORD_MAX) return turn.retry(t.twofaIssue('next_too_long'));
          if (typed.hint !== undefined && typed.hint !== '' && typed.hint === text.trim()) return turn.retry(t.twofaIssue('hint_is_password'));
          if (action === 'change' && text === typed.current) return turn.retry(t.twofaIssue('same_as_current'));
          typed.next = text;
          break;
        case 'repeat':
          if (text !== typed.next) {
            delete typed.next;
            return move(turn, flow, 'new', t.twofaIssue('repeat_differs'));
          }
          break;
        case 'emailcode': {
          const give = typed.emailCode;
          if (!give) return lost(turn, flow);
          const working = turn.setFlow('twofa', 'working', flow.data);
          await turn.show(prompt(turn, working));
          give(text.trim());
          return;
        }
        default:
          return turn.retry(t.twofaWait);
      }
      const key = str(flow, 'key')!;
      touch(turn.rt, key, typed);
      const next = after(action, flow.step);
      if (next === 'run') return run(turn, flow, action, typed);
      await move(turn, flow, next);
    },
    onLeave(turn, flow) {
      forget(turn.rt, str(flow, 'key'));
    },
  });
}

/** Shows a view on the admin's menu message (or a new one that becomes the menu), from background work. */
async function show(rt: Runtime, adminId: number, chatId: number, view: View): Promise<void> {
  const menu = rt.store.menu(adminId);
  if (menu && (await editMessage(rt, menu.chatId, menu.messageId, view))) return;
  const messageId = await sendView(rt, chatId, view);
  await adoptMenu(rt, adminId, { chatId, messageId });
}
