import type { Env, Hono } from 'hono';
import type { MetricsService } from '../../engine/metrics.ts';

/**
 * `GET /healthz` and `GET /metrics`, for the dashboard and for the METRICS_ADDR listener alike.
 * Scrapers and load balancers call them without a session, so they answer only what the metrics
 * service shows (counts, account ids, the worker's name), never anything a session would guard.
 */
export function metricsRoutes<E extends Env>(web: Hono<E>, metrics: () => Promise<MetricsService>): void {
  web.get('/healthz', async (c) => {
    c.header('Cache-Control', 'no-store');
    const h = await (await metrics()).health();
    if (h.ok) return c.json({ status: 'ok', worker: h.worker, connected: h.connected }, 200);
    return c.json({ status: 'unavailable', reason: h.problem }, 503);
  });
  web.get('/metrics', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      const m = await (await metrics()).metrics();
      return c.body(m.body, 200, { 'Content-Type': m.contentType });
    } catch {
      // A store closed under a scrape (shutdown): the scraper records a failed scrape, nothing more.
      return c.text('metrics unavailable', 503);
    }
  });
}
