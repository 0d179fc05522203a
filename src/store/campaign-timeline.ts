/**
 * Messages a campaign sent over time, per account: counted in SQL from the rows' settle times, so
 * a campaign of any size costs two aggregate queries and never loads its rows.
 */
import type { Db } from './db.ts';

/** The span of a campaign's sent rows (null times when nothing was sent). */
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

export class CampaignTimeline {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      span: db.prepare<[number], { first: number | null; last: number | null; sent: number }>(
        "SELECT min(done_at) AS first, max(done_at) AS last, count(*) AS sent FROM campaign_targets WHERE campaign_id = ? AND state = 'sent'",
      ),
      buckets: db.prepare<[number, number, number], { account_id: number; bucket: number; sent: number }>(
        `SELECT account_id, (CAST(done_at AS INTEGER) - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS bucket, count(*) AS sent FROM campaign_targets
         WHERE campaign_id = ? AND state = 'sent' AND account_id IS NOT NULL AND done_at IS NOT NULL
         GROUP BY account_id, bucket`,
      ),
    };
  }

  span(campaignId: number): SentSpan {
    return this.sql.span.get(campaignId) ?? { first: null, last: null, sent: 0 };
  }

  /** Sent rows per account per bucket of `bucketMs` from `start` (whole milliseconds). */
  buckets(campaignId: number, start: number, bucketMs: number): SentBucket[] {
    return this.sql.buckets.all(start, bucketMs, campaignId).map((r) => ({ accountId: r.account_id, bucket: r.bucket, sent: r.sent }));
  }
}
