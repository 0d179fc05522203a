import type { Migration } from '../migration.ts';

/**
 * The admin bot's own state: per-admin language and current menu message, the multi-step flow an
 * admin is in (non-secret fields only, versioned), and when each stranger was last refused.
 */
export const bot: Migration = {
  version: 6,
  name: 'bot',
  sql: `
    CREATE TABLE bot_admins (
      admin_id INTEGER PRIMARY KEY,
      language TEXT,
      menu_chat_id INTEGER,
      menu_message_id INTEGER,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE bot_flows (
      admin_id INTEGER PRIMARY KEY,
      version INTEGER NOT NULL,
      flow TEXT NOT NULL,
      step TEXT NOT NULL,
      data TEXT NOT NULL,
      sealed BLOB,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE bot_refusals (
      user_id INTEGER PRIMARY KEY,
      refused_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL
    );
  `,
};
