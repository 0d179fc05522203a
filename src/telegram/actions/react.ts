import type { TelegramClient, tl } from '@mtcute/node';
import type { ActionOutcome, MessageTarget } from '../../core/session.ts';
import { isRpcError } from '../errors.ts';
import { absorbUpdates, getMessage, isChannelPeer, refuse, resolveMessage, toInputChannel } from './common.ts';

/**
 * Telegram names reactions without the emoji presentation selector (U+FE0F), which people's
 * keyboards usually add ("❤️" is the reaction "❤"); compare and send without it.
 */
export function canonicalEmoji(emoji: string): string {
  return emoji.trim().replace(/\uFE0F/g, '');
}

function reactionLabel(r: tl.TypeReaction): string | null {
  switch (r._) {
    case 'reactionEmoji':
      return r.emoticon;
    case 'reactionCustomEmoji':
      return 'custom emoji';
    default:
      return null;
  }
}

/** The chat's reaction setting; absent means Telegram's default (every standard reaction). */
async function allowedReactions(client: TelegramClient, peer: tl.TypeInputPeer): Promise<tl.TypeChatReactions | undefined> {
  if (isChannelPeer(peer)) {
    const res = await client.call({ _: 'channels.getFullChannel', channel: toInputChannel(peer) });
    return res.fullChat.availableReactions;
  }
  if (peer._ === 'inputPeerChat') {
    const res = await client.call({ _: 'messages.getFullChat', chatId: peer.chatId });
    return res.fullChat.availableReactions;
  }
  // Private chats allow every reaction.
  return undefined;
}

/** Puts `emoji` on the message as this account's reaction (replacing its earlier one there). */
export async function react(client: TelegramClient, target: MessageTarget, emoji: string): Promise<ActionOutcome> {
  const wanted = canonicalEmoji(emoji);
  if (wanted === '') refuse('bad_request', 'REACTION_EMPTY', 'no emoji given');
  const { peer, msgId, label } = await resolveMessage(client, target);

  let allowed: tl.TypeChatReactions | undefined;
  try {
    allowed = await allowedReactions(client, peer);
  } catch (e) {
    // A guest (reacting to a comment without joining the discussion group) may not read the
    // group's settings; Telegram still judges the reaction itself (REACTION_INVALID).
    if (!isRpcError(e, 'CHANNEL_PRIVATE')) throw e;
  }
  let emoticon = wanted;
  if (allowed?._ === 'chatReactionsNone') refuse('not_allowed', 'REACTION_NOT_ALLOWED', `reactions are turned off in this chat (${label})`);
  if (allowed?._ === 'chatReactionsSome') {
    const match = allowed.reactions.find((r) => r._ === 'reactionEmoji' && canonicalEmoji(r.emoticon) === wanted);
    if (!match || match._ !== 'reactionEmoji') {
      const list = allowed.reactions.map(reactionLabel).filter((s): s is string => s !== null);
      refuse('not_allowed', 'REACTION_NOT_ALLOWED', `${emoji.trim()} is not allowed in this chat; allowed: ${list.length ? list.join(' ') : 'none'}`);
    }
    emoticon = match.emoticon;
  }

  const msg = await getMessage(client, peer, msgId);
  if (!msg) refuse('not_found', 'MESSAGE_NOT_FOUND', `${label} does not exist or this account cannot see it`);
  const mine = msg._ === 'message' ? msg.reactions?.results.filter((r) => r.chosenOrder !== undefined) : undefined;
  if (mine?.length === 1 && mine[0]!.reaction._ === 'reactionEmoji' && canonicalEmoji(mine[0]!.reaction.emoticon) === wanted) return 'already';

  const res = await client.call({ _: 'messages.sendReaction', peer, msgId, reaction: [{ _: 'reactionEmoji', emoticon }] });
  absorbUpdates(client, res);
  return 'done';
}
