/**
 * The port the engine uses to act as one account. `src/telegram` implements it over mtcute;
 * tests and benchmarks may implement it directly. Every method throws `TelegramFailure`
 * (see failures.ts) when Telegram refuses, and resolves the target itself: access hashes
 * differ per account, so nothing resolved by one account is reused by another.
 */

/** A chat named in a link: a public username (lowercase) or a private channel id (no -100). */
export type ChatRef = { username: string } | { channelId: number };

export interface MessageTarget {
  chat: ChatRef;
  messageId: number;
  topicId?: number;
  /** A comment under the post, when the link pointed at one. */
  commentId?: number;
}

export type JoinTarget = { kind: 'public'; username: string } | { kind: 'invite'; hash: string };

/** A chat to leave: by public name, private channel id, or the invite link it was joined with. */
export type LeaveTarget = ChatRef | { inviteHash: string };

/** How a successful action ended. `already`: nothing to do; `requested`: a join request waits for admins. */
export type ActionOutcome = 'done' | 'already' | 'requested';

export interface SelfInfo {
  userId: number;
  username: string | null;
  firstName: string;
  phone: string | null;
}

export type ChatKind = 'private' | 'group' | 'supergroup' | 'forum' | 'channel';

export interface ChatInfo {
  /** Bot-API style marked id: users positive, basic groups negative, channels -100…. */
  id: number;
  kind: ChatKind;
  title: string;
  username: string | null;
}

export interface SenderInfo {
  id: number;
  name: string;
  username: string | null;
  isBot: boolean;
}

export interface IncomingMessage {
  chat: ChatInfo;
  messageId: number;
  /** Null for anonymous channel posts. */
  sender: SenderInfo | null;
  text: string;
  /** Epoch ms. */
  date: number;
  /** The copy was edited before it was delivered (a catch-up hands messages as they are now). */
  edited?: boolean;
}

export interface PollInfo {
  question: string;
  options: string[];
  multiple: boolean;
  closed: boolean;
}

export type SpamStatus = { state: 'clean' } | { state: 'limited'; until: number | null } | { state: 'unknown'; reply: string };

/** The account joined a chat, or left (or was removed from) the chat with this marked id. */
export type ChatChange = { joined: ChatInfo } | { left: number };

/**
 * How catching up on missed updates went: finished (everything Telegram still had was delivered),
 * or a gap Telegram would not fill (`chatId` null: the account's private chats and basic groups).
 */
export type CatchUpEvent = { kind: 'caught_up'; at: number } | { kind: 'gap_too_long'; chatId: number | null; at: number };

/** One device or app logged into the account (Settings > Devices). */
export interface DeviceSession {
  /** Telegram's id of the authorization (decimal); `0` for the session asking. */
  id: string;
  /** The session asking: the panel's own. */
  current: boolean;
  device: string;
  platform: string;
  system: string;
  app: string;
  appVersion: string;
  /** An official Telegram app. */
  official: boolean;
  ip: string;
  country: string;
  region: string;
  /** Epoch ms. */
  createdAt: number;
  activeAt: number;
}

/** The account's cloud (two-step) password as Telegram describes it; never the password. */
export interface CloudPasswordState {
  enabled: boolean;
  hint: string | null;
  hasRecoveryEmail: boolean;
  /** A recovery address waiting for its emailed code (`a***@example.com`). */
  emailPending: string | null;
}

/**
 * A change of the cloud password: `current` when one is set, `next` null to remove it. With an
 * `email`, Telegram keeps the new password until the code it emails is confirmed.
 */
export interface CloudPasswordChange {
  current: string | null;
  next: string | null;
  hint?: string;
  email?: string;
}

/** A message from Telegram's service account (777000) to this account. */
export interface ServiceNotice {
  messageId: number;
  /** Epoch ms. */
  date: number;
  text: string;
}

/** One account's profile changes, placeholders filled in (core/profile.ts). */
export interface ProfileChanges {
  firstName?: string;
  lastName?: string;
  bio?: string;
  username?: string;
  photo?: { bytes: Uint8Array; mime: string };
}

export interface AccountSession {
  readonly accountId: number;
  /** getMe: the health check; throws `revoked`/`banned`/`frozen` failures when the account is gone. */
  me(): Promise<SelfInfo>;
  react(target: MessageTarget, emoji: string): Promise<ActionOutcome>;
  /** The poll under a message, for showing options; `bad_request` when the message has none. */
  poll(target: MessageTarget): Promise<PollInfo>;
  /** 1-based option numbers. */
  vote(target: MessageTarget, options: number[]): Promise<ActionOutcome>;
  join(target: JoinTarget): Promise<ActionOutcome>;
  leave(target: LeaveTarget): Promise<ActionOutcome>;
  block(username: string): Promise<ActionOutcome>;
  /** Plain text (no markdown parsing). `randomId` makes a resend after a crash idempotent. */
  sendMessage(username: string, text: string, randomId: bigint): Promise<{ messageId: number }>;
  /** Posts in the post's discussion thread. */
  comment(target: MessageTarget, text: string): Promise<{ messageId: number }>;
  /** Whether this account's recent outgoing history with `username` holds a message with `text` sent at or after `sinceMs`. */
  findSent(username: string, text: string, sinceMs: number): Promise<boolean>;
  /** Every group, supergroup and channel the account is in (all pages). */
  dialogs(): Promise<ChatInfo[]>;
  /** New (not edited) messages in chats the account is in. Returns an unsubscribe function. */
  onMessage(handler: (message: IncomingMessage) => void): () => void;
  /** Resolves once updates flow, so every message posted afterwards reaches `onMessage` handlers. */
  listen?(): Promise<void>;
  /**
   * Optional. Catches up on missed updates (getDifference) and resolves once the account is in
   * sync; the monitor's watchdog calls it when an account's updates stop arriving.
   */
  resync?(): Promise<void>;
  /** Optional. Chats joined or left through this session, whoever asked. Returns an unsubscribe function. */
  onChatsChanged?(listener: (change: ChatChange) => void): () => void;
  /** Optional. Catch-up progress after a start or a resync. Returns an unsubscribe function. */
  onCatchUp?(listener: (event: CatchUpEvent) => void): () => void;
  spamStatus(): Promise<SpamStatus>;
  /**
   * Optional. Edits the account's own profile. A username is checked for availability before
   * anything changes (taken: a `not_allowed` failure with code USERNAME_OCCUPIED). `changed`:
   * whether anything differed from what the account had.
   */
  updateProfile?(changes: ProfileChanges): Promise<{ changed: boolean }>;
  /** Optional. Every authorization of the account, the panel's own marked `current`. */
  sessions?(): Promise<DeviceSession[]>;
  /** Optional. Ends one other authorization by its id. */
  endSession?(id: string): Promise<void>;
  /** Optional. Ends every authorization except this one. */
  endOtherSessions?(): Promise<void>;
  /** Optional. Whether a cloud password is set, its hint and recovery email state. */
  cloudPassword?(): Promise<CloudPasswordState>;
  /**
   * Optional. Sets, changes or removes the cloud password. Resolves with the length of the code
   * Telegram emailed when the new password waits for its recovery address (null otherwise).
   */
  changeCloudPassword?(change: CloudPasswordChange): Promise<{ emailCodeLength: number | null }>;
  /** Optional. Confirms the recovery email with the code Telegram sent to it. */
  confirmPasswordEmail?(code: string): Promise<void>;
  /** Optional. The latest messages from Telegram's service account (777000), newest first. */
  serviceNotices?(limit: number): Promise<ServiceNotice[]>;
  /** Optional. New messages from Telegram's service account, as they arrive. Returns an unsubscribe function. */
  onServiceNotice?(listener: (notice: ServiceNotice) => void): () => void;
  close(): Promise<void>;
}
