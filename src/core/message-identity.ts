import type { IncomingMessage } from './session.ts';

/**
 * The number that names a message the same way in every account's copy of it, for
 * de-duplicating hits across accounts and restarts.
 *
 * Supergroups, forums and channels have one message box per chat, so the message id is shared.
 * Basic groups and private chats live in each member's own box: every member's copy has its own
 * id, but Telegram gives all copies the same sender, date and text. Those copies are named by a
 * hash of the three, as a negative number so it can never equal a real message id of the chat.
 * Two messages from one sender in the same second with the same text are then one hit, which is
 * what the operator wants forwarded anyway.
 *
 * An edit changes the text, so a copy delivered already edited (an account catching up after the
 * edit) has another identity than the original copy another account saw: see `editProofIdentity`.
 */
export function messageIdentity(m: IncomingMessage): number {
  if (!boxed(m)) return m.messageId;
  return -1 - hash53(`${m.sender?.id ?? 0}\u0000${Math.floor(m.date / 1000)}\u0000${m.text}`);
}

/**
 * For copies named by a hash (basic groups, private chats): a number every copy of the message
 * keeps through edits (sender and date only), shared by all of that sender's messages in the chat
 * in that second; null where the message id is already shared. An edited copy cannot tell which
 * of those messages it was, so it is a duplicate when any of them was forwarded.
 */
export function editProofIdentity(m: IncomingMessage): number | null {
  if (!boxed(m)) return null;
  return -1 - hash53(`edit-proof\u0000${m.sender?.id ?? 0}\u0000${Math.floor(m.date / 1000)}`);
}

function boxed(m: IncomingMessage): boolean {
  return m.chat.kind === 'group' || m.chat.kind === 'private';
}

/** cyrb53: a fast 53-bit string hash, well spread, exact in a JavaScript number. */
function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
