import { Long, type tl } from '@mtcute/core';
import type { BoxMessageRow, ChannelMessageRow, ChatRow, PollRow, UserRow } from '../rows.ts';
import { addBoxMessage, addChannelMessage, addGroupMessage } from '../write.ts';
import { fail, sec, type CallContext } from './context.ts';
import {
  boxMessageTl,
  channelMessageTl,
  discussionRoot,
  getChat,
  isContact,
  isMember,
  memberRole,
  PeerSet,
  pollTl,
  reactionsTl,
  resolveChannelInput,
  resolveInput,
  type Resolved,
} from './tl.ts';
import { budgetExceeded, getBudget, hasFault } from './limits.ts';

/** Emoji every chat without its own list accepts (Telegram's standard set, abridged). */
export const STANDARD_REACTIONS = ['👍', '👎', '❤', '🔥', '🥰', '👏', '😁', '🤔', '🤯', '😱', '🤬', '😢', '🎉', '🤩', '🤮', '💩', '🙏', '👌', '🕊', '🤡', '🥱', '🥴', '😍', '🐳', '❤‍🔥', '🌚', '🌭', '💯', '🤣', '⚡', '🍌', '🏆', '💔', '🤨', '😐', '🍓', '🍾', '💋', '🖕', '😈', '😴', '😭', '🤓', '👻', '👨‍💻', '👀', '🎃', '🙈', '😇', '😨', '🤝', '✍', '🤗', '🫡', '🎅', '🎄', '☃', '💅', '🤪', '🗿', '🆒', '💘', '🙉', '🦄', '😘', '💊', '🙊', '😎', '👾', '🤷‍♂', '🤷', '🤷‍♀', '😡'];

/**
 * Whether the viewer may read and comment in a discussion group without joining it: its channel
 * is public, or the viewer is a member of the channel.
 */
export function isOpenDiscussion(ctx: CallContext, chat: ChatRow): boolean {
  return (
    ctx.db
      .prepare(
        `SELECT 1 FROM chats c WHERE c.linked_chat_id = ? AND c.kind = 'channel'
         AND (c.username IS NOT NULL OR EXISTS (SELECT 1 FROM members m WHERE m.chat_id = c.id AND m.user_id = ?))`,
      )
      .get(chat.id, ctx.me.id) !== undefined
  );
}

/** Members always; everyone for public chats and open discussion groups. */
export function canReadChat(ctx: CallContext, chat: ChatRow): boolean {
  return chat.username !== null || isMember(ctx, chat.id, ctx.me.id) || isOpenDiscussion(ctx, chat);
}

function requireReadableChat(ctx: CallContext, chat: ChatRow): void {
  if (!canReadChat(ctx, chat)) throw fail.badRequest(chat.kind === 'group' ? 'CHAT_ID_INVALID' : 'CHANNEL_PRIVATE');
}

function channelMessage(ctx: CallContext, chatId: number, id: number): ChannelMessageRow | undefined {
  return ctx.db.prepare('SELECT * FROM channel_messages WHERE chat_id = ? AND id = ?').get(chatId, id) as ChannelMessageRow | undefined;
}

function updatesOf(ctx: CallContext, updates: tl.TypeUpdate[], peers: PeerSet): tl.RawUpdates {
  return { _: 'updates', updates, ...peers.build(ctx), date: sec(ctx.now), seq: 0 };
}

function recordRandomId(ctx: CallContext, randomId: Long): void {
  const inserted = ctx.db.prepare('INSERT OR IGNORE INTO random_ids (user_id, random_id, at) VALUES (?, ?, ?)').run(ctx.me.id, randomId.toString(), ctx.now);
  if (inserted.changes === 0) throw fail.internal('RANDOM_ID_DUPLICATE');
}

/** Neither a contact nor someone who wrote to the sender first: Telegram's spam limits apply. */
function isStranger(ctx: CallContext, to: UserRow): boolean {
  if (isContact(ctx, ctx.me.id, to.id)) return false;
  const wroteFirst = ctx.db
    .prepare("SELECT 1 FROM box_messages WHERE owner_id = ? AND peer_kind = 'user' AND peer_id = ? AND out = 0 LIMIT 1")
    .get(ctx.me.id, to.id);
  return wroteFirst === undefined;
}

function sendPrivate(ctx: CallContext, to: UserRow, req: tl.messages.RawSendMessageRequest): tl.RawUpdates {
  if (to.deleted) throw fail.badRequest('INPUT_USER_DEACTIVATED');
  if (to.id !== ctx.me.id) {
    if (ctx.db.prepare('SELECT 1 FROM blocks WHERE user_id = ? AND blocked_id = ?').get(ctx.me.id, to.id)) throw fail.badRequest('YOU_BLOCKED_USER');
    if (to.privacy === 'contacts' && !isContact(ctx, to.id, ctx.me.id)) throw fail.forbidden('USER_PRIVACY_RESTRICTED');
  }
  const stranger = to.id !== ctx.me.id && to.kind !== 'bot' && isStranger(ctx, to);
  if (stranger && (hasFault(ctx, 'peer_flood') || budgetExceeded(ctx, 'peer_flood', 'SELECT count(*) AS n FROM deliveries WHERE from_id = ? AND stranger = 1 AND at > ?'))) {
    throw fail.badRequest('PEER_FLOOD');
  }
  recordRandomId(ctx, req.randomId);
  const mine = addBoxMessage(ctx.db, ctx.now, { ownerId: ctx.me.id, peerKind: 'user', peerId: to.id, fromId: ctx.me.id, text: req.message });
  if (to.id !== ctx.me.id) {
    const blockedMe = ctx.db.prepare('SELECT 1 FROM blocks WHERE user_id = ? AND blocked_id = ?').get(to.id, ctx.me.id) !== undefined;
    // A recipient who blocked the sender never gets the message; the sender sees it as sent.
    if (!blockedMe) addBoxMessage(ctx.db, ctx.now, { ownerId: to.id, peerKind: 'user', peerId: ctx.me.id, fromId: ctx.me.id, text: req.message });
    // Talking to Telegram's own @SpamBot is not outreach: it stays out of the delivery log.
    if (!isSpamBot(to)) {
      ctx.db
        .prepare('INSERT INTO deliveries (from_id, to_id, text, random_id, msg_id, stranger, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(ctx.me.id, to.id, req.message, req.randomId.toString(), mine.id, stranger ? 1 : 0, ctx.now);
    }
  }
  if (isSpamBot(to)) spamBotReply(ctx, to);
  return boxResult(ctx, mine, req.randomId);
}

const isSpamBot = (u: UserRow): boolean => u.kind === 'bot' && u.username?.toLowerCase() === 'spambot';

/** @SpamBot tells an account whether it may message strangers, as Telegram's does. */
function spamBotReply(ctx: CallContext, bot: UserRow): void {
  const limitedByFault = hasFault(ctx, 'peer_flood');
  const budget = getBudget(ctx.db, 'peer_flood');
  let until: number | null = null;
  if (!limitedByFault && budget) {
    const rows = ctx.db
      .prepare('SELECT at FROM deliveries WHERE from_id = ? AND stranger = 1 AND at > ? ORDER BY at')
      .all(ctx.me.id, ctx.now - budget.windowMs) as Array<{ at: number }>;
    if (rows.length >= budget.max) until = rows[rows.length - budget.max]!.at + budget.windowMs;
  }
  const text =
    limitedByFault || until !== null
      ? 'Unfortunately, some actions can trigger a harsh response from our anti-spam systems. ' +
        'While the account is limited, you will not be able to send messages to people who do not have your number in their phone contacts.' +
        (until !== null ? ` Your account will be automatically released on ${new Date(until).toUTCString()}.` : '')
      : "Good news, no limits are currently applied to your account. You're free as a bird!";
  addBoxMessage(ctx.db, ctx.now, { ownerId: ctx.me.id, peerKind: 'user', peerId: bot.id, fromId: bot.id, text }, 'bot');
}

function boxResult(ctx: CallContext, mine: BoxMessageRow, randomId: Long): tl.RawUpdates {
  const peers = new PeerSet();
  const message = boxMessageTl(mine, peers);
  return updatesOf(
    ctx,
    [
      { _: 'updateMessageID', id: mine.id, randomId },
      { _: 'updateNewMessage', message, pts: mine.pts, ptsCount: 1 },
    ],
    peers,
  );
}

function sendToChat(ctx: CallContext, chat: ChatRow, req: tl.messages.RawSendMessageRequest): tl.RawUpdates {
  const role = memberRole(ctx, chat.id, ctx.me.id);
  const reply = req.replyTo?._ === 'inputReplyToMessage' ? req.replyTo : undefined;
  if (chat.kind === 'group') {
    if (!role) throw fail.forbidden('CHAT_WRITE_FORBIDDEN');
    recordRandomId(ctx, req.randomId);
    return boxResult(ctx, addGroupMessage(ctx.db, ctx.now, chat.id, ctx.me.id, req.message), req.randomId);
  }
  if (chat.kind === 'channel' && role !== 'creator' && role !== 'admin') throw fail.badRequest('CHAT_ADMIN_REQUIRED');
  // Guests may comment in a discussion group they can see without joining it.
  const guestComment = !role && reply !== undefined && isOpenDiscussion(ctx, chat);
  if (!role && !guestComment) throw fail.forbidden('CHAT_WRITE_FORBIDDEN');
  let replyTo: number | null = null;
  let topId: number | null = null;
  if (reply) {
    const target = channelMessage(ctx, chat.id, reply.replyToMsgId);
    if (!target) throw fail.badRequest('REPLY_MESSAGE_ID_INVALID');
    replyTo = target.id;
    topId = reply.topMsgId ?? target.top_id ?? target.id;
  }
  recordRandomId(ctx, req.randomId);
  const row = addChannelMessage(ctx.db, ctx.now, chat, { fromUserId: chat.kind === 'channel' ? null : ctx.me.id, text: req.message, replyTo, topId });
  const peers = new PeerSet();
  const message = channelMessageTl(ctx, row, chat, peers);
  return updatesOf(
    ctx,
    [
      { _: 'updateMessageID', id: row.id, randomId: req.randomId },
      { _: 'updateNewChannelMessage', message, pts: row.id, ptsCount: 1 },
    ],
    peers,
  );
}

export function sendMessage(ctx: CallContext, req: tl.messages.RawSendMessageRequest): tl.RawUpdates {
  if (!req.message.trim()) throw fail.badRequest('MESSAGE_EMPTY');
  if (req.message.length > 4096) throw fail.badRequest('MESSAGE_TOO_LONG');
  const target = resolveInput(ctx, req.peer);
  return target.kind === 'user' ? sendPrivate(ctx, target.user, req) : sendToChat(ctx, target.chat, req);
}

function messagesResult(ctx: CallContext, chat: ChatRow | null, messages: tl.TypeMessage[], peers: PeerSet, count: number): tl.messages.TypeMessages {
  const built = peers.build(ctx);
  if (chat && chat.kind !== 'group') {
    return { _: 'messages.channelMessages', pts: chat.pts, count, messages, topics: [], ...built };
  }
  return { _: 'messages.messagesSlice', count, messages, topics: [], ...built };
}

interface HistoryWindow {
  offsetId: number;
  addOffset: number;
  limit: number;
  maxId: number;
  minId: number;
}

/** Applies Telegram's history paging to ids sorted newest first. */
function pageIds(ids: number[], w: HistoryWindow): number[] {
  let filtered = ids;
  if (w.maxId > 0) filtered = filtered.filter((id) => id < w.maxId);
  if (w.minId > 0) filtered = filtered.filter((id) => id > w.minId);
  let start = w.offsetId > 0 ? filtered.findIndex((id) => id < w.offsetId) : 0;
  if (start === -1) start = filtered.length;
  start = Math.max(0, start + w.addOffset);
  const limit = Math.max(0, Math.min(w.limit || 100, 100));
  return filtered.slice(start, start + limit);
}

export function getHistory(ctx: CallContext, req: tl.messages.RawGetHistoryRequest): tl.messages.TypeMessages {
  const target = resolveInput(ctx, req.peer);
  return history(ctx, target, req, null);
}

export function getReplies(ctx: CallContext, req: tl.messages.RawGetRepliesRequest): tl.messages.TypeMessages {
  const target = resolveInput(ctx, req.peer);
  if (target.kind !== 'chat' || target.chat.kind === 'group') throw fail.badRequest('PEER_ID_INVALID');
  let chat = target.chat;
  let top = req.msgId;
  if (chat.kind === 'channel') {
    if (!chat.linked_chat_id) throw fail.badRequest('MSG_ID_INVALID');
    const root = discussionRoot(ctx, chat.linked_chat_id, chat.id, req.msgId);
    if (!root) throw fail.badRequest('MSG_ID_INVALID');
    chat = getChat(ctx, chat.linked_chat_id)!;
    top = root.id;
  }
  return history(ctx, { kind: 'chat', chat }, req, top);
}

function history(ctx: CallContext, target: Resolved, w: HistoryWindow, threadTop: number | null): tl.messages.TypeMessages {
  const peers = new PeerSet();
  if (target.kind === 'user' || target.chat.kind === 'group') {
    const [kind, peerId] = target.kind === 'user' ? (['user', target.user.id] as const) : (['chat', target.chat.id] as const);
    if (kind === 'chat' && !isMember(ctx, peerId, ctx.me.id)) {
      const hasCopy = ctx.db.prepare("SELECT 1 FROM box_messages WHERE owner_id = ? AND peer_kind = 'chat' AND peer_id = ? LIMIT 1").get(ctx.me.id, peerId);
      if (!hasCopy) throw fail.badRequest('CHAT_ID_INVALID');
    }
    const ids = (
      ctx.db.prepare('SELECT id FROM box_messages WHERE owner_id = ? AND peer_kind = ? AND peer_id = ? ORDER BY id DESC').all(ctx.me.id, kind, peerId) as Array<{
        id: number;
      }>
    ).map((r) => r.id);
    const page = pageIds(ids, w);
    const rows = page.map((id) => ctx.db.prepare('SELECT * FROM box_messages WHERE owner_id = ? AND id = ?').get(ctx.me.id, id) as BoxMessageRow);
    return messagesResult(ctx, target.kind === 'chat' ? target.chat : null, rows.map((r) => boxMessageTl(r, peers)), peers, ids.length);
  }
  const chat = target.chat;
  requireReadableChat(ctx, chat);
  const ids = (
    threadTop === null
      ? ctx.db.prepare('SELECT id FROM channel_messages WHERE chat_id = ? ORDER BY id DESC').all(chat.id)
      : ctx.db.prepare('SELECT id FROM channel_messages WHERE chat_id = ? AND top_id = ? ORDER BY id DESC').all(chat.id, threadTop)
  ) as Array<{ id: number }>;
  const page = pageIds(
    ids.map((r) => r.id),
    w,
  );
  const messages = page.map((id) => channelMessageTl(ctx, channelMessage(ctx, chat.id, id)!, chat, peers));
  return messagesResult(ctx, chat, messages, peers, ids.length);
}

function inputMessageIds(ids: tl.TypeInputMessage[]): number[] {
  return ids.map((m) => (m._ === 'inputMessageID' ? m.id : 0));
}

export function getMessages(ctx: CallContext, req: tl.messages.RawGetMessagesRequest): tl.messages.TypeMessages {
  const peers = new PeerSet();
  const messages = inputMessageIds(req.id).map((id): tl.TypeMessage => {
    const row = ctx.db.prepare('SELECT * FROM box_messages WHERE owner_id = ? AND id = ?').get(ctx.me.id, id) as BoxMessageRow | undefined;
    return row ? boxMessageTl(row, peers) : { _: 'messageEmpty', id };
  });
  return { _: 'messages.messages', messages, topics: [], ...peers.build(ctx) };
}

export function getChannelMessages(ctx: CallContext, req: tl.channels.RawGetMessagesRequest): tl.messages.TypeMessages {
  const chat = resolveChannelInput(ctx, req.channel);
  requireReadableChat(ctx, chat);
  const peers = new PeerSet();
  const messages = inputMessageIds(req.id).map((id): tl.TypeMessage => {
    const row = channelMessage(ctx, chat.id, id);
    return row ? channelMessageTl(ctx, row, chat, peers) : { _: 'messageEmpty', id };
  });
  return messagesResult(ctx, chat, messages, peers, messages.length);
}

function channelTarget(ctx: CallContext, peer: tl.TypeInputPeer, msgId: number): { chat: ChatRow; message: ChannelMessageRow } {
  const target = resolveInput(ctx, peer);
  if (target.kind !== 'chat' || target.chat.kind === 'group') throw fail.badRequest('PEER_ID_INVALID');
  requireReadableChat(ctx, target.chat);
  const message = channelMessage(ctx, target.chat.id, msgId);
  if (!message) throw fail.badRequest('MESSAGE_ID_INVALID');
  return { chat: target.chat, message };
}

export function allowedReactions(chat: ChatRow): readonly string[] {
  return chat.reactions === null ? STANDARD_REACTIONS : (JSON.parse(chat.reactions) as string[]);
}

export function sendReaction(ctx: CallContext, req: tl.messages.RawSendReactionRequest): tl.RawUpdates {
  const { chat, message } = channelTarget(ctx, req.peer, req.msgId);
  if (chat.kind === 'supergroup' && !isMember(ctx, chat.id, ctx.me.id) && !isOpenDiscussion(ctx, chat)) throw fail.forbidden('CHAT_WRITE_FORBIDDEN');
  const reactions = req.reaction ?? [];
  if (reactions.length === 0) {
    ctx.db.prepare('DELETE FROM reactions WHERE chat_id = ? AND msg_id = ? AND user_id = ?').run(chat.id, message.id, ctx.me.id);
  } else {
    if (reactions.length > 1) throw fail.badRequest('REACTIONS_TOO_MANY');
    const r = reactions[0]!;
    if (r._ !== 'reactionEmoji' || !allowedReactions(chat).includes(r.emoticon)) throw fail.badRequest('REACTION_INVALID');
    ctx.db
      .prepare('INSERT INTO reactions (chat_id, msg_id, user_id, emoji, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, msg_id, user_id) DO UPDATE SET emoji = excluded.emoji, at = excluded.at')
      .run(chat.id, message.id, ctx.me.id, r.emoticon, ctx.now);
  }
  const peers = new PeerSet().chat(chat.id);
  return updatesOf(
    ctx,
    [{ _: 'updateMessageReactions', peer: { _: 'peerChannel', channelId: chat.id }, msgId: message.id, reactions: reactionsTl(ctx, chat.id, message.id) ?? { _: 'messageReactions', results: [] } }],
    peers,
  );
}

export function sendVote(ctx: CallContext, req: tl.messages.RawSendVoteRequest): tl.RawUpdates {
  const { chat, message } = channelTarget(ctx, req.peer, req.msgId);
  if (!message.poll_id) throw fail.badRequest('MESSAGE_ID_INVALID');
  const poll = ctx.db.prepare('SELECT * FROM polls WHERE id = ?').get(message.poll_id) as PollRow;
  if (poll.closed) throw fail.badRequest('MESSAGE_POLL_CLOSED');
  if (chat.kind === 'supergroup' && !isMember(ctx, chat.id, ctx.me.id) && !isOpenDiscussion(ctx, chat)) throw fail.forbidden('CHAT_WRITE_FORBIDDEN');
  const count = (ctx.db.prepare('SELECT count(*) AS n FROM poll_options WHERE poll_id = ?').get(poll.id) as { n: number }).n;
  const chosen = req.options.map((o) => (o.length === 1 ? o[0]! : -1));
  if (chosen.some((i) => i < 0 || i >= count) || new Set(chosen).size !== chosen.length) throw fail.badRequest('OPTION_INVALID');
  if (chosen.length > 1 && !poll.multiple) throw fail.badRequest('OPTIONS_TOO_MUCH');
  ctx.db.prepare('DELETE FROM poll_votes WHERE poll_id = ? AND user_id = ?').run(poll.id, ctx.me.id);
  for (const idx of chosen) ctx.db.prepare('INSERT INTO poll_votes (poll_id, user_id, idx, at) VALUES (?, ?, ?, ?)').run(poll.id, ctx.me.id, idx, ctx.now);
  const media = pollTl(ctx, poll);
  return updatesOf(ctx, [{ _: 'updateMessagePoll', pollId: Long.fromNumber(poll.id), poll: media.poll, results: media.results }], new PeerSet());
}

export function getDiscussionMessage(ctx: CallContext, req: tl.messages.RawGetDiscussionMessageRequest): tl.messages.RawDiscussionMessage {
  const { chat, message } = channelTarget(ctx, req.peer, req.msgId);
  let group = chat;
  let root = message;
  if (chat.kind === 'channel') {
    const linked = chat.linked_chat_id ? getChat(ctx, chat.linked_chat_id) : undefined;
    const disc = linked ? discussionRoot(ctx, linked.id, chat.id, message.id) : undefined;
    if (!linked || !disc) throw fail.badRequest('MSG_ID_INVALID');
    group = linked;
    root = disc;
  }
  const peers = new PeerSet();
  const r = ctx.db.prepare('SELECT count(*) AS n, max(id) AS maxId FROM channel_messages WHERE chat_id = ? AND top_id = ?').get(group.id, root.id) as {
    n: number;
    maxId: number | null;
  };
  const msg = channelMessageTl(ctx, root, group, peers);
  return {
    _: 'messages.discussionMessage',
    messages: [msg],
    maxId: r.maxId ?? undefined,
    readInboxMaxId: r.maxId ?? undefined,
    readOutboxMaxId: undefined,
    unreadCount: 0,
    ...peers.build(ctx),
  };
}

export function readHistory(ctx: CallContext): tl.messages.RawAffectedMessages {
  return { _: 'messages.affectedMessages', pts: ctx.me.pts, ptsCount: 0 };
}

export function getAvailableReactions(): tl.messages.RawAvailableReactionsNotModified {
  return { _: 'messages.availableReactionsNotModified' };
}

function forumTopics(ctx: CallContext, chat: ChatRow, only: number[] | null, offsetTopic: number, limit: number): tl.messages.RawForumTopics {
  if (!chat.forum) throw fail.badRequest('CHANNEL_FORUM_MISSING');
  requireReadableChat(ctx, chat);
  const all = ctx.db.prepare('SELECT id, title FROM topics WHERE chat_id = ? ORDER BY id DESC').all(chat.id) as Array<{ id: number; title: string }>;
  const picked = only
    ? all.filter((x) => only.includes(x.id))
    : all.filter((x) => offsetTopic <= 0 || x.id < offsetTopic).slice(0, Math.max(1, Math.min(limit || 100, 100)));
  const peers = new PeerSet().chat(chat.id);
  const messages: tl.TypeMessage[] = [];
  const topics = picked.map((topic): tl.RawForumTopic => {
    const root = channelMessage(ctx, chat.id, topic.id)!;
    const last = (ctx.db.prepare('SELECT * FROM channel_messages WHERE chat_id = ? AND (top_id = ? OR id = ?) ORDER BY id DESC LIMIT 1').get(chat.id, topic.id, topic.id) ??
      root) as ChannelMessageRow;
    messages.push(channelMessageTl(ctx, last, chat, peers));
    peers.user(root.from_user_id);
    return {
      _: 'forumTopic',
      id: topic.id,
      date: sec(root.date),
      peer: { _: 'peerChannel', channelId: chat.id },
      title: topic.title,
      iconColor: 0x6fb9f0,
      topMessage: last.id,
      readInboxMaxId: last.id,
      readOutboxMaxId: last.id,
      unreadCount: 0,
      unreadMentionsCount: 0,
      unreadReactionsCount: 0,
      unreadPollVotesCount: 0,
      fromId: root.from_user_id ? { _: 'peerUser', userId: root.from_user_id } : { _: 'peerChannel', channelId: chat.id },
      notifySettings: { _: 'peerNotifySettings' },
    };
  });
  return { _: 'messages.forumTopics', count: all.length, topics, messages, ...peers.build(ctx), pts: chat.pts };
}

function forumChat(ctx: CallContext, peer: tl.TypeInputPeer | tl.TypeInputChannel): ChatRow {
  const r = resolveInput(ctx, peer);
  if (r.kind !== 'chat' || r.chat.kind === 'group') throw fail.badRequest('CHANNEL_INVALID');
  return r.chat;
}

export function getForumTopics(ctx: CallContext, req: tl.messages.RawGetForumTopicsRequest | tl.channels.RawGetForumTopicsRequest): tl.messages.RawForumTopics {
  return forumTopics(ctx, forumChat(ctx, 'peer' in req ? req.peer : req.channel), null, req.offsetTopic, req.limit);
}

export function getForumTopicsById(
  ctx: CallContext,
  req: tl.messages.RawGetForumTopicsByIDRequest | tl.channels.RawGetForumTopicsByIDRequest,
): tl.messages.RawForumTopics {
  return forumTopics(ctx, forumChat(ctx, 'peer' in req ? req.peer : req.channel), req.topics, 0, 100);
}
