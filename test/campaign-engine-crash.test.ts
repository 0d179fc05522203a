import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PacingConfig } from '../src/config.ts';
import { VirtualClock, type Clock } from '../src/core/clock.ts';
import { CampaignService } from '../src/engine/campaigns.ts';
import { openSqlite } from '../src/store/db.ts';
import { failures, FakeTelegram, MemoryPool, usernames } from './support/pm-fleet.ts';
import { tempDir } from './support/tmp.ts';
import { seededRandom as seeded } from '../src/core/random.ts';

const PACING: PacingConfig = {
  actionDelay: { min: 1, max: 1 },
  actionConcurrency: 1,
  campaignDelay: { min: 0, max: 2 },
  campaignPerAccount: 100,
  campaignDailyCap: 1000,
};

/**
 * The engine-level crash simulation: each "process" is a fresh engine over the same SQLite file;
 * a kill at a random await point (before a send reaches Telegram, after it was delivered but before
 * the answer, during a history lookup) closes its database and leaves its sessions unanswered, so
 * nothing after that point happens. Telegram's side (deliveries, used random_ids) survives.
 */
async function crashRun(seed: number, kills: number) {
  const rnd = seeded(seed);
  const deliverable = usernames(320);
  const privacy = usernames(20, 'shy');
  const missing = usernames(20, 'ghost');
  let current = new VirtualClock(Date.UTC(2026, 0, 1));
  const clock: Clock = { now: () => current.now(), sleep: (ms, signal) => current.sleep(ms, signal) };
  const tg = new FakeTelegram(clock, new Set(deliverable), new Set(privacy));
  const pool = new MemoryPool(tg, 8, clock);
  tg.fault = (acc) => {
    const x = rnd();
    if (x < 0.03) return failures.flood(5 + Math.floor(rnd() * 300));
    if (x < 0.06) return { deliverThenFail: failures.network() };
    if (x < 0.08) return failures.network();
    if (acc >= 7 && x < 0.1) return failures.peerFlood();
    return undefined;
  };
  const file = join(tempDir('tp-crash-'), 'panel.db');
  const targets = [...deliverable, ...privacy, ...missing].sort(() => rnd() - 0.5).join('\n');
  let killed = 0;
  let generations = 0;
  let state = 'ready';
  while (state !== 'done' && generations < 80) {
    generations++;
    current = new VirtualClock(current.now() + 1000 + Math.floor(rnd() * 600_000));
    const db = openSqlite(file);
    const owner = `sim:${generations}:x`;
    // A kill here ends the process, not the machine: committed claims survive without the fsync,
    // which virtual time could not wait for. The SIGKILL test (campaign-crash) runs with it.
    const svc = new CampaignService({ db, pool, clock, pacing: PACING, random: rnd, leaseOwner: owner, isLeaseOwnerDead: (o) => o !== owner, syncClaims: false });
    if (generations === 1) svc.create({ name: 'crash', message: 'Hello from the panel', targets });
    const killAt = killed < kills ? 1 + Math.floor(rnd() * 80) : Infinity;
    let points = 0;
    let dead = false;
    tg.onPoint = () => {
      if (!dead && ++points >= killAt) {
        dead = true;
        pool.kill();
        db.close();
      }
    };
    const outcome = await current.run(svc.run('crash', { maxWaitMs: Infinity })).then(
      (r) => r,
      (e: unknown) => e,
    );
    if (dead) {
      killed++;
      continue;
    }
    if (outcome instanceof Error) throw outcome;
    state = svc.status('crash').state;
    db.close();
  }
  const db = openSqlite(file);
  const svc = new CampaignService({ db, pool, clock, pacing: PACING, leaseOwner: 'check:0:x', syncClaims: false });
  const rows = [...svc.exportRows('crash')];
  const status = svc.status('crash');
  db.close();
  return { tg, rows, status, killed, generations, deliverable, privacy, missing };
}

describe('campaign engine under random kills', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: nobody gets the message twice and every deliverable target gets it once or is uncertain`, async () => {
      const { tg, rows, status, killed, deliverable, privacy, missing } = await crashRun(seed, 15);
      expect(killed).toBe(15);
      expect(status.state).toBe('done');
      expect(tg.duplicates()).toEqual([]);
      const byName = new Map(rows.map((r) => [r.username, r]));
      const delivered = new Map<string, number>();
      for (const d of tg.deliveries) delivered.set(d.to, (delivered.get(d.to) ?? 0) + 1);
      let uncertain = 0;
      for (const u of deliverable) {
        const row = byName.get(u)!;
        if (row.outcome === 'uncertain') uncertain++;
        else {
          expect(row.outcome, u).toBe('sent');
          expect(delivered.get(u), u).toBe(1);
        }
      }
      // A row the panel calls sent was delivered; a delivered person's row is sent or uncertain.
      for (const [u] of delivered) expect(['sent', 'uncertain']).toContain(byName.get(u)!.outcome);
      for (const u of privacy) expect(byName.get(u)!.outcome).toBe('privacy_restricted');
      for (const u of missing) expect(byName.get(u)!.outcome).toBe('not_found');
      expect(status.counts.uncertain).toBe(uncertain);
      console.log(`seed ${seed}: ${killed} kills, ${tg.deliveries.length} deliveries, ${uncertain} uncertain`);
    });
  }
});
