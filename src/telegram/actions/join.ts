import type { TelegramClient, tl } from '@mtcute/node';
import type { ActionOutcome, JoinTarget } from '../../core/session.ts';
import { isRpcError } from '../errors.ts';
import { absorbUpdates, isChannelPeer, refuse, resolveUsername, toInputChannel } from './common.ts';

/** The answers to a join that are outcomes rather than failures. */
function joinOutcome(e: unknown): ActionOutcome | null {
  if (isRpcError(e, 'INVITE_REQUEST_SENT')) return 'requested';
  if (isRpcError(e, 'USER_ALREADY_PARTICIPANT')) return 'already';
  return null;
}

async function attempt(client: TelegramClient, call: () => Promise<tl.messages.TypeChatInviteJoinResult | tl.TypeUpdates>): Promise<ActionOutcome> {
  let res: tl.messages.TypeChatInviteJoinResult | tl.TypeUpdates;
  try {
    res = await call();
  } catch (e) {
    const outcome = joinOutcome(e);
    if (outcome) return outcome;
    throw e;
  }
  if (res._ === 'messages.chatInviteJoinResultWebView') {
    refuse('not_allowed', 'JOIN_NEEDS_WEBVIEW', 'this chat asks new members to pass a bot check in a web app, which accounts here cannot do');
  }
  absorbUpdates(client, res._ === 'messages.chatInviteJoinResultOk' ? res.updates : res);
  return 'done';
}

async function joinPublic(client: TelegramClient, username: string): Promise<ActionOutcome> {
  const peer = await resolveUsername(client, username);
  if (!isChannelPeer(peer)) refuse('bad_request', 'NOT_A_CHAT', `@${username} is a person or bot, not a group or channel`);
  const channel = toInputChannel(peer);
  // The cached chat may be old: ask whether this account is in it now.
  const fresh = await client.call({ _: 'channels.getChannels', id: [channel] });
  const chat = fresh.chats.find((c) => c.id === peer.channelId);
  if (chat?._ === 'channelForbidden') refuse('no_access', 'CHANNEL_PRIVATE', `this account is banned from @${username} or cannot see it`);
  if (chat?._ === 'channel' && chat.left !== true) return 'already';
  return attempt(client, () => client.call({ _: 'channels.joinChannel', channel }));
}

async function joinInvite(client: TelegramClient, hash: string): Promise<ActionOutcome> {
  const invite = await client.call({ _: 'messages.checkChatInvite', hash });
  if (invite._ === 'chatInviteAlready') return 'already';
  return attempt(client, () => client.call({ _: 'messages.importChatInvite', hash }));
}

/** Joins by public name or invite link; a chat that approves members reports `requested`. */
export async function join(client: TelegramClient, target: JoinTarget): Promise<ActionOutcome> {
  return target.kind === 'public' ? joinPublic(client, target.username) : joinInvite(client, target.hash);
}
