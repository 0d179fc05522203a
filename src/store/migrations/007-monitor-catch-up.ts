import type { Migration } from '../migration.ts';

/**
 * The monitor's catch-up after a start: when each account last caught up on the updates it
 * missed, and when Telegram refused a gap as too long (with the chats it concerned), so
 * `monitor status` can say which hits may have been lost.
 */
export const monitorCatchUp: Migration = {
  version: 7,
  name: 'monitor-catch-up',
  sql: `
    ALTER TABLE monitor_accounts ADD COLUMN last_catch_up_at INTEGER;
    ALTER TABLE monitor_accounts ADD COLUMN gap_at INTEGER;
    -- JSON list of marked chat ids; null stands for the account's private chats and basic groups
    ALTER TABLE monitor_accounts ADD COLUMN gap_chats TEXT;
  `,
};
