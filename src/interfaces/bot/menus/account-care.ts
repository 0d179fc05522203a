import type { AccountSummary } from '../../../core/accounts.ts';
import { FAILURE_KINDS, type FailureKind } from '../../../core/failures.ts';
import { iso } from '../i18n/bidi.ts';
import type { Registry } from '../runtime.ts';
import type { AccountCarePort, AccountsPort } from '../services.ts';
import type { Turn } from '../turn.ts';
import { button, cb } from '../ui.ts';
import { accountName, intArg, unavailable, when } from './common.ts';
import { navRow } from './home.ts';

/**
 * An account's devices (with ending the others, after a confirmation) and its login codes; the
 * two-step password has its own module (account-twofa.ts).
 */
export function registerAccountCare(reg: Registry): void {
  const ports = (turn: Turn): { accounts: AccountsPort; care: AccountCarePort } | undefined => {
    const s = turn.rt.deps.services;
    return s.accounts && s.accountCare ? { accounts: s.accounts, care: s.accountCare } : undefined;
  };

  const withAccount = async (turn: Turn, idArg: string | undefined, fn: (care: AccountCarePort, a: AccountSummary) => Promise<void>): Promise<void> => {
    const p = ports(turn);
    if (!p) return unavailable(turn);
    const id = intArg(idArg);
    const a = id === undefined ? undefined : p.accounts.get(id);
    if (!a) return turn.answer(turn.t.accountGone);
    await fn(p.care, a);
  };

  const showSessions = async (turn: Turn, care: AccountCarePort, a: AccountSummary, prefix?: string): Promise<void> => {
    const t = turn.t;
    const report = await care.sessions(a.id);
    const lines = report.sessions.map((s) =>
      t.sessionLine(
        s.current ? t.sessionThisPanel : iso(s.device),
        iso(`${s.app} ${s.appVersion}`.trim()),
        iso([s.ip, s.country].filter((x) => x !== '').join(', ')),
        s.current ? t.sessionNow : when(s.activeAt),
      ),
    );
    await turn.show({
      text: `${prefix ? `${prefix}\n\n` : ''}${t.sessionsTitle(accountName(a), report.others)}\n\n${lines.join('\n')}`,
      keyboard: [...(report.others > 0 ? [[button(t.btnEndOthers, cb('acc.sesx', a.id))]] : []), [button(t.btnRefresh, cb('acc.ses', a.id))], navRow(turn, cb('acc.c', a.id))],
    });
  };

  reg.route('acc.ses', (turn, [id]) =>
    withAccount(turn, id, async (care, a) => {
      await turn.answer(turn.t.checking);
      await showSessions(turn, care, a);
    }),
  );

  reg.route('acc.sesx', (turn, [id]) =>
    withAccount(turn, id, async (care, a) => {
      const { others } = await care.sessions(a.id);
      await turn.show({
        text: turn.t.confirmEndOthers(others, accountName(a)),
        keyboard: [[button(turn.t.btnYesEnd, cb('acc.sesy', a.id)), button(turn.t.btnNo, cb('acc.ses', a.id))], navRow(turn, cb('acc.ses', a.id))],
      });
    }),
  );

  reg.route('acc.sesy', (turn, [id]) =>
    withAccount(turn, id, async (care, a) => {
      const t = turn.t;
      const [r] = await care.endOthers([a.id]);
      const prefix = r?.ok
        ? t.endedSessions(r.ended)
        : r?.failure?.reason
          ? t.reason(r.failure.reason, r.failure.message)
          : t.failure(r?.failure?.kind === undefined || !isFailureKind(r.failure.kind) ? 'unknown' : r.failure.kind, r?.failure?.code ?? 'UNKNOWN');
      await showSessions(turn, care, a, prefix);
    }),
  );

  reg.route('acc.codes', (turn, [id]) =>
    withAccount(turn, id, async (care, a) => {
      const t = turn.t;
      const report = await care.codes(a.id);
      // Shown in the menu message only, never logged or kept; spaced out because Telegram may
      // cancel a login code that is posted whole in a chat.
      const lines = report.codes.map((c) => t.codeLine(iso(c.code.split('').join(' ')), when(c.date)));
      await turn.show({
        text: `${t.codesTitle(accountName(a))}\n\n${lines.length > 0 ? lines.join('\n') : t.codesNone}`,
        keyboard: [[button(t.btnRefresh, cb('acc.codes', a.id))], navRow(turn, cb('acc.c', a.id))],
      });
    }),
  );
}

function isFailureKind(kind: string): kind is FailureKind {
  return (FAILURE_KINDS as readonly string[]).includes(kind);
}
