import type { Migration } from '../migration.ts';

/**
 * Accounts, their mtcute session data (one database for every account; key material and session
 * values are sealed with the panel secret), flood-wait parks, groups, and the connection lease
 * that keeps one live connection per account across processes.
 */
export const accounts: Migration = {
  version: 2,
  name: 'accounts',
  sql: `
    CREATE TABLE accounts (
      id INTEGER PRIMARY KEY,
      phone TEXT NOT NULL UNIQUE,
      user_id INTEGER NOT NULL UNIQUE,
      username TEXT,
      first_name TEXT NOT NULL DEFAULT '',
      status TEXT NOT NULL,
      status_reason TEXT,
      status_since INTEGER NOT NULL,
      status_until INTEGER,
      enabled INTEGER NOT NULL DEFAULT 1,
      proxy_sealed BLOB,
      proxy_label TEXT,
      groups_count INTEGER NOT NULL DEFAULT 0,
      groups_refreshed_at INTEGER,
      last_used_at INTEGER,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX accounts_username ON accounts (username);

    CREATE TABLE account_parks (
      account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      until INTEGER NOT NULL,
      code TEXT NOT NULL,
      PRIMARY KEY (account_id, kind)
    );

    CREATE TABLE account_groups (
      account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      chat_id INTEGER NOT NULL,
      kind TEXT NOT NULL,
      title TEXT NOT NULL,
      username TEXT,
      PRIMARY KEY (account_id, chat_id)
    );

    CREATE TABLE account_leases (
      account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
      owner TEXT NOT NULL,
      acquired_at INTEGER NOT NULL,
      heartbeat_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );

    CREATE TABLE session_auth_keys (
      account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      dc INTEGER NOT NULL,
      key BLOB NOT NULL,
      PRIMARY KEY (account_id, dc)
    );
    CREATE TABLE session_temp_keys (
      account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      dc INTEGER NOT NULL,
      idx INTEGER NOT NULL,
      key BLOB NOT NULL,
      expires INTEGER NOT NULL,
      PRIMARY KEY (account_id, dc, idx)
    );
    CREATE TABLE session_kv (
      account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      key TEXT NOT NULL,
      value BLOB NOT NULL,
      PRIMARY KEY (account_id, key)
    );
    CREATE TABLE session_peers (
      account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      peer_id INTEGER NOT NULL,
      is_min INTEGER NOT NULL,
      updated INTEGER NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (account_id, peer_id)
    );
    CREATE TABLE session_peer_lookup (
      account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      lookup TEXT NOT NULL,
      peer_id INTEGER NOT NULL,
      PRIMARY KEY (account_id, lookup)
    );
    CREATE INDEX session_peer_lookup_peer ON session_peer_lookup (account_id, peer_id);
    CREATE TABLE session_ref_messages (
      account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      peer_id INTEGER NOT NULL,
      chat_id INTEGER NOT NULL,
      msg_id INTEGER NOT NULL,
      PRIMARY KEY (account_id, peer_id, chat_id, msg_id)
    );
    CREATE INDEX session_ref_messages_chat ON session_ref_messages (account_id, chat_id, msg_id);
  `,
};
