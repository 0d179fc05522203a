import { ACCOUNT_STATUSES } from '../../../core/accounts.ts';
import { iso } from '../i18n/bidi.ts';
import type { Registry } from '../runtime.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type View } from '../ui.ts';
import { accountName, STATUS_ICON, when } from './common.ts';
import { navRow } from './home.ts';
import { currentPacing } from './settings.ts';

/** Every figure a service in this process can give; a missing service leaves its lines out. */
function statusView(turn: Turn): View {
  const t = turn.t;
  const s = turn.rt.deps.services;
  const lines: string[] = [t.statusTitle, ''];
  const accounts = s.accounts?.list();
  if (accounts) {
    const counts = ACCOUNT_STATUSES.map((st) => [st, accounts.filter((a) => a.status === st).length] as const).filter(([, n]) => n > 0);
    lines.push(t.statusFleet(accounts.length), ...counts.map(([st, n]) => `  ${STATUS_ICON[st]} ${t.status(st)}: ${t.n(n)}`));
    if (s.usage) {
      const cap = currentPacing(turn).campaignDailyCap;
      const usable = accounts.filter((a) => a.enabled);
      const used = usable.map((a) => ({ a, n: s.usage!.usedToday(a.id) })).filter((x) => x.n > 0);
      const total = used.reduce((x, y) => x + y.n, 0);
      lines.push('', t.statusUsage(total, cap * usable.length, cap));
      for (const u of used.sort((x, y) => y.n - x.n).slice(0, 5)) lines.push(`  ${accountName(u.a)}: ${t.n(u.n)}/${t.n(cap)}${u.n >= cap ? ' ⛔' : ''}`);
    }
  }
  const running: string[] = [];
  if (s.operations && s.operations.running > 0) running.push(t.statusOpsRunning(s.operations.running));
  const campaigns = s.campaigns?.list().filter((c) => c.state === 'running') ?? [];
  for (const c of campaigns) running.push(t.statusCampaignRunning(iso(c.name), c.total - c.counts.pending - c.counts.claimed, c.total));
  lines.push('', running.length ? `${t.statusRunning}\n${running.map((r) => `  ${r}`).join('\n')}` : t.statusNothingRunning);
  const recent = s.usage?.recentOperations(3) ?? [];
  if (recent.length > 0) {
    lines.push('', t.statusRecentOps);
    for (const o of recent) lines.push(`  ${t.statusOpLine(o.id, t.kindName(o.kind), o.status, o.summary.done + o.summary.already + o.summary.requested, o.summary.failed, when(o.startedAt))}`);
  }
  if (s.monitor) {
    const m = s.monitor.status();
    lines.push('', t.statusMonitor(m.keywords, m.outbox.pending, m.outbox.lastHit ? when(m.outbox.lastHit.at) : t.never));
  }
  return { text: lines.join('\n'), keyboard: [[button(t.btnRefresh, cb('st'))], navRow(turn, cb('home'))] };
}

export function registerStatus(reg: Registry): void {
  reg.route('st', async (turn) => {
    await turn.leaveFlow();
    await turn.show(statusView(turn));
  });
}
