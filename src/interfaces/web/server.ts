import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { App } from '../../app.ts';
import type { WebConfig } from '../../config.ts';
import { PanelError } from '../../core/errors.ts';
import type { Logger } from '../../log.ts';
import { apiRoutes } from './api/index.ts';
import { MAX_BODY_BYTES } from './api/body.ts';
import { apiError, errorResponse } from './api/errors.ts';
import { WebRuns } from './api/runs.ts';
import { authMiddleware, signInRoutes } from './auth.ts';
import type { WebDeps, WebEnv } from './context.ts';
import { metricsRoutes } from './metrics-routes.ts';
import { mountPages } from './pages/index.ts';
import { hostCheck, securityHeaders } from './security.ts';
import { EventHub, type EventHubOptions } from './sse.ts';

export interface WebServer {
  /** Where it listens, e.g. `http://127.0.0.1:8080`. */
  readonly address: string;
  /** The origin sign-in links point at: WEB_ORIGIN, or the bound loopback address. */
  readonly origin: string;
  readonly events: EventHub;
  stop(): Promise<void>;
}

export interface WebServerOptions {
  events?: EventHubOptions;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The Hono app: security headers, host check, sign-in, `/api/v1`, then the pages. */
export function createWebApp(deps: WebDeps, hosts: ReadonlySet<string>, origins: ReadonlySet<string>, runs: WebRuns, closing: AbortSignal): Hono<WebEnv> {
  const web = new Hono<WebEnv>();
  web.use('*', securityHeaders(deps.secureCookies));
  // Before the host check and sign-in: scrapers reach them by any name, and they hold no secret.
  metricsRoutes(web, () => deps.app.metrics());
  web.use('*', hostCheck(hosts));
  web.use(
    '*',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => apiError(c, 413, { error: `the request body is over ${MAX_BODY_BYTES / 1024 / 1024} MB`, code: 'too_large' }) }),
  );
  web.use('*', authMiddleware(deps, origins));
  signInRoutes(web, deps);
  web.route('/api/v1', apiRoutes(deps, runs, closing));
  mountPages(web, deps, runs);
  web.onError((e, c) => errorResponse(c, e, deps.log));
  return web;
}

/**
 * Serves the dashboard until `stop()`. Loopback binds serve `http://<addr>`; any other address
 * needs `config.origin` (checked with the configuration, so `start` refuses before listening).
 */
export async function startWebServer(app: App, config: WebConfig, log: Logger, opts: WebServerOptions = {}): Promise<WebServer> {
  const events = new EventHub(opts.events);
  const runs = new WebRuns();
  const closing = new AbortController();
  let server: ServerType | undefined;
  const bound = await new Promise<AddressInfo>((resolve, reject) => {
    // The app is built once the port is known: the allowed hosts and origins name it.
    let handler: ((req: Request) => Response | Promise<Response>) | undefined;
    const s = serve({ fetch: (req: Request) => (handler ? handler(req) : new Response('starting', { status: 503 })), hostname: config.host, port: config.port }, (info) => {
      const addr = hostPort(config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host, info.port);
      const local = `http://${addr}`;
      const origin = config.origin ?? local;
      const hosts = new Set<string>([addr, `localhost:${info.port}`, `127.0.0.1:${info.port}`, `[::1]:${info.port}`]);
      if (config.origin) hosts.add(new URL(config.origin).host);
      const origins = new Set<string>([...hosts].map((h) => `http://${h}`));
      if (config.origin) origins.add(config.origin);
      const deps: WebDeps = { app, log, origin, secureCookies: config.origin?.startsWith('https://') ?? false, events };
      handler = createWebApp(deps, hosts, origins, runs, closing.signal).fetch;
      resolve(info);
    });
    s.once('error', (e: NodeJS.ErrnoException) =>
      reject(new PanelError(`the dashboard cannot listen on ${hostPort(config.host, config.port)} (${e.code ?? e.message}): set WEB_ADDR to a free address, or start with --no-web`)),
    );
    server = s;
  });
  const address = `http://${hostPort(config.host, bound.port)}`;
  const origin = config.origin ?? `http://${hostPort(config.host, bound.port)}`;
  events.attach(app, log);
  log.info({ address, origin }, `web: the dashboard listens on ${address}${config.origin ? ` (public origin ${config.origin})` : ''}`);
  return {
    address,
    origin,
    events,
    async stop() {
      // Streams end first: an open event stream would keep close() waiting forever.
      closing.abort();
      runs.stopAll();
      events.stop();
      const s = server;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
