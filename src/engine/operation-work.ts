import type { Clock } from '../core/clock.ts';
import type { Logger } from '../log.ts';
import type { OperationResult } from '../store/operations.ts';
import type { ClaimedWork, OperationWorkStore } from '../store/operation-work.ts';
import { afterFailure, executeAttempt, readyAt } from './operation-attempt.ts';
import type { OperationWork } from './operation-follow.ts';
import type { OperationsEngine } from './operations.ts';
import { ownerIsGone } from './process-owner.ts';
import { sleepUnless } from './sleep.ts';
import { UNUSABLE_KIND, usability } from './usability.ts';

/**
 * Rows whose executor is gone: its owner no longer holds the account's lease in force, or holds
 * it but is a dead process on this host. A row nothing began (or whose last attempt is known to
 * have failed with a wait) goes back to the queue for the account's next holder; a row whose
 * attempt was under way may have acted, so it is settled as failed, uncertain, never repeated.
 * Returns the operations whose rows were settled.
 */
export function sweepOrphans(store: OperationWorkStore, engine: Pick<OperationsEngine, 'store'>, now: number): number[] {
  const settled: number[] = [];
  for (const row of store.suspects(now)) {
    const owner = row.owner;
    if (owner === null) continue;
    if (row.holder === owner && !ownerIsGone(owner)) continue;
    if (row.attempts === 0 || row.waitingUntil !== null) {
      store.release(row.id, owner);
      continue;
    }
    const result: OperationResult = {
      accountId: row.accountId,
      status: 'failed',
      at: now,
      attempts: row.attempts,
      replaced: false,
      failure: {
        kind: 'unknown',
        code: 'UNCERTAIN',
        message: 'the worker acting with this account stopped during its attempt; it may have acted, so it was not repeated',
      },
    };
    store.atomically(() => {
      if (store.finish(row.id, owner, now)) engine.store.saveResult(row.operationId, result);
    });
    settled.push(row.operationId);
  }
  return settled;
}

export interface WorkExecutorOptions {
  engine: OperationsEngine;
  work: OperationWork;
  /** This worker's lease owner: it claims the rows of the accounts it holds. */
  owner: string;
  clock: Clock;
  log: Logger;
}

/**
 * Runs, in a worker, the parts of operations started elsewhere for the accounts this worker
 * holds: claims their rows on a 'work' wake-up and on a slow poll, acts through the same attempt
 * as a local run (pacing, parks, the failure policy, result rows), at most the operation's
 * concurrency at once per operation, and says 'progress' after each. Stopping finishes the
 * attempts in flight and gives the rest back to the queue.
 */
export class WorkExecutor {
  private readonly engine: OperationsEngine;
  private readonly store: OperationWorkStore;
  private readonly ctl = new AbortController();
  private readonly queued: ClaimedWork[] = [];
  private readonly active = new Map<number, number>();
  private readonly tasks = new Set<Promise<void>>();
  /** Photos of the profile edits with rows here, read once per operation (up to 10 MB each). */
  private readonly photos = new Map<number, Uint8Array | null>();
  private unsubscribe: (() => void) | null = null;
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: WorkExecutorOptions) {
    this.engine = opts.engine;
    this.store = opts.work.store;
  }

  get stopping(): boolean {
    return this.ctl.signal.aborted;
  }

  start(): void {
    this.unsubscribe = this.opts.work.wakeups.on('work', () => this.kick());
    this.loop = (async () => {
      while (!this.stopping) {
        this.kick();
        await sleepUnless(this.opts.clock, this.opts.work.pollMs, [this.ctl.signal]);
      }
    })();
  }

  /** Looks for work now. */
  kick(): void {
    if (this.stopping) return;
    try {
      for (const op of sweepOrphans(this.store, this.engine, this.opts.clock.now())) this.opts.work.wakeups.notify('progress', String(op));
      const claimed = this.store.claim(this.opts.owner, this.opts.clock.now());
      if (claimed.length > 0) this.opts.log.info({ rows: claimed.length }, 'work: claimed operation work for accounts held here');
      this.queued.push(...claimed);
      this.launch();
    } catch (e) {
      this.opts.log.warn({ err: e }, 'work: could not look for operation work');
    }
  }

  private launch(): void {
    const limit = Math.max(1, Math.floor(this.engine.currentPacing().actionConcurrency));
    for (let i = 0; i < this.queued.length; ) {
      const row = this.queued[i]!;
      const n = this.active.get(row.operationId) ?? 0;
      if (n >= limit) {
        i++;
        continue;
      }
      this.queued.splice(i, 1);
      this.active.set(row.operationId, n + 1);
      const task = this.run(row)
        .catch((e: unknown) => this.opts.log.error({ err: e, operationId: row.operationId, accountId: row.accountId }, 'work: a work row failed'))
        .finally(() => {
          this.tasks.delete(task);
          const left = (this.active.get(row.operationId) ?? 1) - 1;
          if (left > 0) this.active.set(row.operationId, left);
          else {
            this.active.delete(row.operationId);
            if (!this.queued.some((q) => q.operationId === row.operationId)) this.photos.delete(row.operationId);
          }
          this.launch();
        });
      this.tasks.add(task);
    }
  }

  private async run(row: ClaimedWork): Promise<void> {
    const e = this.engine;
    const owner = this.opts.owner;
    const clock = this.opts.clock;
    const spec = row.spec;
    const kind = spec.kind;
    const id = row.accountId;
    const named = 'accountIds' in row.selection;
    const n = named ? (row.selection as { accountIds: number[] }).accountIds.indexOf(id) + 1 : 0;
    const end = (result: OperationResult | null): void => {
      const now = clock.now();
      this.store.atomically(() => {
        if (this.store.finish(row.id, owner, now) && result) e.store.saveResult(row.operationId, result);
      });
      this.opts.work.wakeups.notify('progress', String(row.operationId));
    };
    const giveBack = (): void => {
      this.store.release(row.id, owner);
      this.opts.work.wakeups.notify('work', String(row.operationId));
    };
    let attempts = row.attempts;
    let photo: Uint8Array | undefined;
    if (spec.kind === 'profile' && spec.edit.photo) {
      // The bytes the caller read and checked, stored with the operation: the path in the spec names a file on the caller's machine.
      if (!this.photos.has(row.operationId)) this.photos.set(row.operationId, this.store.photo(row.operationId));
      const stored = this.photos.get(row.operationId);
      if (!stored) {
        const failure = { kind: 'bad_request' as const, code: 'PHOTO_NOT_STORED', message: 'the operation carries no photo for other workers to upload (started by an older panel?)' };
        return end({ accountId: id, status: 'failed', at: clock.now(), attempts, replaced: false, failure });
      }
      photo = stored;
    }
    for (;;) {
      if (this.stopping) return giveBack();
      const now = clock.now();
      // Listed through the engine, so its pacing starts from the account's last use, as a local run's does.
      const listed = e.usable(kind);
      const account = listed.usable.find((a) => a.id === id) ?? listed.unusable.find((u) => u.account.id === id)?.account;
      // Another worker holds it now (a hand-over): the row follows the account.
      if (account?.heldBy) return giveBack();
      const at = account ? readyAt(e, account, kind, now) : null;
      if (at === null) {
        // As a local run drops an account that became unusable: a named one fails, a counted slot goes back.
        if (!named) return end(null);
        const u = account ? usability(account, kind, now, e.localState(id)) : null;
        const why = !u ? 'it is disabled or removed' : u.usable ? 'not usable' : u.reason;
        return end({
          accountId: id,
          status: 'failed',
          at: now,
          attempts,
          replaced: false,
          failure: { kind: u && !u.usable ? UNUSABLE_KIND[u.category] : 'disabled', code: 'ACCOUNT_UNUSABLE', message: `the account cannot act now: ${why}` },
        });
      }
      if (e.busy.has(id) || at > now) {
        // Busy in an operation of this worker: its end is not announced here, so look again soon.
        await sleepUnless(clock, e.busy.has(id) ? Math.min(200, this.opts.work.pollMs) : at - now, [this.ctl.signal]);
        continue;
      }
      const begun = this.store.beginAttempt(row.id, owner);
      // Cancelled by its operation, or no longer this worker's.
      if (begun === null) return;
      attempts = begun;
      const a = await executeAttempt(e, spec, { account: account!, n, photo, operationId: row.operationId });
      e.wakeAll();
      const done = clock.now();
      if (a.ok) {
        const r: OperationResult = { accountId: id, status: a.outcome, at: done, attempts, replaced: false };
        return end(a.detail === undefined ? r : { ...r, detail: a.detail });
      }
      // Nothing happened: the account is held elsewhere now; its holder takes the row.
      if (a.failure.kind === 'lease_held') return giveBack();
      const next = afterFailure(e, a.failure, named, false);
      if (next.step === 'retry') {
        this.store.waiting(row.id, owner, next.until);
        this.opts.work.wakeups.notify('progress', String(row.operationId));
        continue;
      }
      return end({ accountId: id, status: 'failed', at: done, attempts, replaced: next.step === 'replace', failure: a.failure });
    }
  }

  /** Stops claiming, gives back rows not begun, and lets attempts in flight finish. */
  async stop(): Promise<void> {
    this.ctl.abort();
    this.unsubscribe?.();
    for (const row of this.queued.splice(0)) this.store.release(row.id, this.opts.owner);
    await this.loop;
    await Promise.allSettled([...this.tasks]);
  }
}
