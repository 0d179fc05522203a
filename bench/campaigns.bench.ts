/**
 * Campaign benchmarks.
 * (a) Bookkeeping per recipient: claim (synced to disk) + mark sent with the ledger, against the
 *     original's way of rewriting a JSON list of every sent name after each send.
 * (b) Virtual time: 10,000 targets over 50 accounts with caps and jittered delays; makespan
 *     against its lower bound (targets / (accounts x allowed rate)).
 * Durable claims on their own: campaign-claims.bench.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { campaignLowerBoundMs } from '../src/core/campaign-schedule.ts';
import { VirtualClock } from '../src/core/clock.ts';
import { CampaignService } from '../src/engine/campaigns.ts';
import { CampaignStore } from '../src/store/campaigns.ts';
import { openSqlite } from '../src/store/db.ts';
import { FakeTelegram, MemoryPool, usernames } from '../test/support/pm-fleet.ts';
import { seededRandom as seeded } from '../src/core/random.ts';

const PACING = {
  actionDelay: { min: 8, max: 15 },
  actionConcurrency: 4,
  campaignDelay: { min: 60, max: 180 },
  campaignPerAccount: 4,
  campaignDailyCap: 20,
};

function fmt(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`;
}

/**
 * Our bookkeeping for a campaign of n recipients: per recipient one claim and one sent mark (with
 * the ledger). `measure` recipients are timed (all of them unless given).
 */
async function ours(dir: string, n: number, syncClaims: boolean, measure = n): Promise<{ importMs: number; perRecipientUs: number }> {
  const db = openSqlite(join(dir, `panel-${n}-${syncClaims ? 'sync' : 'nosync'}.db`));
  const store = new CampaignStore(db, { syncClaims });
  const names = usernames(n);
  let t = performance.now();
  const c = store.create({
    name: `bench-${n}`,
    message: 'Hello',
    now: 0,
    usernames: names,
    settings: { accountIds: null, perAccountCap: n, dailyCap: n, delay: { minMs: 0, maxMs: 0 }, skipContacted: true },
  });
  const importMs = performance.now() - t;
  store.setState(c.id, 'running', null, 0);
  t = performance.now();
  for (let i = 0; i < measure; i++) {
    const accountId = 1 + (i % 50);
    const r = await store.claimForSend({ campaignId: c.id, leaseOwner: 'bench', requireLease: false, accountId, randomId: BigInt(i + 1), now: 0, dailyCap: n, skipContacted: true });
    if (r.kind !== 'claimed') throw new Error(`claim ${i}: ${r.kind}`);
    store.markSent(r.row, i + 1, 0);
  }
  const perRecipientUs = ((performance.now() - t) * 1000) / measure;
  db.close();
  return { importMs, perRecipientUs };
}

/** The original: after each send, append the name and rewrite the whole JSON list. */
function baselineFull(dir: string, n: number): number {
  const file = join(dir, `sent-${n}.json`);
  const names = usernames(n);
  const sent: string[] = [];
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    sent.push(names[i]!);
    writeFileSync(file, JSON.stringify(sent));
  }
  return ((performance.now() - t) * 1000) / n;
}

/** Cost of one rewrite with a list of k names (median of a few), for extrapolating large n. */
function rewriteCostUs(dir: string, k: number, reps = 15): number {
  const file = join(dir, `probe-${k}.json`);
  const sent = usernames(k);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    sent[k - 1] = `probe${r}`;
    const t = performance.now();
    writeFileSync(file, JSON.stringify(sent));
    times.push((performance.now() - t) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(reps / 2)]!;
}

async function makespan(label: string, o: { targets: number; accounts: number; perAccountCap: number; dailyCap: number; delay: { min: number; max: number } }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-campaign-'));
  try {
    const db = openSqlite(join(dir, 'panel.db'));
    const start = Date.UTC(2026, 0, 1);
    const clock = new VirtualClock(start);
    const names = usernames(o.targets);
    const tg = new FakeTelegram(clock, new Set(names));
    const pool = new MemoryPool(tg, o.accounts, clock);
    // Unsynced claims: this measures the scheduler, not the disk's fsync latency.
    const svc = new CampaignService({ db, pool, clock, pacing: PACING, random: seeded(11), leaseOwner: 'bench:0:x', isLeaseOwnerDead: () => false, syncClaims: false });
    svc.create({
      name: 'mk',
      message: 'Hello',
      targets: names.join('\n'),
      perAccountCap: o.perAccountCap,
      dailyCap: o.dailyCap,
      delaySeconds: o.delay,
    });
    const wall = performance.now();
    const r = await clock.run(svc.run('mk', { maxWaitMs: Infinity, pollMs: 60_000 }));
    const wallMs = performance.now() - wall;
    const last = Math.max(...tg.deliveries.map((d) => d.at));
    const span = last - start;
    const bound = campaignLowerBoundMs({
      targets: o.targets,
      accounts: o.accounts,
      meanDelayMs: ((o.delay.min + o.delay.max) / 2) * 1000,
      perCampaignCap: o.perAccountCap,
      dailyCap: o.dailyCap,
      startMs: start,
    });
    const h = (ms: number): string => `${(ms / 3_600_000).toFixed(2)} h`;
    console.log(
      `${label}: ${r.counts.sent}/${o.targets} sent (${r.state}); makespan ${h(span)} vs lower bound ${h(bound)}: ratio ${(span / bound).toFixed(4)} ` +
        `(${(((span - bound) / bound) * 100).toFixed(2)}% over; aim <= 5%); duplicates ${tg.duplicates().length}; ` +
        `engine wall time ${(wallMs / 1000).toFixed(1)} s = ${fmt((wallMs * 1000) / o.targets)} per message`,
    );
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-campaign-'));
  try {
    console.log('(a) bookkeeping per recipient (claim + sent mark with ledger) vs rewriting a JSON list of every sent name after each send');
    // Rewrite cost grows with the list: fit c(k) = a + b*k on probes, then sum over k = 1..n.
    const probes = [1_000, 25_000, 50_000, 100_000].map((k) => [k, rewriteCostUs(dir, k)] as const);
    const mk = probes.reduce((x, [k]) => x + k, 0) / probes.length;
    const mc = probes.reduce((x, [, c]) => x + c, 0) / probes.length;
    const b = probes.reduce((x, [k, c]) => x + (k - mk) * (c - mc), 0) / probes.reduce((x, [k]) => x + (k - mk) ** 2, 0);
    const a = mc - b * mk;
    const extrapolated = (n: number): number => a + (b * (n + 1)) / 2;
    for (const n of [1_000, 10_000, 100_000]) {
      const plain = await ours(dir, n, false);
      // Synced claims cost one fsync each whatever the size: time the first 1,000.
      const synced = await ours(dir, n, true, Math.min(n, 1_000));
      let base: number;
      let how: string;
      if (n <= 10_000) {
        base = baselineFull(dir, n);
        how = 'measured';
      } else {
        base = extrapolated(n);
        how = `extrapolated; a full run writes ~${((n * n * 12) / 2 / 1e9).toFixed(0)} GB`;
      }
      console.log(
        `  n=${String(n).padStart(6)}: ours ${fmt(plain.perRecipientUs)} (claim synced to disk: ${fmt(synced.perRecipientUs)}); ` +
          `JSON rewrite ${fmt(base)} (${how}); baseline/ours ${(base / plain.perRecipientUs).toFixed(1)}x, ` +
          `baseline/ours-synced ${(base / synced.perRecipientUs).toFixed(2)}x; import ${plain.importMs.toFixed(0)} ms once`,
      );
    }
    console.log(`  JSON rewrite model from probes: ${fmt(a)} + ${(b * 1000).toFixed(1)} ns per listed name (the baseline never syncs; ours syncs claims by default)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log('(b) virtual-time makespan, 10,000 targets over 50 accounts, delay 60-180 s');
  await makespan('  per-campaign cap 250, daily cap 300 (caps not binding)', { targets: 10_000, accounts: 50, perAccountCap: 250, dailyCap: 300, delay: { min: 60, max: 180 } });
  await makespan('  per-campaign cap 210, daily cap 120 (daily cap binding: two UTC days)', {
    targets: 10_000,
    accounts: 50,
    perAccountCap: 210,
    dailyCap: 120,
    delay: { min: 60, max: 180 },
  });
}
