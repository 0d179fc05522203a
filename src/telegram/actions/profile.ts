import type { TelegramClient } from '@mtcute/node';
import { tl } from '@mtcute/node';
import type { ProfileChanges } from '../../core/session.ts';
import { refuse } from './common.ts';

/**
 * Edits the account's own profile. The username is checked first, so an account whose wanted
 * name is taken fails before anything about it changes; then names and bio, the username and
 * the photo (uploaded in parts by mtcute).
 */
export async function updateProfile(client: TelegramClient, changes: ProfileChanges): Promise<{ changed: boolean }> {
  const self = await client.getMe();
  const username = changes.username;
  const wantsName = username !== undefined && self.username?.toLowerCase() !== username;
  if (wantsName) {
    const free = await client.call({ _: 'account.checkUsername', username });
    if (!free) refuse('not_allowed', 'USERNAME_OCCUPIED', `the username @${username} is taken`);
  }
  let changed = false;
  const names: { firstName?: string; lastName?: string; bio?: string } = {};
  if (changes.firstName !== undefined && changes.firstName !== self.firstName) names.firstName = changes.firstName;
  if (changes.lastName !== undefined && changes.lastName !== (self.lastName ?? '')) names.lastName = changes.lastName;
  if (changes.bio !== undefined) {
    const full = await client.call({ _: 'users.getFullUser', id: { _: 'inputUserSelf' } });
    if ((full.fullUser.about ?? '') !== changes.bio) names.bio = changes.bio;
  }
  if (Object.keys(names).length > 0) {
    await client.updateProfile(names);
    changed = true;
  }
  if (wantsName) {
    try {
      await client.setMyUsername(username);
      changed = true;
    } catch (e) {
      // Taken between the check and the change: the same refusal as the check's.
      if (tl.RpcError.is(e, 'USERNAME_OCCUPIED')) refuse('not_allowed', 'USERNAME_OCCUPIED', `the username @${username} is taken`);
      if (!tl.RpcError.is(e, 'USERNAME_NOT_MODIFIED')) throw e;
    }
  }
  if (changes.photo) {
    await client.setMyProfilePhoto({ type: 'photo', media: changes.photo.bytes });
    changed = true;
  }
  return { changed };
}
