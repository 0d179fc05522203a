/**
 * Messages a campaign sent over time, per account: counted in SQL from the rows' settle times, so
 * a campaign of any size costs a few aggregate queries and never loads its rows. The live page
 * re-reads them about once a second while a campaign runs, so each one walks the covering
 * `campaign_targets_account_outcome` index in its order (migration 15) and only the busiest
 * accounts are grouped per bucket: grouping every account's rows by bucket sorted them all.
 */
import type { Db } from './db.ts';
import { idsFromJson } from './sql.ts';

/** The span of a campaign's charted rows (null times when nothing was sent). */
export interface SentSpan {
  first: number | null;
  last: number | null;
  sent: number;
}

/** Rows sent by one account in one bucket (`bucket` counts from the start given). */
export interface SentBucket {
  accountId: number;
  bucket: number;
  sent: number;
}

/** The rows the chart counts: sent by an account at a known time. */
const CHARTED = "campaign_id = ? AND account_id IS NOT NULL AND state = 'sent' AND done_at IS NOT NULL";
const BUCKET = '(CAST(done_at AS INTEGER) - CAST(? AS INTEGER)) / CAST(? AS INTEGER)';

export class CampaignTimeline {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      span: db.prepare<[number], { first: number | null; last: number | null; sent: number }>(
        `SELECT min(done_at) AS first, max(done_at) AS last, count(*) AS sent FROM campaign_targets WHERE ${CHARTED}`,
      ),
      perAccount: db.prepare<[number], { account_id: number; sent: number }>(`SELECT account_id, count(*) AS sent FROM campaign_targets WHERE ${CHARTED} GROUP BY account_id`),
      totals: db.prepare<[number, number, number], { bucket: number; sent: number }>(`SELECT ${BUCKET} AS bucket, count(*) AS sent FROM campaign_targets WHERE ${CHARTED} GROUP BY bucket`),
      buckets: db.prepare<[number, number, number, string], { account_id: number; bucket: number; sent: number }>(
        `SELECT account_id, ${BUCKET} AS bucket, count(*) AS sent FROM campaign_targets
         WHERE ${CHARTED} AND account_id IN (${idsFromJson(db)}) GROUP BY account_id, bucket`,
      ),
    };
  }

  span(campaignId: number): SentSpan {
    return this.sql.span.get(campaignId) ?? { first: null, last: null, sent: 0 };
  }

  /** Charted rows per account that sent any. */
  perAccount(campaignId: number): Array<{ accountId: number; sent: number }> {
    return this.sql.perAccount.all(campaignId).map((r) => ({ accountId: r.account_id, sent: r.sent }));
  }

  /** Charted rows per bucket of `bucketMs` from `start` (whole milliseconds), all accounts together. */
  totals(campaignId: number, start: number, bucketMs: number): Array<{ bucket: number; sent: number }> {
    return this.sql.totals.all(start, bucketMs, campaignId);
  }

  /** Charted rows of the given accounts per account per bucket of `bucketMs` from `start`. */
  buckets(campaignId: number, start: number, bucketMs: number, accountIds: readonly number[]): SentBucket[] {
    return this.sql.buckets.all(start, bucketMs, campaignId, JSON.stringify(accountIds)).map((r) => ({ accountId: r.account_id, bucket: r.bucket, sent: r.sent }));
  }
}
