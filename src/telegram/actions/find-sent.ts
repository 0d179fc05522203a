import { Long, type TelegramClient, type tl } from '@mtcute/node';
import { resolveUsername } from './common.ts';

const PAGE = 100;
/** How far back to look; a campaign asks about its own last minutes, not months. */
const MAX_PAGES = 5;

/**
 * This account's newest outgoing message to `peer` with exactly `text`, sent at or after
 * `sinceMs`, or null.
 */
export async function findOutgoing(client: TelegramClient, peer: tl.TypeInputPeer, text: string, sinceMs: number): Promise<number | null> {
  // Telegram dates are whole seconds: a message sent in the same second as `sinceMs` counts.
  const since = Math.floor(sinceMs / 1000);
  let offsetId = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await client.call({ _: 'messages.getHistory', peer, offsetId, offsetDate: 0, addOffset: 0, limit: PAGE, maxId: 0, minId: 0, hash: Long.ZERO });
    if (res._ === 'messages.messagesNotModified' || res.messages.length === 0) return null;
    for (const m of res.messages) {
      if (m._ !== 'message') continue;
      if (m.out === true && m.message === text && m.date >= since) return m.id;
    }
    const oldest = res.messages[res.messages.length - 1]!;
    if (oldest._ === 'messageEmpty' || oldest.date < since || res.messages.length < PAGE) return null;
    offsetId = oldest.id;
  }
  return null;
}

/** Whether this account sent `text` to `username` at or after `sinceMs` (settles a send a crash interrupted). */
export async function findSent(client: TelegramClient, username: string, text: string, sinceMs: number): Promise<boolean> {
  const peer = await resolveUsername(client, username);
  return (await findOutgoing(client, peer, text, sinceMs)) !== null;
}
