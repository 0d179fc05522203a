/**
 * Who is running each campaign: one row per (campaign, process), renewed while it runs, saying
 * when that process next has something to do in its part (null: nothing). Several processes run
 * one campaign at once, each with the accounts it holds; a process that ran out of work ends the
 * campaign only when no other live runner still has some (`othersBusy`).
 */
import type { Db } from './db.ts';

export class CampaignRunners {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      beat: db.prepare<[{ id: number; owner: string; nextAt: number | null; now: number; until: number }]>(
        `INSERT INTO campaign_runners (campaign_id, owner, next_at, heartbeat_at, expires_at) VALUES (@id, @owner, @nextAt, @now, @until)
         ON CONFLICT (campaign_id, owner) DO UPDATE SET next_at = excluded.next_at, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
      ),
      leave: db.prepare<[number, string]>('DELETE FROM campaign_runners WHERE campaign_id = ? AND owner = ?'),
      others: db.prepare<[number, string, number], { owner: string; next_at: number | null }>(
        'SELECT owner, next_at FROM campaign_runners WHERE campaign_id = ? AND owner <> ? AND expires_at > ?',
      ),
    };
  }

  /** Records that `owner` runs the campaign until `until`, next busy at `nextAt` (null: idle). */
  beat(campaignId: number, owner: string, nextAt: number | null, now: number, until: number): void {
    this.sql.beat.run({ id: campaignId, owner, nextAt, now, until });
  }

  leave(campaignId: number, owner: string): void {
    this.sql.leave.run(campaignId, owner);
  }

  /** Live runners other than `self` (not expired, not known dead), with when each next has work. */
  others(campaignId: number, self: string, now: number, isDead: (owner: string) => boolean): Array<{ owner: string; nextAt: number | null }> {
    return this.sql
      .others.all(campaignId, self, now)
      .filter((r) => !isDead(r.owner))
      .map((r) => ({ owner: r.owner, nextAt: r.next_at === null ? null : Number(r.next_at) }));
  }
}
