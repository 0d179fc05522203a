import type { Migration } from '../migration.ts';

/**
 * How many sessions other than the panel's own each account had at its last check, kept with
 * the account's health (NULL: never counted).
 */
export const accountSessions: Migration = {
  version: 12,
  name: 'account-sessions',
  sql: `
    ALTER TABLE accounts ADD COLUMN other_sessions INTEGER;
    ALTER TABLE accounts ADD COLUMN other_sessions_at INTEGER;
  `,
};
