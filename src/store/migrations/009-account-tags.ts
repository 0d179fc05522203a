import type { Migration } from '../migration.ts';

/**
 * Operator-chosen labels on accounts, used to select accounts in bulk and to keep some out of
 * automatic picks (`reserve`). Tags go with their account.
 */
export const accountTags: Migration = {
  version: 9,
  name: 'account-tags',
  sql: `
    CREATE TABLE account_tags (
      account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      tag TEXT NOT NULL,
      PRIMARY KEY (account_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX account_tags_by_tag ON account_tags (tag);
  `,
};
