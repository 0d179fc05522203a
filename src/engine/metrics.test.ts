import { afterEach, describe, expect, it } from 'vitest';
import { enrol, joinTarget, messageTarget, simPanel, type SimPanel } from '../../test/support/sim-panel.ts';
import { LeaseStore } from '../store/leases.ts';
import type { MetricsService } from './metrics.ts';

/** One sample of the text exposition: `name{labels} value` (labels as written, e.g. `status="active"`). */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function scrape(m: MetricsService): Promise<string> {
  return (await m.metrics()).body;
}

let panel: SimPanel | undefined;
afterEach(async () => {
  await panel?.close();
  panel = undefined;
});

describe('MetricsService over real services and the simulator', () => {
  it('counts accounts by status, connections, flood waits and parks as they happen', async () => {
    panel = simPanel({ accounts: 3, groups: 2, seed: 41 }, { ACTION_DELAY: '0-0', ACTION_CONCURRENCY: '3' });
    const app = panel.open();
    const ids: number[] = [];
    for (const acc of panel.summary.accounts) ids.push(await enrol(app, acc));
    const metrics = await app.metrics();
    expect(await app.metrics()).toBe(metrics);

    await app.fleet.start();
    let text = await scrape(metrics);
    expect(sample(text, 'telegram_panel_accounts', 'status="active"')).toBe(3);
    expect(sample(text, 'telegram_panel_accounts', 'status="banned"')).toBe(0);
    expect(sample(text, 'telegram_panel_accounts_connected')).toBe(3);
    expect(sample(text, 'telegram_panel_worker_info', `worker="${app.fleet.owner}"`)).toBe(1);
    expect(sample(text, 'telegram_panel_flood_waits_total', 'kind="reaction"')).toBe(0);
    expect(sample(text, 'telegram_panel_campaign_messages_sent_total')).toBe(0);
    expect(sample(text, 'telegram_panel_outbox_pending')).toBe(0);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^# TYPE telegram_panel_flood_waits_total counter$/m);

    // A FLOOD_WAIT on reactions: counted once, and the account parked for reactions only.
    const post = panel.summary.posts.find((p) => p.link.includes('t.me/') && !p.link.includes('/c/'))!;
    await app.operations.runOperation({ kind: 'join', target: joinTarget(post.link.replace(/\/\d+$/, '')) }, { accounts: 3 }, { actor: 'test' });
    panel.world.setFault(panel.summary.accounts[0]!.phone, 'flood:300:messages.sendReaction');
    // The flooded account is the least recently used, so it is picked first (and replaced).
    for (const id of ids.slice(1)) app.accounts.markUsed(id, app.clock.now() + 1000);
    const r = await app.operations.runOperation({ kind: 'reaction', target: messageTarget(post.link), emoji: '👍' }, { accounts: 1 }, { actor: 'test' });
    expect(r.results.find((x) => x.accountId === ids[0])).toMatchObject({ failure: { kind: 'flood_wait' } });
    text = await scrape(metrics);
    expect(sample(text, 'telegram_panel_flood_waits_total', 'kind="reaction"')).toBe(1);
    expect(sample(text, 'telegram_panel_accounts_parked', 'kind="reaction"')).toBe(1);
    expect(sample(text, 'telegram_panel_accounts_parked', 'kind="pm"')).toBe(0);
    expect(sample(text, 'telegram_panel_accounts', 'status="flood_wait"')).toBe(1);
    expect(sample(text, 'telegram_panel_accounts', 'status="active"')).toBe(2);

    // A ban seen by the health check: the status count moves, the connection goes.
    panel.world.setFault(panel.summary.accounts[1]!.phone, 'banned');
    await app.health.check({ ids: [ids[1]!] });
    text = await scrape(metrics);
    expect(sample(text, 'telegram_panel_accounts', 'status="banned"')).toBe(1);
    expect(sample(text, 'telegram_panel_accounts', 'status="active"')).toBe(1);
    expect(sample(text, 'telegram_panel_accounts_connected')).toBe(2);

    // Nothing a session would guard: no phone, username, name or key material.
    for (const a of panel.summary.accounts) {
      expect(text).not.toContain(a.phone.replace(/\D/g, ''));
      expect(text).not.toContain(a.username);
    }
    expect(text).not.toContain(panel.env.PANEL_SECRET!);
  });

  it('counts lease hand-overs both ways: taken from a worker that stopped renewing, given up to one that took over', async () => {
    panel = simPanel({ accounts: 1, groups: 1, seed: 43 });
    const app = panel.open();
    const id = await enrol(app, panel.summary.accounts[0]!);
    // Another worker's lease, lapsed: it died elsewhere without letting go.
    const leases = new LeaseStore(app.db);
    expect(leases.acquire(id, 'elsewhere/1/dead', app.clock.now() - 120_000, 60_000).ok).toBe(true);
    await app.fleet.session(id);
    let text = await scrape(await app.metrics());
    expect(sample(text, 'telegram_panel_lease_handovers_total', 'direction="taken"')).toBe(1);
    expect(sample(text, 'telegram_panel_lease_handovers_total', 'direction="given"')).toBe(0);
    expect(sample(text, 'telegram_panel_accounts_connected')).toBe(1);

    // A worker that takes the account (this one presumed dead): the next heartbeat lets it go.
    expect(leases.acquire(id, 'elsewhere/2/alive', app.clock.now(), 60_000, () => true).ok).toBe(true);
    app.fleet.renewLeases();
    text = await scrape(await app.metrics());
    expect(sample(text, 'telegram_panel_lease_handovers_total', 'direction="given"')).toBe(1);
    expect(sample(text, 'telegram_panel_accounts_connected')).toBe(0);

    // A reconnect of an account whose lease this worker let go cleanly is no hand-over.
    leases.release(id, 'elsewhere/2/alive');
    await app.fleet.session(id);
    text = await scrape(await app.metrics());
    expect(sample(text, 'telegram_panel_lease_handovers_total', 'direction="taken"')).toBe(1);
  });

  it('is healthy while the store answers and the process runs; a short reason otherwise', async () => {
    panel = simPanel({ accounts: 1, groups: 1, seed: 47 });
    // Three services in one process: each has its own registry, so the same metric names do not collide.
    const a = panel.open();
    const m = await a.metrics();
    expect(await m.health()).toEqual({ ok: true, worker: a.fleet.owner, connected: 0 });
    await a.fleet.stop();
    expect(await m.health()).toEqual({ ok: false, problem: 'fleet_stopped' });

    const b = panel.open();
    const mb = await b.metrics();
    mb.markStopping();
    expect(await mb.health()).toEqual({ ok: false, problem: 'stopping' });

    const c = panel.open();
    const mc = await c.metrics();
    c.db.close();
    expect(await mc.health()).toEqual({ ok: false, problem: 'store_unavailable' });
    await expect(mc.metrics()).rejects.toThrow();
  });
});
