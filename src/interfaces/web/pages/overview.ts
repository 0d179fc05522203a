import { ACCOUNT_STATUSES, PROBLEM_STATUSES, accountLabel, type AccountStatus } from '../../../core/accounts.ts';
import type { WebDeps } from '../context.ts';
import { bdi, h, type Html } from './html.ts';
import { layout, type PageCtx } from './layout.ts';
import type { LiveRuns } from './live-runs.ts';
import { progressBlock } from './operations.ts';

/** Accounts by status as bars: a `<meter>` per status, so no inline style is needed under the CSP. */
function fleetChart(p: PageCtx, counts: Map<AccountStatus, number>, total: number): Html {
  const { t } = p;
  if (total === 0) return h`<p class="empty">${t.noAccounts}</p>`;
  const rows = ACCOUNT_STATUSES.filter((s) => (counts.get(s) ?? 0) > 0).map((s) => {
    const n = counts.get(s) ?? 0;
    return h`<li class="bar status-${s}"><a href="/accounts?status=${s}"><span class="bar-label">${t.status(s)}</span><meter min="0" max="${total}" value="${n}">${n}</meter><span class="bar-value">${t.n(n)}</span></a></li>`;
  });
  return h`<p class="figure">${t.fleetTotal(total)}</p><ul class="bars">${rows}</ul>`;
}

export function overviewPage(p: PageCtx, deps: WebDeps, live: LiveRuns): Html {
  const { t } = p;
  const app = deps.app;
  const now = app.clock.now();
  const accounts = app.accounts.list(now);
  const counts = new Map<AccountStatus, number>();
  for (const a of accounts) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);

  const cap = app.pacing.current().campaignDailyCap;
  const enabled = accounts.filter((a) => a.enabled);
  const used = enabled.reduce((sum, a) => sum + app.campaigns.usedToday(a.id), 0);
  const capacity = cap * enabled.length;

  const campaigns = app.campaigns.list();
  const runningCampaigns = campaigns.filter((c) => c.state === 'running');
  const runningOps = live.list().filter((r) => r.finished === null);
  const running = [
    ...runningOps.map((r) => h`<li><a href="/operations/${r.operationId}">${t.operationTitle(r.operationId)}</a> · ${t.kindName(r.kind)}${progressBlock(p, r)}</li>`),
    ...runningCampaigns.map((c) => {
      const settled = c.total - c.counts.pending - c.counts.claimed;
      return h`<li><a href="/campaigns/${encodeURIComponent(c.name)}">${t.campaignTitle(c.name)}</a><progress max="${c.total}" value="${settled}"></progress> <span>${t.progressOf(settled, c.total)}</span></li>`;
    }),
  ];

  const monitor = app.monitorService.status();
  const live_ = monitor.accounts.filter((a) => a.state === 'live').length;
  const hits = app.monitorService.outbox(5);

  const problems: Html[] = [
    ...accounts.filter((a) => PROBLEM_STATUSES.includes(a.status)).map((a) => h`<li><a href="/accounts/${a.id}">${t.problemAccount(accountLabel(a), t.status(a.status))}</a></li>`),
    ...campaigns.filter((c) => c.counts.uncertain > 0).map((c) => h`<li><a href="/campaigns/${encodeURIComponent(c.name)}">${t.problemUncertain(c.name, c.counts.uncertain)}</a></li>`),
    ...(monitor.outbox.held > 0 ? [h`<li><a href="/monitor">${t.problemHeld(monitor.outbox.held)}</a></li>`] : []),
  ];

  const recent = app.operationStore.list({ limit: 5 });

  const body = h`<div class="grid">
<section class="card" aria-labelledby="fleet-h"><h2 id="fleet-h">${t.fleetTitle}</h2>${fleetChart(p, counts, accounts.length)}</section>
<section class="card" aria-labelledby="usage-h"><h2 id="usage-h">${t.usageTitle}</h2><meter class="wide" min="0" max="${Math.max(1, capacity)}" value="${used}" high="${Math.ceil(capacity * 0.9)}"></meter><p>${t.usageLine(used, capacity, cap)}</p></section>
<section class="card" aria-labelledby="running-h"><h2 id="running-h">${t.runningTitle}</h2>${running.length ? h`<ul class="plain">${running}</ul>` : h`<p class="empty">${t.nothingRunning}</p>`}</section>
<section class="card" aria-labelledby="problems-h"><h2 id="problems-h">${t.problemsTitle}</h2>${problems.length ? h`<ul class="plain problems">${problems}</ul>` : h`<p class="empty">${t.noProblems}</p>`}</section>
<section class="card" aria-labelledby="monitor-h"><h2 id="monitor-h">${t.monitorTitle}</h2><p>${t.monitorLine(monitor.keywords, monitor.outbox.pending, monitor.outbox.held)}</p><p>${t.monitorAccounts(live_, monitor.accounts.length)}</p>
<h3>${t.lastHits}</h3>${hits.length ? h`<ul class="plain">${hits.map((o) => h`<li>${t.time(o.createdAt)} · ${bdi(o.chatTitle)} · ${o.keywords.join(', ')}</li>`)}</ul>` : h`<p class="empty">${t.noHits}</p>`}</section>
<section class="card" aria-labelledby="ops-h"><h2 id="ops-h">${t.recentOps}</h2>${recent.length ? h`<ul class="plain">${recent.map((o) => h`<li><a href="/operations/${o.id}">${t.operationTitle(o.id)}</a> · ${t.kindName(o.kind)} · ${t.opStatus(o.status)} · ${t.time(o.startedAt)}</li>`)}</ul>` : h`<p class="empty">${t.noOperations}</p>`}</section>
</div>`;
  return layout(p, 'overview', t.overviewTitle, body);
}
