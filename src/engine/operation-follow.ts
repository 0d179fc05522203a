import { parsePinText, pinMatches, type PinFilter } from '../core/worker-pin.ts';
import type { OperationResult } from '../store/operations.ts';
import type { OperationWorkStore } from '../store/operation-work.ts';
import type { Wakeups } from '../store/wakeups.ts';
import type { WorkerStore } from '../store/workers.ts';
import { sweepOrphans } from './operation-work.ts';
import type { OperationsEngine } from './operations.ts';
import { ownerIsGone } from './process-owner.ts';
import { sleepUnless } from './sleep.ts';
import { workerIsLive } from './workers.ts';

/** What lets an operations engine hand accounts held by other workers to them, and follow that work. */
export interface OperationWork {
  store: OperationWorkStore;
  /** The workers registry: a holder's rows are run only while it is a live worker. */
  workers: WorkerStore;
  wakeups: Wakeups;
  /**
   * How often a caller reads its rows and an executor looks for work besides wake-ups (ms); on
   * the SQLite file wake-ups stay in one process, so this is how another process's writes arrive.
   */
  pollMs: number;
}

/**
 * The owners that run stored work now: the live workers, by the one rule of engine/workers.ts.
 * Every `start` is a worker and runs a work executor for as long as it holds accounts, so a live
 * worker holding an account is one that will claim the account's rows.
 */
export function liveWorkers(work: OperationWork, now: number): Set<string> {
  return new Set(
    work.workers
      .all()
      .filter((w) => workerIsLive(w, now))
      .map((w) => w.owner),
  );
}

/** What a row's account must say for the caller to know which workers would take it. */
export type PinnedAccount = { id: number; tags?: readonly string[] | undefined };

export interface RemoteHandlers {
  /** The account's part ended: its stored result, or null when it ended with none (dropped, cancelled). */
  settled(accountId: number, result: OperationResult | null): void;
  /**
   * Nobody holds the account any more (its worker stopped or died before claiming the row, and no
   * other took it): the row was taken back, and the account is the caller's to use itself.
   */
  returned(accountId: number): void;
  /** A named account waits out a short flood wait on its worker. */
  waiting(accountId: number, until: number): void;
  /** The store failed while following; the run cannot be trusted any more. */
  failed(e: unknown): void;
}

/**
 * The parts of one operation that run on other workers: queues a row per account, wakes the
 * workers, and follows the rows through the database ('progress' wake-ups plus a poll, which
 * also hands rows of dead executors back to the queue) until each has ended.
 */
export class RemoteParts {
  private readonly pending = new Map<number, { account: PinnedAccount; waitingUntil: number | null }>();
  private readonly ctl = new AbortController();
  private unsubscribe: (() => void) | null = null;
  private polling = false;
  private closed = false;
  private photoStored = false;

  constructor(
    private readonly engine: OperationsEngine,
    private readonly work: OperationWork,
    private readonly operationId: number,
    private readonly handlers: RemoteHandlers,
    /** A profile edit's photo as read and checked here: stored before the first row, so no worker needs this host's file. */
    private readonly photo?: Uint8Array,
  ) {}

  dispatch(account: PinnedAccount): void {
    const accountId = account.id;
    if (this.photo && !this.photoStored) {
      this.work.store.savePhoto(this.operationId, this.photo);
      this.photoStored = true;
    }
    this.work.store.queue(this.operationId, accountId, this.engine.clock.now());
    this.pending.set(accountId, { account, waitingUntil: null });
    this.work.wakeups.notify('work', String(this.operationId));
    this.follow();
  }

  /** Cancels the rows nothing is under way for (again on each call: a row may come out of a wait since). */
  cancel(): void {
    if (this.pending.size === 0) return;
    this.work.store.cancel(this.operationId, this.engine.clock.now());
    // The cancelled rows are read back at once, so a cancelled run does not wait for the next poll.
    queueMicrotask(() => this.check());
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.ctl.abort();
  }

  private follow(): void {
    if (this.closed) return;
    this.unsubscribe ??= this.work.wakeups.on('progress', (payload) => {
      if (payload === '' || payload === String(this.operationId)) this.check();
    });
    if (this.polling) return;
    this.polling = true;
    void (async () => {
      while (!this.closed && this.pending.size > 0) {
        await sleepUnless(this.engine.clock, this.work.pollMs, [this.ctl.signal]);
        if (this.closed) break;
        try {
          sweepOrphans(this.work.store, this.engine, this.engine.clock.now());
          this.reclaim();
        } catch (e) {
          this.engine.log?.warn({ err: e }, 'could not look for work left by a stopped worker');
        }
        this.check();
      }
      this.polling = false;
    })();
  }

  /**
   * Takes back the queued rows of accounts nobody holds in force (or whose holder is a dead
   * process here) and no live worker would take (none unpinned, none pinned to them): nothing
   * would ever claim them, so the caller connects the account itself, as it does with any account
   * nobody holds. While a live worker would take the account the row waits for it: a worker
   * stopping or dead is followed by the others within their heartbeat. A row a worker claims
   * meanwhile stays that worker's (the withdrawal is conditional).
   */
  private reclaim(): void {
    if (this.closed || this.pending.size === 0) return;
    const now = this.engine.clock.now();
    let pins: PinFilter[] | undefined;
    const returned: number[] = [];
    for (const q of this.work.store.queuedHolders(this.operationId, now)) {
      const p = this.pending.get(q.accountId);
      if (!p) continue;
      if (q.holder !== null && !ownerIsGone(q.holder)) continue;
      pins ??= this.work.workers
        .all()
        .filter((w) => workerIsLive(w, now))
        .map((w) => parsePinText(w.pin));
      if (pins.some((pin) => pinMatches(pin, p.account))) continue;
      if (!this.work.store.withdraw(q.id, now)) continue;
      this.pending.delete(q.accountId);
      returned.push(q.accountId);
    }
    for (const id of returned) this.handlers.returned(id);
  }

  /** Reads the rows and reports every account whose part ended or began a wait since the last look. */
  check(): void {
    if (this.closed || this.pending.size === 0) return;
    let ended: Array<{ accountId: number; result: OperationResult | null }> = [];
    const waits: Array<{ accountId: number; until: number }> = [];
    try {
      for (const row of this.work.store.ofOperation(this.operationId)) {
        const p = this.pending.get(row.accountId);
        if (!p) continue;
        if (row.state === 'done' || row.state === 'cancelled') {
          this.pending.delete(row.accountId);
          ended.push({ accountId: row.accountId, result: row.state === 'done' ? row.result : null });
        } else if (row.waitingUntil !== null && row.waitingUntil !== p.waitingUntil) {
          p.waitingUntil = row.waitingUntil;
          waits.push({ accountId: row.accountId, until: row.waitingUntil });
        }
      }
    } catch (e) {
      ended = [];
      this.handlers.failed(e);
      return;
    }
    for (const w of waits) this.handlers.waiting(w.accountId, w.until);
    for (const x of ended) this.handlers.settled(x.accountId, x.result);
  }
}
