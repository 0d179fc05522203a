import type { PacingConfig } from '../core/pacing.ts';
import type { Db } from './db.ts';
import type { Secrets } from './secrets.ts';

export type BotLanguage = 'en' | 'fa';
export const BOT_LANGUAGES: readonly BotLanguage[] = ['en', 'fa'];

/**
 * A multi-step conversation an admin is in. `data` holds only what may sit in the database in
 * plain text (choices, links, counts); `secret` is sealed with the panel key before it is written.
 * Login codes and passwords belong in neither: they are used the moment they arrive.
 */
export interface FlowRecord {
  /** The bot's flow schema version when the row was written; a different one discards the row. */
  version: number;
  flow: string;
  step: string;
  data: Record<string, unknown>;
  secret?: Record<string, string>;
  updatedAt: number;
}

export interface MenuRef {
  chatId: number;
  messageId: number;
}

/** Pacing the operator changed from the bot; unset fields fall back to the configuration. */
export type PacingOverrides = Partial<PacingConfig>;

const PACING_KEY = 'bot.pacing';

interface FlowRow {
  version: number;
  flow: string;
  step: string;
  data: string;
  sealed: Buffer | null;
  updated_at: number;
}

export class BotStore {
  constructor(
    private readonly db: Db,
    private readonly secrets: Secrets,
  ) {}

  language(adminId: number): BotLanguage | undefined {
    const row = this.db.prepare('SELECT language FROM bot_admins WHERE admin_id = ?').get(adminId) as { language: string | null } | undefined;
    const lang = row?.language;
    return lang === 'en' || lang === 'fa' ? lang : undefined;
  }

  setLanguage(adminId: number, language: BotLanguage, now: number): void {
    this.db
      .prepare(
        `INSERT INTO bot_admins (admin_id, language, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (admin_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at`,
      )
      .run(adminId, language, now);
  }

  /** The message that carries the admin's live menu; buttons elsewhere are stale. */
  menu(adminId: number): MenuRef | undefined {
    const row = this.db.prepare('SELECT menu_chat_id, menu_message_id FROM bot_admins WHERE admin_id = ?').get(adminId) as
      | { menu_chat_id: number | null; menu_message_id: number | null }
      | undefined;
    if (!row || row.menu_chat_id === null || row.menu_message_id === null) return undefined;
    return { chatId: row.menu_chat_id, messageId: row.menu_message_id };
  }

  setMenu(adminId: number, ref: MenuRef, now: number): void {
    this.db
      .prepare(
        `INSERT INTO bot_admins (admin_id, menu_chat_id, menu_message_id, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (admin_id) DO UPDATE SET menu_chat_id = excluded.menu_chat_id,
           menu_message_id = excluded.menu_message_id, updated_at = excluded.updated_at`,
      )
      .run(adminId, ref.chatId, ref.messageId, now);
  }

  /** The admin has no menu message (theirs became a progress message that carries no menu buttons). */
  clearMenu(adminId: number): void {
    this.db.prepare('UPDATE bot_admins SET menu_chat_id = NULL, menu_message_id = NULL WHERE admin_id = ?').run(adminId);
  }

  /**
   * The admin's flow; `unreadable` when a row is there but cannot be used (damaged, or sealed
   * with another key): the caller drops it and tells the admin.
   */
  flow(adminId: number): FlowRecord | 'unreadable' | undefined {
    const row = this.db.prepare('SELECT version, flow, step, data, sealed, updated_at FROM bot_flows WHERE admin_id = ?').get(adminId) as
      | FlowRow
      | undefined;
    if (!row) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(row.data);
    } catch {
      return 'unreadable';
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'unreadable';
    const record: FlowRecord = { version: row.version, flow: row.flow, step: row.step, data: data as Record<string, unknown>, updatedAt: row.updated_at };
    if (row.sealed !== null) {
      try {
        const secret: unknown = JSON.parse(this.secrets.decryptText(row.sealed));
        if (secret === null || typeof secret !== 'object') return 'unreadable';
        record.secret = Object.fromEntries(Object.entries(secret).filter((e): e is [string, string] => typeof e[1] === 'string'));
      } catch {
        return 'unreadable';
      }
    }
    return record;
  }

  saveFlow(adminId: number, record: FlowRecord): void {
    const sealed = record.secret && Object.keys(record.secret).length > 0 ? this.secrets.encrypt(JSON.stringify(record.secret)) : null;
    this.db
      .prepare(
        `INSERT INTO bot_flows (admin_id, version, flow, step, data, sealed, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (admin_id) DO UPDATE SET version = excluded.version, flow = excluded.flow, step = excluded.step,
           data = excluded.data, sealed = excluded.sealed, updated_at = excluded.updated_at`,
      )
      .run(adminId, record.version, record.flow, record.step, JSON.stringify(record.data), sealed, record.updatedAt);
  }

  clearFlow(adminId: number): void {
    this.db.prepare('DELETE FROM bot_flows WHERE admin_id = ?').run(adminId);
  }

  /**
   * Counts an attempt by a stranger and says whether to answer it: at most one refusal per user
   * per `windowMs`, so a stranger cannot make the bot spend its rate limit on them.
   */
  shouldRefuse(userId: number, now: number, windowMs = 3_600_000): boolean {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT refused_at FROM bot_refusals WHERE user_id = ?').get(userId) as { refused_at: number } | undefined;
      if (row && now - row.refused_at < windowMs) {
        this.db.prepare('UPDATE bot_refusals SET attempts = attempts + 1 WHERE user_id = ?').run(userId);
        return false;
      }
      this.db
        .prepare(
          `INSERT INTO bot_refusals (user_id, refused_at, attempts) VALUES (?, ?, 1)
           ON CONFLICT (user_id) DO UPDATE SET refused_at = excluded.refused_at, attempts = bot_refusals.attempts + 1`,
        )
        .run(userId, now);
      return true;
    })();
  }

  refusalAttempts(userId: number): number {
    const row = this.db.prepare('SELECT attempts FROM bot_refusals WHERE user_id = ?').get(userId) as { attempts: number } | undefined;
    return row?.attempts ?? 0;
  }

  pacing(): PacingOverrides {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(PACING_KEY) as { value: string } | undefined;
    if (!row) return {};
    try {
      const v: unknown = JSON.parse(row.value);
      return v !== null && typeof v === 'object' ? (v) : {};
    } catch {
      return {};
    }
  }

  setPacing(overrides: PacingOverrides, now: number): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(PACING_KEY, JSON.stringify(overrides), now);
  }
}

/** The configuration's pacing with the operator's overrides applied. */
export function effectivePacing(base: PacingConfig, overrides: PacingOverrides): PacingConfig {
  return { ...base, ...overrides };
}
