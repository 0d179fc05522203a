import type { Migration } from '../migration.ts';

/**
 * One lease table for everything a single process must hold alone: an account's connection
 * (`account`) and a campaign's run (`campaign`). One rule takes, renews and hands them over.
 * No foreign key: the owner of a removed resource deletes its lease with it.
 */
export const leases: Migration = {
  version: 8,
  name: 'leases',
  sql: `
    CREATE TABLE leases (
      scope TEXT NOT NULL CHECK (scope IN ('account', 'campaign')),
      resource_id INTEGER NOT NULL,
      owner TEXT NOT NULL,
      acquired_at INTEGER NOT NULL,
      heartbeat_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (scope, resource_id)
    );
    CREATE INDEX leases_owner ON leases (owner);
    INSERT INTO leases (scope, resource_id, owner, acquired_at, heartbeat_at, expires_at)
      SELECT 'account', account_id, owner, acquired_at, heartbeat_at, expires_at FROM account_leases;
    INSERT INTO leases (scope, resource_id, owner, acquired_at, heartbeat_at, expires_at)
      SELECT 'campaign', id, lease_owner, updated_at, updated_at, lease_until FROM campaigns
      WHERE lease_owner IS NOT NULL AND lease_until IS NOT NULL;
    DROP TABLE account_leases;
    ALTER TABLE campaigns DROP COLUMN lease_owner;
    ALTER TABLE campaigns DROP COLUMN lease_until;
  `,
};
