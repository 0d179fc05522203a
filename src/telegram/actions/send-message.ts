import type { TelegramClient } from '@mtcute/node';
import { isRpcError } from '../errors.ts';
import { absorbUpdates, bigintToLong, resolveUsername, sentMessageId } from './common.ts';
import { findOutgoing } from './find-sent.ts';

/**
 * Sends `text` as it is (no markdown or HTML: nothing in it becomes formatting) with the
 * caller's `randomId`, so a resend after a crash cannot deliver twice: Telegram answers
 * RANDOM_ID_DUPLICATE, which means the first send went out. `messageId` is 0 when that
 * earlier message cannot be found in the recent history.
 */
export async function sendMessage(client: TelegramClient, username: string, text: string, randomId: bigint): Promise<{ messageId: number }> {
  const peer = await resolveUsername(client, username);
  const rid = bigintToLong(randomId);
  try {
    // Telegram answers RANDOM_ID_DUPLICATE as an internal (500) error, which mtcute's
    // internal-errors middleware retries after 1 s pauses; with no retries it still pauses
    // once. A send is not retried here: the engine decides about real 500s.
    const res = await client.call({ _: 'messages.sendMessage', peer, message: text, randomId: rid }, { maxRetryCount: 0 });
    absorbUpdates(client, res);
    return { messageId: sentMessageId(res, rid) ?? 0 };
  } catch (e) {
    if (!isRpcError(e, 'RANDOM_ID_DUPLICATE')) throw e;
    // The newest outgoing copy of this text in the recent history is the one that went out.
    return { messageId: (await findOutgoing(client, peer, text, 0)) ?? 0 };
  }
}
