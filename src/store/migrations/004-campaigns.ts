import type { Migration } from '../migration.ts';

/**
 * Campaigns keep one row per target so a send is claimed before it happens and settled after;
 * `contacted` is the ledger of people any campaign has messaged; `campaign_daily_usage` counts
 * each account's claims per UTC day across campaigns. Account ids are not foreign keys: an
 * account removed from the fleet must not erase the record of whom it messaged.
 */
export const campaigns: Migration = {
  version: 4,
  name: 'campaigns',
  sql: `
    CREATE TABLE campaigns (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      message TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('ready', 'running', 'paused', 'done', 'cancelled')),
      reason TEXT,
      account_ids TEXT,
      per_account_cap INTEGER NOT NULL,
      daily_cap INTEGER NOT NULL,
      delay_min_ms INTEGER NOT NULL,
      delay_max_ms INTEGER NOT NULL,
      skip_contacted INTEGER NOT NULL,
      lease_owner TEXT,
      lease_until INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE campaign_targets (
      campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      username TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'sent', 'not_found', 'privacy_restricted', 'failed', 'uncertain', 'skipped')),
      account_id INTEGER,
      random_id TEXT,
      claimed_at INTEGER,
      attempts INTEGER NOT NULL DEFAULT 0,
      tried TEXT NOT NULL DEFAULT ',',
      message_id INTEGER,
      error_code TEXT,
      error TEXT,
      done_at INTEGER,
      PRIMARY KEY (campaign_id, seq),
      UNIQUE (campaign_id, username)
    );
    CREATE INDEX campaign_targets_state ON campaign_targets (campaign_id, state, seq);
    CREATE INDEX campaign_targets_person ON campaign_targets (username, state);
    CREATE INDEX campaign_targets_account ON campaign_targets (campaign_id, account_id);
    CREATE TABLE contacted (
      username TEXT PRIMARY KEY,
      campaign_id INTEGER NOT NULL,
      account_id INTEGER,
      at INTEGER NOT NULL
    );
    CREATE TABLE campaign_daily_usage (
      account_id INTEGER NOT NULL,
      day TEXT NOT NULL,
      used INTEGER NOT NULL,
      last_at INTEGER NOT NULL,
      PRIMARY KEY (account_id, day)
    );
  `,
};
