import type { Migration } from '../migration.ts';

/**
 * A running campaign is run by every worker that holds some of its accounts, each with its own:
 * the one-runner campaign lease gives way to one row per (campaign, worker) saying when that
 * worker next has something to do (NULL: nothing left in its part). A worker whose part is empty
 * ends the campaign (done, or paused with the reason) only when no other live runner has work.
 * Campaign leases left by an older version mean nothing now.
 */
export const campaignRunners: Migration = {
  version: 17,
  name: 'campaign-runners',
  sql: `
    CREATE TABLE campaign_runners (
      campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      owner TEXT NOT NULL,
      next_at INTEGER,
      heartbeat_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (campaign_id, owner)
    );
    DELETE FROM leases WHERE scope = 'campaign';
  `,
};
