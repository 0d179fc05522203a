/**
 * The monitor as `start` runs it: follows the fleet (attach each account when it connects,
 * detach when it drops), runs the watchdog, and drains the outbox through the bot when a forward
 * channel and bot token are configured. Without them hits still queue durably and wait.
 */
import type { Wakeups } from '../store/wakeups.ts';
import { accountLabel as coreAccountLabel } from '../core/accounts.ts';
import type { Clock } from '../core/clock.ts';
import type { ChannelRef } from '../core/monitor-filter.ts';
import type { AccountSession } from '../core/session.ts';
import type { Logger } from '../log.ts';
import type { MonitorStore } from '../store/monitor.ts';
import type { ChatDirectory } from './monitor-service.ts';
import { Monitor, type WatchdogOptions } from './monitor.ts';
import { OutboxSender, type ForwardSender, type OutboxSenderOptions } from './outbox-sender.ts';

/** What the monitor needs from the fleet (engine/fleet.ts's `Fleet` fits). */
export interface MonitorFleet {
  onEvent(listener: (e: { type: string; accountId: number }) => void): () => void;
  liveIds(): number[];
  session(accountId: number): Promise<AccountSession>;
  accounts(): Array<{ id: number; userId: number; username: string | null; firstName: string }>;
}

export interface MonitorRuntimeOptions {
  store: MonitorStore;
  clock: Clock;
  log: Logger;
  channel: ChannelRef | null;
  fleet: MonitorFleet;
  /** The bot's forwarder; null when BOT_TOKEN or CHANNEL_ID is missing. */
  sender: ForwardSender | null;
  /** User ids of every stored account (default: the fleet's accounts). */
  ownUserIds?: () => Iterable<number>;
  outbox?: OutboxSenderOptions;
  watchdog?: Partial<WatchdogOptions>;
  /** Where each account's chats are kept: refreshed from Telegram when the account is attached. */
  directory?: ChatDirectory;
  /**
   * Tells the sender a hit was queued, wherever it runs: with several workers the elected one
   * sends hits the others queue (without it, only this process's sender is woken).
   */
  wakeups?: Wakeups;
}

type FleetAccount = ReturnType<MonitorFleet['accounts']>[number];

/** Dialog reads at start run a few at a time: each is several calls to Telegram. */
const REFRESH_CONCURRENCY = 4;

/** How forwards name an account: `#3 @name` or `#3 First`; the phone number never travels with a hit. */
export function accountLabel(a: { id: number; username: string | null; firstName: string }): string {
  return coreAccountLabel({ id: a.id, username: a.username, firstName: a.firstName });
}

export class MonitorRuntime {
  readonly monitor: Monitor;
  readonly outbox: OutboxSender | null;
  private unsubscribe: (() => void) | null = null;
  private readonly offWakeups: (() => void) | undefined;
  private refreshing = 0;
  private readonly refreshQueue: Array<() => void> = [];

  constructor(private readonly o: MonitorRuntimeOptions) {
    this.outbox = o.sender ? new OutboxSender(o.store, o.sender, o.clock, o.log, o.outbox) : null;
    const outbox = this.outbox;
    const wakeups = o.wakeups;
    this.monitor = new Monitor({
      store: o.store,
      clock: o.clock,
      log: o.log,
      channel: o.channel,
      ownUserIds: o.ownUserIds ?? (() => o.fleet.accounts().map((a) => a.userId)),
      onQueued: wakeups ? () => wakeups.notify('outbox') : outbox ? () => outbox.wake() : undefined,
      watchdog: o.watchdog,
    });
    if (outbox) this.offWakeups = wakeups?.on('outbox', () => outbox.wake());
  }

  /**
   * Attaches every live account, follows the fleet, starts the watchdog and the outbox (unless
   * `outbox: false`: with several workers only the elected one sends, starting `outbox` itself).
   * Resolves once the accounts live now listen, so nothing they receive afterwards is missed.
   */
  async start(opts: { outbox?: boolean } = {}): Promise<void> {
    if (this.unsubscribe) return;
    this.unsubscribe = this.o.fleet.onEvent((e) => {
      if (e.type === 'connected') void this.attach(e.accountId, this.o.fleet.accounts().find((x) => x.id === e.accountId));
      else if (e.type === 'disconnected') this.monitor.detach(e.accountId);
    });
    this.monitor.start();
    if (opts.outbox !== false) this.outbox?.start();
    if (!this.outbox) this.o.log.warn('monitor: BOT_TOKEN or CHANNEL_ID is not set; hits are queued and wait for them');
    // One listing for every account live now (not one per account).
    const byId = new Map(this.o.fleet.accounts().map((a) => [a.id, a]));
    await Promise.all(this.o.fleet.liveIds().map((id) => this.attach(id, byId.get(id))));
  }

  private async attach(accountId: number, account: FleetAccount | undefined): Promise<void> {
    try {
      const session = await this.o.fleet.session(accountId);
      this.monitor.attach(accountId, session, account ? { userId: account.userId, label: accountLabel(account) } : {});
      await session.listen?.();
      void this.refreshChats(accountId, session);
    } catch (e) {
      this.o.log.warn({ err: e, accountId }, 'monitor: could not attach the account');
    }
  }

  /** Reads the account's chats again at connect: joins and leaves made while the panel was down. */
  private async refreshChats(accountId: number, session: AccountSession): Promise<void> {
    const directory = this.o.directory;
    if (!directory) return;
    if (this.refreshing >= REFRESH_CONCURRENCY) await new Promise<void>((resolve) => this.refreshQueue.push(resolve));
    this.refreshing++;
    try {
      if (!this.unsubscribe) return;
      directory.save(accountId, await session.dialogs(), this.o.clock.now());
    } catch (e) {
      this.o.log.warn({ err: e, accountId }, "monitor: could not refresh the account's chats");
    } finally {
      this.refreshing--;
      this.refreshQueue.shift()?.();
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.offWakeups?.();
    // Side by side: a post that hangs must not keep the watchdog and the listeners running.
    const results = await Promise.allSettled([this.outbox?.stop(), this.monitor.close()]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
}
