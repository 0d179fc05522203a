import { randomBytes } from 'node:crypto';
import { Long, type tl, type TelegramClient } from '@mtcute/node';
import { TelegramFailure, type FailureKind } from '../../core/failures.ts';
import type { ChatRef, MessageTarget } from '../../core/session.ts';

/**
 * What the actions share: resolving a target with this account's own cache and access hashes,
 * reading one message, and refusing in the operator's words. Nothing here is kept between
 * accounts: every client resolves through its own storage.
 */

export function refuse(kind: FailureKind, code: string, message: string): never {
  throw new TelegramFailure({ kind, code, message });
}

/** Telegram's marked id of a channel (`-100…`) from the bare id used in links. */
export function markedChannelId(channelId: number): number {
  return -1_000_000_000_000 - channelId;
}

export function describeChat(ref: ChatRef): string {
  return 'username' in ref ? `@${ref.username}` : `channel ${ref.channelId}`;
}

/** A public username through this account's cache, else `contacts.resolveUsername`. */
export async function resolveUsername(client: TelegramClient, username: string): Promise<tl.TypeInputPeer> {
  return client.resolvePeer(username.replace(/^@/, ''));
}

/**
 * A private channel by id. Telegram only accepts a channel with this account's access hash, which
 * the account has when it met the channel before (cached) or is in it (its dialogs list it). A
 * lookup by id with access hash 0 is not something user accounts can do, so it is not tried.
 */
export async function resolveChannelId(client: TelegramClient, channelId: number): Promise<tl.TypeInputPeer | null> {
  const marked = markedChannelId(channelId);
  const cached = await client.storage.peers.getById(marked);
  if (cached) return cached;
  // Walking the dialogs stores every chat in them in this account's peer cache.
  for await (const d of client.iterDialogs({ archived: 'keep' })) {
    if (d.peer.id === marked) return d.peer.inputPeer;
  }
  return client.storage.peers.getById(marked);
}

export async function resolveChat(client: TelegramClient, ref: ChatRef): Promise<tl.TypeInputPeer> {
  if ('username' in ref) return resolveUsername(client, ref.username);
  const peer = await resolveChannelId(client, ref.channelId);
  if (!peer) {
    refuse('no_access', 'CHANNEL_NOT_VISIBLE', `this account cannot see channel ${ref.channelId} (it is not a member and has not met it)`);
  }
  return peer;
}

export function isChannelPeer(peer: tl.TypeInputPeer): peer is tl.RawInputPeerChannel {
  return peer._ === 'inputPeerChannel';
}

export function toInputChannel(peer: tl.RawInputPeerChannel): tl.RawInputChannel {
  return { _: 'inputChannel', channelId: peer.channelId, accessHash: peer.accessHash };
}

function messagesOf(res: tl.messages.TypeMessages): tl.TypeMessage[] {
  return res._ === 'messages.messagesNotModified' ? [] : res.messages;
}

/** One message, or null when it does not exist (or this account cannot see it). */
export async function getMessage(client: TelegramClient, peer: tl.TypeInputPeer, id: number): Promise<tl.RawMessage | tl.RawMessageService | null> {
  const ids: tl.TypeInputMessage[] = [{ _: 'inputMessageID', id }];
  const res = isChannelPeer(peer)
    ? await client.call({ _: 'channels.getMessages', channel: toInputChannel(peer), id: ids })
    : await client.call({ _: 'messages.getMessages', id: ids });
  const msg = messagesOf(res).find((m) => m.id === id);
  return msg && msg._ !== 'messageEmpty' ? msg : null;
}

/** The chat object behind a peer as this account last saw it (null for users or unknown). */
export async function chatOf(client: TelegramClient, peer: tl.TypeInputPeer): Promise<tl.TypeChat | null> {
  let id: number;
  if (peer._ === 'inputPeerChannel') id = markedChannelId(peer.channelId);
  else if (peer._ === 'inputPeerChat') id = -peer.chatId;
  else return null;
  const full = await client.storage.peers.getCompleteById(id);
  return full && full._ !== 'user' && full._ !== 'userEmpty' ? full : null;
}

export interface ResolvedMessage {
  peer: tl.TypeInputPeer;
  msgId: number;
  /** How to name the message to the operator. */
  label: string;
}

/**
 * The message a link points at, resolved by this account. A link to a comment
 * (`?comment=N`) points at message N of the post's discussion group, which this account
 * finds through the post.
 */
export async function resolveMessage(client: TelegramClient, target: MessageTarget): Promise<ResolvedMessage> {
  const peer = await resolveChat(client, target.chat);
  const label = `message ${target.messageId} in ${describeChat(target.chat)}`;
  if (target.commentId === undefined) return { peer, msgId: target.messageId, label };
  const thread = await discussionThread(client, peer, target.messageId, label);
  return { peer: thread.peer, msgId: target.commentId, label: `comment ${target.commentId} under ${label}` };
}

export interface DiscussionThread {
  /** The linked discussion group. */
  peer: tl.RawInputPeerChannel;
  /** The post's copy in the group, the top of the thread. */
  topId: number;
}

/** The discussion thread under a channel post; refused when the post has no comments. */
export async function discussionThread(client: TelegramClient, peer: tl.TypeInputPeer, msgId: number, label: string): Promise<DiscussionThread> {
  const post = await getMessage(client, peer, msgId);
  if (!post) refuse('not_found', 'MESSAGE_NOT_FOUND', `${label} does not exist or this account cannot see it`);
  if (post._ !== 'message' || post.replies?.comments !== true) refuse('not_allowed', 'NO_COMMENTS', `this post has no comments (${label})`);
  const res = await client.call({ _: 'messages.getDiscussionMessage', peer, msgId });
  const top = res.messages.find((m): m is tl.RawMessage => m._ === 'message' && m.peerId._ === 'peerChannel');
  const chat = top && res.chats.find((c) => c.id === (top.peerId as tl.RawPeerChannel).channelId);
  if (!top || !chat || chat._ !== 'channel' || !chat.accessHash) refuse('not_allowed', 'NO_COMMENTS', `this post has no comments (${label})`);
  return { peer: { _: 'inputPeerChannel', channelId: chat.id, accessHash: chat.accessHash }, topId: top.id };
}

export function randomLong(): Long {
  return bigintToLong(randomBytes(8).readBigInt64LE());
}

export function bigintToLong(v: bigint): Long {
  return Long.fromString(BigInt.asIntN(64, v).toString());
}

/** The id of the message a send created, from whatever form of Updates Telegram answered with. */
export function sentMessageId(res: tl.TypeUpdates, randomId: Long): number | null {
  if (res._ === 'updateShortSentMessage') return res.id;
  if (res._ !== 'updates' && res._ !== 'updatesCombined') return null;
  for (const u of res.updates) {
    if (u._ === 'updateMessageID' && u.randomId.eq(randomId)) return u.id;
  }
  for (const u of res.updates) {
    if ((u._ === 'updateNewMessage' || u._ === 'updateNewChannelMessage') && u.message._ === 'message' && u.message.out) return u.message.id;
  }
  return null;
}

/**
 * Lets mtcute's update state see what a call changed (so it does not think it missed updates),
 * without dispatching our own actions to message handlers.
 */
export function absorbUpdates(client: TelegramClient, res: tl.TypeUpdates, channelId = 0): void {
  if (res._ === 'updateShortSentMessage') {
    client.handleClientUpdate(
      { _: 'updates', seq: 0, date: 0, chats: [], users: [], updates: [{ _: 'mtcute.dummyUpdate', channelId, pts: res.pts, ptsCount: res.ptsCount }] },
      true,
    );
    return;
  }
  client.handleClientUpdate(res, true);
}

/** Text of a TextWithEntities (poll questions and answers) or a plain string from older layers. */
export function plainText(t: tl.TypeTextWithEntities | string): string {
  return typeof t === 'string' ? t : t.text;
}
