/**
 * Drains the monitor's durable outbox into the forward channel through a `ForwardSender` (the
 * bot; `interfaces/bot/forwarder.ts`), oldest first, at a pace the Bot API accepts for one chat.
 * Nothing is dropped: a flood limit or network error pauses the queue and retries the same row; a
 * refusal that needs the operator (bot not in the channel) holds the row and retries it later.
 *
 * Delivery is at least once: a row is marked sent after Telegram confirms it, so a crash between
 * the two (or a response lost on the network) can post it again. A restart resumes the outbox.
 */
import type { Clock } from '../core/clock.ts';
import type { ForwardMessage } from '../core/forward-format.ts';
import type { Logger } from '../log.ts';
import type { MonitorStore } from '../store/monitor.ts';
import { sleepUnless } from './sleep.ts';

export interface ForwardItem {
  /** The outbox row id. */
  id: number;
  message: ForwardMessage;
}

export type ForwardOutcome =
  | { status: 'sent'; messageId: number | null }
  /** Try again: after `afterMs` when Telegram said so (429 retry_after), else after a backoff. */
  | { status: 'retry'; afterMs: number | null; reason: string }
  /** Telegram refused for a reason a retry soon will not fix (no rights in the channel, bad token). */
  | { status: 'refused'; reason: string };

/** The port the bot implements: post one forward to the channel. Should not throw (a throw is a retry). */
export interface ForwardSender {
  send(item: ForwardItem, signal?: AbortSignal): Promise<ForwardOutcome>;
}

export interface OutboxSenderOptions {
  /** Gap between two posts: the Bot API allows about 20 messages a minute in one channel. */
  minIntervalMs?: number;
  /** When a refused row is tried again. */
  heldRetryMs?: number;
  /** Backoff after errors without a retry_after: base doubling up to max. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How often an idle sender looks for rows written by someone else. */
  idlePollMs?: number;
}

export interface OutboxSenderState {
  running: boolean;
  sent: number;
  lastSentAt: number | null;
  /** The queue waits until then (flood limit or backoff); null when not paused. */
  pausedUntil: number | null;
  lastError: string | null;
}

const DEFAULTS: Required<OutboxSenderOptions> = {
  minIntervalMs: 3_000,
  heldRetryMs: 10 * 60_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  idlePollMs: 30_000,
};

export class OutboxSender {
  private readonly opts: Required<OutboxSenderOptions>;
  private loop: Promise<void> | null = null;
  private stopCtl = new AbortController();
  private wakeCtl = new AbortController();
  private lastSendAt: number | null = null;
  private failures = 0;
  private readonly st: OutboxSenderState = { running: false, sent: 0, lastSentAt: null, pausedUntil: null, lastError: null };

  constructor(
    private readonly store: MonitorStore,
    private readonly sender: ForwardSender,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: OutboxSenderOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  get state(): OutboxSenderState {
    return { ...this.st };
  }

  start(): void {
    if (this.loop) return;
    this.stopCtl = new AbortController();
    this.st.running = true;
    this.loop = this.run().finally(() => {
      this.st.running = false;
    });
  }

  /** Stops after the post in flight (if any) is settled; what is left stays in the outbox. */
  async stop(): Promise<void> {
    this.stopCtl.abort(new Error('outbox sender stopped'));
    this.wakeCtl.abort();
    const loop = this.loop;
    this.loop = null;
    await loop;
  }

  /** A new row was queued: look now instead of at the next poll. */
  wake(): void {
    this.wakeCtl.abort();
  }

  private get stopped(): boolean {
    return this.stopCtl.signal.aborted;
  }

  /** Sleeps until `at`, a wake or a stop, whichever is first. */
  private async waitUntil(at: number, wakeable: boolean): Promise<void> {
    const ms = at - this.clock.now();
    if (ms <= 0) return;
    await sleepUnless(this.clock, ms, wakeable ? [this.stopCtl.signal, this.wakeCtl.signal] : [this.stopCtl.signal]);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.step();
      } catch (e) {
        // A database error must not end the loop: log it and try again after a backoff.
        this.st.lastError = e instanceof Error ? e.message : String(e);
        this.log.error({ err: e }, 'monitor outbox: step failed');
        await this.waitUntil(this.clock.now() + this.backoff(), false);
      }
    }
  }

  private backoff(): number {
    const ms = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** Math.min(this.failures, 20));
    this.failures++;
    return ms;
  }

  private async step(): Promise<void> {
    if (this.st.pausedUntil !== null) {
      await this.waitUntil(this.st.pausedUntil, false);
      if (this.stopped) return;
      this.st.pausedUntil = null;
    }
    if (this.wakeCtl.signal.aborted) this.wakeCtl = new AbortController();
    const now = this.clock.now();
    const row = this.store.nextDue(now);
    if (!row) {
      const next = this.store.nextDueAt();
      await this.waitUntil(Math.min(next ?? Infinity, now + this.opts.idlePollMs), true);
      return;
    }
    if (this.lastSendAt !== null && now - this.lastSendAt < this.opts.minIntervalMs) {
      await this.waitUntil(this.lastSendAt + this.opts.minIntervalMs, false);
      return;
    }
    this.store.markAttempt(row.id);
    let outcome: ForwardOutcome;
    try {
      outcome = await this.sender.send({ id: row.id, message: row.payload }, this.stopCtl.signal);
    } catch (e) {
      outcome = { status: 'retry', afterMs: null, reason: e instanceof Error ? e.message : String(e) };
    }
    const at = this.clock.now();
    this.lastSendAt = at;
    switch (outcome.status) {
      case 'sent':
        this.store.markSent(row.id, at, outcome.messageId);
        this.failures = 0;
        this.st.sent++;
        this.st.lastSentAt = at;
        this.st.lastError = null;
        return;
      case 'retry': {
        // A flood limit or an outage concerns the whole channel, not this row: pause the queue.
        const delay = outcome.afterMs ?? this.backoff();
        this.st.pausedUntil = at + delay;
        this.st.lastError = outcome.reason;
        this.store.retryLater(row.id, at + delay, outcome.reason, false);
        this.log.warn({ outboxId: row.id, delayMs: delay, reason: outcome.reason }, 'monitor outbox: forward delayed');
        return;
      }
      case 'refused':
        this.st.lastError = outcome.reason;
        this.store.retryLater(row.id, at + this.opts.heldRetryMs, outcome.reason, true);
        this.log.error({ outboxId: row.id, reason: outcome.reason }, 'monitor outbox: Telegram refused the forward; it is held and retried later');
        return;
    }
  }
}
