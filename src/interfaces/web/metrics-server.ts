import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { PanelError } from '../../core/errors.ts';
import type { MetricsService } from '../../engine/metrics.ts';
import type { Logger } from '../../log.ts';
import { metricsRoutes } from './metrics-routes.ts';

export interface MetricsServer {
  /** Where it listens, e.g. `http://127.0.0.1:9464`. */
  readonly address: string;
  stop(): Promise<void>;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * `/healthz` and `/metrics` alone at METRICS_ADDR, for `start --no-web`. No host check and no
 * sign-in: nothing here is secret, and scrapers name the address however they reach it.
 */
export async function startMetricsServer(metrics: MetricsService, addr: { host: string; port: number }, log: Logger): Promise<MetricsServer> {
  const web = new Hono();
  metricsRoutes(web, () => Promise.resolve(metrics));
  let server: ServerType | undefined;
  const bound = await new Promise<AddressInfo>((resolve, reject) => {
    const s = serve({ fetch: web.fetch, hostname: addr.host, port: addr.port }, resolve);
    s.once('error', (e: NodeJS.ErrnoException) =>
      reject(new PanelError(`/healthz and /metrics cannot listen on ${hostPort(addr.host, addr.port)} (${e.code ?? e.message}): set METRICS_ADDR to a free address`)),
    );
    server = s;
  });
  const address = `http://${hostPort(addr.host, bound.port)}`;
  log.info({ address }, `metrics: /healthz and /metrics listen on ${address}`);
  return {
    address,
    async stop() {
      const s = server;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        // Scrapers keep connections alive; close() alone would wait for them.
        (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
