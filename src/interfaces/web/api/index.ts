import { Hono } from 'hono';
import type { WebDeps, WebEnv } from '../context.ts';
import { streamEvents } from '../sse.ts';
import { accountRoutes } from './accounts.ts';
import { campaignRoutes } from './campaigns.ts';
import { apiError, errorResponse } from './errors.ts';
import { monitorRoutes } from './monitor.ts';
import { operationRoutes } from './operations.ts';
import type { WebRuns } from './runs.ts';
import { statusRoutes } from './status.ts';

/**
 * `/api/v1`: the services the CLI calls, as JSON. Reached only signed in (cookie and CSRF token)
 * or with an API token; errors carry the CLI's reason codes.
 */
export function apiRoutes(deps: WebDeps, runs: WebRuns, closing: AbortSignal): Hono<WebEnv> {
  const api = new Hono<WebEnv>();
  statusRoutes(api, deps);
  accountRoutes(api, deps);
  operationRoutes(api, deps, runs);
  campaignRoutes(api, deps, runs);
  monitorRoutes(api, deps);
  api.get('/events', (c) => streamEvents(c, deps.events, closing));
  // Last, so only what no route above answered: a mounted app's notFound is not consulted.
  api.all('*', (c) => apiError(c, 404, { error: `no API route ${c.req.method} ${c.req.path}`, code: 'not_found' }));
  api.onError((e, c) => errorResponse(c, e, deps.log));
  return api;
}
