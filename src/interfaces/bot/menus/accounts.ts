import { accountLabel, PROBLEM_STATUSES, type AccountStatus, type AccountSummary } from '../../../core/accounts.ts';
import { InputError } from '../../../core/errors.ts';
import type { CheckResult } from '../../../engine/health.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import { storedReason } from '../errors.ts';
import { num } from '../flows.ts';
import { iso } from '../i18n/bidi.ts';
import { ProgressReporter } from '../progress.ts';
import type { Registry } from '../runtime.ts';
import type { AccountsPort } from '../services.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type View } from '../ui.ts';
import { tagList } from './account-tags.ts';
import { accountName, intArg, page, paged, pageNav, STATUS_ICON, unavailable, when } from './common.ts';
import { navRow } from './home.ts';

const PER_PAGE = 8;

/** Statuses listed under "problem accounts": the operator has something to do or wait for. */
const ATTENTION: readonly AccountStatus[] = [...PROBLEM_STATUSES, 'peer_flood', 'flood_wait', 'error'];

function menuView(turn: Turn, svc: AccountsPort): View {
  const t = turn.t;
  const all = svc.list();
  const by = new Map<AccountStatus, number>();
  for (const a of all) by.set(a.status, (by.get(a.status) ?? 0) + 1);
  const lines = [...by.entries()].map(([s, n]) => `${STATUS_ICON[s]} ${t.status(s)}: ${t.n(n)}`);
  const problems = all.filter((a) => ATTENTION.includes(a.status)).length;
  return {
    text: `${t.accountsTitle(all.length)}${lines.length ? `\n\n${lines.join('\n')}` : ''}`,
    keyboard: [
      [button(t.btnAddAccount, cb('acc.add')), button(t.btnImport, cb('acc.imp'))],
      [button(t.btnList, cb('acc.l', 0)), button(t.btnProblems(problems), cb('acc.p'))],
      [button(t.btnCheckAll, cb('acc.chkall')), button(t.btnPrune, cb('acc.pr'))],
      navRow(turn, cb('home')),
    ],
  };
}

function listLabel(turn: Turn, a: AccountSummary): string {
  const tags = a.tags ?? [];
  return `${STATUS_ICON[a.status]} ${accountLabel({ id: a.id, phone: a.phone, username: a.username })}${tags.length > 0 ? ` 🏷 ${tagList(tags)}` : ''}`;
}

export function cardView(turn: Turn, a: AccountSummary, prefix?: string): View {
  const t = turn.t;
  const lines = [
    t.cardTitle(accountName(a)),
    t.cardName(iso(a.firstName || '-'), a.username ? iso(`@${a.username}`) : '-'),
    t.cardStatus(`${STATUS_ICON[a.status]} ${t.status(a.status)}`, when(a.statusSince)),
  ];
  const reason = storedReason(t, a.statusReasonCode ?? null, a.statusReason);
  if (reason) lines.push(t.cardReason(iso(reason)));
  if (a.statusUntil !== null) lines.push(t.cardUntil(when(a.statusUntil)));
  lines.push(t.cardProxy(a.proxyUrl ? iso(a.proxyUrl) : t.proxyDefault));
  lines.push(t.cardGroups(a.groupsCount));
  if (a.tags && a.tags.length > 0) lines.push(t.cardTags(tagList(a.tags)));
  if (a.otherSessions !== undefined && a.otherSessions !== null) lines.push(t.cardOtherSessions(a.otherSessions));
  lines.push(t.cardLastUsed(a.lastUsedAt === null ? t.never : when(a.lastUsedAt)));
  if (ATTENTION.includes(a.status)) lines.push('', `💡 ${t.advice(a.status)}`);
  return {
    text: `${prefix ? `${prefix}\n\n` : ''}${lines.join('\n')}`,
    keyboard: [
      [a.enabled ? button(t.btnDisable, cb('acc.dis', a.id)) : button(t.btnEnable, cb('acc.en', a.id)), button(t.btnCheck, cb('acc.chk', a.id))],
      [button(t.btnSpamCheck, cb('acc.spam', a.id)), button(t.btnSetProxy, cb('acc.px', a.id))],
      [button(t.btnGroups, cb('acc.g', a.id, 0)), button(t.btnRemove, cb('acc.rm', a.id))],
      [button(t.btnSessions, cb('acc.ses', a.id)), button(t.btnCodes, cb('acc.codes', a.id)), button(t.btnTwoFa, cb('acc.2fa', a.id))],
      [button(t.btnTags, cb('acc.tg', a.id)), button(t.btnProfile, cb('acc.pf', a.id))],
      navRow(turn, cb('acc.l', 0)),
    ],
  };
}

function checkLine(turn: Turn, r: CheckResult, a: AccountSummary | undefined): string {
  const name = a ? accountName(a) : iso(`#${r.accountId}`);
  const spam = r.spam ? ` · ${turn.t.spamState(r.spam.state, r.spam.state === 'limited' && r.spam.until !== null ? when(r.spam.until) : null)}` : '';
  return `${STATUS_ICON[r.status]} ${name}: ${r.ok ? turn.t.checkOk : turn.t.failure(r.failure?.kind ?? 'unknown', r.failure?.code ?? 'UNKNOWN', r.failure?.seconds)}${spam}`;
}

export function registerAccounts(reg: Registry): void {
  const svcOf = (turn: Turn): AccountsPort | undefined => turn.rt.deps.services.accounts;

  /** Runs `fn` with the account, or says it is gone and shows the list. */
  const withAccount = async (turn: Turn, idArg: string | undefined, fn: (svc: AccountsPort, a: AccountSummary) => Promise<void>): Promise<void> => {
    const svc = svcOf(turn);
    if (!svc) return unavailable(turn);
    const id = intArg(idArg);
    const a = id === undefined ? undefined : svc.get(id);
    if (!a) {
      await turn.answer(turn.t.accountGone);
      return showList(turn, svc, 0);
    }
    await fn(svc, a);
  };

  const showList = async (turn: Turn, svc: AccountsPort, page: number): Promise<void> => {
    const t = turn.t;
    const all = svc.list();
    const p = paged(turn, all, page, PER_PAGE, (a) => button(listLabel(turn, a), cb('acc.c', a.id)), (n) => cb('acc.l', n));
    await turn.show({
      text: all.length === 0 ? t.noAccounts : t.listTitle(all.length),
      keyboard: [...p.rows, ...(all.length === 0 ? [[button(t.btnAddAccount, cb('acc.add'))]] : []), navRow(turn, cb('acc'))],
    });
  };

  reg.route('acc', async (turn) => {
    await turn.leaveFlow();
    const svc = svcOf(turn);
    if (!svc) return unavailable(turn);
    await turn.show(menuView(turn, svc));
  });

  reg.route('acc.l', async (turn, [page]) => {
    await turn.leaveFlow();
    const svc = svcOf(turn);
    if (!svc) return unavailable(turn);
    await showList(turn, svc, intArg(page) ?? 0);
  });

  reg.route('acc.c', (turn, [id]) =>
    withAccount(turn, id, async (_svc, a) => {
      await turn.leaveFlow();
      await turn.show(cardView(turn, a));
    }),
  );

  for (const [route, enabled] of [
    ['acc.en', true],
    ['acc.dis', false],
  ] as const) {
    reg.route(route, (turn, [id]) =>
      withAccount(turn, id, async (svc, a) => {
        await svc.setEnabled(a.id, enabled);
        await turn.show(cardView(turn, svc.get(a.id) ?? a, enabled ? turn.t.enabledNow : turn.t.disabledNow));
      }),
    );
  }

  for (const [route, spam] of [
    ['acc.chk', false],
    ['acc.spam', true],
  ] as const) {
    reg.route(route, (turn, [id]) =>
      withAccount(turn, id, async (svc, a) => {
        await turn.answer(turn.t.checking);
        const [r] = await svc.check([a.id], spam);
        const after = svc.get(a.id) ?? a;
        await turn.show(cardView(turn, after, r ? checkLine(turn, r, after) : undefined));
      }),
    );
  }

  const proxyPrompt = (turn: Turn, flow: FlowRecord): View => {
    const id = num(flow, 'accountId');
    const a = id === undefined ? undefined : svcOf(turn)?.get(id);
    return {
      text: turn.t.askProxy(a ? accountName(a) : iso(`#${id ?? '?'}`), a?.proxyUrl ? iso(a.proxyUrl) : turn.t.proxyDefault),
      keyboard: [navRow(turn, cb('acc.c', id ?? 0))],
    };
  };

  reg.route('acc.px', (turn, [id]) =>
    withAccount(turn, id, async (_svc, a) => {
      const rec = turn.setFlow('proxy', 'url', { accountId: a.id });
      await turn.show(proxyPrompt(turn, rec));
    }),
  );

  reg.flow({
    name: 'proxy',
    prompt: proxyPrompt,
    async onText(turn, flow, text) {
      const svc = svcOf(turn);
      const id = num(flow, 'accountId');
      if (!svc || id === undefined || !svc.get(id)) {
        await turn.leaveFlow();
        return turn.current(turn.t.accountGone, true);
      }
      const value = text.trim();
      const none = /^(none|off|-|هیچ|بدون)$/i.test(value);
      // A proxy URL may carry a password: it leaves the chat once read.
      if (!none) await turn.deleteIncoming();
      try {
        await svc.setProxy(id, none ? null : value);
      } catch (e) {
        // The engine's reason words the problem in the admin's language; English keeps the parser's sentence.
        if (e instanceof InputError) return turn.retry(e.reason ? turn.t.reason(e.reason, turn.t.badProxy(e.message)) : turn.t.badProxy(e.message));
        throw e;
      }
      await turn.leaveFlow();
      await turn.send(cardView(turn, svc.get(id)!, turn.t.saved));
    },
  });

  reg.route('acc.rm', (turn, [id]) =>
    withAccount(turn, id, async (_svc, a) => {
      await turn.show({
        text: turn.t.confirmRemove(accountName(a)),
        keyboard: [[button(turn.t.btnYesRemove, cb('acc.rmy', a.id)), button(turn.t.btnNo, cb('acc.c', a.id))], navRow(turn, cb('acc.c', a.id))],
      });
    }),
  );

  reg.route('acc.rmy', (turn, [id]) =>
    withAccount(turn, id, async (svc, a) => {
      await svc.remove(a.id);
      await turn.answer(turn.t.removed);
      const view = menuView(turn, svc);
      await turn.show({ ...view, text: `${turn.t.removedAccount(accountName(a))}\n\n${view.text}` });
    }),
  );

  reg.route('acc.g', (turn, [id, pageArg]) =>
    withAccount(turn, id, async (svc, a) => {
      const t = turn.t;
      const { chats, refreshedAt } = svc.groups(a.id);
      const p = page(chats, intArg(pageArg) ?? 0, 15);
      const shown = p.items.map((c) => `• ${iso(c.title)}${c.username ? ` ${iso(`@${c.username}`)}` : ''} (${t.chatKind(c.kind)})`);
      await turn.show({
        text: `${t.groupsTitle(accountName(a), chats.length, refreshedAt === null ? t.never : when(refreshedAt))}${shown.length ? `\n\n${shown.join('\n')}` : ''}`,
        keyboard: [...pageNav(turn, p.page, p.pages, (n) => cb('acc.g', a.id, n)), [button(t.btnRefresh, cb('acc.gr', a.id))], navRow(turn, cb('acc.c', a.id))],
      });
    }),
  );

  reg.route('acc.gr', (turn, [id]) =>
    withAccount(turn, id, async (svc, a) => {
      await turn.answer(turn.t.refreshing);
      await svc.refreshGroups(a.id);
      const route = turn.rt.registry.routes.get('acc.g')!;
      await route(turn, [String(a.id), '0']);
    }),
  );

  reg.route('acc.p', async (turn) => {
    const svc = svcOf(turn);
    if (!svc) return unavailable(turn);
    const t = turn.t;
    const problems = svc.list().filter((a) => ATTENTION.includes(a.status));
    const lines = problems.slice(0, 30).map((a) => `${STATUS_ICON[a.status]} ${accountName(a)}: ${t.status(a.status)}${a.statusUntil ? ` (${t.untilShort(when(a.statusUntil))})` : ''}\n   💡 ${t.advice(a.status)}`);
    await turn.show({
      text: problems.length === 0 ? t.noProblems : `${t.problemsTitle(problems.length)}\n\n${lines.join('\n')}`,
      keyboard: [...problems.slice(0, 30).map((a) => [button(listLabel(turn, a), cb('acc.c', a.id))]), navRow(turn, cb('acc'))],
    });
  });

  reg.route('acc.chkall', async (turn) => {
    const svc = svcOf(turn);
    if (!svc) return unavailable(turn);
    const targets = svc.list().filter((a) => a.enabled);
    const t = turn.t;
    if (targets.length === 0) return turn.show({ text: t.noAccounts, keyboard: [navRow(turn, cb('acc'))] });
    await turn.answer(t.checking);
    const lang = turn.t;
    const chatId = turn.chatId;
    const rt = turn.rt;
    const over = turn.releaseMenu();
    rt.jobs.run('check accounts', async (signal) => {
      const reporter = new ProgressReporter(rt, chatId, (s) => ({ text: lang.progress(lang.checkTitle, s) }), { signal });
      await reporter.begin({ done: 0, total: targets.length, ok: 0, failed: 0 }, over);
      const results: CheckResult[] = [];
      for (let i = 0; i < targets.length && !signal.aborted; i += 8) {
        const batch = targets.slice(i, i + 8);
        results.push(...(await svc.check(batch.map((a) => a.id), false)));
        const ok = results.filter((r) => r.ok).length;
        reporter.update({ done: results.length, total: targets.length, ok, failed: results.length - ok, current: accountName(batch.at(-1)!) });
      }
      const ok = results.filter((r) => r.ok).length;
      const byId = new Map(svc.list().map((a) => [a.id, a]));
      await reporter.finish({
        summary: lang.checkSummary(ok, results.length - ok),
        details: results.map((r) => checkLine(turn, r, byId.get(r.accountId))),
        fileName: 'accounts-check.txt',
        detailsInFile: lang.detailsInFile,
        keyboard: [[button(lang.btnBack, cb('acc')), button(lang.btnHome, cb('home'))]],
        menuOf: turn.adminId,
      });
    });
  });
}
