import type { tl } from '@mtcute/core';
import { isUsername, normalizeUsername } from '../../core/usernames.ts';
import type { ChatRow, UserRow } from '../rows.ts';
import { fail, sec, type AnonContext, type CallContext } from './context.ts';
import { chatPeer, getChat, getUser, PeerSet, resolveInput, resolveUserInput, userTl } from './tl.ts';

export function getUsers(ctx: CallContext, req: tl.users.RawGetUsersRequest): tl.TypeUser[] {
  return req.id.map((input) => {
    try {
      return userTl(ctx, resolveUserInput(ctx, input));
    } catch {
      const id = 'userId' in input ? input.userId : 0;
      return { _: 'userEmpty', id } satisfies tl.RawUserEmpty;
    }
  });
}

export function getFullUser(ctx: CallContext, req: tl.users.RawGetFullUserRequest): tl.users.RawUserFull {
  const user = resolveUserInput(ctx, req.id);
  const blocked = ctx.db.prepare('SELECT 1 FROM blocks WHERE user_id = ? AND blocked_id = ?').get(ctx.me.id, user.id) !== undefined;
  const common = (
    ctx.db.prepare('SELECT count(*) AS n FROM members a JOIN members b ON a.chat_id = b.chat_id WHERE a.user_id = ? AND b.user_id = ?').get(ctx.me.id, user.id) as {
      n: number;
    }
  ).n;
  return {
    _: 'users.userFull',
    fullUser: {
      _: 'userFull',
      id: user.id,
      blocked,
      settings: { _: 'peerSettings' },
      notifySettings: { _: 'peerNotifySettings' },
      commonChatsCount: user.id === ctx.me.id ? 0 : common,
      about: user.about || undefined,
    },
    users: [userTl(ctx, user)],
    chats: [],
  };
}

export function findByUsername(ctx: Pick<CallContext, 'db'>, name: string): { user?: UserRow; chat?: ChatRow } {
  const user = ctx.db.prepare('SELECT * FROM users WHERE username = ? AND deleted = 0').get(name) as UserRow | undefined;
  if (user) return { user };
  const chat = ctx.db.prepare('SELECT * FROM chats WHERE username = ?').get(name) as ChatRow | undefined;
  return chat ? { chat } : {};
}

export function resolveUsername(ctx: CallContext, req: tl.contacts.RawResolveUsernameRequest): tl.contacts.RawResolvedPeer {
  const name = normalizeUsername(req.username);
  if (!isUsername(name)) throw fail.badRequest('USERNAME_INVALID');
  const found = findByUsername(ctx, name);
  const peers = new PeerSet();
  if (found.user) {
    peers.user(found.user.id);
    return { _: 'contacts.resolvedPeer', peer: { _: 'peerUser', userId: found.user.id }, ...peers.build(ctx) };
  }
  if (found.chat) {
    peers.chat(found.chat.id);
    return { _: 'contacts.resolvedPeer', peer: chatPeer(found.chat), ...peers.build(ctx) };
  }
  throw fail.badRequest('USERNAME_NOT_OCCUPIED');
}

export function block(ctx: CallContext, req: tl.contacts.RawBlockRequest): boolean {
  const r = resolveInput(ctx, req.id);
  if (r.kind !== 'user' || r.user.id === ctx.me.id) throw fail.badRequest('CONTACT_ID_INVALID');
  ctx.db.prepare('INSERT OR IGNORE INTO blocks (user_id, blocked_id, at) VALUES (?, ?, ?)').run(ctx.me.id, r.user.id, ctx.now);
  return true;
}

export function unblock(ctx: CallContext, req: tl.contacts.RawUnblockRequest): boolean {
  const r = resolveInput(ctx, req.id);
  if (r.kind !== 'user') throw fail.badRequest('CONTACT_ID_INVALID');
  ctx.db.prepare('DELETE FROM blocks WHERE user_id = ? AND blocked_id = ?').run(ctx.me.id, r.user.id);
  return true;
}

export function getContacts(ctx: CallContext): tl.contacts.RawContacts {
  const ids = (ctx.db.prepare('SELECT contact_id FROM contacts WHERE user_id = ? ORDER BY contact_id').all(ctx.me.id) as Array<{ contact_id: number }>).map((r) => r.contact_id);
  const peers = new PeerSet();
  ids.forEach((id) => peers.user(id));
  return {
    _: 'contacts.contacts',
    contacts: ids.map((userId) => ({ _: 'contact', userId, mutual: false })),
    savedCount: 0,
    users: peers.build(ctx).users,
  };
}

export function getConfig(ctx: AnonContext): tl.RawConfig {
  return {
    _: 'config',
    date: sec(ctx.now),
    expires: sec(ctx.now) + 3600,
    testMode: false,
    thisDc: 2,
    dcOptions: [1, 2, 3, 4, 5].map((id) => ({ _: 'dcOption', id, ipAddress: `149.154.167.${40 + id}`, port: 443 })),
    dcTxtDomainName: 'sim.invalid',
    chatSizeMax: 200,
    megagroupSizeMax: 200000,
    forwardedCountMax: 100,
    onlineUpdatePeriodMs: 210000,
    offlineBlurTimeoutMs: 5000,
    offlineIdleTimeoutMs: 30000,
    onlineCloudTimeoutMs: 300000,
    notifyCloudDelayMs: 30000,
    notifyDefaultDelayMs: 1500,
    pushChatPeriodMs: 60000,
    pushChatLimit: 2,
    editTimeLimit: 172800,
    revokeTimeLimit: 2147483647,
    revokePmTimeLimit: 2147483647,
    ratingEDecay: 2419200,
    stickersRecentLimit: 200,
    channelsReadMediaPeriod: 604800,
    callReceiveTimeoutMs: 20000,
    callRingTimeoutMs: 90000,
    callConnectTimeoutMs: 30000,
    callPacketTimeoutMs: 10000,
    meUrlPrefix: 'https://t.me/',
    captionLengthMax: 1024,
    messageLengthMax: 4096,
    webfileDcId: 4,
  };
}

export function getNearestDc(): tl.RawNearestDc {
  return { _: 'nearestDc', country: 'ZZ', thisDc: 2, nearestDc: 2 };
}

export { getChat, getUser };
