import type { Migration } from '../migration.ts';

/**
 * Every change of an account's status with its reason (code and parameters beside the English
 * words), written where statuses are written (AccountStore.setStatus), for the account's page.
 * The history goes with its account; each stored account starts with its current status.
 */
export const accountStatusHistory: Migration = {
  version: 14,
  name: 'account-status-history',
  sql: `
    CREATE TABLE account_status_history (
      id INTEGER PRIMARY KEY,
      account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      status TEXT NOT NULL,
      reason TEXT,
      reason_code TEXT,
      reason_params TEXT,
      until INTEGER,
      at INTEGER NOT NULL
    );
    CREATE INDEX account_status_history_by_account ON account_status_history (account_id, id);
    INSERT INTO account_status_history (account_id, status, reason, reason_code, reason_params, until, at)
      SELECT id, status, status_reason, status_reason_code, status_reason_params, status_until, status_since FROM accounts ORDER BY id;
  `,
};
