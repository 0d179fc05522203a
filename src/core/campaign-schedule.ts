/**
 * The pure arithmetic of campaigns: jittered delays, UTC days for the daily cap, what an
 * account may still send, and the lower bound a schedule is measured against.
 */

/** Telegram's limit for one text message, in UTF-16 code units (what its clients count). */
export const MESSAGE_MAX_LENGTH = 4096;

export interface DelayRangeMs {
  minMs: number;
  maxMs: number;
}

/** A delay drawn uniformly from the range; `random` returns [0, 1). */
export function jitteredDelay(range: DelayRangeMs, random: () => number): number {
  if (range.maxMs <= range.minMs) return range.minMs;
  return Math.round(range.minMs + (range.maxMs - range.minMs) * random());
}

const DAY_MS = 86_400_000;

/** The UTC day (YYYY-MM-DD) the daily cap counts `ms` in. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Epoch ms of the next UTC midnight after `ms`. */
export function nextUtcMidnight(ms: number): number {
  return (Math.floor(ms / DAY_MS) + 1) * DAY_MS;
}

export interface AccountBudgetInput {
  /** This account's sent, claimed and uncertain rows in this campaign. */
  usedInCampaign: number;
  perCampaignCap: number;
  /** This account's claims and sends today (UTC) over all campaigns. */
  usedToday: number;
  dailyCap: number;
}

export type AccountBudget =
  | { ok: true; remaining: number }
  | { ok: false; why: 'campaign_cap' | 'daily_cap'; remaining: 0 };

/** How many more messages the account may send in this campaign right now, and if none, why. */
export function accountBudget(b: AccountBudgetInput): AccountBudget {
  const campaignLeft = b.perCampaignCap - b.usedInCampaign;
  if (campaignLeft <= 0) return { ok: false, why: 'campaign_cap', remaining: 0 };
  const dailyLeft = b.dailyCap - b.usedToday;
  if (dailyLeft <= 0) return { ok: false, why: 'daily_cap', remaining: 0 };
  return { ok: true, remaining: Math.min(campaignLeft, dailyLeft) };
}

export interface LowerBoundInput {
  targets: number;
  accounts: number;
  /** Mean delay between one account's sends. */
  meanDelayMs: number;
  perCampaignCap: number;
  dailyCap: number;
  /** When sending starts (the daily cap resets at UTC midnight). */
  startMs: number;
}

/**
 * The shortest possible makespan: the targets spread evenly over the accounts at the mean
 * allowed rate (an account's first send needs no wait). Infinite when the caps cannot cover the
 * targets. When one account's share passes the daily cap, its sends wait for the next UTC day.
 */
export function campaignLowerBoundMs(x: LowerBoundInput): number {
  if (x.accounts <= 0 || x.targets > x.accounts * x.perCampaignCap) return Infinity;
  const perAccount = x.targets / x.accounts;
  if (perAccount <= x.dailyCap) return Math.max(0, perAccount - 1) * x.meanDelayMs;
  // Earliest-first is optimal for one account: send at the rate until the day's cap, then wait.
  let t = x.startMs;
  let sentToday = 1;
  for (let i = 1; i < Math.ceil(perAccount); i++) {
    let next = t + x.meanDelayMs;
    if (utcDay(next) !== utcDay(t)) sentToday = 0;
    else if (sentToday >= x.dailyCap) {
      next = nextUtcMidnight(t);
      sentToday = 0;
    }
    t = next;
    sentToday++;
  }
  return t - x.startMs;
}

/** Backoff for an account whose connection keeps failing: 5 s, 20 s, 80 s, … capped at 10 min. */
export function networkBackoffMs(consecutiveFailures: number): number {
  return Math.min(600_000, 5_000 * 4 ** Math.max(0, consecutiveFailures - 1));
}
