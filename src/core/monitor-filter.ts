/**
 * Which incoming messages the monitor looks at. Pure: the engine passes the rules it loaded.
 */
import type { ChatInfo, ChatKind, IncomingMessage } from './session.ts';
import { normalizeUsername } from './usernames.ts';

export interface MonitorOptions {
  /** Watch channels the accounts follow (off: only groups). */
  channels: boolean;
  /** Watch the accounts' private chats. */
  private: boolean;
}

export const DEFAULT_MONITOR_OPTIONS: MonitorOptions = { channels: false, private: false };

/** An ignored sender: by numeric id or by @username (lowercase, without @). */
export type IgnoredSender = { senderId: number } | { username: string };

/** The forward channel: its marked id (`-100…`) or its public username. */
export type ChannelRef = { id: number } | { username: string };

export interface FilterRules {
  /** Telegram user ids of every account in the fleet. */
  ownUserIds: ReadonlySet<number>;
  ignoredIds: ReadonlySet<number>;
  ignoredUsernames: ReadonlySet<string>;
  /** When not empty, only these chats (marked ids) are watched. */
  targets: ReadonlySet<number>;
  options: MonitorOptions;
  channel: ChannelRef | null;
}

export type SkipReason = 'own_account' | 'ignored_sender' | 'forward_channel' | 'not_target' | 'chat_kind';

const GROUP_KINDS: readonly ChatKind[] = ['group', 'supergroup', 'forum'];

/** Parses CHANNEL_ID (`-100…` or `@name`). */
export function parseChannelRef(value: string | undefined): ChannelRef | null {
  if (value === undefined || value.trim() === '') return null;
  const v = value.trim();
  if (/^-\d+$/.test(v)) return { id: Number(v) };
  return { username: normalizeUsername(v) };
}

export function isForwardChannel(chat: ChatInfo, channel: ChannelRef | null): boolean {
  if (channel === null) return false;
  if ('id' in channel) return chat.id === channel.id;
  return chat.username !== null && chat.username.toLowerCase() === channel.username;
}

/** Whether a chat is watched under the target list and options (ignoring senders). */
export function chatWatched(chat: ChatInfo, rules: Pick<FilterRules, 'targets' | 'options' | 'channel'>): SkipReason | null {
  if (isForwardChannel(chat, rules.channel)) return 'forward_channel';
  if (rules.targets.size > 0) return rules.targets.has(chat.id) ? null : 'not_target';
  if (GROUP_KINDS.includes(chat.kind)) return null;
  if (chat.kind === 'channel' && rules.options.channels) return null;
  if (chat.kind === 'private' && rules.options.private) return null;
  return 'chat_kind';
}

/** Why the monitor skips `message`, or null when it should be matched. */
export function skipReason(message: IncomingMessage, rules: FilterRules): SkipReason | null {
  const sender = message.sender;
  if (sender !== null) {
    if (rules.ownUserIds.has(sender.id)) return 'own_account';
    if (rules.ignoredIds.has(sender.id)) return 'ignored_sender';
    if (sender.username !== null && rules.ignoredUsernames.has(sender.username.toLowerCase())) return 'ignored_sender';
  }
  return chatWatched(message.chat, rules);
}
