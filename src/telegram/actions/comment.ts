import type { TelegramClient, tl } from '@mtcute/node';
import type { MessageTarget } from '../../core/session.ts';
import { absorbUpdates, chatOf, describeChat, discussionThread, getMessage, randomLong, refuse, resolveChat, sentMessageId } from './common.ts';

async function send(client: TelegramClient, peer: tl.TypeInputPeer, text: string, replyTo: tl.RawInputReplyToMessage): Promise<{ messageId: number }> {
  const randomId = randomLong();
  const res = await client.call({ _: 'messages.sendMessage', peer, message: text, randomId, replyTo });
  absorbUpdates(client, res);
  const id = sentMessageId(res, randomId);
  if (id === null) refuse('unknown', 'NO_MESSAGE_ID', 'Telegram accepted the comment but did not say which message it became');
  return { messageId: id };
}

/**
 * Comments under a channel post: in the post's thread in the linked discussion group (not a
 * reply in the channel). With a comment link, answers that comment in the same thread. In a
 * group, where there are no posts, it replies to the message (inside its forum topic).
 * The text is sent as it is, without markdown.
 */
export async function comment(client: TelegramClient, target: MessageTarget, text: string): Promise<{ messageId: number }> {
  const peer = await resolveChat(client, target.chat);
  const label = `message ${target.messageId} in ${describeChat(target.chat)}`;
  const chat = await chatOf(client, peer);
  if (chat?._ === 'channel' && chat.broadcast !== true) {
    const msg = await getMessage(client, peer, target.commentId ?? target.messageId);
    if (!msg) refuse('not_found', 'MESSAGE_NOT_FOUND', `${label} does not exist or this account cannot see it`);
    const replyTo: tl.RawInputReplyToMessage = { _: 'inputReplyToMessage', replyToMsgId: msg.id };
    if (target.topicId !== undefined) replyTo.topMsgId = target.topicId;
    return send(client, peer, text, replyTo);
  }
  const thread = await discussionThread(client, peer, target.messageId, label);
  return send(client, thread.peer, text, { _: 'inputReplyToMessage', replyToMsgId: target.commentId ?? thread.topId, topMsgId: thread.topId });
}
