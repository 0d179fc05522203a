import { afterAll, describe, expect, it } from 'vitest';
import { CampaignStore } from '../src/store/campaigns.ts';
import { openStore } from '../src/store/open.ts';
import { runClaimers } from './support/campaign-claimers.ts';
import { freshPostgresDatabase, type FreshPostgresDatabase } from './support/postgres.ts';
import { tempDir } from './support/tmp.ts';

/**
 * Two worker processes claiming from the same campaigns at once, each with the accounts whose
 * leases it holds, on both engines: every row is claimed once, no worker claims with an account
 * it does not hold, and a person listed in two campaigns is messaged once (the second campaign's
 * row is skipped as contacted, or deferred while the first is open).
 */
const T = Date.UTC(2026, 2, 1, 12);
const SETTINGS = { accountIds: null, perAccountCap: 100_000, dailyCap: 100_000, delay: { minMs: 0, maxMs: 0 }, skipContacted: true };
const names = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `person${String(from + i).padStart(5, '0')}`);

const dbs: FreshPostgresDatabase[] = [];
afterAll(async () => {
  for (const d of dbs) await d.drop();
});

describe.each(['sqlite', 'postgres'] as const)('campaign claims by two worker processes [%s]', (engine) => {
  it('claims every row once, only with accounts each worker holds, and messages a person of two campaigns once', async () => {
    const dataDir = tempDir('claims-');
    let databaseUrl: string | undefined;
    if (engine === 'postgres') {
      const d = await freshPostgresDatabase();
      dbs.push(d);
      databaseUrl = d.url;
    }
    const db = openStore({ dataDir, databaseUrl });
    const store = new CampaignStore(db);
    // 100 people are in both campaigns.
    const a = store.create({ name: 'a', message: 'm', settings: SETTINGS, usernames: names(300), now: T });
    const b = store.create({ name: 'b', message: 'n', settings: SETTINGS, usernames: names(200, 200), now: T });
    for (const c of [a, b]) store.setState(c.id, 'running', null, T);
    db.close();

    const common = { dataDir, ...(databaseUrl ? { databaseUrl } : {}), campaignIds: [a.id, b.id], now: T };
    const [w1, w2] = await runClaimers([
      { ...common, owner: 'host/1/w1', accounts: [1, 2, 3], foreign: [4, 5, 6] },
      { ...common, owner: 'host/2/w2', accounts: [4, 5, 6], foreign: [1, 2, 3] },
    ]);
    // Both took part: the claims interleaved instead of one worker doing everything.
    expect(w1!.claims.length).toBeGreaterThan(50);
    expect(w2!.claims.length).toBeGreaterThan(50);
    expect(w1!.claims.every((c) => [1, 2, 3].includes(c.accountId))).toBe(true);
    expect(w2!.claims.every((c) => [4, 5, 6].includes(c.accountId))).toBe(true);
    expect(w1!.foreignTries + w2!.foreignTries).toBeGreaterThan(0);
    expect(w1!.foreignClaimed + w2!.foreignClaimed).toBe(0);

    const all = [...w1!.claims, ...w2!.claims];
    const rows = new Set(all.map((c) => `${c.campaignId}:${c.seq}`));
    expect(rows.size).toBe(all.length);
    const people = all.map((c) => c.username);
    expect(people.length - new Set(people).size).toBe(0);
    // Every one of the 400 people got exactly one message; the 100 listed twice have one skipped row.
    expect(new Set(people).size).toBe(400);
    const check = new CampaignStore(openStore({ dataDir, databaseUrl }));
    expect(check.counts(a.id)).toMatchObject({ pending: 0, claimed: 0 });
    expect(check.counts(b.id)).toMatchObject({ pending: 0, claimed: 0 });
    expect(check.counts(a.id).sent + check.counts(b.id).sent).toBe(400);
    expect(check.counts(a.id).skipped + check.counts(b.id).skipped).toBe(100);
    check.db.close();
  }, 120_000);
});
