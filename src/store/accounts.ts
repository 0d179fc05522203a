import { PROBLEM_STATUSES, type AccountStatus, type AccountSummary } from '../core/accounts.ts';
import type { CallKind } from '../core/actions.ts';
import type { Reason } from '../core/reasons.ts';
import { reasonColumns, reasonFromColumns } from '../core/stored-reasons.ts';
import type { ChatInfo, ChatKind } from '../core/session.ts';
import type { Db } from './db.ts';
import type { Secrets } from './secrets.ts';
import { SessionStore, type SessionSnapshot } from './sessions.ts';

export interface NewAccount {
  phone: string;
  userId: number;
  username: string | null;
  firstName: string;
  proxy?: { url: string; label: string } | null;
}

/** One change of an account's status, as the history keeps it. */
export interface StatusChange {
  status: AccountStatus;
  /** The English words (what older readers see). */
  reason: string | null;
  /** The reason as a code, for each interface to word in its language. */
  reasonCode: Reason | null;
  /** When a flood wait set then ends. */
  until: number | null;
  at: number;
}

/** How many status changes are kept per account. */
const STATUS_HISTORY_KEPT = 100;

export class AccountExistsError extends Error {
  constructor(
    readonly existingId: number,
    message: string,
  ) {
    super(message);
    this.name = 'AccountExistsError';
  }
}

interface AccountRow {
  id: number;
  phone: string;
  user_id: number;
  username: string | null;
  first_name: string;
  status: AccountStatus;
  status_reason: string | null;
  status_reason_code: string | null;
  status_reason_params: string | null;
  status_since: number;
  status_until: number | null;
  enabled: number;
  proxy_label: string | null;
  groups_count: number;
  last_used_at: number | null;
  created_at: number;
  other_sessions: number | null;
}

const COLUMNS = `id, phone, user_id, username, first_name, status, status_reason, status_reason_code, status_reason_params, status_since, status_until, enabled,
  proxy_label, groups_count, last_used_at, created_at, other_sessions`;

/**
 * What the summary shows: a disabled account reads `disabled` unless it also has a problem the
 * operator must see (revoked, banned, frozen); a lapsed flood wait reads `active`.
 */
function toSummary(r: AccountRow, now: number): AccountSummary {
  let status = r.status;
  let reason = r.status_reason;
  let coded = reasonFromColumns(r.status_reason_code, r.status_reason_params);
  let until = r.status_until;
  let since = r.status_since;
  if (status === 'flood_wait' && (until === null || until <= now)) {
    status = 'active';
    reason = null;
    coded = null;
    since = until ?? since;
    until = null;
  }
  if (r.enabled === 0 && !PROBLEM_STATUSES.includes(status)) {
    status = 'disabled';
    coded = { code: 'account_disabled_by_operator', params: {} };
    reason = reasonColumns(coded).text;
    until = null;
  }
  return {
    id: r.id,
    phone: r.phone,
    userId: r.user_id,
    username: r.username,
    firstName: r.first_name,
    status,
    statusReason: reason,
    statusReasonCode: coded,
    statusSince: since,
    statusUntil: until,
    enabled: r.enabled === 1,
    proxyUrl: r.proxy_label,
    groupsCount: r.groups_count,
    lastUsedAt: r.last_used_at,
    createdAt: r.created_at,
    otherSessions: r.other_sessions,
  };
}

/** Accounts, their parks and groups. The session data itself lives in `sessions`. */
export class AccountStore {
  readonly sessions: SessionStore;

  constructor(
    private readonly db: Db,
    private readonly secrets: Secrets,
  ) {
    this.sessions = new SessionStore(db, secrets);
  }

  /**
   * Stores a verified account and its session in one transaction: either both are there or
   * neither is. Refuses a Telegram user or phone that is already stored.
   */
  create(input: NewAccount, snapshot: SessionSnapshot, now: number): number {
    return this.db.transaction(() => {
      const sameUser = this.db.prepare<[number], { id: number }>('SELECT id FROM accounts WHERE user_id = ?').get(input.userId);
      if (sameUser) throw new AccountExistsError(sameUser.id, `this Telegram account is already stored as account ${sameUser.id}`);
      const samePhone = this.db.prepare<[string], { id: number }>('SELECT id FROM accounts WHERE phone = ?').get(input.phone);
      if (samePhone) throw new AccountExistsError(samePhone.id, `the phone ${input.phone} is already stored as account ${samePhone.id}`);
      const res = this.db
        .prepare(
          `INSERT INTO accounts (phone, user_id, username, first_name, status, status_since, enabled, proxy_sealed, proxy_label, created_at)
           VALUES (?, ?, ?, ?, 'active', ?, 1, ?, ?, ?) RETURNING id`,
        )
        .get(
          input.phone,
          input.userId,
          input.username,
          input.firstName,
          now,
          input.proxy ? this.secrets.encrypt(input.proxy.url) : null,
          input.proxy?.label ?? null,
          now,
        );
      const id = (res as { id: number }).id;
      this.sessions.writeSnapshot(id, snapshot);
      this.recordStatus(id, 'active', null, null, now);
      return id;
    })();
  }

  list(now: number): AccountSummary[] {
    const tags = this.allTags();
    return this.db
      .prepare<[], AccountRow>(`SELECT ${COLUMNS} FROM accounts ORDER BY id`)
      .all()
      .map((r) => ({ ...toSummary(r, now), tags: tags.get(r.id) ?? [] }));
  }

  get(id: number, now: number): AccountSummary | undefined {
    const r = this.db.prepare<[number], AccountRow>(`SELECT ${COLUMNS} FROM accounts WHERE id = ?`).get(id);
    return r ? { ...toSummary(r, now), tags: this.tags(id) } : undefined;
  }

  // Tags ---------------------------------------------------------------------------------------

  /** Adds a (valid, normalized) tag; false when the account had it already or does not exist. */
  addTag(id: number, tag: string): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO account_tags (account_id, tag) SELECT id, ? FROM accounts WHERE id = ?').run(tag, id).changes > 0;
  }

  /** False when the account did not have it. */
  removeTag(id: number, tag: string): boolean {
    return this.db.prepare('DELETE FROM account_tags WHERE account_id = ? AND tag = ?').run(id, tag).changes > 0;
  }

  tags(id: number): string[] {
    return this.db
      .prepare<[number], { tag: string }>('SELECT tag FROM account_tags WHERE account_id = ? ORDER BY tag')
      .all(id)
      .map((r) => r.tag);
  }

  private allTags(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const r of this.db.prepare<[], { account_id: number; tag: string }>('SELECT account_id, tag FROM account_tags ORDER BY account_id, tag').all()) {
      const list = out.get(r.account_id) ?? [];
      list.push(r.tag);
      out.set(r.account_id, list);
    }
    return out;
  }

  /** The stored status, as written (not the summary's derived form). */
  rawStatus(id: number): { status: AccountStatus; reason: string | null; until: number | null; enabled: boolean } | undefined {
    const r = this.db
      .prepare<[number], { status: AccountStatus; status_reason: string | null; status_until: number | null; enabled: number }>(
        'SELECT status, status_reason, status_until, enabled FROM accounts WHERE id = ?',
      )
      .get(id);
    return r ? { status: r.status, reason: r.status_reason, until: r.status_until, enabled: r.enabled === 1 } : undefined;
  }

  byPhone(phone: string): number | undefined {
    return this.db.prepare<[string], { id: number }>('SELECT id FROM accounts WHERE phone = ?').get(phone)?.id;
  }

  byUserId(userId: number): number | undefined {
    return this.db.prepare<[number], { id: number }>('SELECT id FROM accounts WHERE user_id = ?').get(userId)?.id;
  }

  byUsername(username: string): number[] {
    return this.db
      // Ordered, so both engines list the same accounts alike (neither promises an order otherwise).
      .prepare<[string], { id: number }>('SELECT id FROM accounts WHERE lower(username) = lower(?) ORDER BY id')
      .all(username)
      .map((r) => r.id);
  }

  /**
   * Records a status with its reason (the code for each interface to word, the English words for
   * older readers); the time moves only when the status itself changes.
   */
  setStatus(id: number, status: AccountStatus, reason: Reason | null, now: number, until: number | null = null): void {
    const r = reasonColumns(reason);
    this.db.transaction(() => {
      const before = this.db.prepare<[number], { status: AccountStatus; status_until: number | null }>('SELECT status, status_until FROM accounts WHERE id = ?').get(id);
      if (!before) return;
      this.db
        .prepare(
          `UPDATE accounts SET status_since = CASE WHEN status = ? THEN status_since ELSE ? END,
             status = ?, status_reason = ?, status_reason_code = ?, status_reason_params = ?, status_until = ? WHERE id = ?`,
        )
        .run(status, now, status, r.text, r.code, r.params, until, id);
      // A lapsed flood wait reads as active, so a new one is a change too.
      const lapsed = before.status === 'flood_wait' && (before.status_until ?? 0) <= now;
      if (before.status !== status || lapsed) this.recordStatus(id, status, reason, until, now);
    })();
  }

  /** Keeps the latest STATUS_HISTORY_KEPT changes per account. */
  private recordStatus(id: number, status: AccountStatus, reason: Reason | null, until: number | null, now: number): void {
    const r = reasonColumns(reason);
    this.db
      .prepare('INSERT INTO account_status_history (account_id, status, reason, reason_code, reason_params, until, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, status, r.text, r.code, r.params, until, now);
    this.db
      .prepare(
        `DELETE FROM account_status_history WHERE account_id = ? AND id <= (
           SELECT id FROM account_status_history WHERE account_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
      )
      .run(id, id, STATUS_HISTORY_KEPT);
  }

  /** The account's status changes, newest first (at most `limit`). */
  statusHistory(id: number, limit = 50): StatusChange[] {
    return this.db
      .prepare<[number, number], { status: AccountStatus; reason: string | null; reason_code: string | null; reason_params: string | null; until: number | null; at: number }>(
        'SELECT status, reason, reason_code, reason_params, until, at FROM account_status_history WHERE account_id = ? ORDER BY id DESC LIMIT ?',
      )
      .all(id, limit)
      .map((x) => ({ status: x.status, reason: x.reason, reasonCode: reasonFromColumns(x.reason_code, x.reason_params), until: x.until, at: x.at }));
  }

  setEnabled(id: number, enabled: boolean): void {
    this.db.prepare('UPDATE accounts SET enabled = ? WHERE id = ?').run(enabled ? 1 : 0, id);
  }

  /** How many sessions besides the panel's own the account has, as just counted. */
  setOtherSessions(id: number, count: number, now: number): void {
    this.db.prepare('UPDATE accounts SET other_sessions = ?, other_sessions_at = ? WHERE id = ?').run(count, now, id);
  }

  setProfile(id: number, profile: { username: string | null; firstName: string }): void {
    this.db.prepare('UPDATE accounts SET username = ?, first_name = ? WHERE id = ?').run(profile.username, profile.firstName, id);
  }

  setProxy(id: number, proxy: { url: string; label: string } | null): void {
    this.db
      .prepare('UPDATE accounts SET proxy_sealed = ?, proxy_label = ? WHERE id = ?')
      .run(proxy ? this.secrets.encrypt(proxy.url) : null, proxy?.label ?? null, id);
  }

  /** The account's own proxy URL (decrypted), or null when it uses the default. */
  proxyUrl(id: number): string | null {
    const row = this.db.prepare<[number], { proxy_sealed: Buffer | null }>('SELECT proxy_sealed FROM accounts WHERE id = ?').get(id);
    return row?.proxy_sealed ? this.secrets.decryptText(row.proxy_sealed) : null;
  }

  markUsed(id: number, now: number): void {
    this.db.prepare('UPDATE accounts SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  /** Deletes the account with its keys, session data, parks, groups and lease. */
  remove(id: number): boolean {
    return this.db.transaction(() => {
      // Leases have no foreign key (one table for every scope): the account's goes with it.
      this.db.prepare("DELETE FROM leases WHERE scope = 'account' AND resource_id = ?").run(id);
      return this.db.prepare('DELETE FROM accounts WHERE id = ?').run(id).changes > 0;
    }).immediate();
  }

  // Parks --------------------------------------------------------------------------------------

  park(id: number, kind: CallKind, until: number, code: string): void {
    this.db
      .prepare(
        `INSERT INTO account_parks (account_id, kind, until, code) VALUES (?, ?, ?, ?)
         ON CONFLICT (account_id, kind) DO UPDATE SET
           until = CASE WHEN excluded.until > account_parks.until THEN excluded.until ELSE account_parks.until END, code = excluded.code`,
      )
      .run(id, kind, until, code);
  }

  /** Every park still in force, per account. */
  parks(now: number): Map<number, Partial<Record<CallKind, number>>> {
    const out = new Map<number, Partial<Record<CallKind, number>>>();
    const rows = this.db
      .prepare<[number], { account_id: number; kind: CallKind; until: number }>('SELECT account_id, kind, until FROM account_parks WHERE until > ?')
      .all(now);
    for (const r of rows) {
      const m = out.get(r.account_id) ?? {};
      m[r.kind] = r.until;
      out.set(r.account_id, m);
    }
    return out;
  }

  clearParks(id: number): void {
    this.db.prepare('DELETE FROM account_parks WHERE account_id = ?').run(id);
  }

  // Groups -------------------------------------------------------------------------------------

  replaceGroups(id: number, chats: ChatInfo[], now: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM account_groups WHERE account_id = ?').run(id);
      const ins = this.db.prepare(UPSERT_GROUP);
      for (const c of chats) ins.run(id, c.id, c.kind, c.title, c.username);
      this.db.prepare('UPDATE accounts SET groups_count = ?, groups_refreshed_at = ? WHERE id = ?').run(chats.length, now, id);
    })();
  }

  /** One chat joined (or found again): kept beside the last full refresh, which keeps its time. */
  addGroup(id: number, chat: ChatInfo): void {
    this.db.transaction(() => {
      this.db.prepare(UPSERT_GROUP).run(id, chat.id, chat.kind, chat.title, chat.username);
      this.db.prepare('UPDATE accounts SET groups_count = (SELECT count(*) FROM account_groups WHERE account_id = ?) WHERE id = ?').run(id, id);
    })();
  }

  /** One chat left or removed from. */
  removeGroup(id: number, chatId: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM account_groups WHERE account_id = ? AND chat_id = ?').run(id, chatId);
      this.db.prepare('UPDATE accounts SET groups_count = (SELECT count(*) FROM account_groups WHERE account_id = ?) WHERE id = ?').run(id, id);
    })();
  }

  groups(id: number): { chats: ChatInfo[]; refreshedAt: number | null } {
    const chats = this.db
      .prepare<[number], { chat_id: number; kind: ChatKind; title: string; username: string | null }>(
        'SELECT chat_id, kind, title, username FROM account_groups WHERE account_id = ? ORDER BY lower(title)',
      )
      .all(id)
      .map((r) => ({ id: r.chat_id, kind: r.kind, title: r.title, username: r.username }));
    const at = this.db.prepare<[number], { groups_refreshed_at: number | null }>('SELECT groups_refreshed_at FROM accounts WHERE id = ?').get(id);
    return { chats, refreshedAt: at?.groups_refreshed_at ?? null };
  }
}

/** Both engines read the upsert; SQLite's INSERT OR REPLACE would delete and re-insert the row. */
const UPSERT_GROUP = `INSERT INTO account_groups (account_id, chat_id, kind, title, username) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (account_id, chat_id) DO UPDATE SET kind = excluded.kind, title = excluded.title, username = excluded.username`;
