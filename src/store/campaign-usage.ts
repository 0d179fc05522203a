/** How many campaign messages each account claimed per UTC day: what the daily cap counts. */
import type { Db } from './db.ts';

export class DailyUsage {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      usage: db.prepare<[number, string], { used: number }>('SELECT used FROM campaign_daily_usage WHERE account_id = ? AND day = ?'),
      use: db.prepare<[{ account: number; day: string; now: number }]>(
        `INSERT INTO campaign_daily_usage (account_id, day, used, last_at) VALUES (@account, @day, 1, @now)
         ON CONFLICT (account_id, day) DO UPDATE SET used = campaign_daily_usage.used + 1,
           last_at = CASE WHEN campaign_daily_usage.last_at > excluded.last_at THEN campaign_daily_usage.last_at ELSE excluded.last_at END`,
      ),
      refund: db.prepare<[number, string]>('UPDATE campaign_daily_usage SET used = used - 1 WHERE account_id = ? AND day = ? AND used > 0'),
      lastUse: db.prepare<[number], { t: number | null }>('SELECT max(last_at) AS t FROM campaign_daily_usage WHERE account_id = ?'),
    };
  }

  usedOn(accountId: number, day: string): number {
    return this.sql.usage.get(accountId, day)?.used ?? 0;
  }

  /** When the account last claimed a campaign message (any campaign), for pacing across restarts. */
  lastClaimAt(accountId: number): number | null {
    return this.sql.lastUse.get(accountId)?.t ?? null;
  }

  /** Counts one claim (inside the caller's transaction). */
  count(accountId: number, day: string, now: number): void {
    this.sql.use.run({ account: accountId, day, now });
  }

  /** Gives back a claim that sent nothing, on the day it was counted. */
  refund(accountId: number, day: string): void {
    this.sql.refund.run(accountId, day);
  }
}
