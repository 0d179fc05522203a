import { Chat, type Message, type Peer, type TelegramClient, type User } from '@mtcute/node';
import type { Clock } from '../core/clock.ts';
import type { Failure } from '../core/failures.ts';
import type {
  AccountSession,
  ActionOutcome,
  CatchUpEvent,
  ChatChange,
  ChatInfo,
  ChatKind,
  IncomingMessage,
  JoinTarget,
  LeaveTarget,
  MessageTarget,
  PollInfo,
  ProfileChanges,
  SelfInfo,
  SenderInfo,
  SpamStatus,
  CloudPasswordChange,
  CloudPasswordState,
  DeviceSession,
  ServiceNotice,
} from '../core/session.ts';
import type { Logger } from '../log.ts';
import * as care from './account-care.ts';
import { block } from './actions/block.ts';
import { comment } from './actions/comment.ts';
import { findSent } from './actions/find-sent.ts';
import { join } from './actions/join.ts';
import { leave } from './actions/leave.ts';
import { poll } from './actions/poll.ts';
import { updateProfile } from './actions/profile.ts';
import { react } from './actions/react.ts';
import { sendMessage } from './actions/send-message.ts';
import { vote } from './actions/vote.ts';
import type { BuiltClient, MembershipChange } from './client.ts';
import { classify, toFailure } from './errors.ts';
import { parseSpamBotReply } from './spambot.ts';

export function chatKind(chat: Chat): ChatKind {
  switch (chat.chatType) {
    case 'group':
      return 'group';
    case 'supergroup':
    case 'gigagroup':
      return chat.isForum ? 'forum' : 'supergroup';
    case 'channel':
    case 'monoforum':
      return 'channel';
  }
}

export function chatInfo(peer: Peer): ChatInfo {
  if (peer.type === 'user') return { id: peer.id, kind: 'private', title: peer.displayName, username: peer.username?.toLowerCase() ?? null };
  return { id: peer.id, kind: chatKind(peer), title: peer.title, username: peer.username?.toLowerCase() ?? null };
}

export function selfInfo(u: User): SelfInfo {
  return { userId: u.id, username: u.username?.toLowerCase() ?? null, firstName: u.firstName, phone: u.phoneNumber ? '+' + u.phoneNumber.replace(/^\+/, '') : null };
}

function senderInfo(msg: Message): SenderInfo | null {
  const s = msg.sender;
  // A post signed by the chat itself (channel post, anonymous admin) has no person behind it.
  if (s.type === 'chat' && s.id === msg.chat.id) return null;
  if (s.type === 'user') return { id: s.id, name: s.displayName, username: s.username?.toLowerCase() ?? null, isBot: s.isBot };
  return { id: s.id, name: s.title, username: s.username?.toLowerCase() ?? null, isBot: false };
}

export function incomingMessage(msg: Message): IncomingMessage {
  return { chat: chatInfo(msg.chat), messageId: msg.id, sender: senderInfo(msg), text: msg.text, date: msg.date.getTime(), edited: msg.editDate !== null };
}

export interface SessionOptions {
  accountId: number;
  built: BuiltClient;
  clock: Clock;
  log: Logger;
  /** Every failure this session throws, after classification (the fleet records fatal ones). */
  onFailure?: (failure: Failure) => void;
  /** Called after close(), so the owner can release the account. */
  onClose?: () => void;
  /** How long to wait for @SpamBot's answer. */
  spamBotTimeoutMs?: number;
}

const SPAMBOT = 'spambot';

/** One account's live connection as the engine sees it. */
export class MtcuteAccountSession implements AccountSession {
  readonly accountId: number;
  private readonly client: TelegramClient;
  private updatesStarted: Promise<void> | undefined;
  private closed = false;
  private catchingUp = false;
  private readonly catchUpListeners = new Set<(event: CatchUpEvent) => void>();

  constructor(private readonly opts: SessionOptions) {
    this.accountId = opts.accountId;
    // The engine owns waiting: a FLOOD_WAIT comes back at once as a failure.
    this.client = opts.built.client.withParams({ floodSleepThreshold: 0 });
    // mtcute reports a catch-up as the connection state going 'updating', then 'connected'.
    opts.built.client.onConnectionState.add((state) => {
      if (state === 'updating') this.catchingUp = true;
      else if (state === 'connected' && this.catchingUp) {
        this.catchingUp = false;
        this.emitCatchUp({ kind: 'caught_up', at: this.opts.clock.now() });
      }
    });
    opts.built.onUpdateGap.add((gap) => {
      const chatId = gap.channelId === null ? null : -1_000_000_000_000 - gap.channelId;
      this.opts.log.warn({ accountId: this.accountId, chatId }, 'updates: Telegram would not return a gap this long; messages in it were skipped');
      this.emitCatchUp({ kind: 'gap_too_long', chatId, at: this.opts.clock.now() });
    });
  }

  private emitCatchUp(event: CatchUpEvent): void {
    for (const listener of this.catchUpListeners) listener(event);
  }

  onCatchUp(listener: (event: CatchUpEvent) => void): () => void {
    this.catchUpListeners.add(listener);
    return () => this.catchUpListeners.delete(listener);
  }

  onChatsChanged(listener: (change: ChatChange) => void): () => void {
    const watch = (change: MembershipChange): void => {
      if ('left' in change) {
        listener({ left: change.left });
        return;
      }
      try {
        listener({ joined: chatInfo(new Chat(change.joined)) });
      } catch (e) {
        this.opts.log.debug({ accountId: this.accountId, err: e }, 'could not read a joined chat');
      }
    };
    this.opts.built.onMembership.add(watch);
    return () => this.opts.built.onMembership.delete(watch);
  }

  /** The mtcute client (for src/telegram only: actions and tests). */
  get raw(): TelegramClient {
    return this.client;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async run<T>(fn: (c: TelegramClient) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client);
    } catch (e) {
      const failure = toFailure(e, { viaProxy: this.opts.built.viaProxy });
      this.opts.onFailure?.(failure.failure);
      throw failure;
    }
  }

  me(): Promise<SelfInfo> {
    return this.run(async (c) => selfInfo(await c.getMe()));
  }

  react(target: MessageTarget, emoji: string): Promise<ActionOutcome> {
    return this.run((c) => react(c, target, emoji));
  }

  poll(target: MessageTarget): Promise<PollInfo> {
    return this.run((c) => poll(c, target));
  }

  vote(target: MessageTarget, options: number[]): Promise<ActionOutcome> {
    return this.run((c) => vote(c, target, options));
  }

  join(target: JoinTarget): Promise<ActionOutcome> {
    return this.run((c) => join(c, target));
  }

  leave(target: LeaveTarget): Promise<ActionOutcome> {
    return this.run((c) => leave(c, target));
  }

  block(username: string): Promise<ActionOutcome> {
    return this.run((c) => block(c, username));
  }

  sendMessage(username: string, text: string, randomId: bigint): Promise<{ messageId: number }> {
    return this.run((c) => sendMessage(c, username, text, randomId));
  }

  comment(target: MessageTarget, text: string): Promise<{ messageId: number }> {
    return this.run((c) => comment(c, target, text));
  }

  findSent(username: string, text: string, sinceMs: number): Promise<boolean> {
    return this.run((c) => findSent(c, username, text, sinceMs));
  }

  dialogs(): Promise<ChatInfo[]> {
    return this.run(async (c) => {
      const out = new Map<number, ChatInfo>();
      for await (const d of c.iterDialogs({ archived: 'keep' })) {
        if (d.peer.type === 'chat') out.set(d.peer.id, chatInfo(d.peer));
      }
      return [...out.values()];
    });
  }

  listen(): Promise<void> {
    return this.startUpdates();
  }

  private startUpdates(): Promise<void> {
    this.updatesStarted ??= this.client.startUpdatesLoop().catch((e: unknown) => {
      this.updatesStarted = undefined;
      const f = toFailure(e, { viaProxy: this.opts.built.viaProxy });
      this.opts.onFailure?.(f.failure);
      this.opts.log.warn({ accountId: this.accountId, code: f.failure.code }, 'updates could not start: %s', f.failure.message);
    });
    return this.updatesStarted;
  }

  onMessage(handler: (message: IncomingMessage) => void): () => void {
    const listener = (msg: Message): void => {
      if (msg.isService) return;
      let mapped: IncomingMessage;
      try {
        mapped = incomingMessage(msg);
      } catch (e) {
        this.opts.log.debug({ accountId: this.accountId, err: e }, 'skipped an update that could not be read');
        return;
      }
      handler(mapped);
    };
    this.opts.built.client.onNewMessage.add(listener);
    void this.startUpdates();
    return () => this.opts.built.client.onNewMessage.remove(listener);
  }

  /**
   * Catches up on missed updates (getDifference through mtcute's own updates manager, so its
   * state stays right) and resolves once it reports being in sync, or after `timeoutMs`.
   */
  async resync(timeoutMs = 30_000): Promise<void> {
    await this.startUpdates();
    const client = this.opts.built.client;
    const manager = (client._client as { updates?: { catchUp(): void } }).updates;
    if (!manager) return;
    const ctl = new AbortController();
    const synced = new Promise<void>((resolve) => {
      const onState = (state: string): void => {
        if (state !== 'connected') return;
        client.onConnectionState.remove(onState);
        resolve();
      };
      client.onConnectionState.add(onState);
      ctl.signal.addEventListener('abort', () => {
        client.onConnectionState.remove(onState);
        resolve();
      });
    });
    manager.catchUp();
    await Promise.race([synced, this.opts.clock.sleep(timeoutMs, ctl.signal).catch(() => undefined)]);
    ctl.abort();
  }

  /**
   * Sends /start to @SpamBot and reads the first answer that follows it. Deletes nothing: the
   * operator's chat with the bot stays as it was, plus this exchange.
   */
  updateProfile(changes: ProfileChanges): Promise<{ changed: boolean }> {
    return this.run((c) => updateProfile(c, changes));
  }

  spamStatus(): Promise<SpamStatus> {
    return this.run(async (c) => {
      let bot: User;
      try {
        bot = await c.getUser(SPAMBOT);
      } catch (e) {
        if (classify(e).kind === 'not_found') return { state: 'unknown', reply: '@SpamBot could not be found' };
        throw e;
      }
      let reply: Message | undefined;
      let sentId = Infinity;
      const listener = (msg: Message): void => {
        if (msg.chat.id === bot.id && !msg.isOutgoing && msg.id > sentId) reply ??= msg;
      };
      this.opts.built.client.onNewMessage.add(listener);
      try {
        await this.startUpdates();
        const sent = await c.sendText(bot.id, '/start');
        sentId = sent.id;
        const deadline = this.opts.clock.now() + (this.opts.spamBotTimeoutMs ?? 20_000);
        let delay = 300;
        while (!reply && this.opts.clock.now() < deadline) {
          await this.opts.clock.sleep(delay);
          delay = Math.min(delay * 2, 3000);
          if (reply) break;
          // Updates can be late or off; the history is the authority.
          const history = await c.getHistory(bot.id, { limit: 5 });
          reply = history.filter((m) => !m.isOutgoing && m.id > sentId).sort((a, b) => a.id - b.id)[0];
        }
      } finally {
        this.opts.built.client.onNewMessage.remove(listener);
      }
      if (!reply) return { state: 'unknown', reply: 'no answer from @SpamBot' };
      return parseSpamBotReply(reply.text);
    });
  }

  sessions(): Promise<DeviceSession[]> {
    return this.run((c) => care.sessions(c));
  }

  endSession(id: string): Promise<void> {
    return this.run((c) => care.endSession(c, id));
  }

  endOtherSessions(): Promise<void> {
    return this.run((c) => care.endOtherSessions(c));
  }

  cloudPassword(): Promise<CloudPasswordState> {
    return this.run((c) => care.cloudPassword(c));
  }

  changeCloudPassword(change: CloudPasswordChange): Promise<{ emailCodeLength: number | null }> {
    return this.run((c) => care.changeCloudPassword(c, change));
  }

  confirmPasswordEmail(code: string): Promise<void> {
    return this.run((c) => care.confirmPasswordEmail(c, code));
  }

  serviceNotices(limit: number): Promise<ServiceNotice[]> {
    return this.run((c) => care.serviceNotices(c, limit));
  }

  onServiceNotice(listener: (notice: ServiceNotice) => void): () => void {
    const watch = (msg: Message): void => {
      if (msg.isOutgoing || msg.chat.id !== care.SERVICE_USER_ID) return;
      listener(care.serviceNotice(msg));
    };
    this.opts.built.client.onNewMessage.add(watch);
    void this.startUpdates();
    return () => this.opts.built.client.onNewMessage.remove(watch);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.opts.built.destroy();
    } catch (e) {
      this.opts.log.debug({ accountId: this.accountId, err: e }, 'error while closing a client');
    } finally {
      this.opts.onClose?.();
    }
  }
}
