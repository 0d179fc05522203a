import { beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../test/support/engines.ts';
import { CampaignTimeline } from './campaign-timeline.ts';
import { DailyUsage } from './campaign-usage.ts';
import { ContactedLedger } from './contacted.ts';
import type { Db } from './sql.ts';

const T0 = Date.UTC(2026, 5, 1, 12);
const MIN = 60_000;

/** A campaign and its rows written directly, so these parts are tested without the claim rules. */
function campaign(db: Db, name: string): number {
  return db
    .prepare<[string, number, number], { id: number }>(
      `INSERT INTO campaigns (name, message, state, per_account_cap, daily_cap, delay_min_ms, delay_max_ms, skip_contacted, created_at, updated_at)
       VALUES (?, 'hi', 'running', 10, 10, 0, 0, 1, ?, ?) RETURNING id`,
    )
    .get(name, T0, T0)!.id;
}

function row(db: Db, campaignId: number, seq: number, state: string, accountId: number | null, doneAt: number | null): void {
  db.prepare('INSERT INTO campaign_targets (campaign_id, seq, username, state, account_id, done_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    campaignId,
    seq,
    `user_${campaignId}_${seq}`,
    state,
    accountId,
    doneAt,
  );
}

describeEngines('daily usage and the contacted ledger', (t) => {
  it('counts claims per account and UTC day, refunds them, and keeps the latest claim time', () => {
    const usage = new DailyUsage(t.db);
    expect(usage.usedOn(1, '2026-06-01')).toBe(0);
    expect(usage.lastClaimAt(1)).toBeNull();
    usage.count(1, '2026-06-01', T0 + 10);
    usage.count(1, '2026-06-01', T0 + 5);
    usage.count(1, '2026-06-02', T0 + 86_400_000);
    usage.count(2, '2026-06-01', T0);
    expect(usage.usedOn(1, '2026-06-01')).toBe(2);
    expect(usage.lastClaimAt(1)).toBe(T0 + 86_400_000);
    // A claim counted out of order never moves the time back.
    expect(t.db.prepare('SELECT last_at FROM campaign_daily_usage WHERE account_id = 1 AND day = ?').get('2026-06-01')).toEqual({ last_at: T0 + 10 });
    usage.refund(1, '2026-06-01');
    usage.refund(1, '2026-06-01');
    usage.refund(1, '2026-06-01');
    expect(usage.usedOn(1, '2026-06-01')).toBe(0);
    expect(usage.usedOn(2, '2026-06-01')).toBe(1);
  });

  it('keeps the first campaign that reached a person', () => {
    const a = campaign(t.db, 'a');
    const b = campaign(t.db, 'b');
    const ledger = new ContactedLedger(t.db);
    expect(ledger.isContacted('alice')).toBe(false);
    ledger.record('alice', a, 1, T0);
    ledger.record('alice', b, 2, T0 + 1);
    ledger.record('bob', b, null, T0 + 2);
    expect(ledger.contactedBy('alice')).toBe(a);
    expect(ledger.contactedBy('bob')).toBe(b);
    expect(ledger.isContacted('carol')).toBe(false);
  });
});

describeEngines('a campaign timeline', (t) => {
  let timeline: CampaignTimeline;
  let id: number;
  beforeEach(() => {
    timeline = new CampaignTimeline(t.db);
    id = campaign(t.db, 'c');
    const other = campaign(t.db, 'other');
    // Account 1 sent at +0, +1 and +3 minutes, account 2 at +1 and +2, account 3 at +2.
    row(t.db, id, 1, 'sent', 1, T0);
    row(t.db, id, 2, 'sent', 1, T0 + MIN + 1);
    row(t.db, id, 3, 'sent', 1, T0 + 3 * MIN + 59_999);
    row(t.db, id, 4, 'sent', 2, T0 + MIN);
    row(t.db, id, 5, 'sent', 2, T0 + 2 * MIN);
    row(t.db, id, 6, 'sent', 3, T0 + 2 * MIN + 30_000);
    // Not charted: not sent, no account, no time, another campaign.
    row(t.db, id, 7, 'failed', 1, T0 + MIN);
    row(t.db, id, 8, 'claimed', 2, null);
    row(t.db, id, 9, 'sent', null, T0);
    row(t.db, id, 10, 'sent', 3, null);
    row(t.db, other, 1, 'sent', 1, T0);
  });

  it('spans the sent rows and counts them per account', () => {
    expect(timeline.span(id)).toEqual({ first: T0, last: T0 + 3 * MIN + 59_999, sent: 6 });
    expect(timeline.perAccount(id).sort((a, b) => a.accountId - b.accountId)).toEqual([
      { accountId: 1, sent: 3 },
      { accountId: 2, sent: 2 },
      { accountId: 3, sent: 1 },
    ]);
    expect(timeline.span(999)).toEqual({ first: null, last: null, sent: 0 });
    expect(timeline.perAccount(999)).toEqual([]);
  });

  it('counts whole buckets from the start given, in total and for the accounts asked', () => {
    const byBucket = (a: { bucket: number }, b: { bucket: number }) => a.bucket - b.bucket;
    // Epoch-millisecond times do not fit 32 bits: the bucket arithmetic must stay 64-bit.
    expect(timeline.totals(id, T0, MIN).sort(byBucket)).toEqual([
      { bucket: 0, sent: 1 },
      { bucket: 1, sent: 2 },
      { bucket: 2, sent: 2 },
      { bucket: 3, sent: 1 },
    ]);
    expect(timeline.totals(id, T0, 2 * MIN).sort(byBucket)).toEqual([
      { bucket: 0, sent: 3 },
      { bucket: 1, sent: 3 },
    ]);
    const buckets = timeline.buckets(id, T0, MIN, [1, 3]).sort((a, b) => a.accountId - b.accountId || a.bucket - b.bucket);
    expect(buckets).toEqual([
      { accountId: 1, bucket: 0, sent: 1 },
      { accountId: 1, bucket: 1, sent: 1 },
      { accountId: 1, bucket: 3, sent: 1 },
      { accountId: 3, bucket: 2, sent: 1 },
    ]);
    expect(timeline.buckets(id, T0, MIN, [])).toEqual([]);
  });
});
