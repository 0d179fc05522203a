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
    // Retrying a real 500 is safe: the same random_id cannot deliver twice. RANDOM_ID_DUPLICATE,
    // also a 500, is exempt from those retries in client.ts, so it arrives here at once.
    const res = await client.call({ _: 'messages.sendMessage', peer, message: text, randomId: rid });
    absorbUpdates(client, res);
    return { messageId: sentMessageId(res, rid) ?? 0 };
  } catch (e) {
    if (!isRpcError(e, 'RANDOM_ID_DUPLICATE')) throw e;
    // The newest outgoing copy of this text in the recent history is the one that went out.
    return { messageId: (await findOutgoing(client, peer, text, 0)) ?? 0 };
  }
}
