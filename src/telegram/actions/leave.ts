import type { TelegramClient, tl } from '@mtcute/node';
import type { ActionOutcome, LeaveTarget } from '../../core/session.ts';
import { isRpcError } from '../errors.ts';
import { absorbUpdates, refuse, resolveChannelId, resolveUsername } from './common.ts';

/** Answers meaning the account is not in the chat, which is what leaving wanted. */
function notMember(e: unknown): boolean {
  return isRpcError(e, 'USER_NOT_PARTICIPANT') || isRpcError(e, 'CHANNEL_PRIVATE') || isRpcError(e, 'CHAT_FORBIDDEN');
}

async function leavePeer(client: TelegramClient, peer: tl.TypeInputPeer, name: string): Promise<ActionOutcome> {
  try {
    if (peer._ === 'inputPeerChannel') {
      const res = await client.call({ _: 'channels.leaveChannel', channel: { _: 'inputChannel', channelId: peer.channelId, accessHash: peer.accessHash } });
      absorbUpdates(client, res);
      return 'done';
    }
    if (peer._ === 'inputPeerChat') {
      // Basic groups have no leave method: the account removes itself.
      const res = await client.call({ _: 'messages.deleteChatUser', chatId: peer.chatId, userId: { _: 'inputUserSelf' } });
      absorbUpdates(client, res);
      return 'done';
    }
  } catch (e) {
    if (notMember(e)) return 'already';
    throw e;
  }
  refuse('bad_request', 'NOT_A_CHAT', `${name} is a person or bot, not a group or channel`);
}

function peerOfChat(chat: tl.TypeChat): tl.TypeInputPeer | null {
  if (chat._ === 'channel' && chat.accessHash) return { _: 'inputPeerChannel', channelId: chat.id, accessHash: chat.accessHash };
  if (chat._ === 'chat') return { _: 'inputPeerChat', chatId: chat.id };
  return null;
}

/** Leaves a group or channel; not being in it reports `already`. */
export async function leave(client: TelegramClient, target: LeaveTarget): Promise<ActionOutcome> {
  if ('username' in target) return leavePeer(client, await resolveUsername(client, target.username), `@${target.username}`);
  if ('channelId' in target) {
    // A member has the channel in its dialogs; an account that cannot find it is not in it.
    const peer = await resolveChannelId(client, target.channelId);
    return peer ? leavePeer(client, peer, `channel ${target.channelId}`) : 'already';
  }
  const invite = await client.call({ _: 'messages.checkChatInvite', hash: target.inviteHash });
  if (invite._ !== 'chatInviteAlready') return 'already';
  const peer = peerOfChat(invite.chat);
  if (!peer) return 'already';
  return leavePeer(client, peer, 'the chat of this invite link');
}
