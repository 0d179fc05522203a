import type { Migration } from '../migration.ts';

/**
 * The monitor: its rules (keywords, ignored senders, target chats, options), the (chat, message)
 * key that makes a hit forward once across accounts and restarts, the durable outbox the bot
 * drains, and each account's watchdog state. The chats each account is in are the accounts
 * aggregate's (`account_groups`).
 */
export const monitor: Migration = {
  version: 5,
  name: 'monitor',
  sql: `
    CREATE TABLE monitor_keywords (
      id INTEGER PRIMARY KEY,
      pattern TEXT NOT NULL,
      mode TEXT NOT NULL CHECK (mode IN ('plain', 'word', 'regex')),
      normalized TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      UNIQUE (mode, normalized)
    );
    CREATE TABLE monitor_ignored (
      id INTEGER PRIMARY KEY,
      sender_id INTEGER,
      username TEXT,
      created_at INTEGER NOT NULL,
      CHECK ((sender_id IS NULL) <> (username IS NULL))
    );
    CREATE UNIQUE INDEX monitor_ignored_sender ON monitor_ignored (sender_id) WHERE sender_id IS NOT NULL;
    CREATE UNIQUE INDEX monitor_ignored_username ON monitor_ignored (username) WHERE username IS NOT NULL;
    CREATE TABLE monitor_targets (
      chat_id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      title TEXT NOT NULL,
      username TEXT,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE monitor_options (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
    CREATE TABLE monitor_seen (
      chat_id INTEGER NOT NULL,
      message_id INTEGER NOT NULL,
      account_id INTEGER NOT NULL,
      seen_at INTEGER NOT NULL,
      PRIMARY KEY (chat_id, message_id)
    ) WITHOUT ROWID;
    CREATE INDEX monitor_seen_at ON monitor_seen (seen_at);
    CREATE TABLE monitor_outbox (
      id INTEGER PRIMARY KEY,
      chat_id INTEGER NOT NULL,
      message_id INTEGER NOT NULL,
      account_id INTEGER NOT NULL,
      chat_title TEXT NOT NULL,
      keywords TEXT NOT NULL,
      payload TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_at INTEGER NOT NULL,
      held INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      sent_at INTEGER,
      sent_message_id INTEGER,
      UNIQUE (chat_id, message_id)
    );
    CREATE INDEX monitor_outbox_due ON monitor_outbox (state, next_at, id);
    CREATE TABLE monitor_accounts (
      account_id INTEGER PRIMARY KEY,
      state TEXT NOT NULL CHECK (state IN ('live', 'stale', 'resyncing', 'detached')),
      last_activity_at INTEGER,
      last_resync_at INTEGER,
      resyncs INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      updated_at INTEGER NOT NULL
    );
  `,
};
