/**
 * Which Telegram methods the simulator answers, and what each needs: `anon` methods run before
 * login; `write` methods are refused to frozen accounts.
 */
import type { tl } from '@mtcute/core';
import * as account from './account.ts';
import * as auth from './auth.ts';
import * as chats from './chats.ts';
import type { AnonContext, CallContext } from './context.ts';
import * as messages from './messages.ts';
import * as profile from './profile.ts';
import * as updates from './updates.ts';
import * as users from './users.ts';

type MethodName = tl.RpcMethod['_'];
type Req<K extends MethodName> = Extract<tl.RpcMethod, { _: K }>;

export type MethodSpec =
  | { anon: true; write: false; fn: (ctx: AnonContext, req: tl.RpcMethod) => unknown }
  | { anon: false; write: boolean; fn: (ctx: CallContext, req: tl.RpcMethod) => unknown };

const table = new Map<string, MethodSpec>();

function anon<K extends MethodName>(name: K, fn: (ctx: AnonContext, req: Req<K>) => unknown): void {
  table.set(name, { anon: true, write: false, fn: fn as (ctx: AnonContext, req: tl.RpcMethod) => unknown });
}

function read<K extends MethodName>(name: K, fn: (ctx: CallContext, req: Req<K>) => unknown): void {
  table.set(name, { anon: false, write: false, fn: fn as (ctx: CallContext, req: tl.RpcMethod) => unknown });
}

function write<K extends MethodName>(name: K, fn: (ctx: CallContext, req: Req<K>) => unknown): void {
  table.set(name, { anon: false, write: true, fn: fn as (ctx: CallContext, req: tl.RpcMethod) => unknown });
}

anon('auth.sendCode', auth.sendCode);
anon('auth.signIn', auth.signIn);
anon('account.getPassword', auth.getPassword);
anon('auth.checkPassword', auth.checkPassword);
anon('auth.logOut', auth.logOut);
anon('auth.resendCode', auth.resendCode);
anon('auth.cancelCode', auth.cancelCode);
anon('help.getConfig', users.getConfig);
anon('help.getNearestDc', users.getNearestDc);

read('users.getUsers', users.getUsers);
read('users.getFullUser', users.getFullUser);
read('contacts.resolveUsername', users.resolveUsername);
read('contacts.getContacts', users.getContacts);
write('contacts.block', users.block);
write('contacts.unblock', users.unblock);

write('channels.joinChannel', chats.joinChannel);
write('messages.importChatInvite', chats.importChatInvite);
read('messages.checkChatInvite', chats.checkChatInvite);
write('channels.leaveChannel', chats.leaveChannel);
write('messages.deleteChatUser', chats.deleteChatUser);
read('channels.getChannels', chats.getChannels);
read('messages.getChats', chats.getChats);
read('channels.getFullChannel', chats.getFullChannel);
read('messages.getFullChat', chats.getFullChat);
read('channels.getParticipant', chats.getParticipant);

write('messages.sendMessage', messages.sendMessage);
write('messages.sendReaction', messages.sendReaction);
write('messages.sendVote', messages.sendVote);
read('messages.getHistory', messages.getHistory);
read('messages.getReplies', messages.getReplies);
read('messages.getMessages', messages.getMessages);
read('channels.getMessages', messages.getChannelMessages);
read('messages.getDiscussionMessage', messages.getDiscussionMessage);
read('messages.readHistory', messages.readHistory);
read('channels.readHistory', () => true);
read('messages.getAvailableReactions', messages.getAvailableReactions);
read('messages.getForumTopics', messages.getForumTopics);
read('channels.getForumTopics', messages.getForumTopics);
read('messages.getForumTopicsByID', messages.getForumTopicsById);
read('channels.getForumTopicsByID', messages.getForumTopicsById);

read('updates.getState', updates.getState);
read('updates.getDifference', updates.getDifference);
read('updates.getChannelDifference', updates.getChannelDifference);
read('messages.getDialogs', updates.getDialogs);
read('messages.getPinnedDialogs', updates.getPinnedDialogs);
read('messages.getPeerDialogs', updates.getPeerDialogs);
read('account.updateStatus', () => true);

read('account.getAuthorizations', account.getAuthorizations);
write('account.resetAuthorization', account.resetAuthorization);
write('auth.resetAuthorizations', account.resetAuthorizations);
write('account.updatePasswordSettings', account.updatePasswordSettings);
write('account.confirmPasswordEmail', account.confirmPasswordEmail);
read('account.resendPasswordEmail', account.resendPasswordEmail);
read('account.cancelPasswordEmail', account.cancelPasswordEmail);

write('account.updateProfile', profile.updateProfile);
read('account.checkUsername', profile.checkUsername);
write('account.updateUsername', profile.updateUsername);
write('upload.saveFilePart', profile.saveFilePart);
write('upload.saveBigFilePart', profile.saveBigFilePart);
write('photos.uploadProfilePhoto', profile.uploadProfilePhoto);

export function methodSpec(name: string): MethodSpec | undefined {
  return table.get(name);
}

export function simulatedMethods(): string[] {
  return [...table.keys()].sort();
}
