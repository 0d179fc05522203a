import type { TelegramClient } from '@mtcute/node';
import type { ActionOutcome } from '../../core/session.ts';
import { refuse, resolveUsername } from './common.ts';

/** Blocks a person or bot for this account. */
export async function block(client: TelegramClient, username: string): Promise<ActionOutcome> {
  const peer = await resolveUsername(client, username);
  if (peer._ === 'inputPeerSelf') refuse('bad_request', 'NOT_A_USER', `@${username} is this account itself`);
  if (peer._ !== 'inputPeerUser') refuse('bad_request', 'NOT_A_USER', `@${username} is a group or channel, not a person`);
  const full = await client.call({ _: 'users.getFullUser', id: { _: 'inputUser', userId: peer.userId, accessHash: peer.accessHash } });
  if (full.fullUser.blocked === true) return 'already';
  await client.call({ _: 'contacts.block', id: peer });
  return 'done';
}
