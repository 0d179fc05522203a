/**
 * Durable campaign claims: a claim must be on disk before its send (a power cut must not lose the
 * claim that makes a restart settle the row instead of sending it again). The old way synced the
 * claim's commit on the event loop (`synchronous = FULL`), so nothing else in the process moved
 * during the fsync; now the commit is followed by an fsync of the WAL in the thread pool, shared
 * by lanes that claim at once (WalSync). Per claim: event-loop time blocked and time until
 * durable, with one lane and with 16 lanes claiming at once; both ways in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignStore } from '../src/store/campaigns.ts';
import { openSqlite } from '../src/store/db.ts';
import { usernames } from '../test/support/pm-fleet.ts';

function fmt(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`;
}

type ClaimScheme = 'loop' | 'pool';
/** `lanes` concurrent claimers, each claim made durable by `scheme`, then marked sent. */
async function durableClaims(dir: string, scheme: ClaimScheme, lanes: number, perLane: number): Promise<{ blockedUs: number; durableUs: number; perSecond: number }> {
  const db = openSqlite(join(dir, `durable-${scheme}-${lanes}.db`));
  const store = new CampaignStore(db);
  const n = lanes * perLane;
  const c = store.create({
    name: 'durable',
    message: 'Hello',
    now: 0,
    usernames: usernames(n),
    settings: { accountIds: null, perAccountCap: n, dailyCap: n, delay: { minMs: 0, maxMs: 0 }, skipContacted: true },
  });
  store.setState(c.id, 'running', null, 0);
  let blocked = 0;
  let durable = 0;
  let rid = 0n;
  const lane = async (accountId: number): Promise<void> => {
    for (let i = 0; i < perLane; i++) {
      const q = { campaignId: c.id, leaseOwner: 'bench', requireLease: false, accountId, randomId: ++rid, now: 0, dailyCap: n, skipContacted: true };
      const t0 = performance.now();
      let r;
      if (scheme === 'loop') {
        db.pragma('synchronous = FULL');
        try {
          r = store.claimNext(q);
        } finally {
          db.pragma('synchronous = NORMAL');
        }
        blocked += performance.now() - t0;
      } else {
        const pending = store.claimForSend(q);
        blocked += performance.now() - t0;
        r = await pending;
      }
      durable += performance.now() - t0;
      if (r.kind !== 'claimed') throw new Error(`claim: ${r.kind}`);
      // The send: another lane's turn.
      await new Promise<void>((res) => setImmediate(res));
      store.markSent(r.row, 1, 0);
    }
  };
  const t = performance.now();
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i + 1)));
  const ms = performance.now() - t;
  db.close();
  return { blockedUs: (blocked * 1000) / n, durableUs: (durable * 1000) / n, perSecond: (n / ms) * 1000 };
}

export async function run(): Promise<void> {
  const durableDir = mkdtempSync(join(tmpdir(), 'tp-bench-campaign-'));
  try {
    console.log('durable claims: synced on the event loop (before) vs fsync of the WAL in the thread pool (now)');
    for (const lanes of [1, 16]) {
      const perLane = lanes === 1 ? 300 : 40;
      const loop = await durableClaims(durableDir, 'loop', lanes, perLane);
      const pool = await durableClaims(durableDir, 'pool', lanes, perLane);
      console.log(
        `  ${String(lanes).padStart(2)} lane(s): event loop blocked per claim ${fmt(loop.blockedUs)} -> ${fmt(pool.blockedUs)} (${(loop.blockedUs / pool.blockedUs).toFixed(1)}x less); ` +
          `claim to durable ${fmt(loop.durableUs)} -> ${fmt(pool.durableUs)}; durable claims per second ${loop.perSecond.toFixed(0)} -> ${pool.perSecond.toFixed(0)} ` +
          `(${(pool.perSecond / loop.perSecond).toFixed(1)}x)`,
      );
    }
  } finally {
    rmSync(durableDir, { recursive: true, force: true });
  }

}

if (process.argv[1]?.endsWith('campaign-claims.bench.ts')) await run();
