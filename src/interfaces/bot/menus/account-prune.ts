import { InputFile } from 'grammy';
import type { AccountStatus } from '../../../core/accounts.ts';
import { InputError } from '../../../core/errors.ts';
import { DEFAULT_PRUNE_STATUSES, parsePruneStatuses, PRUNABLE_STATUSES, pruneAccounts, pruneCandidates, pruneCsv, pruneStamp } from '../../../engine/account-prune.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import { storedReason } from '../errors.ts';
import { nums, str } from '../flows.ts';
import { iso } from '../i18n/bidi.ts';
import type { Registry } from '../runtime.ts';
import type { AccountsPort } from '../services.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type View } from '../ui.ts';
import { accountName, STATUS_ICON, unavailable } from './common.ts';
import { navRow } from './home.ts';

/** Accounts named in the message; the rest are only in the file (a message holds 4096 characters). */
const SHOWN = 25;

/** The statuses a callback argument names (the engine's own parser); the CLI's default when it names none it accepts. */
function statusesOf(arg: string | undefined): AccountStatus[] {
  try {
    return parsePruneStatuses(arg === undefined || arg === '' ? undefined : arg);
  } catch (e) {
    if (e instanceof InputError) return [...DEFAULT_PRUNE_STATUSES];
    throw e;
  }
}

/**
 * `accounts prune` from the Accounts menu: the same statuses and rule pick the accounts, the same
 * CSV records them (sent as a document before anything is removed), and the fleet's one removal
 * path removes them, only after a confirmation button. The ids shown are kept with the flow, so
 * the button removes no account the admin was not shown, and none that came back to life since.
 */
export function registerAccountPrune(reg: Registry): void {
  const view = (turn: Turn, svc: AccountsPort, statuses: AccountStatus[], prefix?: string): View => {
    const t = turn.t;
    const doomed = pruneCandidates(svc.list(), statuses);
    const arg = statuses.join(',');
    turn.setFlow('prune', 'confirm', { statuses: arg, ids: doomed.map((a) => a.id) });
    const toggles = PRUNABLE_STATUSES.map((s) => {
      const on = statuses.includes(s);
      const next = on ? statuses.filter((x) => x !== s) : PRUNABLE_STATUSES.filter((x) => x === s || statuses.includes(x));
      return button(t.btnPruneStatus(s, on), cb('acc.pr', next.length > 0 ? next.join(',') : '-'));
    });
    const names = statuses.map((s) => t.status(s)).join(', ');
    const lines = doomed.slice(0, SHOWN).map((a) => t.pruneLine(`${STATUS_ICON[a.status]} ${accountName(a)}`, t.status(a.status), iso(storedReason(t, a.statusReasonCode ?? null, a.statusReason) ?? '')));
    if (doomed.length > SHOWN) lines.push(t.pruneMore(doomed.length - SHOWN));
    const head = doomed.length === 0 ? t.pruneNone(names) : `${t.pruneTitle(doomed.length)}\n\n${lines.join('\n')}\n\n${t.pruneNote}`;
    return {
      text: `${prefix ? `${prefix}\n\n` : ''}${head}\n\n${t.pruneStatuses(names)}`,
      keyboard: [
        toggles.slice(0, 3),
        toggles.slice(3),
        ...(doomed.length > 0 ? [[button(t.btnYesPrune(doomed.length), cb('acc.pry', arg))]] : []),
        [button(t.btnCheckAll, cb('acc.chkall'))],
        navRow(turn, cb('acc')),
      ],
    };
  };

  reg.route('acc.pr', async (turn, [arg]) => {
    const svc = turn.rt.deps.services.accounts;
    if (!svc) return unavailable(turn, cb('acc'));
    await turn.leaveFlow();
    if (arg === '-') {
      await turn.answer(turn.t.pruneOneStatus, true);
      return turn.show(view(turn, svc, [...DEFAULT_PRUNE_STATUSES]));
    }
    await turn.show(view(turn, svc, statusesOf(arg)));
  });

  reg.route('acc.pry', async (turn, [arg]) => {
    const svc = turn.rt.deps.services.accounts;
    if (!svc) return unavailable(turn, cb('acc'));
    const flow = turn.flow();
    const statuses = statusesOf(arg);
    const shown = flow?.flow === 'prune' && str(flow, 'statuses') === statuses.join(',') ? nums(flow, 'ids') : undefined;
    const doomed = pruneCandidates(svc.list(), statuses);
    // Anything other than exactly the accounts shown (one recovered, one newly dead) is shown again.
    if (!shown || shown.length !== doomed.length || doomed.some((a) => !shown.includes(a.id))) {
      return turn.show(view(turn, svc, statuses, `⚠️ ${turn.t.pruneChanged}`));
    }
    await turn.leaveFlow();
    await turn.answer();
    // The record goes out first: if it cannot be sent, nothing is removed (as the CLI's file).
    await turn.rt.api.sendDocument(turn.chatId, new InputFile(Buffer.from(pruneCsv(doomed), 'utf8'), `pruned-accounts-${pruneStamp(turn.now)}.csv`), {
      caption: turn.t.pruneCaption(doomed.length),
    });
    const removed = await pruneAccounts({ remove: (id) => svc.remove(id) }, doomed.map((a) => a.id));
    // The document pushed the menu up: show it again below.
    await turn.send(view(turn, svc, statuses, turn.t.pruned(removed.length)));
  });

  reg.flow({
    name: 'prune',
    prompt: (turn: Turn, flow: FlowRecord) => {
      const svc = turn.rt.deps.services.accounts;
      return svc ? view(turn, svc, statusesOf(str(flow, 'statuses'))) : { text: turn.t.notAvailable, keyboard: [navRow(turn, cb('acc'))] };
    },
  });
}
