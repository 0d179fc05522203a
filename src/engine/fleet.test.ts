import { afterEach, describe, expect, it, vi } from 'vitest';
import { failureReason } from '../core/stored-reasons.ts';
import { LeaseStore } from '../store/leases.ts';
import { enrol, failureOf, simPanel, type SimPanel } from '../../test/support/sim-panel.ts';

let panel: SimPanel;
afterEach(async () => {
  await panel.close();
});

describe('Fleet against the simulator', () => {
  it('restores every enabled account, skips disabled and banned ones, and releases leases on close', async () => {
    panel = simPanel({ accounts: 4 });
    const first = panel.open();
    const ids: number[] = [];
    for (const acc of panel.summary.accounts) ids.push(await enrol(first, acc));
    first.accounts.setEnabled(ids[1]!, false);
    first.accounts.setStatus(ids[2]!, 'banned', failureReason({ kind: 'banned', code: 'USER_DEACTIVATED_BAN', message: 'the account is banned' }), first.clock.now());
    await first.close();

    const app = panel.open();
    const report = await app.fleet.start();
    expect(report.connected.sort()).toEqual([ids[0], ids[3]].sort());
    expect(report.skipped.map((s) => s.accountId).sort()).toEqual([ids[1], ids[2]].sort());
    expect(app.fleet.liveIds().sort()).toEqual([ids[0], ids[3]].sort());
    expect(app.db.prepare("SELECT count(*) AS n FROM leases WHERE scope = 'account'").get()).toEqual({ n: 2 });
    const pool = app.fleet.accounts();
    expect(pool.map((a) => a.id)).not.toContain(ids[1]);
    expect(pool.find((a) => a.id === ids[0])?.status).toBe('active');
    await app.close();
    const check = panel.open();
    expect(check.db.prepare("SELECT count(*) AS n FROM leases WHERE scope = 'account'").get()).toEqual({ n: 0 });
  });

  it('marks revoked and banned accounts from the answers to getMe and keeps their keys', async () => {
    panel = simPanel({ accounts: 3 });
    const app = panel.open();
    const a = await enrol(app, panel.summary.accounts[0]!);
    const b = await enrol(app, panel.summary.accounts[1]!);
    panel.world.setFault(panel.summary.accounts[0]!.phone, 'revoked');
    panel.world.setFault(panel.summary.accounts[1]!.phone, 'banned');
    expect(await failureOf(app.fleet.session(a))).toMatchObject({ kind: 'revoked', code: 'AUTH_KEY_UNREGISTERED' });
    expect(await failureOf(app.fleet.session(b))).toMatchObject({ kind: 'banned', code: 'USER_DEACTIVATED_BAN' });
    expect(app.accounts.get(a, app.clock.now())).toMatchObject({ status: 'revoked', statusReason: expect.stringContaining('AUTH_KEY_UNREGISTERED') });
    expect(app.accounts.get(b, app.clock.now())).toMatchObject({ status: 'banned' });
    // Kept, with their keys, and not retried on the next restore.
    expect(app.accounts.sessions.authKeyDcs(a)).toHaveLength(1);
    expect(app.accounts.sessions.authKeyDcs(b)).toHaveLength(1);
    expect(app.fleet.isLive(a) || app.fleet.isLive(b)).toBe(false);
    const report = await app.fleet.start();
    expect(report.skipped.map((s) => s.accountId).sort()).toEqual([a, b].sort());
  });

  it('notices a session revoked or frozen while connected, from any call', async () => {
    panel = simPanel({ accounts: 3, groups: 2 });
    const app = panel.open();
    const a = await enrol(app, panel.summary.accounts[0]!);
    const b = await enrol(app, panel.summary.accounts[1]!);
    const sa = await app.fleet.session(a);
    const sb = await app.fleet.session(b);
    panel.world.setFault(panel.summary.accounts[0]!.phone, 'session_revoked');
    panel.world.setFault(panel.summary.accounts[1]!.phone, 'frozen');
    expect((await failureOf(sa.me())).kind).toBe('revoked');
    expect(app.accounts.get(a, app.clock.now())).toMatchObject({ status: 'revoked', statusReason: expect.stringContaining('SESSION_REVOKED') });
    expect(app.fleet.isLive(a)).toBe(false);
    // Frozen accounts may read but not write.
    await sb.me();
    const username = panel.summary.usernames[0]!;
    expect((await failureOf(sb.block(username))).kind).toBe('frozen');
    expect(app.accounts.get(b, app.clock.now())?.status).toBe('frozen');
    expect(app.accounts.sessions.authKeyDcs(a)).toHaveLength(1);
    expect(app.accounts.sessions.authKeyDcs(b)).toHaveLength(1);
  });

  it('records flood waits per action kind and peer floods; every status survives a restart', async () => {
    panel = simPanel({ accounts: 3 });
    const app = panel.open();
    const a = await enrol(app, panel.summary.accounts[0]!);
    const b = await enrol(app, panel.summary.accounts[1]!);
    const c = await enrol(app, panel.summary.accounts[2]!);
    const now = app.clock.now();
    app.fleet.reportFailure(a, 'join', { kind: 'flood_wait', code: 'FLOOD_WAIT_X', seconds: 3600, message: 'wait' });
    app.fleet.reportFailure(b, 'pm', { kind: 'peer_flood', code: 'PEER_FLOOD', message: 'limited (PEER_FLOOD)' });
    app.fleet.reportFailure(b, 'reaction', { kind: 'flood_wait', code: 'FLOOD_WAIT_X', seconds: 60, message: 'wait' });
    app.fleet.reportFailure(c, 'reaction', { kind: 'not_allowed', code: 'REACTION_INVALID', message: 'no' });
    app.accounts.setEnabled(c, false);
    const before = app.fleet.accounts();
    await app.close();

    const again = panel.open();
    const pool = again.fleet.accounts();
    expect(pool).toEqual(before);
    const pa = pool.find((x) => x.id === a)!;
    expect(pa.status).toBe('flood_wait');
    expect(pa.parkedUntil.join).toBeGreaterThanOrEqual(now + 3600_000);
    expect(pa.parkedUntil.reaction).toBeUndefined();
    const pb = pool.find((x) => x.id === b)!;
    // A peer flood is not hidden by a later flood wait.
    expect(pb).toMatchObject({ status: 'peer_flood', statusReason: 'limited (PEER_FLOOD)' });
    expect(again.accounts.get(a, again.clock.now())?.statusReasonCode).toMatchObject({ code: 'account_flood_wait', params: { call: 'join' } });
    expect(again.accounts.get(b, again.clock.now())?.statusReasonCode).toMatchObject({ code: 'telegram_failure', params: { kind: 'peer_flood', code: 'PEER_FLOOD' } });
    expect(pb.parkedUntil.reaction).toBeGreaterThan(now);
    expect(pool.find((x) => x.id === c)).toBeUndefined();
    expect(again.accounts.get(c, again.clock.now())).toMatchObject({ status: 'disabled', enabled: false });
    // Connecting keeps the waits and the peer flood.
    await again.fleet.start();
    expect(again.accounts.get(a, again.clock.now())?.status).toBe('flood_wait');
    expect(again.accounts.get(b, again.clock.now())?.status).toBe('peer_flood');
  });

  it('refuses to connect an account another panel holds, naming it, until that one lets go', async () => {
    panel = simPanel({ accounts: 2 });
    const one = panel.open();
    const id = await enrol(one, panel.summary.accounts[0]!);
    await one.fleet.session(id);
    const two = panel.open();
    const refused = await failureOf(two.fleet.session(id));
    expect(refused.code).toBe('LEASE_HELD');
    expect(refused.message).toContain(`#${id} ${panel.summary.accounts[0]!.phone}`);
    expect(refused.message).toContain(`process ${process.pid}`);
    expect(two.fleet.isLive(id)).toBe(false);
    await one.close();
    const s = await two.fleet.session(id);
    expect((await s.me()).phone).toBe(panel.summary.accounts[0]!.phone);
  });

  it('closes a connection whose lease it cannot renew before the lease lapses, so the next holder is not a second connection', async () => {
    panel = simPanel({ accounts: 2 });
    const one = panel.open({ fleet: { leaseTtlMs: 1500, heartbeatMs: 250 } });
    const id = await enrol(one, panel.summary.accounts[0]!);
    await one.fleet.session(id);
    // The database stops answering this fleet's renewals (a partition, a server restart).
    const renew = vi.spyOn(LeaseStore.prototype, 'renew').mockImplementation(function (this: LeaseStore, owner: string) {
      if (owner === one.fleet.owner) throw new Error('connection terminated unexpectedly');
      return [];
    });
    try {
      await vi.waitFor(() => expect(one.fleet.isLive(id)).toBe(false), { timeout: 5000, interval: 50 });
    } finally {
      renew.mockRestore();
    }
    const two = panel.open();
    const s = await vi.waitFor(() => two.fleet.session(id), { timeout: 5000, interval: 100 });
    expect((await s.me()).phone).toBe(panel.summary.accounts[0]!.phone);
    expect(panel.world.db.prepare("SELECT count(*) AS n FROM authorizations WHERE state = 'duplicated'").get()).toEqual({ n: 0 });
  });

  it('lets go of an account another process took over without marking the account as failed', async () => {
    panel = simPanel({ accounts: 2 });
    const one = panel.open({ fleet: { heartbeatMs: 100 } });
    const id = await enrol(one, panel.summary.accounts[0]!);
    await one.fleet.session(id);
    one.db.prepare("UPDATE leases SET owner = 'elsewhere/1/x' WHERE scope = 'account' AND resource_id = ?").run(id);
    await vi.waitFor(() => expect(one.fleet.isLive(id)).toBe(false), { timeout: 5000, interval: 20 });
    expect(one.accounts.get(id, one.clock.now())?.status).toBe('active');
  });

  it('keeps an account that cannot be reached in error and reconnects it with backoff once it can', async () => {
    panel = simPanel({ accounts: 2 });
    const setup = panel.open();
    const id = await enrol(setup, panel.summary.accounts[0]!);
    await setup.close();
    const phone = panel.summary.accounts[0]!.phone;
    // Every answer comes too late for the connect timeout: the network is as good as down.
    panel.world.setFault(phone, 'slow:2000');
    const app = panel.open({ fleet: { connectTimeoutMs: 300, backoffMs: 100 } });
    const report = await app.fleet.start();
    expect(report.failed.map((f) => [f.accountId, f.failure.kind])).toEqual([[id, 'network']]);
    expect(app.accounts.get(id, app.clock.now())).toMatchObject({ status: 'error', statusReason: expect.stringMatching(/reach Telegram|TIMEOUT|timed out/) });
    panel.world.clearFault(phone, 'slow');
    await vi.waitFor(() => expect(app.fleet.isLive(id)).toBe(true), { timeout: 15_000, interval: 50 });
    expect(app.accounts.get(id, app.clock.now())?.status).toBe('active');
  });

  it('ends a duplicated session with an error status and disconnects', async () => {
    panel = simPanel({ accounts: 2 });
    const app = panel.open();
    const id = await enrol(app, panel.summary.accounts[0]!);
    const s = await app.fleet.session(id);
    panel.world.setFault(panel.summary.accounts[0]!.phone, 'duplicated');
    expect((await failureOf(s.me())).kind).toBe('duplicate_session');
    expect(app.accounts.get(id, app.clock.now())).toMatchObject({ status: 'error', statusReason: expect.stringContaining('AUTH_KEY_DUPLICATED') });
    expect(app.fleet.isLive(id)).toBe(false);
  });

  it('a FLOOD_WAIT on getMe, at connect or in accounts check, closes the check only: the account stays usable for every action', async () => {
    panel = simPanel({ accounts: 2 });
    const app = panel.open();
    const id = await enrol(app, panel.summary.accounts[0]!);
    panel.world.setFault(panel.summary.accounts[0]!.phone, 'flood:600:users.getUsers');
    // The connection's own getMe meets the wait: Telegram answered, so the account is connected.
    await app.fleet.session(id);
    expect(app.fleet.isLive(id)).toBe(true);
    const [checked] = await app.health.check({ ids: [id] });
    expect(checked).toMatchObject({ ok: false, failure: { kind: 'flood_wait', seconds: 600 } });
    expect(checked!.status).not.toBe('error');
    const a = app.fleet.accounts().find((x) => x.id === id)!;
    expect(a.status).toBe('flood_wait');
    expect(a.parkedUntil.check).toBeGreaterThan(app.clock.now());
    for (const kind of ['join', 'reaction', 'pm', 'vote'] as const) {
      expect(a.parkedUntil[kind]).toBeUndefined();
      expect(app.operations.usable(kind).usable.map((x) => x.id)).toContain(id);
    }
  });
});
