/** The contacted ledger: every person a campaign messaged (or may have), never messaged again by default. */
import type { Db } from './db.ts';

export class ContactedLedger {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      byUsername: db.prepare<[string], { campaign_id: number }>('SELECT campaign_id FROM contacted WHERE username = ?'),
      record: db.prepare<[string, number, number | null, number]>('INSERT OR IGNORE INTO contacted (username, campaign_id, account_id, at) VALUES (?, ?, ?, ?)'),
    };
  }

  /** The campaign that first messaged the person, if any did. */
  contactedBy(username: string): number | undefined {
    return this.sql.byUsername.get(username)?.campaign_id;
  }

  isContacted(username: string): boolean {
    return this.contactedBy(username) !== undefined;
  }

  /** Records the person (the first campaign to reach them stays recorded). */
  record(username: string, campaignId: number, accountId: number | null, at: number): void {
    this.sql.record.run(username, campaignId, accountId, at);
  }
}
