import { Long, type tl } from '@mtcute/core';
import type { ChatRow, MemberRow } from '../rows.ts';
import { fail, sec, type CallContext } from './context.ts';
import { allowedReactions, canReadChat, isOpenDiscussion, STANDARD_REACTIONS } from './messages.ts';
import { accessHash, chatTl, getChat, isMember, memberCount, memberRole, PeerSet, resolveChannelInput, resolveUserInput } from './tl.ts';

/** Telegram's limit for a non-premium account. */
export const MAX_CHANNELS = 500;

function joinedCount(ctx: CallContext): number {
  return (
    ctx.db.prepare("SELECT count(*) AS n FROM members m JOIN chats c ON c.id = m.chat_id WHERE m.user_id = ? AND c.kind != 'group'").get(ctx.me.id) as {
      n: number;
    }
  ).n;
}

function updatesWithChat(ctx: CallContext, chat: ChatRow, updates: tl.TypeUpdate[]): tl.RawUpdates {
  return { _: 'updates', updates, ...new PeerSet().chat(chat.id).build(ctx), date: sec(ctx.now), seq: 0 };
}

function addMember(ctx: CallContext, chat: ChatRow): void {
  if (chat.kind !== 'group' && joinedCount(ctx) >= MAX_CHANNELS) throw fail.badRequest('CHANNELS_TOO_MUCH');
  ctx.db.prepare("INSERT INTO members (chat_id, user_id, role, joined_at) VALUES (?, ?, 'member', ?)").run(chat.id, ctx.me.id, ctx.now);
  ctx.db.prepare('DELETE FROM join_requests WHERE chat_id = ? AND user_id = ?').run(chat.id, ctx.me.id);
}

function fileJoinRequest(ctx: CallContext, chat: ChatRow): never {
  ctx.db.prepare('INSERT OR IGNORE INTO join_requests (chat_id, user_id, at) VALUES (?, ?, ?)').run(chat.id, ctx.me.id, ctx.now);
  throw fail.badRequest('INVITE_REQUEST_SENT').kept();
}

function joined(ctx: CallContext, chat: ChatRow): tl.messages.RawChatInviteJoinResultOk {
  const updates: tl.TypeUpdate[] = chat.kind === 'group' ? [] : [{ _: 'updateChannel', channelId: chat.id }];
  return { _: 'messages.chatInviteJoinResultOk', updates: updatesWithChat(ctx, chat, updates) };
}

export function joinChannel(ctx: CallContext, req: tl.channels.RawJoinChannelRequest): tl.messages.RawChatInviteJoinResultOk {
  const chat = resolveChannelInput(ctx, req.channel);
  if (isMember(ctx, chat.id, ctx.me.id)) return { _: 'messages.chatInviteJoinResultOk', updates: updatesWithChat(ctx, chat, []) };
  if (chat.username === null && !isOpenDiscussion(ctx, chat)) throw fail.badRequest('CHANNEL_PRIVATE');
  if (chat.join_request) fileJoinRequest(ctx, chat);
  addMember(ctx, chat);
  return joined(ctx, chat);
}

interface InviteRow {
  hash: string;
  chat_id: number;
  request_needed: number;
  revoked: number;
}

function invite(ctx: CallContext, hash: string): { inv: InviteRow; chat: ChatRow } {
  const inv = ctx.db.prepare('SELECT * FROM invites WHERE hash = ?').get(hash) as InviteRow | undefined;
  if (!inv) throw fail.badRequest('INVITE_HASH_INVALID');
  if (inv.revoked) throw fail.badRequest('INVITE_HASH_EXPIRED');
  return { inv, chat: getChat(ctx, inv.chat_id)! };
}

export function importChatInvite(ctx: CallContext, req: tl.messages.RawImportChatInviteRequest): tl.messages.RawChatInviteJoinResultOk {
  const { inv, chat } = invite(ctx, req.hash);
  if (isMember(ctx, chat.id, ctx.me.id)) throw fail.badRequest('USER_ALREADY_PARTICIPANT');
  if (inv.request_needed) fileJoinRequest(ctx, chat);
  addMember(ctx, chat);
  return joined(ctx, chat);
}

export function checkChatInvite(ctx: CallContext, req: tl.messages.RawCheckChatInviteRequest): tl.TypeChatInvite {
  const { inv, chat } = invite(ctx, req.hash);
  if (isMember(ctx, chat.id, ctx.me.id)) return { _: 'chatInviteAlready', chat: chatTl(ctx, chat) };
  return {
    _: 'chatInvite',
    channel: chat.kind !== 'group',
    broadcast: chat.kind === 'channel',
    megagroup: chat.kind === 'supergroup',
    public: chat.username !== null,
    requestNeeded: inv.request_needed === 1,
    title: chat.title,
    about: chat.about || undefined,
    photo: { _: 'photoEmpty', id: Long.ZERO },
    participantsCount: memberCount(ctx, chat.id),
    color: 0,
  };
}

export function leaveChannel(ctx: CallContext, req: tl.channels.RawLeaveChannelRequest): tl.RawUpdates {
  const chat = resolveChannelInput(ctx, req.channel);
  if (!isMember(ctx, chat.id, ctx.me.id)) throw fail.badRequest('USER_NOT_PARTICIPANT');
  ctx.db.prepare('DELETE FROM members WHERE chat_id = ? AND user_id = ?').run(chat.id, ctx.me.id);
  return updatesWithChat(ctx, chat, [{ _: 'updateChannel', channelId: chat.id }]);
}

export function deleteChatUser(ctx: CallContext, req: tl.messages.RawDeleteChatUserRequest): tl.RawUpdates {
  const chat = getChat(ctx, req.chatId);
  if (!chat || chat.kind !== 'group') throw fail.badRequest('CHAT_ID_INVALID');
  const user = resolveUserInput(ctx, req.userId);
  if (user.id !== ctx.me.id && memberRole(ctx, chat.id, ctx.me.id) !== 'creator') throw fail.badRequest('CHAT_ADMIN_REQUIRED');
  if (!isMember(ctx, chat.id, user.id)) throw fail.badRequest('USER_NOT_PARTICIPANT');
  ctx.db.prepare('DELETE FROM members WHERE chat_id = ? AND user_id = ?').run(chat.id, user.id);
  return updatesWithChat(ctx, chat, []);
}

function visibleChat(ctx: CallContext, chat: ChatRow): tl.TypeChat {
  if (chat.kind !== 'group' && !canReadChat(ctx, chat)) {
    return {
      _: 'channelForbidden',
      id: chat.id,
      accessHash: accessHash(ctx.secret, ctx.me.id, 'channel', chat.id),
      title: chat.title,
      broadcast: chat.kind === 'channel',
      megagroup: chat.kind === 'supergroup',
    };
  }
  return chatTl(ctx, chat);
}

export function getChannels(ctx: CallContext, req: tl.channels.RawGetChannelsRequest): tl.messages.RawChats {
  return { _: 'messages.chats', chats: req.id.map((c) => visibleChat(ctx, resolveChannelInput(ctx, c))) };
}

export function getChats(ctx: CallContext, req: tl.messages.RawGetChatsRequest): tl.messages.RawChats {
  const chats: tl.TypeChat[] = [];
  for (const id of req.id) {
    const chat = getChat(ctx, id);
    if (chat?.kind === 'group') chats.push(chatTl(ctx, chat));
  }
  return { _: 'messages.chats', chats };
}

function reactionsSetting(chat: ChatRow): tl.TypeChatReactions {
  if (chat.reactions === null) return { _: 'chatReactionsAll' };
  const list = allowedReactions(chat);
  if (list.length === 0) return { _: 'chatReactionsNone' };
  return { _: 'chatReactionsSome', reactions: list.map((emoticon) => ({ _: 'reactionEmoji', emoticon })) };
}

export function getFullChannel(ctx: CallContext, req: tl.channels.RawGetFullChannelRequest): tl.messages.RawChatFull {
  const chat = resolveChannelInput(ctx, req.channel);
  if (!canReadChat(ctx, chat)) throw fail.badRequest('CHANNEL_PRIVATE');
  const peers = new PeerSet().chat(chat.id).chat(chat.linked_chat_id);
  return {
    _: 'messages.chatFull',
    fullChat: {
      _: 'channelFull',
      id: chat.id,
      about: chat.about,
      participantsCount: memberCount(ctx, chat.id),
      readInboxMaxId: chat.pts,
      readOutboxMaxId: chat.pts,
      unreadCount: 0,
      chatPhoto: { _: 'photoEmpty', id: Long.ZERO },
      notifySettings: { _: 'peerNotifySettings' },
      botInfo: [],
      pts: chat.pts,
      linkedChatId: chat.linked_chat_id ?? undefined,
      availableReactions: reactionsSetting(chat),
    },
    ...peers.build(ctx),
  };
}

export function getFullChat(ctx: CallContext, req: tl.messages.RawGetFullChatRequest): tl.messages.RawChatFull {
  const chat = getChat(ctx, req.chatId);
  if (!chat || chat.kind !== 'group' || !isMember(ctx, chat.id, ctx.me.id)) throw fail.badRequest('CHAT_ID_INVALID');
  const members = ctx.db.prepare('SELECT * FROM members WHERE chat_id = ? ORDER BY user_id').all(chat.id) as MemberRow[];
  const peers = new PeerSet().chat(chat.id);
  members.forEach((m) => peers.user(m.user_id));
  const creator = members.find((m) => m.role === 'creator')?.user_id ?? members[0]?.user_id ?? 0;
  return {
    _: 'messages.chatFull',
    fullChat: {
      _: 'chatFull',
      id: chat.id,
      about: chat.about,
      participants: {
        _: 'chatParticipants',
        chatId: chat.id,
        version: 1,
        participants: members.map((m): tl.TypeChatParticipant =>
          m.role === 'creator'
            ? { _: 'chatParticipantCreator', userId: m.user_id }
            : { _: 'chatParticipant', userId: m.user_id, inviterId: creator, date: sec(m.joined_at) },
        ),
      },
      notifySettings: { _: 'peerNotifySettings' },
      availableReactions: reactionsSetting(chat),
    },
    ...peers.build(ctx),
  };
}

export function getParticipant(ctx: CallContext, req: tl.channels.RawGetParticipantRequest): tl.channels.RawChannelParticipant {
  const chat = resolveChannelInput(ctx, req.channel);
  const user = resolveUserInput(ctx, req.participant);
  const m = ctx.db.prepare('SELECT * FROM members WHERE chat_id = ? AND user_id = ?').get(chat.id, user.id) as MemberRow | undefined;
  if (!m) throw fail.badRequest('USER_NOT_PARTICIPANT');
  const participant: tl.TypeChannelParticipant =
    m.role === 'creator'
      ? { _: 'channelParticipantCreator', userId: m.user_id, adminRights: { _: 'chatAdminRights' } }
      : m.user_id === ctx.me.id
        ? { _: 'channelParticipantSelf', userId: m.user_id, inviterId: m.user_id, date: sec(m.joined_at) }
        : { _: 'channelParticipant', userId: m.user_id, date: sec(m.joined_at) };
  return { _: 'channels.channelParticipant', participant, ...new PeerSet().chat(chat.id).user(user.id).build(ctx) };
}

export { STANDARD_REACTIONS };
