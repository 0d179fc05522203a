/** Read-only views of a world: lookups by the operator's references, and what `sim show`, `sim deliveries` and `sim create` print. */
import { InputError } from '../core/errors.ts';
import type { Db } from './world-file.ts';
import type { ChannelMessageRow, ChatRow, PollRow, UserRow } from './rows.ts';
import { getChat, getUser } from './rpc/tl.ts';

export interface WorldSummary {
  accounts: Array<{ phone: string; code: string; password: string | null; username: string }>;
  usernames: string[];
  missingUsernames: string[];
  groups: Array<{ title: string; link: string }>;
  posts: Array<{ link: string; hasComments: boolean; poll: { options: number; multiple: boolean } | null }>;
}

export interface AccountInfo {
  userId: number;
  phone: string;
  code: string;
  password: string | null;
  username: string | null;
  state: UserRow['state'];
  sessions: number;
  faults: string[];
}

export interface Delivery {
  /** Sender's phone. */
  from: string;
  /** Recipient's username (null when the recipient has none). */
  to: string | null;
  toId: number;
  text: string;
  randomId: string;
  /** ISO time (world clock). */
  at: string;
}

/** An account's current faults in the command-line form. */
export function accountFaults(db: Db, userId: number, now: number): string[] {
  const out: string[] = [];
  const u = getUser({ db }, userId);
  if (u && u.state !== 'active') out.push(u.state);
  for (const f of db.prepare('SELECT * FROM faults WHERE user_id = ? ORDER BY kind, method').all(userId) as Array<{ kind: string; method: string; value: number | null }>) {
    if (f.kind === 'flood') {
      if ((f.value ?? 0) > now) out.push(`flood:${Math.ceil(((f.value ?? 0) - now) / 1000)}${f.method ? `:${f.method}` : ''}`);
    } else if (f.kind === 'slow') out.push(`slow:${f.value}${f.method ? `:${f.method}` : ''}`);
    else if (f.kind === 'drop') out.push(`drop:${f.value}`);
    else out.push(f.kind.replace(/_/g, '-'));
  }
  return out;
}

/** The delivery log: every private message an account sent, oldest first. */
export function deliveryLog(db: Db): Delivery[] {
  const rows = db
    .prepare(
      `SELECT f.phone AS from_phone, t.username AS to_username, d.to_id, d.text, d.random_id, d.at
       FROM deliveries d JOIN users f ON f.id = d.from_id JOIN users t ON t.id = d.to_id ORDER BY d.id`,
    )
    .all() as Array<{ from_phone: string | null; to_username: string | null; to_id: number; text: string; random_id: string; at: number }>;
  return rows.map((r) => ({
    from: r.from_phone ?? '',
    to: r.to_username,
    toId: r.to_id,
    text: r.text,
    randomId: r.random_id,
    at: new Date(r.at).toISOString(),
  }));
}

export function fleetAccounts(db: Db, now: number): AccountInfo[] {
  const rows = db.prepare("SELECT * FROM users WHERE kind = 'fleet' ORDER BY id").all() as UserRow[];
  return rows.map((u) => ({
    userId: u.id,
    phone: u.phone ?? '',
    code: u.login_code ?? '',
    password: u.password,
    username: u.username,
    state: u.state,
    sessions: (db.prepare("SELECT count(*) AS n FROM authorizations WHERE user_id = ? AND state = 'active'").get(u.id) as { n: number }).n,
    faults: accountFaults(db, u.id, now),
  }));
}

/** The same summary `sim create` prints, read back from the file. */
export function worldSummary(db: Db): WorldSummary {
  const fleet = db.prepare("SELECT * FROM users WHERE kind = 'fleet' ORDER BY id").all() as UserRow[];
  const usernames = (
    db.prepare("SELECT username FROM users WHERE kind = 'person' AND deleted = 0 AND username IS NOT NULL ORDER BY id").all() as Array<{ username: string }>
  ).map((r) => r.username);
  const missing = JSON.parse((db.prepare("SELECT value FROM sim_meta WHERE key = 'missing_usernames'").get() as { value: string } | undefined)?.value ?? '[]') as string[];
  const chats = db.prepare('SELECT * FROM chats ORDER BY id').all() as ChatRow[];
  const groups: WorldSummary['groups'] = [];
  for (const c of chats) {
    if (db.prepare("SELECT 1 FROM chats WHERE linked_chat_id = ? AND kind = 'channel'").get(c.id)) continue;
    const inv = db.prepare('SELECT hash FROM invites WHERE chat_id = ? AND revoked = 0 ORDER BY hash LIMIT 1').get(c.id) as { hash: string } | undefined;
    const link = c.username ? `https://t.me/${c.username}` : inv ? `https://t.me/+${inv.hash}` : null;
    if (link) groups.push({ title: c.title, link });
  }
  const posts: WorldSummary['posts'] = [];
  const postRows = db
    .prepare(
      `SELECT m.*, c.username, c.kind, c.linked_chat_id FROM channel_messages m JOIN chats c ON c.id = m.chat_id
       WHERE m.fwd_chat_id IS NULL AND m.service IS NULL AND m.top_id IS NULL AND c.kind = 'channel' ORDER BY c.id, m.id`,
    )
    .all() as Array<ChannelMessageRow & { username: string | null; kind: string; linked_chat_id: number | null }>;
  for (const m of postRows) {
    const link = m.username ? `https://t.me/${m.username}/${m.id}` : `https://t.me/c/${m.chat_id}/${m.id}`;
    let poll: { options: number; multiple: boolean } | null = null;
    if (m.poll_id) {
      const p = db.prepare('SELECT * FROM polls WHERE id = ?').get(m.poll_id) as PollRow;
      if (p.closed) continue;
      const n = (db.prepare('SELECT count(*) AS n FROM poll_options WHERE poll_id = ?').get(p.id) as { n: number }).n;
      poll = { options: n, multiple: p.multiple === 1 };
    }
    posts.push({ link, hasComments: m.linked_chat_id !== null, poll });
  }
  return {
    accounts: fleet.map((u) => ({ phone: u.phone ?? '', code: u.login_code ?? '', password: u.password, username: u.username ?? '' })),
    usernames,
    missingUsernames: missing,
    groups,
    posts,
  };
}

/** A fleet account by phone (any formatting), username or user id; `path` names the world in the refusal. */
export function findAccount(db: Db, ref: string, path: string): UserRow {
  const digits = ref.replace(/[^\d]/g, '');
  const byPhone = /^\+?[\d\s-]+$/.test(ref.trim()) ? (db.prepare("SELECT * FROM users WHERE replace(phone, '+', '') = ?").get(digits) as UserRow | undefined) : undefined;
  const row =
    byPhone ??
    (db.prepare('SELECT * FROM users WHERE username = ?').get(ref.replace(/^@/, '')) as UserRow | undefined) ??
    (/^\d+$/.test(ref) ? (db.prepare('SELECT * FROM users WHERE id = ?').get(Number(ref)) as UserRow | undefined) : undefined);
  if (!row || row.kind !== 'fleet') throw new InputError(`no fleet account "${ref}" in this world (run: telegram-panel sim show ${path})`);
  return row;
}

/** A chat by @username, t.me link (public, +invite or /c/ID), numeric id or exact title. */
export function findChat(db: Db, ref: string, path: string): ChatRow {
  const r = ref.trim();
  const link = /^(?:https?:\/\/)?(?:t\.me|telegram\.me)\/(.+)$/i.exec(r);
  let chat: ChatRow | undefined;
  if (link) {
    const tail = link[1]!.split('?')[0]!;
    const invite = /^(?:\+|joinchat\/)([\w-]+)/.exec(tail);
    const priv = /^c\/(\d+)/.exec(tail);
    if (invite) chat = db.prepare('SELECT c.* FROM invites i JOIN chats c ON c.id = i.chat_id WHERE i.hash = ?').get(invite[1]) as ChatRow | undefined;
    else if (priv) chat = getChat({ db }, Number(priv[1]));
    else chat = db.prepare('SELECT * FROM chats WHERE username = ?').get(tail.split('/')[0]) as ChatRow | undefined;
  } else if (/^-?\d+$/.test(r)) {
    const n = Math.abs(Number(r));
    chat = getChat({ db }, n > 1e12 ? n - 1e12 : n);
  } else {
    chat =
      (db.prepare('SELECT * FROM chats WHERE username = ?').get(r.replace(/^@/, '')) as ChatRow | undefined) ??
      (db.prepare('SELECT * FROM chats WHERE title = ? ORDER BY id LIMIT 1').get(r) as ChatRow | undefined);
  }
  if (!chat) throw new InputError(`no chat "${ref}" in this world (run: telegram-panel sim show ${path})`);
  return chat;
}

export function chatLink(chat: ChatRow, messageId?: number): string | null {
  const tail = messageId === undefined ? '' : `/${messageId}`;
  if (chat.username) return `https://t.me/${chat.username}${tail}`;
  if (chat.kind === 'group') return null;
  return messageId === undefined ? null : `https://t.me/c/${chat.id}${tail}`;
}

/** The poll id of a message, refused when it carries none. */
export function pollOf(db: Db, chat: ChatRow, messageId: number): number {
  const m = db.prepare('SELECT poll_id FROM channel_messages WHERE chat_id = ? AND id = ?').get(chat.id, messageId) as { poll_id: number | null } | undefined;
  if (!m?.poll_id) throw new InputError(`message ${messageId} in ${chat.title} has no poll`);
  return m.poll_id;
}

export function pollState(db: Db, pollId: number): { question: string; multiple: boolean; closed: boolean; votes: number[] } {
  const p = db.prepare('SELECT * FROM polls WHERE id = ?').get(pollId) as PollRow;
  const options = db.prepare('SELECT idx FROM poll_options WHERE poll_id = ? ORDER BY idx').all(p.id) as Array<{ idx: number }>;
  const votes = options.map((o) => (db.prepare('SELECT count(*) AS n FROM poll_votes WHERE poll_id = ? AND idx = ?').get(p.id, o.idx) as { n: number }).n);
  return { question: p.question, multiple: p.multiple === 1, closed: p.closed === 1, votes };
}

/** Who reacted to a message with what. */
export function reactionsOn(db: Db, chatId: number, messageId: number): Array<{ userId: number; emoji: string }> {
  return (db.prepare('SELECT user_id, emoji FROM reactions WHERE chat_id = ? AND msg_id = ? ORDER BY user_id').all(chatId, messageId) as Array<{ user_id: number; emoji: string }>).map((r) => ({
    userId: r.user_id,
    emoji: r.emoji,
  }));
}

export function isMemberOf(db: Db, chatId: number, userId: number): boolean {
  return db.prepare('SELECT 1 FROM members WHERE chat_id = ? AND user_id = ?').get(chatId, userId) !== undefined;
}

export function hasJoinRequestTo(db: Db, chatId: number, userId: number): boolean {
  return db.prepare('SELECT 1 FROM join_requests WHERE chat_id = ? AND user_id = ?').get(chatId, userId) !== undefined;
}

export function hasBlocked(db: Db, userId: number, blockedUsername: string): boolean {
  return db.prepare('SELECT 1 FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.user_id = ? AND u.username = ?').get(userId, blockedUsername.replace(/^@/, '')) !== undefined;
}

/** Messages in a chat (newest last), for checks. */
export function chatMessages(db: Db, chatId: number): Array<{ id: number; fromUserId: number | null; text: string; replyTo: number | null; topId: number | null }> {
  return (db.prepare('SELECT * FROM channel_messages WHERE chat_id = ? ORDER BY id').all(chatId) as ChannelMessageRow[]).map((m) => ({
    id: m.id,
    fromUserId: m.from_user_id,
    text: m.text,
    replyTo: m.reply_to,
    topId: m.top_id,
  }));
}
