import type { Migration } from '../migration.ts';

/**
 * The web dashboard's sign-in: one-time sign-in links, browser sessions and API tokens. Only
 * SHA-256 hashes of their secrets are kept, so a copy of the database signs nobody in.
 */
export const webAuth: Migration = {
  version: 11,
  name: 'web-auth',
  sql: `
    CREATE TABLE web_links (
      id INTEGER PRIMARY KEY,
      token_hash BLOB NOT NULL UNIQUE,
      created_by TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      used_at INTEGER
    );
    CREATE TABLE web_sessions (
      id INTEGER PRIMARY KEY,
      token_hash BLOB NOT NULL UNIQUE,
      created_by TEXT NOT NULL,
      user_agent TEXT,
      created_at INTEGER NOT NULL,
      last_seen_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      revoked_at INTEGER
    );
    CREATE TABLE api_tokens (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      token_hash BLOB NOT NULL UNIQUE,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER,
      revoked_at INTEGER
    );
    CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;
  `,
};
