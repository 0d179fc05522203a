/**
 * The few ways the world gains messages. Each records an event so attached clients (in this
 * process or another) get the matching update pushed.
 */
import type { Db } from './world-file.ts';
import type { BoxMessageRow, ChannelMessageRow, ChatRow } from './rows.ts';

export interface ChannelMessageInput {
  fromUserId: number | null;
  text: string;
  replyTo?: number | null;
  topId?: number | null;
  fwdChatId?: number | null;
  fwdMsgId?: number | null;
  pollId?: number | null;
  service?: string | null;
}

export function addChannelMessage(db: Db, now: number, chat: Pick<ChatRow, 'id'>, m: ChannelMessageInput): ChannelMessageRow {
  const { pts } = db.prepare('UPDATE chats SET pts = pts + 1 WHERE id = ? RETURNING pts').get(chat.id) as { pts: number };
  const row: ChannelMessageRow = {
    chat_id: chat.id,
    id: pts,
    from_user_id: m.fromUserId,
    text: m.text,
    date: now,
    reply_to: m.replyTo ?? null,
    top_id: m.topId ?? null,
    fwd_chat_id: m.fwdChatId ?? null,
    fwd_msg_id: m.fwdMsgId ?? null,
    poll_id: m.pollId ?? null,
    service: m.service ?? null,
  };
  db.prepare(
    `INSERT INTO channel_messages (chat_id, id, from_user_id, text, date, reply_to, top_id, fwd_chat_id, fwd_msg_id, poll_id, service)
     VALUES (@chat_id, @id, @from_user_id, @text, @date, @reply_to, @top_id, @fwd_chat_id, @fwd_msg_id, @poll_id, @service)`,
  ).run(row);
  db.prepare("INSERT INTO events (kind, chat_id, msg_id, at) VALUES ('channel', ?, ?, ?)").run(chat.id, row.id, now);
  return row;
}

export function addBoxMessage(
  db: Db,
  now: number,
  m: { ownerId: number; peerKind: 'user' | 'chat'; peerId: number; fromId: number; text: string },
  /** Set for messages the owner's own request did not produce (e.g. a bot's reply), so they are pushed to it. */
  actor: string | null = null,
): BoxMessageRow {
  const u = db.prepare('UPDATE users SET pts = pts + 1, last_box_id = last_box_id + 1 WHERE id = ? RETURNING pts, last_box_id').get(m.ownerId) as {
    pts: number;
    last_box_id: number;
  };
  const row: BoxMessageRow = {
    owner_id: m.ownerId,
    id: u.last_box_id,
    pts: u.pts,
    peer_kind: m.peerKind,
    peer_id: m.peerId,
    from_id: m.fromId,
    out: m.fromId === m.ownerId ? 1 : 0,
    text: m.text,
    date: now,
  };
  db.prepare(
    `INSERT INTO box_messages (owner_id, id, pts, peer_kind, peer_id, from_id, out, text, date)
     VALUES (@owner_id, @id, @pts, @peer_kind, @peer_id, @from_id, @out, @text, @date)`,
  ).run(row);
  db.prepare("INSERT INTO events (kind, user_id, msg_id, actor, at) VALUES ('box', ?, ?, ?, ?)").run(m.ownerId, row.id, actor, now);
  return row;
}

/** A basic-group message: one copy in every member's box. Returns the sender's copy. */
export function addGroupMessage(db: Db, now: number, chatId: number, fromId: number, text: string): BoxMessageRow {
  const members = db.prepare('SELECT user_id FROM members WHERE chat_id = ? ORDER BY user_id').all(chatId) as Array<{ user_id: number }>;
  let mine: BoxMessageRow | undefined;
  for (const { user_id } of members) {
    const row = addBoxMessage(db, now, { ownerId: user_id, peerKind: 'chat', peerId: chatId, fromId, text });
    if (user_id === fromId) mine = row;
  }
  if (!mine) throw new Error('the sender is not a member of the group');
  return mine;
}

/**
 * Edits a basic-group message in every member's box, as Telegram does: each copy keeps its id
 * and date, gains an edit date, and the edit takes a pts in each member's box (updateEditMessage).
 * The copies are the rows `addGroupMessage` wrote together: same chat, sender, date and text.
 */
export function editGroupMessage(db: Db, now: number, chatId: number, ownerId: number, messageId: number, text: string): number {
  const mine = db.prepare("SELECT * FROM box_messages WHERE owner_id = ? AND id = ? AND peer_kind = 'chat' AND peer_id = ?").get(ownerId, messageId, chatId) as
    | BoxMessageRow
    | undefined;
  if (!mine) throw new Error(`no message ${messageId} of the group in the box of user ${ownerId}`);
  const copies = db
    .prepare("SELECT owner_id, id FROM box_messages WHERE peer_kind = 'chat' AND peer_id = ? AND from_id = ? AND date = ? AND text = ?")
    .all(chatId, mine.from_id, mine.date, mine.text) as Array<{ owner_id: number; id: number }>;
  for (const c of copies) {
    const { pts } = db.prepare('UPDATE users SET pts = pts + 1 WHERE id = ? RETURNING pts').get(c.owner_id) as { pts: number };
    db.prepare('UPDATE box_messages SET text = ?, edit_date = ?, edit_pts = ? WHERE owner_id = ? AND id = ?').run(text, now, pts, c.owner_id, c.id);
    db.prepare("INSERT INTO events (kind, user_id, msg_id, edit, at) VALUES ('box', ?, ?, 1, ?)").run(c.owner_id, c.id, now);
  }
  return copies.length;
}
