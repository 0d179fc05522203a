import type { ForwardMessage } from '../core/forward-format.ts';
import type { KeywordMode, KeywordRule } from '../core/keywords.ts';
import { DEFAULT_MONITOR_OPTIONS, type IgnoredSender, type MonitorOptions } from '../core/monitor-filter.ts';
import type { ChatInfo, ChatKind } from '../core/session.ts';
import type { Db } from './db.ts';
import type { Statement } from './sql.ts';

export interface KeywordRow extends KeywordRule {
  /** The folded form that makes two spellings of one keyword the same rule. */
  normalized: string;
  createdAt: number;
}

export interface IgnoredRow {
  id: number;
  senderId: number | null;
  username: string | null;
  createdAt: number;
}

export interface TargetRow {
  chatId: number;
  kind: ChatKind;
  title: string;
  username: string | null;
  createdAt: number;
}

export type OutboxState = 'pending' | 'sent';

export interface OutboxRow {
  id: number;
  chatId: number;
  messageId: number;
  accountId: number;
  chatTitle: string;
  keywords: string[];
  payload: ForwardMessage;
  createdAt: number;
  state: OutboxState;
  attempts: number;
  nextAt: number;
  /** Telegram refused it for a reason that needs the operator (e.g. the bot is not in the channel). */
  held: boolean;
  lastError: string | null;
  sentAt: number | null;
  sentMessageId: number | null;
}

export interface NewHit {
  chatId: number;
  /** The message's identity across accounts' copies (core/message-identity.ts): negative in basic groups. */
  messageId: number;
  accountId: number;
  chatTitle: string;
  keywords: string[];
  payload: ForwardMessage;
  at: number;
  /**
   * The identity the copies keep through edits (core/message-identity.ts `editProofIdentity`),
   * recorded beside `messageId`; an `edited` copy is a duplicate when it was recorded already.
   */
  editProofId?: number | null;
  edited?: boolean;
}

export type WatchState = 'live' | 'stale' | 'resyncing' | 'detached';

export interface AccountWatchRow {
  accountId: number;
  state: WatchState;
  lastActivityAt: number | null;
  lastResyncAt: number | null;
  resyncs: number;
  lastError: string | null;
  updatedAt: number;
  /** When the account last finished catching up on the updates it missed (start, resync). */
  lastCatchUpAt: number | null;
  /** The last gap Telegram would not fill: when, and which chats (null: private chats and basic groups). */
  gap: { at: number; chats: Array<number | null> } | null;
}

export interface OutboxSummary {
  pending: number;
  held: number;
  sent: number;
  oldestPendingAt: number | null;
  lastError: string | null;
  lastHit: { at: number; chatTitle: string; keywords: string[]; state: OutboxState } | null;
}

interface OutboxDbRow {
  id: number;
  chat_id: number;
  message_id: number;
  account_id: number;
  chat_title: string;
  keywords: string;
  payload: string;
  created_at: number;
  state: OutboxState;
  attempts: number;
  next_at: number;
  held: number;
  last_error: string | null;
  sent_at: number | null;
  sent_message_id: number | null;
}

function toOutbox(r: OutboxDbRow): OutboxRow {
  return {
    id: r.id,
    chatId: r.chat_id,
    messageId: r.message_id,
    accountId: r.account_id,
    chatTitle: r.chat_title,
    keywords: JSON.parse(r.keywords) as string[],
    payload: JSON.parse(r.payload) as ForwardMessage,
    createdAt: r.created_at,
    state: r.state,
    attempts: r.attempts,
    nextAt: r.next_at,
    held: r.held === 1,
    lastError: r.last_error,
    sentAt: r.sent_at,
    sentMessageId: r.sent_message_id,
  };
}

const RULES_VERSION = 'rules_version';

/**
 * The monitor's rules, its de-duplication key and its outbox. Every rule change bumps a version
 * in the same transaction, so a running monitor in another process notices it with one read.
 */
export class MonitorStore {
  private readonly statements = new Map<string, Statement>();
  private readonly recordTx: (hit: NewHit) => 'queued' | 'duplicate';
  private changes = 0;

  constructor(private readonly db: Db) {
    this.recordTx = db.transaction((hit: NewHit) => this.insertHit(hit));
  }

  /** Prepared once: the monitor runs some of these for every message. */
  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  // --- rules ---

  /** Rule changes made through this object, counted in memory (the monitor checks it per update for free). */
  get localChanges(): number {
    return this.changes;
  }

  rulesVersion(): number {
    const row = this.stmt('SELECT value FROM monitor_options WHERE key = ?').get(RULES_VERSION) as { value: string } | undefined;
    return row ? Number(row.value) : 0;
  }

  private bump(): void {
    this.changes++;
    this.db
      .prepare("INSERT INTO monitor_options (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(monitor_options.value AS INTEGER) + 1 AS TEXT)")
      .run(RULES_VERSION);
  }

  keywords(): KeywordRow[] {
    return this.db
      .prepare<[], { id: number; pattern: string; mode: KeywordMode; normalized: string; created_at: number }>(
        'SELECT id, pattern, mode, normalized, created_at FROM monitor_keywords ORDER BY id',
      )
      .all()
      .map((r) => ({ id: r.id, pattern: r.pattern, mode: r.mode, normalized: r.normalized, createdAt: r.created_at }));
  }

  /** Adds a keyword, or returns the existing rule with the same mode and folded form. */
  addKeyword(pattern: string, mode: KeywordMode, normalized: string, now: number): { added: boolean; rule: KeywordRow } {
    return this.db.transaction(() => {
      const existing = this.keywords().find((k) => k.mode === mode && k.normalized === normalized);
      if (existing) return { added: false, rule: existing };
      const info = this.db
        .prepare<[string, KeywordMode, string, number], { id: number }>('INSERT INTO monitor_keywords (pattern, mode, normalized, created_at) VALUES (?, ?, ?, ?) RETURNING id')
        .get(pattern, mode, normalized, now)!;
      this.bump();
      return { added: true, rule: { id: info.id, pattern, mode, normalized, createdAt: now } };
    })();
  }

  removeKeyword(id: number): KeywordRow | undefined {
    return this.db.transaction(() => {
      const row = this.keywords().find((k) => k.id === id);
      if (!row) return undefined;
      this.db.prepare('DELETE FROM monitor_keywords WHERE id = ?').run(id);
      this.bump();
      return row;
    })();
  }

  ignored(): IgnoredRow[] {
    return this.db
      .prepare<[], { id: number; sender_id: number | null; username: string | null; created_at: number }>(
        'SELECT id, sender_id, username, created_at FROM monitor_ignored ORDER BY id',
      )
      .all()
      .map((r) => ({ id: r.id, senderId: r.sender_id, username: r.username, createdAt: r.created_at }));
  }

  addIgnored(sender: IgnoredSender, now: number): boolean {
    return this.db.transaction(() => {
      const info =
        'senderId' in sender
          ? this.db.prepare('INSERT OR IGNORE INTO monitor_ignored (sender_id, created_at) VALUES (?, ?)').run(sender.senderId, now)
          : this.db.prepare('INSERT OR IGNORE INTO monitor_ignored (username, created_at) VALUES (?, ?)').run(sender.username, now);
      if (info.changes > 0) this.bump();
      return info.changes > 0;
    })();
  }

  removeIgnored(sender: IgnoredSender): boolean {
    return this.db.transaction(() => {
      const info =
        'senderId' in sender
          ? this.db.prepare('DELETE FROM monitor_ignored WHERE sender_id = ?').run(sender.senderId)
          : this.db.prepare('DELETE FROM monitor_ignored WHERE username = ?').run(sender.username);
      if (info.changes > 0) this.bump();
      return info.changes > 0;
    })();
  }

  targets(): TargetRow[] {
    return this.db
      .prepare<[], { chat_id: number; kind: ChatKind; title: string; username: string | null; created_at: number }>(
        'SELECT chat_id, kind, title, username, created_at FROM monitor_targets ORDER BY lower(title), chat_id',
      )
      .all()
      .map((r) => ({ chatId: r.chat_id, kind: r.kind, title: r.title, username: r.username, createdAt: r.created_at }));
  }

  addTarget(chat: ChatInfo, now: number): boolean {
    return this.db.transaction(() => {
      const info = this.db
        .prepare('INSERT OR IGNORE INTO monitor_targets (chat_id, kind, title, username, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(chat.id, chat.kind, chat.title, chat.username, now);
      if (info.changes > 0) this.bump();
      return info.changes > 0;
    })();
  }

  removeTarget(chatId: number): boolean {
    return this.db.transaction(() => {
      const info = this.db.prepare('DELETE FROM monitor_targets WHERE chat_id = ?').run(chatId);
      if (info.changes > 0) this.bump();
      return info.changes > 0;
    })();
  }

  options(): MonitorOptions {
    const rows = this.db.prepare<[], { key: string; value: string }>("SELECT key, value FROM monitor_options WHERE key IN ('channels', 'private')").all();
    const out = { ...DEFAULT_MONITOR_OPTIONS };
    for (const r of rows) out[r.key as keyof MonitorOptions] = r.value === '1';
    return out;
  }

  setOptions(change: Partial<MonitorOptions>): MonitorOptions {
    return this.db.transaction(() => {
      const set = this.db.prepare('INSERT INTO monitor_options (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
      for (const [k, v] of Object.entries(change)) if (v !== undefined) set.run(k, v ? '1' : '0');
      this.bump();
      return this.options();
    })();
  }

  // --- hits and the outbox ---

  /**
   * Records a hit: the (chat, message) key and its outbox row in one transaction, so a message
   * seen by many accounts, or again after a restart, is queued once. The message part is the
   * identity all accounts' copies share (core/message-identity.ts), not a copy's own id.
   */
  recordHit(hit: NewHit): 'queued' | 'duplicate' {
    return this.recordTx(hit);
  }

  private insertHit(hit: NewHit): 'queued' | 'duplicate' {
    const proof = hit.editProofId ?? null;
    if (proof !== null && hit.edited && this.stmt('SELECT 1 FROM monitor_seen WHERE chat_id = ? AND message_id = ?').get(hit.chatId, proof)) return 'duplicate';
    const seen = this.stmt('INSERT OR IGNORE INTO monitor_seen (chat_id, message_id, account_id, seen_at) VALUES (?, ?, ?, ?)').run(
      hit.chatId,
      hit.messageId,
      hit.accountId,
      hit.at,
    );
    if (seen.changes === 0) return 'duplicate';
    if (proof !== null) {
      this.stmt('INSERT OR IGNORE INTO monitor_seen (chat_id, message_id, account_id, seen_at) VALUES (?, ?, ?, ?)').run(hit.chatId, proof, hit.accountId, hit.at);
    }
    this.stmt(
      `INSERT OR IGNORE INTO monitor_outbox (chat_id, message_id, account_id, chat_title, keywords, payload, created_at, next_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(hit.chatId, hit.messageId, hit.accountId, hit.chatTitle, JSON.stringify(hit.keywords), JSON.stringify(hit.payload), hit.at, hit.at);
    return 'queued';
  }

  /** The oldest pending row due by `now` (oldest by arrival, so a retried row keeps its place). */
  nextDue(now: number): OutboxRow | undefined {
    const r = this.db
      .prepare<[number], OutboxDbRow>("SELECT * FROM monitor_outbox WHERE state = 'pending' AND next_at <= ? ORDER BY id LIMIT 1")
      .get(now);
    return r ? toOutbox(r) : undefined;
  }

  /** When the earliest pending row falls due, or null when nothing is pending. */
  nextDueAt(): number | null {
    const r = this.db.prepare<[], { at: number | null }>("SELECT MIN(next_at) AS at FROM monitor_outbox WHERE state = 'pending'").get();
    return r?.at ?? null;
  }

  outboxRow(id: number): OutboxRow | undefined {
    const r = this.db.prepare<[number], OutboxDbRow>('SELECT * FROM monitor_outbox WHERE id = ?').get(id);
    return r ? toOutbox(r) : undefined;
  }

  outbox(state?: OutboxState, limit = 100): OutboxRow[] {
    const rows =
      state === undefined
        ? this.db.prepare<[number], OutboxDbRow>('SELECT * FROM monitor_outbox ORDER BY id DESC LIMIT ?').all(limit)
        : this.db.prepare<[OutboxState, number], OutboxDbRow>('SELECT * FROM monitor_outbox WHERE state = ? ORDER BY id DESC LIMIT ?').all(state, limit);
    return rows.map(toOutbox);
  }

  /** Counted before the send, so the attempts survive a crash during it. */
  markAttempt(id: number): void {
    this.db.prepare('UPDATE monitor_outbox SET attempts = attempts + 1 WHERE id = ?').run(id);
  }

  markSent(id: number, now: number, sentMessageId: number | null): void {
    this.db
      .prepare("UPDATE monitor_outbox SET state = 'sent', sent_at = ?, sent_message_id = ?, held = 0, last_error = NULL WHERE id = ?")
      .run(now, sentMessageId, id);
  }

  retryLater(id: number, nextAt: number, error: string, held: boolean): void {
    this.db.prepare('UPDATE monitor_outbox SET next_at = ?, last_error = ?, held = ? WHERE id = ?').run(nextAt, error, held ? 1 : 0, id);
  }

  /** Makes every held row (or the one with `id`, held or waiting) due now (after the operator fixed the channel). */
  releaseHeld(now: number, id?: number): number {
    if (id !== undefined) return this.db.prepare("UPDATE monitor_outbox SET held = 0, next_at = ? WHERE state = 'pending' AND id = ?").run(now, id).changes;
    return this.db.prepare("UPDATE monitor_outbox SET held = 0, next_at = ? WHERE state = 'pending' AND held = 1").run(now).changes;
  }

  outboxSummary(): OutboxSummary {
    const counts = this.db
      .prepare<[], { pending: number; held: number; sent: number; oldest: number | null }>(
        // CASE, not SUM(state = …): a comparison is a boolean in PostgreSQL, which it does not sum.
        `SELECT COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0) AS pending,
                COALESCE(SUM(CASE WHEN state = 'pending' AND held = 1 THEN 1 ELSE 0 END), 0) AS held,
                COALESCE(SUM(CASE WHEN state = 'sent' THEN 1 ELSE 0 END), 0) AS sent, MIN(CASE WHEN state = 'pending' THEN created_at END) AS oldest
         FROM monitor_outbox`,
      )
      .get()!;
    const err = this.db
      .prepare<[], { last_error: string }>("SELECT last_error FROM monitor_outbox WHERE state = 'pending' AND last_error IS NOT NULL ORDER BY id LIMIT 1")
      .get();
    const last = this.db
      .prepare<[], { created_at: number; chat_title: string; keywords: string; state: OutboxState }>(
        'SELECT created_at, chat_title, keywords, state FROM monitor_outbox ORDER BY id DESC LIMIT 1',
      )
      .get();
    return {
      pending: counts.pending,
      held: counts.held,
      sent: counts.sent,
      oldestPendingAt: counts.oldest,
      lastError: err?.last_error ?? null,
      lastHit: last ? { at: last.created_at, chatTitle: last.chat_title, keywords: JSON.parse(last.keywords) as string[], state: last.state } : null,
    };
  }

  /**
   * Forgets de-duplication keys older than `seenBefore` (the monitor ignores messages that old)
   * and sent rows older than `sentBefore`. Pending rows are never removed.
   */
  prune(seenBefore: number, sentBefore: number): { seen: number; sent: number } {
    return this.db.transaction(() => ({
      seen: this.db.prepare('DELETE FROM monitor_seen WHERE seen_at < ?').run(seenBefore).changes,
      sent: this.db.prepare("DELETE FROM monitor_outbox WHERE state = 'sent' AND sent_at < ?").run(sentBefore).changes,
    }))();
  }

  // --- watchdog state ---

  saveWatch(row: AccountWatchRow): void {
    this.stmt(
      `INSERT INTO monitor_accounts (account_id, state, last_activity_at, last_resync_at, resyncs, last_error, updated_at, last_catch_up_at, gap_at, gap_chats)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET state = excluded.state, last_activity_at = excluded.last_activity_at,
         last_resync_at = excluded.last_resync_at, resyncs = excluded.resyncs, last_error = excluded.last_error,
         updated_at = excluded.updated_at, last_catch_up_at = excluded.last_catch_up_at, gap_at = excluded.gap_at,
         gap_chats = excluded.gap_chats`,
    ).run(
      row.accountId,
      row.state,
      row.lastActivityAt,
      row.lastResyncAt,
      row.resyncs,
      row.lastError,
      row.updatedAt,
      row.lastCatchUpAt,
      row.gap?.at ?? null,
      row.gap ? JSON.stringify(row.gap.chats) : null,
    );
  }

  /** What an account's watch row holds (a restarted monitor keeps the last catch-up and gap). */
  watch(accountId: number): AccountWatchRow | undefined {
    return this.watches().find((w) => w.accountId === accountId);
  }

  watches(): AccountWatchRow[] {
    return this.db
      .prepare<
        [],
        {
          account_id: number;
          state: WatchState;
          last_activity_at: number | null;
          last_resync_at: number | null;
          resyncs: number;
          last_error: string | null;
          updated_at: number;
          last_catch_up_at: number | null;
          gap_at: number | null;
          gap_chats: string | null;
        }
      >('SELECT * FROM monitor_accounts ORDER BY account_id')
      .all()
      .map((r) => ({
        accountId: r.account_id,
        state: r.state,
        lastActivityAt: r.last_activity_at,
        lastResyncAt: r.last_resync_at,
        resyncs: r.resyncs,
        lastError: r.last_error,
        updatedAt: r.updated_at,
        lastCatchUpAt: r.last_catch_up_at,
        gap: r.gap_at === null ? null : { at: r.gap_at, chats: JSON.parse(r.gap_chats ?? '[]') as Array<number | null> },
      }));
  }
}
