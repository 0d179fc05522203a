import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PacingConfig } from '../config.ts';
import { VirtualClock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import { openSqlite } from '../store/db.ts';
import { failures, FakeTelegram, MemoryPool, usernames } from '../../test/support/pm-fleet.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { CampaignService, type CampaignEvent } from './campaigns.ts';
import { seededRandom as seeded } from '../core/random.ts';

const PACING: PacingConfig = {
  actionDelay: { min: 8, max: 15 },
  actionConcurrency: 4,
  campaignDelay: { min: 60, max: 180 },
  campaignPerAccount: 4,
  campaignDailyCap: 20,
};

interface Setup {
  accounts?: number;
  users?: string[];
  privacy?: string[];
  pacing?: Partial<PacingConfig>;
}

function setup(o: Setup = {}) {
  const dir = tempDir('tp-campaign-');
  const file = join(dir, 'panel.db');
  const db = openSqlite(file);
  const clock = new VirtualClock();
  const tg = new FakeTelegram(clock, new Set(o.users ?? usernames(20)), new Set(o.privacy ?? []));
  const pool = new MemoryPool(tg, o.accounts ?? 5, clock);
  const pacing = { ...PACING, ...o.pacing };
  let n = 0n;
  // Virtual time cannot wait for a real disk: claims skip the fsync (a killed process keeps them anyway).
  const service = (owner = 'host:1:a') =>
    new CampaignService({ db, pool, clock, pacing, random: seeded(7), newRandomId: () => ++n + 1000n, leaseOwner: owner, isLeaseOwnerDead: () => false, syncClaims: false });
  const svc = service();
  const run = (name: string, opts: Parameters<CampaignService['run']>[1] = {}) => clock.run(svc.run(name, opts));
  return { dir, file, db, clock, tg, pool, svc, service, run };
}

describe('campaign create', () => {
  it('takes its default caps and delay from the pacing in force at create, so a Settings change applies without a restart', () => {
    const { db, pool, clock } = setup();
    let pacing: PacingConfig = PACING;
    const svc = new CampaignService({ db, pool, clock, pacing: () => pacing });
    expect(svc.create({ name: 'before', message: 'hi', targets: 'user00001' }).campaign).toMatchObject({ perAccountCap: 4, delay: { minMs: 60_000, maxMs: 180_000 } });
    pacing = { ...PACING, campaignPerAccount: 9, campaignDelay: { min: 5, max: 6 } };
    expect(svc.create({ name: 'after', message: 'hi', targets: 'user00002' }).campaign).toMatchObject({ perAccountCap: 9, delay: { minMs: 5_000, maxMs: 6_000 } });
  });

  it('refuses bad input with InputError and creates nothing', () => {
    const { svc } = setup();
    const bad: Array<[Parameters<CampaignService['create']>[0], RegExp]> = [
      [{ name: 'a', message: '  \n', targets: 'alice_one' }, /message is empty/],
      [{ name: 'a', message: 'x'.repeat(4097), targets: 'alice_one' }, /4097 characters.*at most 4096/],
      [{ name: 'a', message: 'hi', targets: '1x, ab, __' }, /no valid username.*3 invalid entries/],
      [{ name: 'a', message: 'hi', targets: 'alice_one', accounts: ['1', '+999', '@nobody'] }, /"\+999" has 3 digits.*; no account is @nobody/],
      [{ name: 'a', message: 'hi', targets: 'alice_one', perAccountCap: 0 }, /--max-per-account/],
      [{ name: 'a', message: 'hi', targets: 'alice_one', delaySeconds: { min: 5, max: 2 } }, /delay/],
      [{ name: '', message: 'hi', targets: 'alice_one' }, /name/],
    ];
    for (const [input, msg] of bad) {
      expect(() => svc.create(input)).toThrow(InputError);
      expect(() => svc.create(input)).toThrow(msg);
    }
    expect(svc.list()).toEqual([]);
  });

  it('reports invalid and duplicate entries, takes defaults from the pacing config, and reuses a name with the same message', () => {
    const { svc, pool } = setup();
    const r = svc.create({ name: 'spring', message: 'Hello', targets: '@User00001, user00002\nUSER00001 bad-name', accounts: ['1', '+15550000002', '@fleet3'] });
    expect(r.created).toBe(true);
    expect(r.added).toBe(2);
    expect(r.targets.invalid.count).toBe(1);
    expect(r.targets.duplicates).toBe(1);
    expect(r.targetsNote).toMatch(/2 usernames, 1 duplicate collapsed, 1 invalid entry left out/);
    expect(r.campaign).toMatchObject({ accountIds: [1, 2, 3], perAccountCap: 4, dailyCap: 20, delay: { minMs: 60_000, maxMs: 180_000 }, skipContacted: true, state: 'ready' });
    void pool;

    const again = svc.create({ name: 'spring', message: 'Hello', targets: 'user00002 user00003', perAccountCap: 9 });
    expect(again).toMatchObject({ created: false, added: 1 });
    expect(again.campaign.perAccountCap).toBe(9);
    expect(again.counts.pending).toBe(3);

    expect(() => svc.create({ name: 'spring', message: 'Other text', targets: 'user00004' })).toThrow(/already exists with a different message.*campaign run spring/);
    expect(svc.status('spring').counts.pending).toBe(3);
  });
});

describe('campaign run', () => {
  it('messages every deliverable target exactly once and records not_found and privacy_restricted', async () => {
    const users = usernames(12);
    const { svc, tg, run, clock } = setup({ users, privacy: ['shy_person'], accounts: 4 });
    svc.create({ name: 'c', message: 'Hi there', targets: [...users, 'shy_person', 'ghost_user'].join('\n'), perAccountCap: 10 });
    const events: CampaignEvent[] = [];
    const start = clock.now();
    const report = await run('c', { onEvent: (e) => events.push(e) });
    expect(report.state).toBe('done');
    expect(report.counts).toMatchObject({ sent: 12, not_found: 1, privacy_restricted: 1, pending: 0, claimed: 0, uncertain: 0 });
    expect(tg.deliveries.map((d) => d.to).sort()).toEqual(users);
    expect(tg.duplicates()).toEqual([]);
    expect(events[0]).toMatchObject({ type: 'started', total: 14 });
    expect(events.at(-1)).toMatchObject({ type: 'finished', state: 'done' });
    expect(events.filter((e) => e.type === 'target')).toHaveLength(14);
    // Four accounts share 14 attempts with 60-180 s between one account's sends.
    expect(clock.now() - start).toBeGreaterThanOrEqual(3 * 60_000);
    for (const id of [1, 2, 3, 4]) {
      const times = tg.deliveries.filter((d) => d.from === id).map((d) => d.at);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(60_000);
    }
    const status = svc.status('c');
    expect(status.accounts.reduce((a, s) => a + s.sent, 0)).toBe(12);
    expect(status.accounts.every((a) => a.remainingCap === 10 - a.sent)).toBe(true);
  });

  it('stops each account at its per-campaign cap and pauses with the reason when no account is left', async () => {
    const { svc, tg, run } = setup({ accounts: 3 });
    svc.create({ name: 'c', message: 'Hi', targets: usernames(10).join(' '), perAccountCap: 2 });
    const r = await run('c');
    expect(r.state).toBe('paused');
    expect(r.counts.sent).toBe(6);
    expect(r.counts.pending).toBe(4);
    expect(r.reason).toMatch(/no usable account left: 4 target\(s\) remain; account #1 reached its cap of 2/);
    expect(new Set(tg.deliveries.map((d) => d.from)).size).toBe(3);
    // Raising the cap and running again finishes it without repeating anyone.
    svc.create({ name: 'c', message: 'Hi', targets: 'user00001', perAccountCap: 4 });
    const r2 = await run('c');
    expect(r2.state).toBe('done');
    expect(tg.deliveries).toHaveLength(10);
    expect(tg.duplicates()).toEqual([]);
  });

  it('counts the daily cap per account across campaigns, including claims, and waits for the next UTC day', async () => {
    const { svc, tg, run, clock } = setup({ accounts: 2, users: [...usernames(4), ...usernames(6, 'other')], pacing: { campaignDailyCap: 3, campaignDelay: { min: 1, max: 1 } } });
    svc.create({ name: 'a', message: 'First', targets: usernames(4).join(' '), perAccountCap: 10 });
    expect((await run('a')).counts.sent).toBe(4);
    svc.create({ name: 'b', message: 'Second', targets: usernames(6, 'other').join(' '), perAccountCap: 10 });
    const paused = await run('b', { maxWaitMs: 60_000 });
    expect(paused.state).toBe('paused');
    expect(paused.counts.sent).toBe(2);
    expect(paused.reason).toMatch(/nothing can be sent before .*T00:00:00.000Z \(account #\d reached its daily cap of 3\)/);
    const day = new Date(clock.now()).toISOString().slice(0, 10);
    const done = await run('b', { maxWaitMs: Infinity });
    expect(done.state).toBe('done');
    expect(tg.deliveries.filter((d) => d.text === 'Second')).toHaveLength(6);
    const late = tg.deliveries.filter((d) => d.text === 'Second').slice(2);
    expect(late.every((d) => new Date(d.at).toISOString().slice(0, 10) > day)).toBe(true);
  });

  it('skips people an earlier campaign messaged unless told to include them', async () => {
    const { svc, tg, run } = setup({ accounts: 2, pacing: { campaignDelay: { min: 0, max: 0 } } });
    svc.create({ name: 'a', message: 'One', targets: 'user00001 user00002', perAccountCap: 10 });
    await run('a');
    svc.create({ name: 'b', message: 'Two', targets: 'user00001 user00003', perAccountCap: 10 });
    const b = await run('b');
    expect(b.counts).toMatchObject({ sent: 1, skipped: 1 });
    svc.create({ name: 'c', message: 'Three', targets: 'user00001', perAccountCap: 10, includeContacted: true });
    expect((await run('c')).counts.sent).toBe(1);
    expect(tg.deliveries.map((d) => `${d.text}:${d.to}`)).toEqual(['One:user00001', 'One:user00002', 'Two:user00003', 'Three:user00001']);
    const exported = [...svc.exportRows('b')];
    expect(exported[0]).toMatchObject({ username: 'user00001', outcome: 'skipped', error: expect.stringMatching(/already messaged by campaign #1/) });
  });

  it('says what earlier campaigns learned about the targets and skips the unreachable unless told to recheck them', async () => {
    const { svc, tg, run } = setup({ accounts: 2, users: usernames(4), privacy: ['shy_person'], pacing: { campaignDelay: { min: 0, max: 0 } } });
    const first = svc.create({ name: 'a', message: 'One', targets: 'user00001 user00002 shy_person ghost_one', perAccountCap: 10 });
    expect(first.history).toEqual({ contacted: 0, notFound: 0, privacyRestricted: 0 });
    expect((await run('a')).counts).toMatchObject({ sent: 2, not_found: 1, privacy_restricted: 1 });

    const list = 'user00001 user00002 shy_person ghost_one user00003';
    // The bot's wizard asks the same service before creating anything.
    expect(svc.targetHistory(['user00001', 'user00002', 'shy_person', 'ghost_one', 'user00003'])).toEqual({ contacted: 2, notFound: 1, privacyRestricted: 1 });
    const second = svc.create({ name: 'b', message: 'Two', targets: list, perAccountCap: 10 });
    expect(second).toMatchObject({ history: { contacted: 2, notFound: 1, privacyRestricted: 1 }, skippedUnreachable: 2, counts: { pending: 3, skipped: 2 } });
    const sendsBefore = tg.sendCalls;
    expect((await run('b')).counts).toMatchObject({ sent: 1, skipped: 4 });
    // Only user00003 was tried: no lookup was spent on people known to be unreachable.
    expect(tg.sendCalls - sendsBefore).toBe(1);
    expect([...svc.exportRows('b')].find((r) => r.username === 'ghost_one')).toMatchObject({ outcome: 'skipped', error: expect.stringMatching(/campaign #1 found no such user/) });

    const third = svc.create({ name: 'c', message: 'Three', targets: 'shy_person ghost_one', perAccountCap: 10, recheckUnreachable: true });
    expect(third).toMatchObject({ history: { notFound: 1, privacyRestricted: 1 }, skippedUnreachable: 0, counts: { pending: 2 } });
    expect((await run('c')).counts).toMatchObject({ not_found: 1, privacy_restricted: 1 });
  });

  it('does not take a person whose message another campaign has claimed but not settled', async () => {
    const { svc, run, tg } = setup({ accounts: 1, pacing: { campaignDelay: { min: 0, max: 0 } } });
    const a = svc.create({ name: 'a', message: 'One', targets: 'user00001', perAccountCap: 10 });
    svc.store.setState(a.campaign.id, 'running', null, 0);
    const claim = svc.store.claimNext({ campaignId: a.campaign.id, leaseOwner: 'x', requireLease: false, accountId: 1, randomId: 5n, now: 0, dailyCap: 99, skipContacted: true });
    expect(claim.kind).toBe('claimed');
    svc.create({ name: 'b', message: 'Two', targets: 'user00001 user00002', perAccountCap: 10, includeContacted: true });
    const b = await run('b');
    expect(b.state).toBe('paused');
    expect(b.counts).toMatchObject({ sent: 1, pending: 1 });
    expect(b.reason).toMatch(/1 wait for another campaign's unsettled message/);
    expect(tg.deliveries.map((d) => d.to)).toEqual(['user00002']);
  });

  it('parks an account on FLOOD_WAIT, gives its row to another account and uses it again after the wait', async () => {
    const { svc, tg, run, pool } = setup({ accounts: 2, pacing: { campaignDelay: { min: 30, max: 30 } } });
    tg.fault = (acc, _u, call) => (acc === 1 && call === 0 ? failures.flood(300) : undefined);
    svc.create({ name: 'c', message: 'Hi', targets: usernames(20).join(' '), perAccountCap: 20 });
    const r = await run('c');
    expect(r.state).toBe('done');
    expect(tg.deliveries).toHaveLength(20);
    expect(tg.duplicates()).toEqual([]);
    expect(pool.reported[0]).toMatchObject({ accountId: 1, kind: 'pm', failure: { kind: 'flood_wait' } });
    const first = tg.deliveries.filter((d) => d.from === 1).map((d) => d.at)[0]!;
    expect(first - Date.UTC(2026, 0, 1)).toBeGreaterThanOrEqual(300_000);
    expect(tg.deliveries.filter((d) => d.from === 1).length).toBeGreaterThan(0);
  });

  it('takes a PEER_FLOOD account out and pauses with the reason when none is left', async () => {
    const { svc, tg, run, pool } = setup({ accounts: 2, pacing: { campaignDelay: { min: 0, max: 0 } } });
    tg.fault = (acc, _u, call) => (acc === 2 && call > 0 ? failures.peerFlood() : acc === 1 && call > 3 ? failures.peerFlood() : undefined);
    svc.create({ name: 'c', message: 'Hi', targets: usernames(10).join(' '), perAccountCap: 10 });
    const r = await run('c');
    expect(r.state).toBe('paused');
    expect(r.reason).toMatch(/no usable account left: \d+ target\(s\) remain.*PEER_FLOOD/);
    expect(pool.list.map((a) => a.status)).toEqual(['peer_flood', 'peer_flood']);
    expect(r.counts.sent + r.counts.pending).toBe(10);
    expect(r.counts.sent).toBe(tg.deliveries.length);
  });

  it('settles a lost answer by the same account: found in history, or resent with the same random_id', async () => {
    const { svc, tg, run } = setup({ accounts: 3, pacing: { campaignDelay: { min: 0, max: 0 } } });
    // user00001: delivered, answer lost; user00002: lost before delivery.
    tg.fault = (_a, u, call) =>
      u === 'user00001' && call < 2 ? { deliverThenFail: failures.network() } : u === 'user00002' && call < 4 ? failures.network() : undefined;
    svc.create({ name: 'c', message: 'Hi', targets: 'user00001 user00002 user00003', perAccountCap: 10 });
    const r = await run('c');
    expect(r.counts.sent).toBe(3);
    expect(tg.duplicates()).toEqual([]);
    for (const u of ['user00001', 'user00002']) {
      const d = tg.deliveries.filter((x) => x.to === u);
      expect(d).toHaveLength(1);
    }
    const rows = [...svc.store.rows(svc.store.get('c')!.id)];
    const two = rows.find((x) => x.username === 'user00002')!;
    expect(tg.deliveries.find((d) => d.to === 'user00002')!.randomId).toBe(two.randomId);
    expect(tg.deliveries.find((d) => d.to === 'user00002')!.from).toBe(two.accountId);
  });

  it('keeps the claim of an account that cannot reach Telegram for that account, and settles it on the next run', async () => {
    const { svc, tg, run } = setup({ accounts: 2, pacing: { campaignDelay: { min: 1, max: 1 } } });
    let down = true;
    tg.fault = (acc) => (acc === 1 && down ? failures.network() : undefined);
    svc.create({ name: 'c', message: 'Hi', targets: usernames(6).join(' '), perAccountCap: 10 });
    const r = await run('c');
    expect(r.state).toBe('paused');
    expect(r.counts).toMatchObject({ sent: 5, claimed: 1, pending: 0 });
    expect(r.reason).toMatch(/1 claimed message\(s\) wait to be confirmed.*account #1 cannot reach Telegram/);
    const claimed = svc.store.rowsInState(svc.store.get('c')!.id, 'claimed')[0]!;
    expect(claimed.accountId).toBe(1);
    expect(tg.deliveries.every((d) => d.from === 2)).toBe(true);
    down = false;
    const r2 = await run('c');
    expect(r2).toMatchObject({ state: 'done', counts: { sent: 6, claimed: 0 }, run: { settled: 1, sent: 1 } });
    expect(tg.deliveries.find((d) => d.to === claimed.username)).toMatchObject({ from: 1, randomId: claimed.randomId });
    expect(tg.duplicates()).toEqual([]);
  });

  it('treats RANDOM_ID_DUPLICATE on a resend as already sent', async () => {
    const { svc, tg, run } = setup({ accounts: 1, pacing: { campaignDelay: { min: 0, max: 0 } } });
    tg.hideHistory = true;
    tg.fault = (_a, u, call) => (u === 'user00001' && call === 0 ? { deliverThenFail: failures.network() } : undefined);
    svc.create({ name: 'c', message: 'Hi', targets: 'user00001', perAccountCap: 10 });
    const r = await run('c');
    expect(r.counts.sent).toBe(1);
    expect(tg.deliveries).toHaveLength(1);
    expect(tg.sendCalls).toBe(2);
  });

  it('retries a refused target on other accounts up to the limit, then marks it failed with the reason', async () => {
    const { svc, tg, run } = setup({ accounts: 4, pacing: { campaignDelay: { min: 0, max: 0 } } });
    tg.fault = (_a, u) => (u === 'user00001' ? failures.notAllowed() : undefined);
    svc.create({ name: 'c', message: 'Hi', targets: 'user00001 user00002', perAccountCap: 10 });
    const r = await run('c');
    expect(r.counts).toMatchObject({ failed: 1, sent: 1 });
    const row = [...svc.exportRows('c')][0]!;
    expect(row).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/CHAT_WRITE_FORBIDDEN/) });
    expect(tg.sendCalls).toBe(4);
  });

  it('settles claims left by a crash first, by the same account, and makes them uncertain when it is gone', async () => {
    const { svc, tg, pool, clock } = setup({ accounts: 3, pacing: { campaignDelay: { min: 0, max: 0 } } });
    const c = svc.create({ name: 'c', message: 'Hi', targets: 'user00001 user00002 user00003 user00004', perAccountCap: 10 }).campaign;
    // A run that died after claiming three rows: #1 delivered, #2 did not, #3's account is now banned.
    svc.store.setState(c.id, 'running', null, 0);
    const claim = (acc: number, rid: bigint) => {
      const r = svc.store.claimNext({ campaignId: c.id, leaseOwner: 'dead', requireLease: false, accountId: acc, randomId: rid, now: Date.UTC(2026, 0, 1), dailyCap: 99, skipContacted: true });
      if (r.kind !== 'claimed') throw new Error(r.kind);
      return r.row;
    };
    const r1 = claim(1, 901n);
    claim(2, 902n);
    claim(3, 903n);
    await tg.send(1, r1.username, 'Hi', 901n);
    pool.setStatus(3, 'banned');
    const resumed = new CampaignService({ db: svc.store.db, pool, clock, pacing: PACING, leaseOwner: 'host:2:b', isLeaseOwnerDead: (o) => o === 'dead', random: () => 0, syncClaims: false });
    const r = await clock.run(resumed.run('c'));
    expect(r.counts).toMatchObject({ sent: 3, uncertain: 1, pending: 0, claimed: 0 });
    expect(r.state).toBe('done');
    expect(r.reason).toMatch(/1 message\(s\) are uncertain/);
    expect(tg.duplicates()).toEqual([]);
    // #2 was resent by account 2 with its stored random_id; the banned account's row waits for the operator.
    expect(tg.deliveries.find((d) => d.to === 'user00002')).toMatchObject({ from: 2, randomId: 902n });
    expect(tg.deliveries.some((d) => d.to === 'user00003')).toBe(false);
    expect([...resumed.exportRows('c')][2]).toMatchObject({ username: 'user00003', outcome: 'uncertain', error: expect.stringMatching(/banned.*campaign settle/) });
  });

  it('pauses cleanly on an abort signal after the sends in flight settle, and resumes later', async () => {
    const { svc, tg, run } = setup({ accounts: 2, pacing: { campaignDelay: { min: 30, max: 30 } } });
    svc.create({ name: 'c', message: 'Hi', targets: usernames(10).join(' '), perAccountCap: 10 });
    const ac = new AbortController();
    const r = await run('c', { signal: ac.signal, onEvent: (e) => e.type === 'target' && tg.deliveries.length >= 3 && !ac.signal.aborted && ac.abort('SIGINT') });
    expect(r.state).toBe('paused');
    expect(r.reason).toMatch(/interrupted \(SIGINT\)/);
    expect(r.counts.claimed).toBe(0);
    expect(r.counts.sent).toBe(tg.deliveries.length);
    const r2 = await run('c');
    expect(r2.state).toBe('done');
    expect(tg.deliveries).toHaveLength(10);
    expect(tg.duplicates()).toEqual([]);
  });

  it('pauses with the reason, not left running, when a run fails midway', async () => {
    const { svc, pool, tg, run } = setup({ accounts: 2, pacing: { campaignDelay: { min: 30, max: 30 } } });
    svc.create({ name: 'c', message: 'Hi', targets: usernames(10).join(' '), perAccountCap: 10 });
    const accounts = pool.accounts.bind(pool);
    let broken = false;
    pool.accounts = () => {
      if (broken) throw new Error('the fleet is gone');
      return accounts();
    };
    await expect(run('c', { onEvent: (e) => e.type === 'target' && tg.deliveries.length >= 2 && (broken = true) })).rejects.toThrow('the fleet is gone');
    broken = false;
    const s = svc.status('c');
    expect(s.state).toBe('paused');
    expect(s.reason).toMatch(/interrupted \(the fleet is gone\)/);
    expect((await run('c')).state).toBe('done');
    expect(tg.duplicates()).toEqual([]);
  });

  it('stops when paused from elsewhere, and cancel turns leftover claims no runner holds uncertain', async () => {
    const { svc, tg, run, service, clock } = setup({ accounts: 2, pacing: { campaignDelay: { min: 30, max: 30 } } });
    svc.create({ name: 'c', message: 'Hi', targets: usernames(10).join(' '), perAccountCap: 10 });
    const other = service('host:9:z');
    const r = await run('c', {
      onEvent: (e) => {
        if (e.type === 'target' && tg.deliveries.length === 2) other.pause('c');
      },
    });
    expect(r.state).toBe('paused');
    expect(r.reason).toBe('paused by the operator');
    expect(svc.resume('c').state).toBe('ready');
    // A crashed run's claim, then cancel: it may have gone out, so it becomes uncertain.
    const id = svc.store.get('c')!.id;
    svc.store.setState(id, 'running', null, 0);
    svc.store.claimNext({ campaignId: id, leaseOwner: 'gone', requireLease: false, accountId: 1, randomId: 77n, now: clock.now(), dailyCap: 99, skipContacted: true });
    const s = svc.cancel('c');
    expect(s.state).toBe('cancelled');
    expect(s.counts.uncertain).toBe(1);
    expect(s.counts.claimed).toBe(0);
    await expect(run('c')).rejects.toThrow(/cancelled/);
  });

  it('settles uncertain rows as the operator decides', async () => {
    const { svc, run, tg, pool } = setup({ accounts: 2, pacing: { campaignDelay: { min: 0, max: 0 } } });
    const id = svc.create({ name: 'c', message: 'Hi', targets: 'user00001 user00002 user00003', perAccountCap: 10 }).campaign.id;
    svc.store.setState(id, 'running', null, 0);
    for (let i = 0; i < 3; i++) svc.store.claimNext({ campaignId: id, leaseOwner: 'gone', requireLease: false, accountId: 1, randomId: BigInt(50 + i), now: 0, dailyCap: 99, skipContacted: true });
    pool.setStatus(1, 'revoked');
    const svc2 = new CampaignService({ db: svc.store.db, pool, clock: tg.clock, pacing: PACING, leaseOwner: 'h:3:c', isLeaseOwnerDead: () => true, syncClaims: false });
    const r = await (tg.clock as VirtualClock).run(svc2.run('c'));
    expect(r.counts.uncertain).toBe(3);
    expect(svc.settle('c', 'sent').changed).toBe(3);
    expect(svc.status('c').counts).toMatchObject({ sent: 3, uncertain: 0 });
    expect(svc.store.isContacted('user00002')).toBe(true);
    // retry: back to pending for any account.
    const id2 = svc.create({ name: 'd', message: 'Yo', targets: 'user00004', perAccountCap: 10 }).campaign.id;
    svc.store.setState(id2, 'running', null, 0);
    svc.store.claimNext({ campaignId: id2, leaseOwner: 'gone', requireLease: false, accountId: 1, randomId: 60n, now: 0, dailyCap: 99, skipContacted: true });
    await (tg.clock as VirtualClock).run(svc2.run('d'));
    expect(svc.settle('d', 'retry').changed).toBe(1);
    expect(svc.status('d')).toMatchObject({ state: 'paused', counts: { pending: 1 } });
    expect((await run('d')).counts.sent).toBe(1);
    expect(tg.deliveries.map((d) => d.from)).toEqual([2]);
  });
});

