import type { Migration } from '../migration.ts';

/** SQLite's 017 (src/store/migrations/017-campaign-runners.ts): one row per (campaign, worker) running it. */
export const campaignRunners: Migration = {
  version: 17,
  name: 'campaign-runners',
  sql: `
    CREATE TABLE campaign_runners (
      campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      owner TEXT NOT NULL,
      next_at BIGINT,
      heartbeat_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      PRIMARY KEY (campaign_id, owner)
    );
    DELETE FROM leases WHERE scope = 'campaign';
  `,
};
