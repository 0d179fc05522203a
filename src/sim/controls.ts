/** What the operator (or a test) does to a world: faults, budgets, posts and polls. */
import { InputError } from '../core/errors.ts';
import { FaultSyntaxError, parseFault, type SimFault, type SimFaultKind } from './faults.ts';
import { chatLink } from './inspect.ts';
import type { ChatRow, UserRow } from './rows.ts';
import type { Db } from './world-file.ts';
import { addChannelMessage, addGroupMessage, editGroupMessage } from './write.ts';

export interface PostResult {
  chatId: number;
  messageId: number;
  link: string | null;
}

/** A fault as given by the operator, its syntax errors as input errors. */
export function toFault(fault: SimFault | string): SimFault {
  try {
    return typeof fault === 'string' ? parseFault(fault) : fault;
  } catch (e) {
    if (e instanceof FaultSyntaxError) throw new InputError(e.message);
    throw e;
  }
}

/** Applies a fault; for one-shot faults, how many current sessions it ended (0 for the lasting kinds). */
export function applyFault(db: Db, user: UserRow, f: SimFault, now: number): { fault: SimFault; sessions: number } {
  let sessions = 0;
  db.transaction(() => {
    switch (f.kind) {
      case 'revoked':
      case 'session_revoked':
      case 'duplicated': {
        const [state, error] = f.kind === 'duplicated' ? ['duplicated', 'AUTH_KEY_DUPLICATED'] : ['revoked', f.kind === 'revoked' ? 'AUTH_KEY_UNREGISTERED' : 'SESSION_REVOKED'];
        sessions = db.prepare("UPDATE authorizations SET state = ?, error = ?, updated_at = ? WHERE user_id = ? AND state IN ('active', 'password')").run(state, error, now, user.id).changes;
        return;
      }
      case 'banned':
      case 'frozen':
        db.prepare('UPDATE users SET state = ? WHERE id = ?').run(f.kind, user.id);
        return;
      case 'flood':
        upsertFault(db, user.id, 'flood', f.method ?? '', now + f.seconds * 1000);
        return;
      case 'peer_flood':
        upsertFault(db, user.id, 'peer_flood', '', null);
        return;
      case 'slow':
        upsertFault(db, user.id, 'slow', f.method ?? '', f.ms);
        return;
      case 'drop':
        upsertFault(db, user.id, 'drop', '', f.ms);
        return;
    }
  })();
  return { fault: f, sessions };
}

function upsertFault(db: Db, userId: number, kind: SimFaultKind, method: string, value: number | null): void {
  db.prepare('INSERT INTO faults (user_id, kind, method, value) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, kind, method) DO UPDATE SET value = excluded.value').run(userId, kind, method, value);
}

/** Clears every fault of the account (or one kind). Revoked sessions stay revoked. */
export function clearFaults(db: Db, user: UserRow, kind?: string): void {
  const k = kind?.replace(/-/g, '_');
  db.transaction(() => {
    if (k === undefined || k === 'banned' || k === 'frozen') db.prepare("UPDATE users SET state = 'active' WHERE id = ?").run(user.id);
    if (k === undefined) db.prepare('DELETE FROM faults WHERE user_id = ?').run(user.id);
    else db.prepare('DELETE FROM faults WHERE user_id = ? AND kind = ?').run(user.id, k);
  })();
}

export function setBudget(db: Db, method: string, max: number, windowMs: number): void {
  db.prepare('INSERT INTO budgets (method, max, window_ms) VALUES (?, ?, ?) ON CONFLICT (method) DO UPDATE SET max = excluded.max, window_ms = excluded.window_ms').run(method, max, windowMs);
}

export function clearBudget(db: Db, method: string): void {
  db.prepare('DELETE FROM budgets WHERE method = ?').run(method);
}

export function budgets(db: Db): Array<{ method: string; max: number; windowMs: number }> {
  return (db.prepare('SELECT method, max, window_ms FROM budgets ORDER BY method').all() as Array<{ method: string; max: number; window_ms: number }>).map((b) => ({
    method: b.method,
    max: b.max,
    windowMs: b.window_ms,
  }));
}

/**
 * Someone posts `text` in a chat: `fromUser` (username or id) or the first non-fleet member; in
 * a channel the post comes from the channel itself (and is copied into its discussion group, as
 * Telegram does).
 */
export function postMessage(db: Db, chat: ChatRow, text: string, now: number, fromUser?: string): PostResult {
  if (!text.trim()) throw new InputError('the message text is empty');
  return db.transaction((): PostResult => {
    let from: number;
    if (fromUser !== undefined) {
      const u = db.prepare('SELECT id FROM users WHERE username = ? OR id = ?').get(fromUser.replace(/^@/, ''), Number(fromUser) || -1) as { id: number } | undefined;
      if (!u) throw new InputError(`no user "${fromUser}" in this world`);
      if (!db.prepare('SELECT 1 FROM members WHERE chat_id = ? AND user_id = ?').get(chat.id, u.id)) throw new InputError(`${fromUser} is not a member of ${chat.title}`);
      from = u.id;
    } else {
      const m =
        (db
          .prepare("SELECT m.user_id FROM members m JOIN users u ON u.id = m.user_id WHERE m.chat_id = ? AND u.kind = 'person' AND u.deleted = 0 ORDER BY (m.role = 'member'), m.user_id LIMIT 1")
          .get(chat.id) as { user_id: number } | undefined) ??
        (db.prepare('SELECT user_id FROM members WHERE chat_id = ? ORDER BY user_id LIMIT 1').get(chat.id) as { user_id: number } | undefined);
      if (!m) throw new InputError(`${chat.title} has no members to post`);
      from = m.user_id;
    }
    if (chat.kind === 'group') {
      const mine = addGroupMessage(db, now, chat.id, from, text);
      return { chatId: chat.id, messageId: mine.id, link: null };
    }
    const row = addChannelMessage(db, now, chat, { fromUserId: chat.kind === 'channel' ? null : from, text });
    if (chat.kind === 'channel' && chat.linked_chat_id) {
      addChannelMessage(db, now, { id: chat.linked_chat_id }, { fromUserId: null, text, fwdChatId: chat.id, fwdMsgId: row.id });
    }
    return { chatId: chat.id, messageId: row.id, link: chatLink(chat, row.id) };
  })();
}

/**
 * The sender edits a basic-group message (`messageId` as `postMessage` returned it: the sender's
 * copy); every member's copy changes. Only basic groups for now.
 */
export function editMessage(db: Db, chat: ChatRow, messageId: number, text: string, now: number): void {
  if (!text.trim()) throw new InputError('the message text is empty');
  if (chat.kind !== 'group') throw new InputError(`editing is simulated in basic groups only, not in ${chat.title}`);
  const sender = db.prepare("SELECT from_id FROM box_messages WHERE owner_id = from_id AND id = ? AND peer_kind = 'chat' AND peer_id = ?").get(messageId, chat.id) as
    | { from_id: number }
    | undefined;
  if (!sender) throw new InputError(`no message ${messageId} posted in ${chat.title}`);
  db.transaction(() => editGroupMessage(db, now, chat.id, sender.from_id, messageId, text))();
}

export function closePollOf(db: Db, pollId: number): void {
  db.prepare('UPDATE polls SET closed = 1 WHERE id = ?').run(pollId);
}
