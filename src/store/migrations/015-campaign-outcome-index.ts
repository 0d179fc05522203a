import type { Migration } from '../migration.ts';

/**
 * A campaign's per-account outcomes and its chart are counted on every refresh of its live page;
 * with the state and settle time in the account index those counts read the index alone, in
 * account order, instead of looking up every claimed row. It replaces the index it extends.
 */
export const campaignOutcomeIndex: Migration = {
  version: 15,
  name: 'campaign-outcome-index',
  sql: `
    DROP INDEX campaign_targets_account;
    CREATE INDEX campaign_targets_account_outcome ON campaign_targets (campaign_id, account_id, state, done_at);
  `,
};
