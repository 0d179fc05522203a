/**
 * A simulated Telegram world in its own SQLite file, answering the production mtcute client.
 *
 * Who is calling: every attached client negotiates a real MTProto auth key with the simulator's
 * transport (see mtproto/handshake.ts), exactly as with Telegram. The simulator identifies a
 * request by that key's id (the last 8 bytes of SHA-1 of the key), read from the client's own
 * storage (or taken from the handshake that just produced it). The key is what
 * `exportSession()` carries, so a session imported into a new client with a fresh storage is the
 * same authorization here; the key itself is never stored in the world, only its id.
 * - A login binds the key id to the account (`authorizations`), so it persists in the world
 *   file across processes.
 * - Revoking marks the authorization; its key then answers AUTH_KEY_UNREGISTERED or
 *   SESSION_REVOKED.
 * - Each attachment that uses a key registers a row in `connections` (with its pid); a second
 *   live attachment using the same key (in this process or another live one) kills the
 *   authorization: both answer AUTH_KEY_DUPLICATED from then on.
 *
 * Every call runs in one SQLite transaction that commits before the answer goes back, so a
 * killed panel never loses what "Telegram" did. Updates are pushed to attached clients from an
 * event log, which also carries events written by other processes (e.g. `sim post`).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MtTimeoutError, type tl } from '@mtcute/core';
import { InputError } from '../core/errors.ts';
import { openSqlite, StoreError, type Db } from '../store/db.ts';
import { SimAttachmentImpl, type SimAttachment } from './attachment.ts';
import { FaultSyntaxError, parseFault, type SimFault, type SimFaultKind } from './faults.ts';
import { accountFaults, deliveryLog, fleetAccounts, worldSummary, type AccountInfo, type Delivery, type WorldSummary } from './inspect.ts';
import type { BoxMessageRow, ChannelMessageRow, ChatRow, PollRow, UserRow } from './rows.ts';
import { fail, RpcFail, type AnonContext, type AuthRow, type CallContext } from './rpc/context.ts';
import { methodSpec } from './rpc/index.ts';
import { chargeBudget, floodFault } from './rpc/limits.ts';
import { boxMessageTl, channelMessageTl, getChat, getUser, PeerSet } from './rpc/tl.ts';
import { SIM_MIGRATIONS, WORLD_KIND } from './schema.ts';
import { addChannelMessage, addGroupMessage } from './write.ts';

export type { AccountInfo, Delivery, WorldSummary };

export interface OpenWorldOptions {
  /** Create the file when it does not exist (createWorld does this). */
  create?: boolean;
}

export interface PostResult {
  chatId: number;
  messageId: number;
  link: string | null;
}

interface RpcErrorAnswer {
  _: 'mt_rpc_error';
  errorCode: number;
  errorMessage: string;
}

export interface CallOptions {
  timeout?: number;
  abortSignal?: AbortSignal;
}

/** The kinds of refusal a handler may end with; everything else is a simulator bug. */
function toAnswer(e: RpcFail): RpcErrorAnswer {
  return { _: 'mt_rpc_error', errorCode: e.code, errorMessage: e.text };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Opens a world file, refusing (and never touching) a file that is not one. */
export function openWorld(path: string, opts: OpenWorldOptions = {}): SimWorld {
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(`${path} is a folder; give the world file (made by: telegram-panel sim create <world.db>)`);
  const exists = existsSync(path) && statSync(path).size > 0;
  if (!exists && opts.create && !existsSync(dirname(resolve(path)))) throw new InputError(`the folder ${dirname(resolve(path))} does not exist; create it first or pick another path for the world`);
  if (!exists && !opts.create) throw new InputError(`${path} does not exist; create a world with: telegram-panel sim create ${path}`);
  if (exists) checkIsWorld(path);
  const db = openSqlite(path, { migrations: SIM_MIGRATIONS });
  if (!exists) db.prepare('INSERT OR IGNORE INTO sim_meta (key, value) VALUES (?, ?)').run('kind', WORLD_KIND);
  return new SimWorld(db, path);
}

function checkIsWorld(path: string): void {
  let db: Db;
  try {
    db = openSqlite(path, { readonly: true, migrations: SIM_MIGRATIONS });
  } catch (e) {
    if (e instanceof StoreError) throw new InputError(`${path} is not a simulator world (not a usable SQLite file); it was left untouched`);
    throw e;
  }
  try {
    let kind: string | undefined;
    try {
      kind = (db.prepare("SELECT value FROM sim_meta WHERE key = 'kind'").get() as { value: string } | undefined)?.value;
    } catch {
      kind = undefined;
    }
    if (kind !== WORLD_KIND) {
      throw new InputError(`${path} is a SQLite file but not a simulator world; it was left untouched. Pick another file name for the world`);
    }
  } finally {
    db.close();
  }
}

export class SimWorld {
  private attachments = new Set<SimAttachmentImpl>();
  /** connections rows opened by attachments of this process that are still open. */
  private liveRows = new Set<number>();
  private lastEventId: number;
  private pumpTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private cachedSecret: string | undefined;

  constructor(
    readonly db: Db,
    readonly path: string,
  ) {
    this.lastEventId = (db.prepare('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id;
  }

  /** What access hashes are derived from (fixed when the world is created). */
  get secret(): string {
    this.cachedSecret ??= this.meta('secret');
    return this.cachedSecret ?? '';
  }

  // ---- meta and clock ----

  meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM sim_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO sim_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** World time in epoch ms: the wall clock, or the time the world was told. */
  now(): number {
    const clock = this.meta('clock');
    return clock === undefined || clock === 'wall' ? Date.now() : Number(clock);
  }

  /** Freezes world time at `ms` (it moves only when told again). */
  setTime(ms: number): void {
    this.setMeta('clock', String(Math.floor(ms)));
  }

  advance(ms: number): void {
    this.setTime(this.now() + ms);
  }

  useWallClock(): void {
    this.setMeta('clock', 'wall');
  }

  get clockMode(): 'wall' | 'fixed' {
    const clock = this.meta('clock');
    return clock === undefined || clock === 'wall' ? 'wall' : 'fixed';
  }

  // ---- attaching clients ----

  /** A transport + middleware pair for one TelegramClient (see attachment.ts). */
  attach(): SimAttachment {
    if (this.closed) throw new Error('the world is closed');
    const att = new SimAttachmentImpl(this);
    this.attachments.add(att);
    return att;
  }

  /** @internal called by an attachment when it closes. */
  detach(att: SimAttachmentImpl, rows: number[]): void {
    this.attachments.delete(att);
    for (const id of rows) {
      this.liveRows.delete(id);
      if (!this.closed) this.db.prepare('UPDATE connections SET closed_at = ? WHERE id = ? AND closed_at IS NULL').run(this.now(), id);
    }
    this.schedulePump();
  }

  /** @internal registers that `att` uses `keyId`; returns the connections row id. */
  registerConnection(keyId: string): number {
    const id = Number(this.db.prepare('INSERT INTO connections (key_id, pid, opened_at) VALUES (?, ?, ?)').run(keyId, process.pid, this.now()).lastInsertRowid);
    this.liveRows.add(id);
    return id;
  }

  /** Whether another live attachment (here or in another running process) uses the key. */
  private duplicateLive(keyId: string, mine: number): boolean {
    const rows = this.db.prepare('SELECT id, pid FROM connections WHERE key_id = ? AND closed_at IS NULL AND id != ?').all(keyId, mine) as Array<{ id: number; pid: number }>;
    let live = false;
    for (const r of rows) {
      const alive = r.pid === process.pid ? this.liveRows.has(r.id) : pidAlive(r.pid);
      if (alive) live = true;
      else this.db.prepare('UPDATE connections SET closed_at = ? WHERE id = ?').run(this.now(), r.id);
    }
    return live;
  }

  // ---- answering calls ----

  /** Answers one RPC from the client holding auth key `keyId`: a TL object or an `mt_rpc_error`. */
  async call(att: SimAttachmentImpl, keyId: string, request: tl.RpcMethod, opts: CallOptions = {}): Promise<unknown> {
    await this.delayFor(att, keyId, request._, opts);
    const row = att.connectionRow(keyId);
    const eventsBefore = (this.db.prepare('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id;
    const run = this.db.transaction((): unknown => {
      try {
        const result = this.dispatch(row, keyId, request);
        this.db.prepare('UPDATE events SET actor = ? WHERE id > ? AND actor IS NULL').run(keyId, eventsBefore);
        return result;
      } catch (e) {
        if (e instanceof RpcFail && e.keep) return toAnswer(e);
        throw e;
      }
    });
    let answer: unknown;
    try {
      answer = run.immediate();
    } catch (e) {
      if (e instanceof RpcFail) return toAnswer(e);
      throw e;
    }
    this.pump();
    return answer;
  }

  private dispatch(row: number, keyId: string, request: tl.RpcMethod): unknown {
    const now = this.now();
    let auth = this.db.prepare('SELECT * FROM authorizations WHERE key_id = ?').get(keyId) as AuthRow | undefined;
    if (!auth) {
      this.db.prepare("INSERT INTO authorizations (key_id, state, created_at, updated_at) VALUES (?, 'anonymous', ?, ?)").run(keyId, now, now);
      auth = { key_id: keyId, user_id: null, state: 'anonymous', error: null, created_at: now, updated_at: now };
    }
    if (auth.state !== 'duplicated' && this.duplicateLive(keyId, row)) {
      this.db.prepare("UPDATE authorizations SET state = 'duplicated', error = 'AUTH_KEY_DUPLICATED', updated_at = ? WHERE key_id = ?").run(now, keyId);
      throw fail.notAcceptable('AUTH_KEY_DUPLICATED').kept();
    }
    if (auth.state === 'duplicated') throw fail.notAcceptable('AUTH_KEY_DUPLICATED');
    const spec = methodSpec(request._);
    if (!spec) throw fail.badRequest('METHOD_NOT_SIMULATED');
    const me = auth.user_id !== null ? getUser({ db: this.db }, auth.user_id) : undefined;
    if (spec.anon) {
      const ctx: AnonContext = { db: this.db, now, secret: this.secret, auth, me: auth.state === 'active' && me ? me : null };
      return spec.fn(ctx, request);
    }
    if (auth.state === 'password') throw fail.unauthorized('SESSION_PASSWORD_NEEDED');
    if (auth.state === 'revoked') throw fail.unauthorized(auth.error ?? 'AUTH_KEY_UNREGISTERED');
    if (auth.state !== 'active' || !me) throw fail.unauthorized('AUTH_KEY_UNREGISTERED');
    if (me.state === 'banned') throw fail.unauthorized('USER_DEACTIVATED_BAN');
    if (me.state === 'frozen' && spec.write) throw fail.flood('FROZEN_METHOD_INVALID');
    const ctx: CallContext = { db: this.db, now, secret: this.secret, auth, me };
    floodFault(ctx, request._);
    chargeBudget(ctx, request._);
    return spec.fn(ctx, request);
  }

  /** Slow answers and dropped connections, in real time (the caller's timeout still applies). */
  private async delayFor(att: SimAttachmentImpl, keyId: string, method: string, opts: CallOptions): Promise<void> {
    const rows = this.db
      .prepare(
        `SELECT f.kind, f.method, f.value FROM faults f JOIN authorizations a ON a.user_id = f.user_id
         WHERE a.key_id = ? AND a.state = 'active' AND f.kind IN ('slow', 'drop')`,
      )
      .all(keyId) as Array<{ kind: 'slow' | 'drop'; method: string; value: number }>;
    let ms = 0;
    for (const r of rows) {
      if (r.kind === 'drop') {
        att.dropConnections();
        ms = Math.max(ms, r.value);
      } else if (r.method === '' || r.method === method) {
        ms = Math.max(ms, r.value);
      }
    }
    if (ms > 0) await sleep(ms, opts);
  }

  // ---- pushing updates ----

  /** @internal keeps polling the event log while clients are bound (for other processes' events). */
  schedulePump(): void {
    const bound = [...this.attachments].some((a) => a.isBound);
    if (bound && !this.pumpTimer && !this.closed) {
      this.pumpTimer = setInterval(() => this.pump(), 200);
      this.pumpTimer.unref();
    } else if (!bound && this.pumpTimer) {
      clearInterval(this.pumpTimer);
      this.pumpTimer = undefined;
    }
  }

  /** Pushes every new event to the bound clients it concerns. */
  pump(): void {
    if (this.closed) return;
    const events = this.db.prepare('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT 1000').all(this.lastEventId) as Array<{
      id: number;
      kind: 'box' | 'channel';
      user_id: number | null;
      chat_id: number | null;
      msg_id: number;
      actor: string | null;
    }>;
    if (events.length === 0) return;
    this.lastEventId = events[events.length - 1]!.id;
    const targets: Array<{ att: SimAttachmentImpl; keyId: string; user: UserRow }> = [];
    for (const att of this.attachments) {
      const keyId = att.boundKeyId;
      if (!att.isBound || !keyId) continue;
      const auth = this.db.prepare('SELECT * FROM authorizations WHERE key_id = ?').get(keyId) as AuthRow | undefined;
      if (auth?.state !== 'active' || auth.user_id === null) continue;
      const user = getUser({ db: this.db }, auth.user_id);
      if (user) targets.push({ att, keyId, user });
    }
    if (targets.length === 0) return;
    const now = this.now();
    for (const ev of events) {
      for (const t of targets) {
        if (ev.actor === t.keyId) continue;
        const ctx = { db: this.db, now, secret: this.secret, me: t.user };
        const peers = new PeerSet();
        let update: tl.TypeUpdate | undefined;
        if (ev.kind === 'box' && ev.user_id === t.user.id) {
          const m = this.db.prepare('SELECT * FROM box_messages WHERE owner_id = ? AND id = ?').get(t.user.id, ev.msg_id) as BoxMessageRow | undefined;
          if (m) update = { _: 'updateNewMessage', message: boxMessageTl(m, peers), pts: m.pts, ptsCount: 1 };
        } else if (ev.kind === 'channel' && ev.chat_id !== null) {
          if (!this.db.prepare('SELECT 1 FROM members WHERE chat_id = ? AND user_id = ?').get(ev.chat_id, t.user.id)) continue;
          const chat = getChat({ db: this.db }, ev.chat_id);
          const m = this.db.prepare('SELECT * FROM channel_messages WHERE chat_id = ? AND id = ?').get(ev.chat_id, ev.msg_id) as ChannelMessageRow | undefined;
          if (chat && m) update = { _: 'updateNewChannelMessage', message: channelMessageTl(ctx, m, chat, peers), pts: m.id, ptsCount: 1 };
        }
        if (!update) continue;
        t.att.push({ _: 'updates', updates: [update], ...peers.build(ctx), date: Math.floor(now / 1000), seq: 0 });
      }
    }
    if (events.length === 1000) this.pump();
  }

  // ---- operator controls ----

  /** A fleet account by phone (any formatting), username or user id. */
  account(ref: string): UserRow {
    const digits = ref.replace(/[^\d]/g, '');
    const byPhone = /^\+?[\d\s-]+$/.test(ref.trim())
      ? (this.db.prepare("SELECT * FROM users WHERE replace(phone, '+', '') = ?").get(digits) as UserRow | undefined)
      : undefined;
    const row =
      byPhone ??
      (this.db.prepare('SELECT * FROM users WHERE username = ?').get(ref.replace(/^@/, '')) as UserRow | undefined) ??
      (/^\d+$/.test(ref) ? (this.db.prepare('SELECT * FROM users WHERE id = ?').get(Number(ref)) as UserRow | undefined) : undefined);
    if (!row || row.kind !== 'fleet') throw new InputError(`no fleet account "${ref}" in this world (run: telegram-panel sim show ${this.path})`);
    return row;
  }

  /** Applies a fault; for one-shot faults, how many current sessions it ended (0 for the lasting kinds). */
  setFault(accountRef: string, fault: SimFault | string): { fault: SimFault; sessions: number } {
    let f: SimFault;
    try {
      f = typeof fault === 'string' ? parseFault(fault) : fault;
    } catch (e) {
      if (e instanceof FaultSyntaxError) throw new InputError(e.message);
      throw e;
    }
    const user = this.account(accountRef);
    const now = this.now();
    let sessions = 0;
    this.db.transaction(() => {
      switch (f.kind) {
        case 'revoked':
        case 'session_revoked':
        case 'duplicated': {
          const [state, error] =
            f.kind === 'duplicated' ? ['duplicated', 'AUTH_KEY_DUPLICATED'] : ['revoked', f.kind === 'revoked' ? 'AUTH_KEY_UNREGISTERED' : 'SESSION_REVOKED'];
          sessions = this.db
            .prepare("UPDATE authorizations SET state = ?, error = ?, updated_at = ? WHERE user_id = ? AND state IN ('active', 'password')")
            .run(state, error, now, user.id).changes;
          return;
        }
        case 'banned':
        case 'frozen':
          this.db.prepare('UPDATE users SET state = ? WHERE id = ?').run(f.kind, user.id);
          return;
        case 'flood':
          this.upsertFault(user.id, 'flood', f.method ?? '', now + f.seconds * 1000);
          return;
        case 'peer_flood':
          this.upsertFault(user.id, 'peer_flood', '', null);
          return;
        case 'slow':
          this.upsertFault(user.id, 'slow', f.method ?? '', f.ms);
          return;
        case 'drop':
          this.upsertFault(user.id, 'drop', '', f.ms);
          return;
      }
    })();
    return { fault: f, sessions };
  }

  private upsertFault(userId: number, kind: SimFaultKind, method: string, value: number | null): void {
    this.db
      .prepare('INSERT INTO faults (user_id, kind, method, value) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, kind, method) DO UPDATE SET value = excluded.value')
      .run(userId, kind, method, value);
  }

  /** Clears every fault of the account (or one kind). Revoked sessions stay revoked. */
  clearFault(accountRef: string, kind?: string): void {
    const user = this.account(accountRef);
    const k = kind?.replace(/-/g, '_');
    this.db.transaction(() => {
      if (k === undefined || k === 'banned' || k === 'frozen') this.db.prepare("UPDATE users SET state = 'active' WHERE id = ?").run(user.id);
      if (k === undefined) this.db.prepare('DELETE FROM faults WHERE user_id = ?').run(user.id);
      else this.db.prepare('DELETE FROM faults WHERE user_id = ? AND kind = ?').run(user.id, k);
    })();
  }

  faultsOf(userId: number): string[] {
    return accountFaults(this.db, userId, this.now());
  }

  /** At most `max` calls of `method` per account per window; `peer_flood` counts private messages to strangers. */
  setBudget(method: string, max: number, windowMs: number): void {
    this.db
      .prepare('INSERT INTO budgets (method, max, window_ms) VALUES (?, ?, ?) ON CONFLICT (method) DO UPDATE SET max = excluded.max, window_ms = excluded.window_ms')
      .run(method, max, windowMs);
  }

  clearBudget(method: string): void {
    this.db.prepare('DELETE FROM budgets WHERE method = ?').run(method);
  }

  budgets(): Array<{ method: string; max: number; windowMs: number }> {
    return (this.db.prepare('SELECT method, max, window_ms FROM budgets ORDER BY method').all() as Array<{ method: string; max: number; window_ms: number }>).map((b) => ({
      method: b.method,
      max: b.max,
      windowMs: b.window_ms,
    }));
  }

  /** A chat by @username, t.me link (public, +invite or /c/ID), numeric id or exact title. */
  findChat(ref: string): ChatRow {
    const r = ref.trim();
    const link = /^(?:https?:\/\/)?(?:t\.me|telegram\.me)\/(.+)$/i.exec(r);
    let chat: ChatRow | undefined;
    if (link) {
      const path = link[1]!.split('?')[0]!;
      const invite = /^(?:\+|joinchat\/)([\w-]+)/.exec(path);
      const priv = /^c\/(\d+)/.exec(path);
      if (invite) chat = this.db.prepare('SELECT c.* FROM invites i JOIN chats c ON c.id = i.chat_id WHERE i.hash = ?').get(invite[1]) as ChatRow | undefined;
      else if (priv) chat = getChat({ db: this.db }, Number(priv[1]));
      else chat = this.db.prepare('SELECT * FROM chats WHERE username = ?').get(path.split('/')[0]) as ChatRow | undefined;
    } else if (/^-?\d+$/.test(r)) {
      const n = Math.abs(Number(r));
      chat = getChat({ db: this.db }, n > 1e12 ? n - 1e12 : n);
    } else {
      chat =
        (this.db.prepare('SELECT * FROM chats WHERE username = ?').get(r.replace(/^@/, '')) as ChatRow | undefined) ??
        (this.db.prepare('SELECT * FROM chats WHERE title = ? ORDER BY id LIMIT 1').get(r) as ChatRow | undefined);
    }
    if (!chat) throw new InputError(`no chat "${ref}" in this world (run: telegram-panel sim show ${this.path})`);
    return chat;
  }

  chatLink(chat: ChatRow, messageId?: number): string | null {
    const tail = messageId === undefined ? '' : `/${messageId}`;
    if (chat.username) return `https://t.me/${chat.username}${tail}`;
    if (chat.kind === 'group') return null;
    return messageId === undefined ? null : `https://t.me/c/${chat.id}${tail}`;
  }

  /**
   * Makes someone post `text` in a chat and pushes it to every attached member: `fromUser`
   * (username or id) or the first non-fleet member; in a channel the post comes from the
   * channel itself (and is copied into its discussion group, as Telegram does).
   */
  post(chatRef: string, text: string, fromUser?: string): PostResult {
    if (!text.trim()) throw new InputError('the message text is empty');
    const chat = this.findChat(chatRef);
    const now = this.now();
    const result = this.db.transaction((): PostResult => {
      let from: number;
      if (fromUser !== undefined) {
        const u = this.db.prepare('SELECT id FROM users WHERE username = ? OR id = ?').get(fromUser.replace(/^@/, ''), Number(fromUser) || -1) as { id: number } | undefined;
        if (!u) throw new InputError(`no user "${fromUser}" in this world`);
        if (!this.db.prepare('SELECT 1 FROM members WHERE chat_id = ? AND user_id = ?').get(chat.id, u.id)) throw new InputError(`${fromUser} is not a member of ${chat.title}`);
        from = u.id;
      } else {
        const m =
          (this.db
            .prepare("SELECT m.user_id FROM members m JOIN users u ON u.id = m.user_id WHERE m.chat_id = ? AND u.kind = 'person' AND u.deleted = 0 ORDER BY (m.role = 'member'), m.user_id LIMIT 1")
            .get(chat.id) as { user_id: number } | undefined) ??
          (this.db.prepare('SELECT user_id FROM members WHERE chat_id = ? ORDER BY user_id LIMIT 1').get(chat.id) as { user_id: number } | undefined);
        if (!m) throw new InputError(`${chat.title} has no members to post`);
        from = m.user_id;
      }
      if (chat.kind === 'group') {
        const mine = addGroupMessage(this.db, now, chat.id, from, text);
        return { chatId: chat.id, messageId: mine.id, link: null };
      }
      const row = addChannelMessage(this.db, now, chat, { fromUserId: chat.kind === 'channel' ? null : from, text });
      if (chat.kind === 'channel' && chat.linked_chat_id) {
        addChannelMessage(this.db, now, { id: chat.linked_chat_id }, { fromUserId: null, text, fwdChatId: chat.id, fwdMsgId: row.id });
      }
      return { chatId: chat.id, messageId: row.id, link: this.chatLink(chat, row.id) };
    })();
    this.pump();
    return result;
  }

  closePoll(chatRef: string, messageId: number): void {
    const chat = this.findChat(chatRef);
    const m = this.db.prepare('SELECT poll_id FROM channel_messages WHERE chat_id = ? AND id = ?').get(chat.id, messageId) as { poll_id: number | null } | undefined;
    if (!m?.poll_id) throw new InputError(`message ${messageId} in ${chat.title} has no poll`);
    this.db.prepare('UPDATE polls SET closed = 1 WHERE id = ?').run(m.poll_id);
  }

  poll(chatRef: string, messageId: number): { question: string; multiple: boolean; closed: boolean; votes: number[] } {
    const chat = this.findChat(chatRef);
    const m = this.db.prepare('SELECT poll_id FROM channel_messages WHERE chat_id = ? AND id = ?').get(chat.id, messageId) as { poll_id: number | null } | undefined;
    if (!m?.poll_id) throw new InputError(`message ${messageId} in ${chat.title} has no poll`);
    const p = this.db.prepare('SELECT * FROM polls WHERE id = ?').get(m.poll_id) as PollRow;
    const options = this.db.prepare('SELECT idx FROM poll_options WHERE poll_id = ? ORDER BY idx').all(p.id) as Array<{ idx: number }>;
    const votes = options.map((o) => (this.db.prepare('SELECT count(*) AS n FROM poll_votes WHERE poll_id = ? AND idx = ?').get(p.id, o.idx) as { n: number }).n);
    return { question: p.question, multiple: p.multiple === 1, closed: p.closed === 1, votes };
  }

  /** Who reacted to a message with what. */
  reactions(chatRef: string, messageId: number): Array<{ userId: number; emoji: string }> {
    const chat = this.findChat(chatRef);
    return (this.db.prepare('SELECT user_id, emoji FROM reactions WHERE chat_id = ? AND msg_id = ? ORDER BY user_id').all(chat.id, messageId) as Array<{ user_id: number; emoji: string }>).map(
      (r) => ({ userId: r.user_id, emoji: r.emoji }),
    );
  }

  isMember(chatRef: string, userId: number): boolean {
    const chat = this.findChat(chatRef);
    return this.db.prepare('SELECT 1 FROM members WHERE chat_id = ? AND user_id = ?').get(chat.id, userId) !== undefined;
  }

  hasJoinRequest(chatRef: string, userId: number): boolean {
    const chat = this.findChat(chatRef);
    return this.db.prepare('SELECT 1 FROM join_requests WHERE chat_id = ? AND user_id = ?').get(chat.id, userId) !== undefined;
  }

  isBlocked(userId: number, blockedUsername: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.user_id = ? AND u.username = ?').get(userId, blockedUsername.replace(/^@/, '')) !== undefined
    );
  }

  /** Messages in a chat (newest last), for checks. */
  messages(chatRef: string): Array<{ id: number; fromUserId: number | null; text: string; replyTo: number | null; topId: number | null }> {
    const chat = this.findChat(chatRef);
    return (this.db.prepare('SELECT * FROM channel_messages WHERE chat_id = ? ORDER BY id').all(chat.id) as ChannelMessageRow[]).map((m) => ({
      id: m.id,
      fromUserId: m.from_user_id,
      text: m.text,
      replyTo: m.reply_to,
      topId: m.top_id,
    }));
  }

  /** The delivery log: every private message an account sent, oldest first. */
  deliveries(): Delivery[] {
    return deliveryLog(this.db);
  }

  accounts(): AccountInfo[] {
    return fleetAccounts(this.db, this.now());
  }

  /** The same summary `sim create` prints, read back from the file. */
  summary(): WorldSummary {
    return worldSummary(this.db);
  }

  close(): void {
    if (this.closed) return;
    for (const att of [...this.attachments]) att.close();
    this.closed = true;
    if (this.pumpTimer) clearInterval(this.pumpTimer);
    this.pumpTimer = undefined;
    this.db.close();
  }
}

function sleep(ms: number, opts: CallOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const limit = opts.timeout !== undefined && opts.timeout < ms ? opts.timeout : ms;
    const timer = setTimeout(() => {
      opts.abortSignal?.removeEventListener('abort', onAbort);
      if (limit < ms) reject(new MtTimeoutError(opts.timeout));
      else resolve();
    }, limit);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(opts.abortSignal?.reason as Error);
    };
    opts.abortSignal?.addEventListener('abort', onAbort, { once: true });
  });
}
