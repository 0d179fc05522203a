import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/tmp.ts';
import { CampaignStore } from '../store/campaigns.ts';
import { openSqlite } from '../store/db.ts';
import { bucketSize, campaignTimeline } from './campaign-timeline.ts';

const SETTINGS = { accountIds: null, perAccountCap: 10, dailyCap: 3, delay: { minMs: 0, maxMs: 0 }, skipContacted: true };
const T = Date.UTC(2026, 0, 1, 12);
const MIN = 60_000;

describe('a campaign timeline', () => {
  it('picks the smallest round bucket that fits the span', () => {
    expect(bucketSize(T, T, 24)).toBe(MIN);
    expect(bucketSize(T, T + 23 * MIN, 24)).toBe(MIN);
    expect(bucketSize(T, T + 24 * MIN, 24)).toBe(5 * MIN);
    expect(bucketSize(T, T + 10 * 3600_000, 24)).toBe(30 * MIN);
    expect(bucketSize(T, T + 400 * 86_400_000, 24)).toBeGreaterThanOrEqual(17 * 86_400_000);
  });

  it('counts sent rows per account per bucket in the database, the busiest accounts apart and the rest together', () => {
    const db = openSqlite(join(tempDir(), 'panel.db'));
    const store = new CampaignStore(db);
    const c = store.create({ name: 'c', message: 'm', settings: SETTINGS, usernames: Array.from({ length: 2000 }, (_, i) => `user_${i}`), now: T });
    // 1800 sent over 90 minutes by 12 accounts (account 1 busiest), 200 still pending.
    db.prepare("UPDATE campaign_targets SET state = 'sent', account_id = CASE WHEN seq % 3 = 0 THEN 1 ELSE 2 + seq % 11 END, done_at = ? + (seq - 1) * 3000 WHERE campaign_id = ? AND seq <= 1800").run(T, c.id);
    const tl = campaignTimeline(store, c.id, { maxBuckets: 24, maxSeries: 4 });
    expect(tl.start).toBe(T);
    expect(tl.bucketMs).toBe(5 * MIN);
    expect(tl.buckets).toBe(18);
    expect(tl.series).toHaveLength(5);
    expect(tl.series[0]!.accountId).toBe(1);
    expect(tl.series.at(-1)!.accountId).toBeNull();
    expect(tl.series.reduce((a, s) => a + s.total, 0)).toBe(1800);
    expect(tl.totals.reduce((a, x) => a + x, 0)).toBe(1800);
    // 5 minutes at one message every 3 s.
    expect(tl.totals[0]).toBe(100);
    expect(tl.series[0]!.sent[0]).toBe(33);
  });

  it('is empty before anything was sent', () => {
    const store = new CampaignStore(openSqlite(join(tempDir(), 'panel.db')));
    const c = store.create({ name: 'c', message: 'm', settings: SETTINGS, usernames: ['alice_one'], now: T });
    expect(campaignTimeline(store, c.id)).toMatchObject({ start: null, buckets: 0, series: [] });
  });
});
