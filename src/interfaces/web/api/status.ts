import type { Hono } from 'hono';
import type { WebDeps, WebEnv } from '../context.ts';

/** The overview in figures: accounts by status, what runs, the monitor's queue. */
export function statusRoutes(api: Hono<WebEnv>, deps: WebDeps): void {
  const { app } = deps;
  api.get('/status', (c) => {
    const accounts = app.accounts.list(app.clock.now());
    const byStatus: Record<string, number> = {};
    for (const a of accounts) {
      const s = a.enabled ? a.status : 'disabled';
      byStatus[s] = (byStatus[s] ?? 0) + 1;
    }
    const campaigns = app.campaigns.list();
    const monitor = app.monitorService.status();
    return c.json({
      accounts: { total: accounts.length, live: app.fleet.liveIds().length, byStatus },
      operations: { running: app.operationStore.list({ limit: 50 }).filter((o) => o.status === 'running').map((o) => ({ id: o.id, kind: o.kind, planned: o.planned, summary: o.summary })) },
      campaigns: {
        total: campaigns.length,
        running: campaigns.filter((x) => x.state === 'running').map((x) => ({ name: x.name, counts: x.counts, total: x.total })),
        uncertain: campaigns.reduce((n, x) => n + (x.counts.uncertain ?? 0), 0),
      },
      monitor: { keywords: monitor.keywords, outbox: monitor.outbox, accounts: monitor.accounts.length },
    });
  });
}
