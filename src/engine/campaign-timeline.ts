import type { CampaignStore } from '../store/campaigns.ts';

/** Bucket sizes a chart steps through, so its axis reads in round times. */
const STEPS_MS = [60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000, 3600_000, 3 * 3600_000, 6 * 3600_000, 12 * 3600_000, 86_400_000, 7 * 86_400_000];

/** The smallest round bucket that fits `first..last` in at most `max` buckets aligned to it. */
export function bucketSize(first: number, last: number, max: number): number {
  const fits = (s: number): boolean => Math.floor((last - Math.floor(first / s) * s) / s) + 1 <= max;
  const step = STEPS_MS.find(fits);
  if (step !== undefined) return step;
  let days = Math.ceil((last - first + 1) / max / 86_400_000);
  while (!fits(days * 86_400_000)) days++;
  return days * 86_400_000;
}

/** One line of the chart: an account's sends per bucket, or the rest of the accounts together. */
export interface TimelineSeries {
  /** Null for the accounts beyond the busiest ones, counted together. */
  accountId: number | null;
  sent: number[];
  total: number;
}

export interface CampaignTimeline {
  /** Start of the first bucket (epoch ms, a multiple of `bucketMs`); null when nothing was sent. */
  start: number | null;
  bucketMs: number;
  buckets: number;
  /** The busiest accounts first, then `others` when more accounts sent. */
  series: TimelineSeries[];
  /** Sent messages per bucket, all accounts together. */
  totals: number[];
}

export interface TimelineOptions {
  /** At most this many buckets (default 24). */
  maxBuckets?: number;
  /** Accounts drawn on their own; the rest are one series (default 8). */
  maxSeries?: number;
}

/**
 * Sent messages over time per account, from aggregate queries whatever the campaign's size: the
 * busiest accounts are counted per bucket, and the rest are what they leave of the totals.
 */
export function campaignTimeline(store: CampaignStore, campaignId: number, opts: TimelineOptions = {}): CampaignTimeline {
  const maxBuckets = opts.maxBuckets ?? 24;
  const maxSeries = opts.maxSeries ?? 8;
  const span = store.timeline.span(campaignId);
  if (span.first === null || span.last === null) return { start: null, bucketMs: STEPS_MS[0]!, buckets: 0, series: [], totals: [] };
  const bucketMs = bucketSize(span.first, span.last, maxBuckets);
  const start = Math.floor(span.first / bucketMs) * bucketMs;
  const buckets = Math.floor((span.last - start) / bucketMs) + 1;
  const ranked = store.timeline.perAccount(campaignId).sort((a, b) => b.sent - a.sent || a.accountId - b.accountId);
  const shown = ranked.slice(0, maxSeries);
  const per = new Map(shown.map((a) => [a.accountId, new Array<number>(buckets).fill(0)]));
  for (const b of store.timeline.buckets(campaignId, start, bucketMs, [...per.keys()])) {
    const row = per.get(b.accountId);
    if (row && b.bucket >= 0 && b.bucket < buckets) row[b.bucket]! += b.sent;
  }
  const series: TimelineSeries[] = shown.map((a) => {
    const sent = per.get(a.accountId)!;
    return { accountId: a.accountId, sent, total: sent.reduce((x, y) => x + y, 0) };
  });
  const totals = new Array<number>(buckets).fill(0);
  for (const b of store.timeline.totals(campaignId, start, bucketMs)) if (b.bucket >= 0 && b.bucket < buckets) totals[b.bucket]! += b.sent;
  if (ranked.length > maxSeries) {
    const sent = totals.map((x, i) => series.reduce((left, s) => left - s.sent[i]!, x));
    series.push({ accountId: null, sent, total: sent.reduce((a, x) => a + x, 0) });
  }
  return { start, bucketMs, buckets, series, totals };
}
