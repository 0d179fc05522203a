/**
 * The keyword monitor's pipeline: every attached account's new messages -> filter (own accounts,
 * ignored senders, the forward channel, non-target chats) -> match -> de-duplicate by
 * (chat, message) across accounts -> a durable outbox row (one transaction), which the
 * `OutboxSender` drains. A watchdog resyncs an account whose updates stop.
 *
 * Live edits never arrive here: `AccountSession.onMessage` delivers new messages only. A catch-up
 * does hand over a message edited while the account was away, as it is now (`edited`); in basic
 * groups its text-based identity then differs from the original's, so the store also checks the
 * identity an edit leaves alone (core/message-identity.ts).
 */
import type { Clock } from '../core/clock.ts';
import { formatForward } from '../core/forward-format.ts';
import type { KeywordMatcher, KeywordRule } from '../core/keywords.ts';
import { editProofIdentity, messageIdentity } from '../core/message-identity.ts';
import { skipReason, type ChannelRef, type FilterRules, type SkipReason } from '../core/monitor-filter.ts';
import type { AccountSession, CatchUpEvent, IncomingMessage } from '../core/session.ts';
import type { Logger } from '../log.ts';
import type { AccountWatchRow, MonitorStore, WatchState } from '../store/monitor.ts';
import { keywordMatcher } from './keyword-regex.ts';
import { sleepUnless } from './sleep.ts';

export type HandleResult = 'queued' | 'duplicate' | 'no_match' | 'too_old' | SkipReason;

export interface WatchdogOptions {
  /** An account with no update (and no successful resync) for this long is resynced. */
  staleAfterMs: number;
  /** How often the watchdog looks. */
  checkEveryMs: number;
}

export interface MonitorDeps {
  store: MonitorStore;
  clock: Clock;
  log: Logger;
  /** The forward channel (CHANNEL_ID); its own posts are never forwarded. */
  channel: ChannelRef | null;
  /** User ids of every account in the fleet (attached or not): their messages are never hits. */
  ownUserIds?: () => Iterable<number>;
  /** Called after a hit is queued (wire it to `OutboxSender.wake`). */
  onQueued?: () => void;
  watchdog?: Partial<WatchdogOptions>;
  /** Messages older than this (e.g. delivered by a catch-up after a long outage) are skipped. */
  maxMessageAgeMs?: number;
  /**
   * How often the rules version is read from the database, for changes made by another process
   * (the CLI while `start` runs). Changes made through this process's service reload at once.
   */
  rulesCheckMs?: number;
}

export interface AttachInfo {
  /** The account's Telegram user id; looked up with `me()` when not given. */
  userId?: number;
  /** How forwards name the account (default `#<id>`). */
  label?: string;
}

export interface AccountWatch {
  accountId: number;
  label: string;
  state: WatchState;
  lastActivityAt: number | null;
  lastResyncAt: number | null;
  resyncs: number;
  lastError: string | null;
  /** Chats this account delivered messages from since it was attached. */
  chatsSeen: number;
  /** When the account last finished catching up on missed updates (after a start or a resync). */
  lastCatchUpAt: number | null;
  /** The last gap Telegram would not fill (null chat: private chats and basic groups). */
  gap: { at: number; chats: Array<number | null> } | null;
}

export interface MonitorStats {
  messages: number;
  hits: number;
  queued: number;
  duplicates: number;
  skipped: Partial<Record<SkipReason | 'too_old', number>>;
  lastHitAt: number | null;
}

interface Attached extends AccountWatch {
  session: AccountSession;
  unsubscribe: () => void;
  chats: Set<number>;
  resyncing: boolean;
  savedAt: number;
  unsubscribeCatchUp: () => void;
}

const DEFAULT_WATCHDOG: WatchdogOptions = { staleAfterMs: 10 * 60_000, checkEveryMs: 60_000 };
const DEFAULT_MAX_AGE_MS = 3 * 86_400_000;
/** De-duplication keys outlive the oldest message the monitor still takes. */
const SEEN_EXTRA_MS = 86_400_000;
const SENT_RETENTION_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 60 * 60_000;
/** Heartbeats reach the database at most this often per account (status is read by other processes). */
const SAVE_EVERY_MS = 60_000;
/** Gap reports this close together belong to one catch-up. */
const GAP_WINDOW_MS = 5 * 60_000;
/** (chat, message) keys already decided in this process: spares re-matching one message per account. */
const RECENT_LIMIT = 50_000;
const DEFAULT_RULES_CHECK_MS = 2000;

interface LoadedRules {
  version: number;
  /** The store's in-process change count when loaded. */
  local: number;
  matcher: KeywordMatcher;
  filter: FilterRules;
}

export class Monitor {
  private readonly accounts = new Map<number, Attached>();
  private readonly own = new Set<number>();
  private readonly recent = new Map<string, true>();
  private rules: LoadedRules | null = null;
  private readonly watchdog: WatchdogOptions;
  private readonly maxAgeMs: number;
  private readonly rulesCheckMs: number;
  private rulesCheckedAt = -Infinity;
  private loop: Promise<void> | null = null;
  private stopCtl = new AbortController();
  private lastPrune = -Infinity;
  private readonly st: MonitorStats = { messages: 0, hits: 0, queued: 0, duplicates: 0, skipped: {}, lastHitAt: null };

  constructor(private readonly deps: MonitorDeps) {
    this.watchdog = { ...DEFAULT_WATCHDOG, ...deps.watchdog };
    this.maxAgeMs = deps.maxMessageAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.rulesCheckMs = deps.rulesCheckMs ?? DEFAULT_RULES_CHECK_MS;
  }

  /** Starts watching one account's messages (again, when it reconnected with a new session). */
  attach(accountId: number, session: AccountSession, info: AttachInfo = {}): void {
    this.detach(accountId, false);
    const now = this.deps.clock.now();
    // What an earlier run learnt about catching up stays visible until this one learns more.
    const before = this.storedWatch(accountId);
    const a: Attached = {
      accountId,
      label: info.label ?? `#${accountId}`,
      state: 'live',
      lastActivityAt: now,
      lastResyncAt: null,
      resyncs: 0,
      lastError: null,
      chatsSeen: 0,
      lastCatchUpAt: before?.lastCatchUpAt ?? null,
      gap: before?.gap ?? null,
      session,
      unsubscribe: () => undefined,
      unsubscribeCatchUp: () => undefined,
      chats: new Set(),
      resyncing: false,
      savedAt: now,
    };
    this.accounts.set(accountId, a);
    // Before onMessage: subscribing to messages starts the updates loop, and with it the catch-up.
    a.unsubscribeCatchUp = session.onCatchUp?.((e) => this.onCatchUp(a, e)) ?? (() => undefined);
    a.unsubscribe = session.onMessage((m) => {
      try {
        this.handle(accountId, m);
      } catch (e) {
        // The update is lost to this account only; others in the chat still deliver it.
        this.deps.log.error({ err: e, accountId, chatId: m.chat.id, messageId: m.messageId }, 'monitor: message not processed');
      }
    });
    if (info.userId !== undefined) this.addOwn(info.userId);
    else {
      session.me().then(
        (me) => this.addOwn(me.userId),
        (e: unknown) => this.deps.log.warn({ err: e, accountId }, 'monitor: could not read the account user id'),
      );
    }
    this.save(a);
  }

  detach(accountId: number, record = true): void {
    const a = this.accounts.get(accountId);
    if (!a) return;
    a.unsubscribe();
    a.unsubscribeCatchUp();
    this.accounts.delete(accountId);
    if (record) {
      a.state = 'detached';
      this.save(a);
    }
  }

  private storedWatch(accountId: number): AccountWatchRow | undefined {
    try {
      return this.deps.store.watch(accountId);
    } catch (e) {
      this.deps.log.warn({ err: e, accountId }, 'monitor: could not read the stored watch state');
      return undefined;
    }
  }

  private onCatchUp(a: Attached, e: CatchUpEvent): void {
    if (this.accounts.get(a.accountId) !== a) return;
    if (e.kind === 'caught_up') {
      a.lastCatchUpAt = e.at;
      this.deps.log.info({ accountId: a.accountId }, 'monitor: account caught up on missed updates');
    } else {
      const chats = a.gap && e.at - a.gap.at < GAP_WINDOW_MS ? a.gap.chats : [];
      if (!chats.includes(e.chatId)) chats.push(e.chatId);
      a.gap = { at: e.at, chats };
      this.deps.log.warn({ accountId: a.accountId, chatId: e.chatId }, 'monitor: a gap in the updates was too long to recover; hits in it may be lost');
    }
    this.save(a);
  }

  attached(): number[] {
    return [...this.accounts.keys()];
  }

  private addOwn(userId: number): void {
    this.own.add(userId);
    if (this.rules) (this.rules.filter.ownUserIds as Set<number>).add(userId);
  }

  /** Forces the rules to be read again (they are also re-read whenever their version changes). */
  reload(): void {
    this.rules = null;
  }

  /** The rules in memory; the stored version is read at most every `rulesCheckMs`, not per update. */
  private loadRules(now: number): LoadedRules {
    const store = this.deps.store;
    const local = store.localChanges;
    if (this.rules && this.rules.local === local && now - this.rulesCheckedAt < this.rulesCheckMs) return this.rules;
    const version = store.rulesVersion();
    this.rulesCheckedAt = now;
    if (this.rules && this.rules.version === version) {
      this.rules.local = local;
      return this.rules;
    }
    const keywords: KeywordRule[] = store.keywords().map((k) => ({ id: k.id, pattern: k.pattern, mode: k.mode }));
    const ignored = store.ignored();
    const ownUserIds = new Set(this.own);
    for (const id of this.deps.ownUserIds?.() ?? []) ownUserIds.add(id);
    const matcher = keywordMatcher(keywords);
    for (const b of matcher.broken) this.deps.log.error({ keywordId: b.id }, 'monitor: a stored keyword rule cannot be compiled; it is skipped');
    this.rules = {
      version,
      local,
      matcher,
      filter: {
        ownUserIds,
        ignoredIds: new Set(ignored.flatMap((i) => (i.senderId === null ? [] : [i.senderId]))),
        ignoredUsernames: new Set(ignored.flatMap((i) => (i.username === null ? [] : [i.username]))),
        targets: new Set(store.targets().map((t) => t.chatId)),
        options: store.options(),
        channel: this.deps.channel,
      },
    };
    return this.rules;
  }

  /** Processes one message as `accountId` saw it. Synchronous: the outbox row exists when it returns. */
  handle(accountId: number, message: IncomingMessage): HandleResult {
    const now = this.deps.clock.now();
    this.st.messages++;
    const a = this.accounts.get(accountId);
    if (a) this.touch(a, now, message.chat.id);
    const result = this.decide(accountId, message, now);
    if (result !== 'queued' && result !== 'duplicate' && result !== 'no_match') {
      this.st.skipped[result] = (this.st.skipped[result] ?? 0) + 1;
    }
    return result;
  }

  private decide(accountId: number, message: IncomingMessage, now: number): HandleResult {
    const rules = this.loadRules(now);
    const identity = messageIdentity(message);
    const key = `${message.chat.id}:${identity}`;
    if (this.recent.has(key)) {
      this.st.duplicates++;
      return 'duplicate';
    }
    if (message.date > 0 && now - message.date > this.maxAgeMs) return 'too_old';
    const skip = skipReason(message, rules.filter);
    if (skip !== null) return skip;
    const match = rules.matcher.match(message.text);
    if (match.rules.length === 0) {
      this.remember(key);
      return 'no_match';
    }
    this.st.hits++;
    const keywords = match.rules.map((r) => r.pattern);
    const label = this.accounts.get(accountId)?.label ?? `#${accountId}`;
    const payload = formatForward({ accountLabel: label, message, keywords });
    const outcome = this.deps.store.recordHit({
      chatId: message.chat.id,
      messageId: identity,
      accountId,
      chatTitle: message.chat.title,
      keywords,
      payload,
      at: now,
      editProofId: editProofIdentity(message),
      edited: message.edited === true,
    });
    this.remember(key);
    if (outcome === 'duplicate') {
      this.st.duplicates++;
      return 'duplicate';
    }
    this.st.queued++;
    this.st.lastHitAt = now;
    this.deps.onQueued?.();
    return 'queued';
  }

  private remember(key: string): void {
    this.recent.set(key, true);
    if (this.recent.size > RECENT_LIMIT) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }

  private touch(a: Attached, now: number, chatId: number): void {
    a.lastActivityAt = now;
    if (!a.chats.has(chatId)) {
      a.chats.add(chatId);
      a.chatsSeen = a.chats.size;
    }
    if (a.state !== 'live' && !a.resyncing) {
      a.state = 'live';
      a.lastError = null;
      this.save(a);
    } else if (now - a.savedAt >= SAVE_EVERY_MS) this.save(a);
  }

  private save(a: Attached): void {
    const now = this.deps.clock.now();
    a.savedAt = now;
    try {
      this.deps.store.saveWatch({
        accountId: a.accountId,
        state: a.state,
        lastActivityAt: a.lastActivityAt,
        lastResyncAt: a.lastResyncAt,
        resyncs: a.resyncs,
        lastError: a.lastError,
        updatedAt: now,
        lastCatchUpAt: a.lastCatchUpAt,
        gap: a.gap,
      });
    } catch (e) {
      this.deps.log.warn({ err: e, accountId: a.accountId }, 'monitor: could not save the watchdog state');
    }
  }

  stats(): MonitorStats {
    return { ...this.st, skipped: { ...this.st.skipped } };
  }

  watches(): AccountWatch[] {
    return [...this.accounts.values()].map((a) => ({
      accountId: a.accountId,
      label: a.label,
      state: a.state,
      lastActivityAt: a.lastActivityAt,
      lastResyncAt: a.lastResyncAt,
      resyncs: a.resyncs,
      lastError: a.lastError,
      chatsSeen: a.chatsSeen,
      lastCatchUpAt: a.lastCatchUpAt,
      gap: a.gap,
    }));
  }

  // --- watchdog ---

  /** Starts the watchdog (and periodic pruning of old de-duplication keys). */
  start(): void {
    if (this.loop) return;
    this.stopCtl = new AbortController();
    this.loop = this.watchLoop();
  }

  async stop(): Promise<void> {
    this.stopCtl.abort(new Error('monitor stopped'));
    const loop = this.loop;
    this.loop = null;
    await loop;
  }

  /** Detaches every account and stops the watchdog. */
  async close(): Promise<void> {
    await this.stop();
    for (const id of [...this.accounts.keys()]) this.detach(id);
  }

  private async watchLoop(): Promise<void> {
    const signal = this.stopCtl.signal;
    while (!signal.aborted) {
      await sleepUnless(this.deps.clock, this.watchdog.checkEveryMs, [signal]);
      if (signal.aborted) return;
      await this.checkAccounts();
      this.prune();
    }
  }

  /** One watchdog pass: resyncs every account whose updates stopped. Exposed for tests. */
  async checkAccounts(): Promise<void> {
    const now = this.deps.clock.now();
    const due = [...this.accounts.values()].filter(
      (a) => !a.resyncing && now - Math.max(a.lastActivityAt ?? -Infinity, a.lastResyncAt ?? -Infinity) >= this.watchdog.staleAfterMs,
    );
    await Promise.all(due.map((a) => this.resync(a)));
  }

  private async resync(a: Attached): Promise<void> {
    const now = this.deps.clock.now();
    if (!a.session.resync) {
      if (a.state !== 'stale') {
        a.state = 'stale';
        a.lastError = `no update for ${Math.round((now - (a.lastActivityAt ?? now)) / 60_000)} min and the session cannot resync`;
        this.save(a);
        this.deps.log.warn({ accountId: a.accountId }, 'monitor: account updates stopped');
      }
      return;
    }
    a.resyncing = true;
    a.state = 'resyncing';
    a.lastResyncAt = now;
    this.save(a);
    try {
      await a.session.resync();
      a.resyncs++;
      a.state = 'live';
      a.lastError = null;
      a.lastResyncAt = this.deps.clock.now();
      this.deps.log.info({ accountId: a.accountId }, 'monitor: account resynced after its updates stopped');
    } catch (e) {
      a.state = 'stale';
      a.lastError = e instanceof Error ? e.message : String(e);
      this.deps.log.warn({ err: e, accountId: a.accountId }, 'monitor: resync failed; trying again later');
    } finally {
      a.resyncing = false;
      if (this.accounts.get(a.accountId) === a) this.save(a);
    }
  }

  private prune(): void {
    const now = this.deps.clock.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    try {
      this.deps.store.prune(now - this.maxAgeMs - SEEN_EXTRA_MS, now - SENT_RETENTION_MS);
    } catch (e) {
      this.deps.log.warn({ err: e }, 'monitor: pruning failed');
    }
  }
}
