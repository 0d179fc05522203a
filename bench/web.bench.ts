/**
 * The web dashboard on the server.
 *
 * 1. Server render time of the overview and of a campaign's page (and the live fragment its
 *    script re-reads) with 500 accounts and a campaign of 100,000 targets (30,000 of them sent
 *    by the 500 accounts), in-process HTTP requests against the real server over a SQLite panel
 *    filled through the stores; p50 and p95 (aim: p95 under 200 ms).
 * 2. What one open live page costs the server while a campaign runs: the process's CPU over the
 *    same run with and without a browser-like client (in a child process, so its own work is not
 *    counted) holding `/api/v1/events` open and re-reading the campaign's live fragment as
 *    app.js does (asking for the chart and table by the version it shows, so they come again only
 *    when they changed); as a share of one core (aim: under 1%). The campaign sends through an
 *    in-memory Telegram from 100 of the accounts at about 50 messages a second (the default
 *    pacing gives about 4 with 500 accounts), and its events reach the stream as a run started
 *    from the dashboard's own page does. Medians of five runs each way.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp } from '../src/app.ts';
import { systemClock } from '../src/core/clock.ts';
import { seededRandom } from '../src/core/random.ts';
import { loadConfig } from '../src/config.ts';
import { CampaignService } from '../src/engine/campaigns.ts';
import { startWebServer } from '../src/interfaces/web/server.ts';
import { silentLogger } from '../src/log.ts';
import { openSqlite } from '../src/store/db.ts';
import { CampaignStore } from '../src/store/campaigns.ts';
import { FakeTelegram, MemoryPool, usernames } from '../test/support/pm-fleet.ts';

const ACCOUNTS = 500;
const TARGETS = 100_000;
const SENT = 30_000;
const RUN_MS = 8_000;
const SENDERS = 100;
const ROUNDS = 5;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * The browser side of one live page, as app.js behaves: it subscribes to the topics its live part
 * names, and on each event re-reads the fragment at most once a second (app.js's throttle: the
 * first at once, then at most one per second and one more after the last event, never two at once).
 */
const CLIENT = `
const [base, cookie, name] = process.argv.slice(1);
const headers = { cookie };
let fetches = 0, events = 0, bytes = 0, version = null;
const throttle = (fn, ms) => {
  let last = 0, timer = null, running = false, again = false;
  const request = () => {
    if (running) { again = true; return; }
    if (timer) return;
    timer = setTimeout(run, Math.max(0, last + ms - Date.now()));
  };
  const run = async () => {
    timer = null; running = true; last = Date.now();
    try { await fn(); } finally { running = false; if (again) { again = false; request(); } }
  };
  return request;
};
// As app.js: the chart and table are asked for by the version shown, and kept while unchanged.
const refresh = throttle(async () => {
  fetches++;
  const text = await (await fetch(base + '/campaigns/' + name + '/live' + (version ? '?detail=' + encodeURIComponent(version) : ''), { headers })).text();
  bytes += text.length;
  version = /data-version="([^"]*)"/.exec(text)?.[1] ?? null;
}, 1000);
const page = await (await fetch(base + '/campaigns/' + name, { headers })).text();
const topics = /data-topics="([^"]*)"/.exec(page)[1].split(' ').filter(Boolean);
const res = await fetch(base + '/api/v1/events?topics=' + encodeURIComponent(topics.join(',')), { headers: { ...headers, accept: 'text/event-stream' } });
process.send('open');
process.on('message', () => { process.send({ fetches, events, bytes }); process.exit(0); });
const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
const listened = new Set([...topics, 'reset'].map((t) => 'event: ' + t));
let rest = '';
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  const lines = (rest + value).split('\\n');
  rest = lines.pop();
  for (const line of lines) if (listened.has(line)) { events++; refresh(); }
}
`;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-web-'));
  const config = loadConfig({ DATA_DIR: dir, PANEL_SECRET: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent', WEB_ADDR: '127.0.0.1:0' });
  const app = openApp(config, { log: silentLogger });
  // A second connection for the campaign engine the bench drives (the app's fleet would need Telegram).
  const db = openSqlite(join(dir, 'panel.db'));
  let server: Awaited<ReturnType<typeof startWebServer>> | undefined;
  try {
    let t = performance.now();
    const now = Date.now();
    const statuses = ['active', 'active', 'active', 'active', 'active', 'active', 'flood_wait', 'peer_flood', 'error', 'revoked'] as const;
    for (let i = 1; i <= ACCOUNTS; i++) {
      const id = app.accounts.create(
        { phone: `+99966${String(i).padStart(5, '0')}`, userId: 7_000_000_000 + i, username: `fleet_${i}`, firstName: `Fleet ${i}` },
        { authKeys: [{ dc: 2, key: randomBytes(256) }], kv: [] },
        now,
      );
      const s = statuses[i % statuses.length]!;
      if (s !== 'active') app.accounts.setStatus(id, s, null, now, s === 'flood_wait' ? now + 3_600_000 : null);
    }
    const names = usernames(TARGETS);
    app.campaigns.create({ name: 'spring', message: 'Hello from the panel', targets: names.join('\n') });
    const store = new CampaignStore(db, { syncClaims: false });
    const c = store.get('spring')!;
    // Caps that leave room for the runs below: 100 of the accounts send 1.5-2.5 s apart (about 50 messages a second).
    store.updateSettings(c.id, { ...c, perAccountCap: 1_000, dailyCap: 1_000, delay: { minMs: 1_500, maxMs: 2_500 } }, now);
    store.setState(c.id, 'running', null, now);
    for (let i = 0; i < SENT; i++) {
      const r = await store.claimForSend({ campaignId: c.id, leaseOwner: 'bench', requireLease: false, accountId: 1 + (i % ACCOUNTS), randomId: BigInt(i + 1), now, dailyCap: 1_000, skipContacted: true });
      if (r.kind !== 'claimed') throw new Error(`claim ${i}: ${r.kind}`);
      store.markSent(r.row, i + 1, now);
    }
    store.setState(c.id, 'paused', null, now);
    console.log(`panel: ${ACCOUNTS} accounts, a campaign of ${TARGETS.toLocaleString('en')} targets with ${SENT.toLocaleString('en')} sent (filled in ${((performance.now() - t) / 1000).toFixed(1)} s)`);

    server = await startWebServer(app, { host: '127.0.0.1', port: 0, origin: undefined }, silentLogger);
    const base = server.address;
    const { token } = app.webAuth.createLink('bench');
    const signIn = await fetch(`${base}/signin`, { method: 'POST', body: new URLSearchParams({ t: token }), redirect: 'manual' });
    const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const headers = { cookie };

    console.log('(1) server render time per page (in-process HTTP, whole body read), 200 requests after 20 to warm up');
    for (const [label, path, mustContain] of [
      ['overview', '/', `${ACCOUNTS} accounts`],
      ['campaign page', '/campaigns/spring', 'data-campaign="spring"'],
      ['campaign live fragment', '/campaigns/spring/live', 'data-campaign="spring"'],
    ] as const) {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < 220; i++) {
        t = performance.now();
        const res = await fetch(base + path, { headers });
        const body = await res.text();
        const ms = performance.now() - t;
        if (res.status !== 200 || !body.includes(mustContain)) throw new Error(`${path} answered ${res.status}`);
        if (i >= 20) times.push(ms);
        bytes = body.length;
      }
      times.sort((a, b) => a - b);
      const p95 = pct(times, 95);
      console.log(`  ${label.padEnd(24)} p50 ${pct(times, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (aim < 200 ms: ${p95 < 200 ? 'met' : 'NOT met'}), ${(bytes / 1024).toFixed(0)} KB`);
    }

    console.log(`(2) server CPU of one live page while the campaign runs (${RUN_MS / 1000} s runs, alternating without and with the page)`);
    const tg = new FakeTelegram(systemClock, new Set(names));
    const pool = new MemoryPool(tg, SENDERS, systemClock);
    const svc = new CampaignService({
      db,
      pool,
      clock: systemClock,
      pacing: { actionDelay: { min: 8, max: 15 }, actionConcurrency: 4, campaignDelay: { min: 8, max: 12 }, campaignPerAccount: 1_000, campaignDailyCap: 1_000 },
      random: seededRandom(7),
      leaseOwner: 'bench:0:web',
      isLeaseOwnerDead: () => false,
      syncClaims: false,
    });
    const hub = server.events;
    // A run started from the dashboard's page: its own events, so the poll leaves it alone.
    hub.ownCampaigns.add('spring');
    const oneRun = async (withPage: boolean): Promise<{ cpuMs: number; wallMs: number; sent: number; events: number; fetches: number; bytes: number }> => {
      let client: ReturnType<typeof spawn> | undefined;
      if (withPage) {
        client = spawn(process.execPath, ['--input-type=module', '-e', CLIENT, base, cookie, 'spring'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        await new Promise<void>((resolve, reject) => {
          client!.once('message', () => resolve());
          client!.once('error', reject);
        });
      }
      svc.resume('spring');
      const before = tg.deliveries.length;
      const ctl = new AbortController();
      let events = 0;
      const cpu0 = process.cpuUsage();
      const wall0 = performance.now();
      const done = svc.run('spring', {
        signal: ctl.signal,
        onEvent: (e) => {
          events++;
          hub.publish('campaign', { ...e, campaign: 'spring' });
        },
      });
      await new Promise((r) => setTimeout(r, RUN_MS));
      ctl.abort();
      await done;
      const cpu = process.cpuUsage(cpu0);
      const wallMs = performance.now() - wall0;
      let fetches = 0;
      let bytes = 0;
      if (client) {
        const c = client;
        const report = await new Promise<{ fetches: number; bytes: number }>((resolve) => {
          c.once('message', (m) => resolve(m as { fetches: number; bytes: number }));
          c.send('report');
        });
        fetches = report.fetches;
        bytes = report.bytes;
        await new Promise((r) => c.once('exit', r));
      }
      return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs, sent: tg.deliveries.length - before, events, fetches, bytes };
    };
    const without: number[] = [];
    const withPage: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const page of [false, true]) {
        const r = await oneRun(page);
        const share = (r.cpuMs / r.wallMs) * 100;
        (page ? withPage : without).push(share);
        console.log(
          `  ${page ? 'with the page   ' : 'without the page'} ${r.sent} sent, ${r.events} events; process CPU ${share.toFixed(1)}% of a core` +
            (page ? `; the page re-read the fragment ${r.fetches} times (${(r.bytes / 1024).toFixed(0)} KB in all)` : ''),
        );
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const cost = median(withPage) - median(without);
    console.log(`  one live page: ${cost.toFixed(2)}% of a core (median with ${median(withPage).toFixed(1)}% - without ${median(without).toFixed(1)}%; aim < 1%: ${cost < 1 ? 'met' : 'NOT met'})`);
  } finally {
    await server?.stop();
    db.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
