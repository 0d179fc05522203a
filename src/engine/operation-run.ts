import type { OperationKind } from '../core/actions.ts';
import type { Failure } from '../core/failures.ts';
import type { Reason } from '../core/reasons.ts';
import { englishReason, failureReason } from '../core/stored-reasons.ts';
import type { OperationRecord, OperationResult, OperationStatus, OperationSummary } from '../store/operations.ts';
import { summarize } from '../store/operations.ts';
import type { OperationPlan, OperationsEngine, RunOptions } from './operations.ts';
import type { PoolAccount } from './ports.ts';
import { afterFailure, executeAttempt, mayActAgainAt, readyAt, stopsOperation, type Attempt } from './operation-attempt.ts';
import { RemoteParts } from './operation-follow.ts';
import { UNUSABLE_KIND, usability } from './usability.ts';

export type OperationEvent =
  | { type: 'started'; operationId: number; kind: OperationKind; planned: number; named: boolean; at: number }
  | {
      type: 'result';
      operationId: number;
      result: OperationResult;
      /** Slots settled so far (successes and failures nobody took over) out of `planned`. */
      settled: number;
      planned: number;
    }
  /** A named account hit a short FLOOD_WAIT and is retried at `until`. */
  | { type: 'waiting'; operationId: number; accountId: number; until: number; failure: Failure }
  | { type: 'finished'; operationId: number; status: OperationStatus; stopReason: string | null; stopReasonCode: Reason | null; summary: OperationSummary; at: number };

interface Candidate {
  account: PoolAccount;
  attempts: number;
  /** Held by another live worker: its part runs there, as a stored work row this run follows. */
  remote: boolean;
  /**
   * A remote account whose failure gave its slot away may take one again from this time (the
   * failure policy's short wait, as a local account's park); its worker's parks are not seen here.
   */
  notBefore?: number;
  /** When its last attempt ended on its worker: the use this process's pacer never saw. */
  usedAt?: number;
  /** Its row came back because nobody held the account: if a worker takes it before this process can, it goes back there. */
  returned?: boolean;
}

/**
 * One operation's scheduler. It never sleeps while holding anything: it launches every attempt
 * whose account is ready (up to the concurrency), then waits for the earliest of "an account
 * becomes ready" and "an attempt ends", both driven by the engine's clock.
 */
/** A worker's account waits out a short flood wait; the failure itself is in its stored result later. */
const WAITING: Failure = { kind: 'flood_wait', code: 'FLOOD_WAIT', message: 'waiting out a flood wait on the worker that holds the account' };

export class OperationRun {
  private id = 0;
  private readonly kind: OperationKind;
  private readonly planned: number;
  private readonly concurrency: number;
  private readonly candidates: Candidate[];
  private readonly results = new Map<number, OperationResult>();
  private successes = 0;
  private terminal = 0;
  private inflight = 0;
  /** Accounts whose part runs on the worker holding them (counted in `inflight` too). */
  private remoteInflight = 0;
  private remote: RemoteParts | null = null;
  /** Remote candidates whose part is queued or running on their worker. */
  private readonly dispatched = new Map<number, Candidate>();
  private aborted = false;
  private stopReason: string | null = null;
  private stopReasonCode: Reason | null = null;
  private finished = false;
  private startedAt = 0;
  private wake: { at: number; ctl: AbortController } | null = null;
  private resolve: (r: OperationRecord) => void = () => {};
  private reject: (e: unknown) => void = () => {};
  private readonly onAbort = (): void => {
    this.aborted = true;
    this.pump();
  };

  constructor(
    private readonly engine: OperationsEngine,
    private readonly plan: OperationPlan,
    private readonly opts: RunOptions,
  ) {
    this.kind = plan.spec.kind;
    this.planned = plan.planned;
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
    // Only an engine that can hand work to workers was given accounts held elsewhere (see `check`).
    this.candidates = plan.candidates.map((account) => ({ account, attempts: 0, remote: !!account.heldBy && engine.work !== undefined }));
  }

  start(): Promise<OperationRecord> {
    const clock = this.engine.clock;
    this.startedAt = clock.now();
    this.id = this.engine.store.create({
      spec: this.plan.spec,
      selection: this.plan.selection,
      actor: this.opts.actor ?? 'unknown',
      planned: this.planned,
      startedAt: this.startedAt,
    });
    const done = new Promise<OperationRecord>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.emit({ type: 'started', operationId: this.id, kind: this.kind, planned: this.planned, named: this.plan.named, at: this.startedAt });
    if (this.opts.signal?.aborted) this.aborted = true;
    else this.opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.engine.work && this.candidates.some((c) => c.remote)) {
      this.remote = new RemoteParts(this.engine, this.engine.work, this.id, {
        settled: (accountId, result) => this.remoteSettled(accountId, result),
        returned: (accountId) => this.remoteReturned(accountId),
        waiting: (accountId, until) => this.emit({ type: 'waiting', operationId: this.id, accountId, until, failure: WAITING }),
        failed: (e) => this.fault(e),
      }, this.plan.photo);
    }
    this.pump();
    return done;
  }

  /** Slots still to fill by new attempts. */
  private open(): number {
    return this.planned - this.successes - this.terminal - this.inflight;
  }

  pump(): void {
    if (this.finished) return;
    try {
      this.fill();
    } catch (e) {
      // Only the store or a listener can throw here; the record cannot be trusted any more.
      this.fault(e);
    }
  }

  private fault(e: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.cancelWake();
    this.remote?.close();
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.reject(e);
  }

  private fill(): void {
    const now = this.engine.clock.now();
    let nextAt = Infinity;
    if (this.remote) {
      // Work nothing has started yet must not start: the workers see the rows cancelled.
      if (this.aborted || this.stopReason !== null) this.remote.cancel();
      else this.dispatchRemote(now);
    }
    while (!this.aborted && this.stopReason === null && this.open() > 0 && this.inflight - this.remoteInflight < this.concurrency) {
      const pick = this.pick(now);
      if (pick.ready) this.launch(pick.ready, now);
      else {
        nextAt = pick.nextAt;
        break;
      }
    }
    // Local accounts the pick dropped may have left slots that go to accounts held elsewhere.
    if (this.remote && !this.aborted && this.stopReason === null) {
      this.dispatchRemote(now);
      // A remote account waiting out a short wait takes an open slot when it ends, if nothing took it sooner.
      if (this.open() > 0) for (const c of this.candidates) if (c.remote && c.notBefore !== undefined && c.notBefore > now) nextAt = Math.min(nextAt, c.notBefore);
    }
    if (this.inflight === 0 && (this.aborted || this.stopReason !== null || this.open() <= 0 || this.candidates.length === 0)) {
      this.finish();
      return;
    }
    if (nextAt < Infinity) this.scheduleWake(nextAt, now);
  }

  /**
   * Hands the open slots' share of accounts held elsewhere to their workers: the open slots go to
   * the least recently used candidates, as a local run would fill them, and the ones among those
   * another worker holds are queued there at once (that worker paces and bounds them itself).
   */
  private dispatchRemote(now: number): void {
    const slots = this.open();
    if (slots <= 0) return;
    const e = this.engine;
    const used = (c: Candidate): number => Math.max(e.lastUsedAt(c.account.id), c.usedAt ?? -Infinity);
    const window = this.candidates
      .map((c, i) => ({ c, i }))
      .filter((x) => !(x.c.remote && x.c.notBefore !== undefined && x.c.notBefore > now))
      .sort((x, y) => used(x.c) - used(y.c) || x.i - y.i)
      .slice(0, slots)
      .filter((x) => x.c.remote)
      .map((x) => x.c);
    for (const c of window) {
      this.candidates.splice(this.candidates.indexOf(c), 1);
      this.inflight++;
      this.remoteInflight++;
      c.attempts++;
      delete c.notBefore;
      this.dispatched.set(c.account.id, c);
      this.remote!.dispatch(c.account);
    }
  }

  /** A worker finished (or dropped, or cancelled) an account's part; `result` is what it stored. */
  private remoteSettled(accountId: number, result: OperationResult | null): void {
    if (this.finished) return;
    this.inflight--;
    this.remoteInflight--;
    const c = this.dispatched.get(accountId);
    this.dispatched.delete(accountId);
    if (result) {
      this.results.set(accountId, result);
      if (result.status !== 'failed') this.successes++;
      else if (result.replaced) {
        // As a local account's replaced failure (see `fail`): after a short wait it may take a slot again.
        const again = c ? mayActAgainAt(this.engine, result.failure, result.at) : null;
        if (c && again !== null && !this.aborted && this.stopReason === null) {
          c.notBefore = again;
          c.usedAt = result.at;
          this.candidates.push(c);
        }
      } else {
        this.terminal++;
        if (stopsOperation(this.kind, result.failure, this.successes)) {
          this.stopReasonCode = failureReason(result.failure);
          this.stopReason = englishReason(this.stopReasonCode);
        }
      }
      this.emit({ type: 'result', operationId: this.id, result, settled: this.successes + this.terminal, planned: this.planned });
    }
    this.pump();
  }

  /** Nobody holds the account any more and its row was taken back: it acts here, as an account nobody holds. */
  private remoteReturned(accountId: number): void {
    if (this.finished) return;
    this.inflight--;
    this.remoteInflight--;
    const c = this.dispatched.get(accountId);
    this.dispatched.delete(accountId);
    if (c) {
      // Nothing was attempted for the dispatch that came back.
      c.attempts--;
      c.remote = false;
      c.returned = true;
      this.candidates.push(c);
    }
    this.pump();
  }

  /**
   * The least recently used account that may act now, or else when the soonest one may. Accounts
   * busy in another operation have no time yet: the end of their attempt wakes us.
   */
  private pick(now: number): { ready?: Candidate; nextAt: number } {
    const e = this.engine;
    let best: Candidate | undefined;
    let bestUsed = Infinity;
    let nextAt = Infinity;
    let drop: Candidate[] | undefined;
    for (const c of this.candidates) {
      const id = c.account.id;
      if (c.remote || e.busy.has(id)) continue;
      const at = readyAt(e, c.account, this.kind, now);
      if (at === null) {
        (drop ??= []).push(c);
        continue;
      }
      if (at <= now) {
        const used = e.lastUsedAt(id);
        if (best === undefined || used < bestUsed) {
          best = c;
          bestUsed = used;
        }
      } else if (at < nextAt) nextAt = at;
    }
    if (drop) for (const c of drop) this.dropCandidate(c, now);
    return best ? { ready: best, nextAt } : { nextAt };
  }

  /** An account became unusable (in another operation, or a long park) before its turn. */
  private dropCandidate(c: Candidate, now: number): void {
    this.candidates.splice(this.candidates.indexOf(c), 1);
    if (!this.plan.named) return;
    const u = usability(c.account, this.kind, now, this.engine.localState(c.account.id));
    const reason = u.usable ? 'not usable' : u.reason;
    this.terminal++;
    this.record({
      accountId: c.account.id,
      status: 'failed',
      at: now,
      attempts: c.attempts,
      replaced: false,
      failure: { kind: u.usable ? 'unknown' : UNUSABLE_KIND[u.category], code: 'ACCOUNT_UNUSABLE', message: `the account cannot act now: ${reason}` },
    });
  }

  private launch(c: Candidate, _now: number): void {
    const id = c.account.id;
    this.candidates.splice(this.candidates.indexOf(c), 1);
    this.inflight++;
    c.attempts++;
    const n = 'accountIds' in this.plan.selection ? this.plan.selection.accountIds.indexOf(id) + 1 : 0;
    void executeAttempt(this.engine, this.plan.spec, { account: c.account, n, photo: this.plan.photo, operationId: this.id }).then((a) => this.settle(c, a));
  }

  private settle(c: Candidate, a: Attempt): void {
    const e = this.engine;
    const id = c.account.id;
    const now = e.clock.now();
    this.inflight--;
    try {
      if (a.ok) {
        this.successes++;
        const r: OperationResult = { accountId: id, status: a.outcome, at: now, attempts: c.attempts, replaced: false };
        this.record(a.detail === undefined ? r : { ...r, detail: a.detail });
      } else this.fail(c, a.failure, now);
    } catch (err) {
      this.finished = true;
      this.cancelWake();
      this.reject(err);
    }
    // Pumps this run too; other runs may have been waiting for this account.
    e.wakeAll();
  }

  private fail(c: Candidate, failure: Failure, now: number): void {
    const id = c.account.id;
    if (c.returned && failure.kind === 'lease_held' && this.remote && !this.aborted && this.stopReason === null) {
      // A worker took the account between the row's return and this attempt (nothing happened): the row follows it there.
      c.attempts--;
      c.remote = true;
      c.returned = false;
      this.candidates.push(c);
      return;
    }
    const base = { accountId: id, status: 'failed' as const, at: now, attempts: c.attempts, failure };
    const next = afterFailure(this.engine, failure, this.plan.named, this.aborted || this.stopReason !== null);
    if (next.step === 'retry') {
      this.candidates.push(c);
      this.emit({ type: 'waiting', operationId: this.id, accountId: id, until: next.until, failure });
      return;
    }
    if (next.step === 'replace') {
      // The slot goes back to the operation; another account takes it if one is left.
      this.record({ ...base, replaced: true });
      // After a short wait this account may take a slot again, if none is ready sooner.
      if (next.shortWait) this.candidates.push(c);
      return;
    }
    this.terminal++;
    this.record({ ...base, replaced: false });
    // The target refused in a way no other account would change: stop spending accounts on it.
    if (stopsOperation(this.kind, failure, this.successes)) {
      this.stopReasonCode = failureReason(failure);
      this.stopReason = englishReason(this.stopReasonCode);
    }
  }

  private record(r: OperationResult): void {
    this.results.set(r.accountId, r);
    this.engine.store.saveResult(this.id, r);
    this.emit({ type: 'result', operationId: this.id, result: r, settled: this.successes + this.terminal, planned: this.planned });
  }

  private scheduleWake(at: number, now: number): void {
    if (this.wake && this.wake.at <= at) return;
    this.wake?.ctl.abort();
    const ctl = new AbortController();
    this.wake = { at, ctl };
    this.engine.clock.sleep(at - now, ctl.signal).then(
      () => {
        if (this.wake?.ctl === ctl) this.wake = null;
        this.pump();
      },
      () => {},
    );
  }

  private cancelWake(): void {
    this.wake?.ctl.abort();
    this.wake = null;
  }

  private finish(): void {
    this.finished = true;
    this.cancelWake();
    this.remote?.close();
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    const at = this.engine.clock.now();
    const status: OperationStatus = this.aborted ? 'cancelled' : this.stopReason !== null ? 'stopped' : 'finished';
    const results = [...this.results.values()];
    const summary = summarize(this.planned, results);
    this.engine.store.finish(this.id, { status, finishedAt: at, stopReason: this.stopReason, stopReasonCode: this.stopReasonCode });
    this.emit({ type: 'finished', operationId: this.id, status, stopReason: this.stopReason, stopReasonCode: this.stopReasonCode, summary, at });
    this.resolve({
      id: this.id,
      kind: this.kind,
      spec: this.plan.spec,
      selection: this.plan.selection,
      actor: this.opts.actor ?? 'unknown',
      status,
      stopReason: this.stopReason,
      stopReasonCode: this.stopReasonCode,
      planned: this.planned,
      startedAt: this.startedAt,
      finishedAt: at,
      summary,
      results,
    });
  }

  private emit(event: OperationEvent): void {
    if (!this.opts.onEvent) return;
    try {
      this.opts.onEvent(event);
    } catch (err) {
      // A broken progress display must not break the operation.
      this.engine.log?.warn({ err }, 'an operation listener threw');
    }
  }
}
