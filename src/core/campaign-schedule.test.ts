import { describe, expect, it } from 'vitest';
import { accountBudget, campaignLowerBoundMs, jitteredDelay, networkBackoffMs, nextUtcMidnight, utcDay } from './campaign-schedule.ts';

describe('campaign schedule maths', () => {
  it('draws delays uniformly inside the range', () => {
    const r = { minMs: 1000, maxMs: 3000 };
    expect(jitteredDelay(r, () => 0)).toBe(1000);
    expect(jitteredDelay(r, () => 0.5)).toBe(2000);
    expect(jitteredDelay(r, () => 0.999999)).toBe(3000);
    expect(jitteredDelay({ minMs: 500, maxMs: 500 }, () => 0.7)).toBe(500);
  });

  it('counts days in UTC and finds the next midnight', () => {
    const t = Date.UTC(2026, 2, 5, 23, 59, 59);
    expect(utcDay(t)).toBe('2026-03-05');
    expect(nextUtcMidnight(t)).toBe(Date.UTC(2026, 2, 6));
    expect(nextUtcMidnight(Date.UTC(2026, 2, 6))).toBe(Date.UTC(2026, 2, 7));
  });

  it('gives the remaining budget as the tighter of the two caps, and says which one ran out', () => {
    expect(accountBudget({ usedInCampaign: 1, perCampaignCap: 4, usedToday: 18, dailyCap: 20 })).toEqual({ ok: true, remaining: 2 });
    expect(accountBudget({ usedInCampaign: 4, perCampaignCap: 4, usedToday: 0, dailyCap: 20 })).toEqual({ ok: false, why: 'campaign_cap', remaining: 0 });
    expect(accountBudget({ usedInCampaign: 0, perCampaignCap: 4, usedToday: 20, dailyCap: 20 })).toEqual({ ok: false, why: 'daily_cap', remaining: 0 });
  });

  it('computes the makespan lower bound, with whole-day waits when the daily cap binds', () => {
    const base = { accounts: 50, meanDelayMs: 120_000, perCampaignCap: 250, dailyCap: 1000, startMs: Date.UTC(2026, 0, 1) };
    expect(campaignLowerBoundMs({ ...base, targets: 10_000 })).toBe(199 * 120_000);
    expect(campaignLowerBoundMs({ ...base, targets: 20_000 })).toBe(Infinity);
    // 3 per account with a daily cap of 2: two sends on day one, the third at the next midnight.
    expect(campaignLowerBoundMs({ ...base, targets: 150, dailyCap: 2 })).toBe(86_400_000);
  });

  it('backs off connection failures exponentially up to ten minutes', () => {
    expect([1, 2, 3, 4, 9].map(networkBackoffMs)).toEqual([5_000, 20_000, 80_000, 320_000, 600_000]);
  });
});
