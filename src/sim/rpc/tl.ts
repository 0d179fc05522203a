/**
 * World rows -> TL objects as one account sees them. Access hashes are derived per viewer, as
 * Telegram's are: a hash one account obtained does not work for another, so code that reuses a
 * peer across accounts fails here as it would against Telegram.
 */
import { createHash } from 'node:crypto';
import { Long, type tl } from '@mtcute/core';
import type { BoxMessageRow, ChannelMessageRow, ChatRow, PollRow, UserRow } from '../rows.ts';
import { fail, sec, type CallContext } from './context.ts';

type Ctx = Pick<CallContext, 'db' | 'secret' | 'now'> & { me: UserRow };

export function accessHash(secret: string, viewerId: number, kind: 'user' | 'channel', id: number): Long {
  const h = createHash('sha256').update(`${secret}:${viewerId}:${kind}:${id}`).digest();
  return Long.fromBits(h.readInt32LE(0), h.readInt32LE(4));
}

export function getUser(ctx: Pick<CallContext, 'db'>, id: number): UserRow | undefined {
  return ctx.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
}

export function getChat(ctx: Pick<CallContext, 'db'>, id: number): ChatRow | undefined {
  return ctx.db.prepare('SELECT * FROM chats WHERE id = ?').get(id) as ChatRow | undefined;
}

export function isMember(ctx: Pick<CallContext, 'db'>, chatId: number, userId: number): boolean {
  return ctx.db.prepare('SELECT 1 FROM members WHERE chat_id = ? AND user_id = ?').get(chatId, userId) !== undefined;
}

export function memberRole(ctx: Pick<CallContext, 'db'>, chatId: number, userId: number): 'creator' | 'admin' | 'member' | undefined {
  const r = ctx.db.prepare('SELECT role FROM members WHERE chat_id = ? AND user_id = ?').get(chatId, userId) as { role: 'creator' | 'admin' | 'member' } | undefined;
  return r?.role;
}

export function isContact(ctx: Pick<CallContext, 'db'>, userId: number, contactId: number): boolean {
  return ctx.db.prepare('SELECT 1 FROM contacts WHERE user_id = ? AND contact_id = ?').get(userId, contactId) !== undefined;
}

export function userTl(ctx: Ctx, u: UserRow): tl.RawUser {
  const viewer = ctx.me.id;
  const base: tl.RawUser = { _: 'user', id: u.id, accessHash: accessHash(ctx.secret, viewer, 'user', u.id) };
  if (u.deleted) return { ...base, deleted: true };
  const self = u.id === viewer;
  const contact = !self && isContact(ctx, viewer, u.id);
  return {
    ...base,
    self,
    contact,
    mutualContact: contact && isContact(ctx, u.id, viewer),
    bot: u.kind === 'bot',
    botInfoVersion: u.kind === 'bot' ? 1 : undefined,
    firstName: u.first_name,
    lastName: u.last_name ?? undefined,
    username: u.username ?? undefined,
    phone: (self || contact) && u.phone ? u.phone.replace(/^\+/, '') : undefined,
    status: u.kind === 'bot' ? undefined : { _: 'userStatusRecently' },
  };
}

const EMPTY_PHOTO: tl.TypeChatPhoto = { _: 'chatPhotoEmpty' };

export function memberCount(ctx: Pick<CallContext, 'db'>, chatId: number): number {
  return (ctx.db.prepare('SELECT count(*) AS n FROM members WHERE chat_id = ?').get(chatId) as { n: number }).n;
}

export function chatTl(ctx: Ctx, c: ChatRow): tl.TypeChat {
  const role = memberRole(ctx, c.id, ctx.me.id);
  if (c.kind === 'group') {
    return {
      _: 'chat',
      id: c.id,
      title: c.title,
      photo: EMPTY_PHOTO,
      participantsCount: memberCount(ctx, c.id),
      date: sec(c.created_at),
      version: 1,
      left: role === undefined,
      creator: role === 'creator',
    };
  }
  return {
    _: 'channel',
    id: c.id,
    accessHash: accessHash(ctx.secret, ctx.me.id, 'channel', c.id),
    title: c.title,
    username: c.username ?? undefined,
    photo: EMPTY_PHOTO,
    date: sec(c.created_at),
    broadcast: c.kind === 'channel',
    megagroup: c.kind === 'supergroup',
    forum: c.forum === 1,
    left: role === undefined,
    creator: role === 'creator',
    hasLink: c.linked_chat_id !== null,
    joinRequest: c.join_request === 1,
    participantsCount: memberCount(ctx, c.id),
  };
}

export function chatPeer(c: Pick<ChatRow, 'id' | 'kind'>): tl.TypePeer {
  return c.kind === 'group' ? { _: 'peerChat', chatId: c.id } : { _: 'peerChannel', channelId: c.id };
}

/** Users and chats an answer mentions, rendered for the viewer at the end. */
export class PeerSet {
  private users = new Set<number>();
  private chats = new Set<number>();

  user(id: number | null | undefined): this {
    if (id) this.users.add(id);
    return this;
  }

  chat(id: number | null | undefined): this {
    if (id) this.chats.add(id);
    return this;
  }

  build(ctx: Ctx): { users: tl.TypeUser[]; chats: tl.TypeChat[] } {
    const users: tl.TypeUser[] = [];
    const chats: tl.TypeChat[] = [];
    for (const id of this.users) {
      const u = getUser(ctx, id);
      if (u) users.push(userTl(ctx, u));
    }
    for (const id of this.chats) {
      const c = getChat(ctx, id);
      if (c) chats.push(chatTl(ctx, c));
    }
    return { users, chats };
  }
}

export function pollTl(ctx: Ctx, poll: PollRow): tl.RawMessageMediaPoll {
  const options = ctx.db.prepare('SELECT idx, text FROM poll_options WHERE poll_id = ? ORDER BY idx').all(poll.id) as Array<{ idx: number; text: string }>;
  const counts = new Map<number, number>();
  for (const r of ctx.db.prepare('SELECT idx, count(*) AS n FROM poll_votes WHERE poll_id = ? GROUP BY idx').all(poll.id) as Array<{ idx: number; n: number }>) {
    counts.set(r.idx, r.n);
  }
  const mine = new Set(
    (ctx.db.prepare('SELECT idx FROM poll_votes WHERE poll_id = ? AND user_id = ?').all(poll.id, ctx.me.id) as Array<{ idx: number }>).map((r) => r.idx),
  );
  const total = (ctx.db.prepare('SELECT count(DISTINCT user_id) AS n FROM poll_votes WHERE poll_id = ?').get(poll.id) as { n: number }).n;
  return {
    _: 'messageMediaPoll',
    poll: {
      _: 'poll',
      id: Long.fromNumber(poll.id),
      closed: poll.closed === 1,
      multipleChoice: poll.multiple === 1,
      question: { _: 'textWithEntities', text: poll.question, entities: [] },
      answers: options.map((o) => ({ _: 'pollAnswer', text: { _: 'textWithEntities', text: o.text, entities: [] }, option: Uint8Array.of(o.idx) })),
      hash: Long.ZERO,
    },
    results: {
      _: 'pollResults',
      results: options.map((o) => ({ _: 'pollAnswerVoters', option: Uint8Array.of(o.idx), voters: counts.get(o.idx) ?? 0, chosen: mine.has(o.idx) })),
      totalVoters: total,
    },
  };
}

export function reactionsTl(ctx: Ctx, chatId: number, msgId: number): tl.RawMessageReactions | undefined {
  const rows = ctx.db
    .prepare('SELECT emoji, count(*) AS n, max(user_id = ?) AS mine FROM reactions WHERE chat_id = ? AND msg_id = ? GROUP BY emoji ORDER BY n DESC, emoji')
    .all(ctx.me.id, chatId, msgId) as Array<{ emoji: string; n: number; mine: number }>;
  if (rows.length === 0) return undefined;
  return {
    _: 'messageReactions',
    results: rows.map((r) => ({ _: 'reactionCount', reaction: { _: 'reactionEmoji', emoticon: r.emoji }, count: r.n, chosenOrder: r.mine ? 0 : undefined })),
  };
}

export function channelMessageTl(ctx: Ctx, m: ChannelMessageRow, chat: ChatRow, peers: PeerSet): tl.TypeMessage {
  peers.chat(chat.id).user(m.from_user_id);
  if (m.service?.startsWith('topic:')) {
    return {
      _: 'messageService',
      id: m.id,
      peerId: { _: 'peerChannel', channelId: chat.id },
      fromId: m.from_user_id ? { _: 'peerUser', userId: m.from_user_id } : undefined,
      date: sec(m.date),
      action: { _: 'messageActionTopicCreate', title: m.service.slice('topic:'.length), iconColor: 0x6fb9f0 },
    };
  }
  const msg: tl.RawMessage = {
    _: 'message',
    id: m.id,
    peerId: { _: 'peerChannel', channelId: chat.id },
    fromId: m.from_user_id ? { _: 'peerUser', userId: m.from_user_id } : undefined,
    out: m.from_user_id === ctx.me.id,
    post: chat.kind === 'channel',
    date: sec(m.date),
    message: m.text,
  };
  if (m.reply_to || m.top_id) {
    msg.replyTo = {
      _: 'messageReplyHeader',
      replyToMsgId: m.reply_to ?? m.top_id ?? undefined,
      replyToTopId: m.top_id && m.top_id !== m.reply_to ? m.top_id : undefined,
      forumTopic: chat.forum === 1 && m.top_id !== null ? true : undefined,
    };
  }
  if (m.fwd_chat_id && m.fwd_msg_id) {
    peers.chat(m.fwd_chat_id);
    msg.fwdFrom = {
      _: 'messageFwdHeader',
      fromId: { _: 'peerChannel', channelId: m.fwd_chat_id },
      date: sec(m.date),
      channelPost: m.fwd_msg_id,
      savedFromPeer: { _: 'peerChannel', channelId: m.fwd_chat_id },
      savedFromMsgId: m.fwd_msg_id,
    };
  }
  if (m.poll_id) {
    const poll = ctx.db.prepare('SELECT * FROM polls WHERE id = ?').get(m.poll_id) as PollRow | undefined;
    if (poll) msg.media = pollTl(ctx, poll);
  }
  if (chat.kind === 'channel') msg.views = 1 + ((m.id * 37) % 500);
  const reactions = reactionsTl(ctx, chat.id, m.id);
  if (reactions) msg.reactions = reactions;
  if (chat.kind === 'channel' && chat.linked_chat_id) {
    const disc = discussionRoot(ctx, chat.linked_chat_id, chat.id, m.id);
    if (disc) {
      const r = ctx.db.prepare('SELECT count(*) AS n, max(id) AS maxId FROM channel_messages WHERE chat_id = ? AND top_id = ?').get(chat.linked_chat_id, disc.id) as {
        n: number;
        maxId: number | null;
      };
      peers.chat(chat.linked_chat_id);
      msg.replies = { _: 'messageReplies', comments: true, replies: r.n, repliesPts: 0, channelId: chat.linked_chat_id, maxId: r.maxId ?? undefined };
    }
  }
  return msg;
}

/** The automatic copy of a channel post in its discussion group. */
export function discussionRoot(ctx: Pick<CallContext, 'db'>, groupId: number, channelId: number, postId: number): ChannelMessageRow | undefined {
  return ctx.db.prepare('SELECT * FROM channel_messages WHERE chat_id = ? AND fwd_chat_id = ? AND fwd_msg_id = ?').get(groupId, channelId, postId) as
    | ChannelMessageRow
    | undefined;
}

export function boxMessageTl(m: BoxMessageRow, peers: PeerSet): tl.RawMessage {
  peers.user(m.from_id);
  if (m.peer_kind === 'user') peers.user(m.peer_id);
  else peers.chat(m.peer_id);
  return {
    _: 'message',
    id: m.id,
    peerId: m.peer_kind === 'user' ? { _: 'peerUser', userId: m.peer_id } : { _: 'peerChat', chatId: m.peer_id },
    fromId: m.peer_kind === 'chat' || m.out ? { _: 'peerUser', userId: m.from_id } : undefined,
    out: m.out === 1,
    date: sec(m.date),
    editDate: m.edit_date == null ? undefined : sec(m.edit_date),
    message: m.text,
  };
}

/** A peer named by an Input* object, checked against the viewer's access hashes. */
export type Resolved = { kind: 'user'; user: UserRow } | { kind: 'chat'; chat: ChatRow };

type InputAny = tl.TypeInputPeer | tl.TypeInputUser | tl.TypeInputChannel;

export function resolveInput(ctx: Ctx, input: InputAny): Resolved {
  switch (input._) {
    case 'inputPeerSelf':
    case 'inputUserSelf':
      return { kind: 'user', user: ctx.me };
    case 'inputPeerUser':
    case 'inputUser': {
      const u = getUser(ctx, input.userId);
      if (!u || !accessHash(ctx.secret, ctx.me.id, 'user', u.id).eq(input.accessHash)) {
        throw fail.badRequest(input._ === 'inputUser' ? 'USER_ID_INVALID' : 'PEER_ID_INVALID');
      }
      return { kind: 'user', user: u };
    }
    case 'inputPeerUserFromMessage':
    case 'inputUserFromMessage': {
      const u = getUser(ctx, input.userId);
      if (!u) throw fail.badRequest('USER_ID_INVALID');
      return { kind: 'user', user: u };
    }
    case 'inputPeerChat': {
      const c = getChat(ctx, input.chatId);
      if (!c || c.kind !== 'group') throw fail.badRequest('PEER_ID_INVALID');
      return { kind: 'chat', chat: c };
    }
    case 'inputPeerChannel':
    case 'inputChannel': {
      const c = getChat(ctx, input.channelId);
      if (!c || c.kind === 'group' || !accessHash(ctx.secret, ctx.me.id, 'channel', c.id).eq(input.accessHash)) {
        throw fail.badRequest('CHANNEL_INVALID');
      }
      return { kind: 'chat', chat: c };
    }
    case 'inputPeerChannelFromMessage':
    case 'inputChannelFromMessage': {
      const c = getChat(ctx, input.channelId);
      if (!c || c.kind === 'group') throw fail.badRequest('CHANNEL_INVALID');
      return { kind: 'chat', chat: c };
    }
    default:
      throw fail.badRequest('PEER_ID_INVALID');
  }
}

export function resolveUserInput(ctx: Ctx, input: InputAny): UserRow {
  const r = resolveInput(ctx, input);
  if (r.kind !== 'user') throw fail.badRequest('USER_ID_INVALID');
  return r.user;
}

export function resolveChannelInput(ctx: Ctx, input: InputAny): ChatRow {
  const r = resolveInput(ctx, input);
  if (r.kind !== 'chat' || r.chat.kind === 'group') throw fail.badRequest('CHANNEL_INVALID');
  return r.chat;
}
