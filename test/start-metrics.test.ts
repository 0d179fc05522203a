import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import type { WebServer } from '../src/interfaces/web/server.ts';
import { silentLogger } from '../src/log.ts';
import { serve } from '../src/server.ts';
import { FakeBotApi, TOKEN } from './support/fake-bot-api.ts';
import { enrolThroughBin } from './support/bin-enrol.ts';
import { enrol, joinWith, simPanel, type SimPanel } from './support/sim-panel.ts';

/**
 * `/healthz` and `/metrics` as `start` serves them: on the dashboard's address (the production
 * server in this process), and alone at METRICS_ADDR with `--no-web` (a real `start` process),
 * over the simulated Telegram, scraped over HTTP.
 */
const BIN = join(import.meta.dirname, '..', 'bin', 'telegram-panel.mjs');

const children: ChildProcess[] = [];
let panel: SimPanel | undefined;
let api: FakeBotApi | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await api?.close();
  api = undefined;
  await panel?.close();
  panel = undefined;
});

/** One sample of the text exposition (`labels` as written, e.g. `status="active"`). */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Polls an async check until it gives a value; the deadline only ends a broken run. */
async function until<T>(check: () => Promise<T | undefined>, what: string, deadlineMs = 30_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function scrape(address: string): Promise<string> {
  const r = await fetch(`${address}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return r.text();
}

/** A GET with a Host header of our choosing (fetch would send the address's own). */
function getWithHost(address: string, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${address}${path}`, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('start serves /healthz and /metrics', () => {
  it('on the dashboard address, without a session: values follow account statuses, campaign sends and the outbox, and name no phone, username or secret', async () => {
    panel = simPanel({ accounts: 4, users: 10, groups: 2, seed: 53 }, { ACTION_DELAY: '0-0', CAMPAIGN_DELAY: '0-0' });
    const p = panel;
    const [a0, a1, a2, a3] = p.summary.accounts;
    const group = p.summary.groups.find((g) => /^https:\/\/t\.me\/[a-z]/i.test(g.link))!;
    // Two accounts for the running panel, in a watched group; the others come later, from another app.
    const setup = p.open();
    const held = [await enrol(setup, a0!), await enrol(setup, a1!)];
    await joinWith(setup, group.link, { accountIds: held });
    setup.monitorService.addKeyword('giveaway');
    await setup.close();

    let stopPanel!: (reason: string) => void;
    const stop = new Promise<string>((resolve) => (stopPanel = resolve));
    let web: WebServer | undefined;
    const served = serve(p.config, silentLogger, { bot: false, web: true, stop, onWeb: (w) => (web = w), connection: () => p.world.attach() });
    try {
      const address = await until(() => Promise.resolve(web?.address), 'the dashboard to listen');
      let text = await until(async () => {
        const t = await scrape(address);
        return sample(t, 'telegram_panel_accounts_connected') === 2 ? t : undefined;
      }, 'both accounts to connect');
      expect(sample(text, 'telegram_panel_accounts', 'status="active"')).toBe(2);
      expect(sample(text, 'telegram_panel_accounts', 'status="disabled"')).toBe(0);
      expect(sample(text, 'telegram_panel_campaign_messages_sent_total')).toBe(0);
      expect(sample(text, 'telegram_panel_outbox_pending')).toBe(0);
      expect(text).toMatch(/^telegram_panel_worker_info\{worker="[^"]+\/\d+\/[0-9a-f]+"\} 1$/m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);

      const health = await fetch(`${address}/healthz`);
      expect(health.status).toBe(200);
      expect(health.headers.get('cache-control')).toBe('no-store');
      expect(await health.json()).toEqual({ status: 'ok', worker: expect.stringMatching(/\/\d+\//) as unknown, connected: 2 });
      // Scrapers and load balancers name the address however they reach it; the dashboard's pages still refuse that.
      const foreign = await getWithHost(address, '/healthz', 'worker-1.internal:9464');
      expect(foreign.status).toBe(200);
      expect((await getWithHost(address, '/metrics', 'worker-1.internal:9464')).status).toBe(200);
      expect((await getWithHost(address, '/', 'worker-1.internal:9464')).status).toBe(421);
      expect((await fetch(`${address}/api/v1/accounts`)).status).toBe(401);

      // Another process (here another app over the same files) adds accounts, disables one and runs a campaign with another.
      const other = p.open();
      const sender = await enrol(other, a2!);
      const idle = await enrol(other, a3!);
      await other.fleet.setEnabled(idle, false);
      other.campaigns.create({ name: 'spring', message: 'Hello from the panel', targets: p.summary.usernames.slice(0, 3).join('\n'), accounts: [String(sender)] });
      const report = await other.campaigns.run('spring');
      expect(report.counts.sent).toBe(3);
      text = await scrape(address);
      expect(sample(text, 'telegram_panel_campaign_messages_sent_total')).toBe(3);
      expect(sample(text, 'telegram_panel_accounts', 'status="disabled"')).toBe(1);
      expect(sample(text, 'telegram_panel_accounts', 'status="active"')).toBe(3);
      // Connections are this process's own: the other app's sender is not counted here.
      expect(sample(text, 'telegram_panel_accounts_connected')).toBe(2);

      // A keyword hit with no bot to post it waits in the outbox.
      p.world.post(group.link, 'Big GIVEAWAY tonight');
      text = await until(async () => {
        const t = await scrape(address);
        return sample(t, 'telegram_panel_outbox_pending') === 1 ? t : undefined;
      }, 'the hit to reach the outbox');

      const bodies = text + JSON.stringify(await (await fetch(`${address}/healthz`)).json());
      for (const a of p.summary.accounts) {
        expect(bodies).not.toContain(a.phone.replace(/\D/g, ''));
        expect(bodies).not.toContain(a.username);
      }
      expect(bodies).not.toContain(p.env.PANEL_SECRET!);
      expect(bodies).not.toContain(p.summary.usernames[0]!);
      expect(bodies).not.toContain('GIVEAWAY');
      await other.close();
    } finally {
      stopPanel('test');
      await served;
    }
  }, 120_000);

  it('alone at METRICS_ADDR with --no-web, answering 503 while the panel stops (and still counting)', async () => {
    panel = simPanel({ accounts: 2, users: 6, groups: 2, seed: 59 });
    const p = panel;
    enrolThroughBin(p);
    api = new FakeBotApi();
    const apiRoot = await api.listen();
    const env = { ...process.env, ...p.env, BOT_TOKEN: TOKEN, ADMIN_IDS: '5001', BOT_API_ROOT: apiRoot, METRICS_ADDR: '127.0.0.1:0', LOG_LEVEL: 'info' };
    const child = spawn(process.execPath, [BIN, 'start', '--no-web'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const address = await until(() => Promise.resolve(/\/metrics listen on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1]), 'the metrics listener', 60_000);
    expect(out).not.toMatch(/the dashboard listens/);
    await until(() => Promise.resolve(/telegram-panel is running/.test(out) || undefined), 'the panel to start', 60_000);
    const text = await scrape(address);
    expect(sample(text, 'telegram_panel_accounts_connected')).toBe(2);
    expect(sample(text, 'telegram_panel_accounts', 'status="active"')).toBe(2);
    for (const a of p.summary.accounts) expect(text).not.toContain(a.phone.replace(/\D/g, ''));
    const ok = await fetch(`${address}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', connected: 2 });
    // Only the two endpoints: no dashboard, no API.
    expect((await fetch(`${address}/`)).status).toBe(404);
    expect((await fetch(`${address}/api/v1/accounts`)).status).toBe(404);

    // A Bot API that stops answering holds the bot's stop for its budget: the panel is stopping meanwhile.
    await until(() => Promise.resolve(api!.callsOf('getUpdates').length > 0 || undefined), 'the bot to poll');
    api.stall();
    child.kill('SIGTERM');
    const stopping = await until(async () => {
      const r = await fetch(`${address}/healthz`);
      return r.status === 503 ? r.json() : undefined;
    }, 'the panel to read as stopping');
    expect(stopping).toEqual({ status: 'unavailable', reason: 'stopping' });
    // The store stays open until the listener has stopped: a scrape meanwhile still reads it.
    expect(sample(await scrape(address), 'telegram_panel_accounts', 'status="active"')).toBeGreaterThanOrEqual(0);
    await exited;
    expect(out).toMatch(/stop: the metrics stopped/);
    expect(out.indexOf('stop: the fleet stopped')).toBeLessThan(out.indexOf('stop: the metrics stopped'));
    expect(out.indexOf('stop: the metrics stopped')).toBeLessThan(out.indexOf('stop: the store stopped'));
  }, 120_000);
});

describe('METRICS_ADDR', () => {
  it('is host:port like WEB_ADDR, may name any address, and is unset by default', () => {
    expect(loadConfig({}, ['metrics']).metrics).toBeUndefined();
    expect(loadConfig({ METRICS_ADDR: '0.0.0.0:9464' }, ['metrics']).metrics).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(loadConfig({ METRICS_ADDR: '[::]:9464' }, ['metrics']).metrics).toEqual({ host: '::', port: 9464 });
    expect(() => loadConfig({ METRICS_ADDR: 'metrics' }, ['metrics'])).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_ADDR: 'metrics' }, ['metrics'])).toThrow(/METRICS_ADDR is not host:port \(got "metrics"\)/);
    // Only `start --no-web` reads it; elsewhere a malformed value is left unused.
    expect(loadConfig({ METRICS_ADDR: 'metrics' }, ['web']).metrics).toBeUndefined();
  });

  it('refuses a malformed value at `start --no-web` before anything connects', () => {
    const p = (panel = simPanel({ accounts: 1, users: 2, groups: 1, seed: 61 }));
    const r = spawnSync(process.execPath, [BIN, 'start', '--no-web', '--no-bot'], { env: { ...process.env, ...p.env, METRICS_ADDR: '127.0.0.1' }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/METRICS_ADDR is not host:port/);
  });
});
