import type { OperationKind, OperationSpec } from '../core/actions.ts';
import { policyOf } from '../core/failure-policy.ts';
import type { Failure } from '../core/failures.ts';
import { isTelegramFailure, TelegramFailure } from '../core/failures.ts';
import { describeValues, fillProfile } from '../core/profile.ts';
import type { Reason } from '../core/reasons.ts';
import { englishReason, failureReason } from '../core/stored-reasons.ts';
import type { ActionOutcome, AccountSession } from '../core/session.ts';
import type { OperationRecord, OperationResult, OperationStatus, OperationSummary } from '../store/operations.ts';
import { summarize } from '../store/operations.ts';
import type { OperationPlan, OperationsEngine, RunOptions } from './operations.ts';
import type { PoolAccount } from './ports.ts';
import { UNUSABLE_KIND, usability, type Usability } from './usability.ts';

const USABLE: Usability = { usable: true };

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

type Attempt = { ok: true; outcome: ActionOutcome; detail?: string } | { ok: false; failure: Failure };

interface Candidate {
  account: PoolAccount;
  attempts: number;
}

/** What one attempt needs besides the spec: the account (and its place in the selection) and shared inputs. */
interface AttemptContext {
  account: PoolAccount;
  /** The account's running number in the selection, from 1 (a profile edit's `{n}`). */
  n: number;
  randomId: () => bigint;
  photo: Uint8Array | undefined;
}

/** Performs one action as one account; the session resolves the target itself. */
async function perform(session: AccountSession, spec: OperationSpec, ctx: AttemptContext): Promise<{ outcome: ActionOutcome; detail?: string }> {
  const randomId = ctx.randomId;
  switch (spec.kind) {
    case 'reaction':
      return { outcome: await session.react(spec.target, spec.emoji) };
    case 'vote':
      return { outcome: await session.vote(spec.target, spec.options) };
    case 'join':
      return { outcome: await session.join(spec.target) };
    case 'leave':
      return { outcome: await session.leave(spec.target) };
    case 'block':
      return { outcome: await session.block(spec.username) };
    case 'pm': {
      const r = await session.sendMessage(spec.username, spec.text, randomId());
      return { outcome: 'done', detail: `message ${r.messageId}` };
    }
    case 'comment': {
      const r = await session.comment(spec.target, spec.text);
      return { outcome: 'done', detail: `message ${r.messageId}` };
    }
    case 'profile': {
      if (!session.updateProfile) throw new TelegramFailure({ kind: 'not_allowed', code: 'NOT_SUPPORTED', message: 'this connection cannot edit profiles' });
      const values = fillProfile(spec.edit, ctx.account, ctx.n);
      const photo = spec.edit.photo && ctx.photo ? { bytes: ctx.photo, mime: spec.edit.photo.mime } : undefined;
      const r = await session.updateProfile({ ...values, ...(photo ? { photo } : {}) });
      const detail = describeValues(values, photo !== undefined);
      return { outcome: r.changed ? 'done' : 'already', ...(detail ? { detail } : {}) };
    }
  }
}

/**
 * One operation's scheduler. It never sleeps while holding anything: it launches every attempt
 * whose account is ready (up to the concurrency), then waits for the earliest of "an account
 * becomes ready" and "an attempt ends", both driven by the engine's clock.
 */
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
    this.candidates = plan.candidates.map((account) => ({ account, attempts: 0 }));
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
      this.finished = true;
      this.cancelWake();
      this.opts.signal?.removeEventListener('abort', this.onAbort);
      this.reject(e);
    }
  }

  private fill(): void {
    const now = this.engine.clock.now();
    let nextAt = Infinity;
    while (!this.aborted && this.stopReason === null && this.open() > 0 && this.inflight < this.concurrency) {
      const pick = this.pick(now);
      if (pick.ready) this.launch(pick.ready, now);
      else {
        nextAt = pick.nextAt;
        break;
      }
    }
    if (this.inflight === 0 && (this.aborted || this.stopReason !== null || this.open() <= 0 || this.candidates.length === 0)) {
      this.finish();
      return;
    }
    if (nextAt < Infinity) this.scheduleWake(nextAt, now);
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
      if (e.busy.has(id)) continue;
      let at = e.pacer.readyAt(id, this.kind);
      const local = e.localState(id);
      // The plan checked the snapshot; only what changed since (a park, a failure here) needs a look.
      const u = local === undefined && (c.account.parkedUntil[this.kind] ?? 0) <= now ? USABLE : usability(c.account, this.kind, now, local);
      if (!u.usable) {
        if (u.category === 'parked' && (u.until ?? Infinity) - now <= e.floodRetryMaxMs) at = Math.max(at, u.until ?? now);
        else {
          (drop ??= []).push(c);
          continue;
        }
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

  private launch(c: Candidate, now: number): void {
    const e = this.engine;
    const id = c.account.id;
    this.candidates.splice(this.candidates.indexOf(c), 1);
    this.inflight++;
    c.attempts++;
    e.busy.add(id);
    e.pacer.start(id, this.kind, now);
    e.markUsed(id, now);
    void this.attempt(id).then((a) => this.settle(c, a));
  }

  private async attempt(accountId: number): Promise<Attempt> {
    try {
      const session = await this.engine.pool.session(accountId);
      const account = this.plan.candidates.find((a) => a.id === accountId)!;
      const n = 'accountIds' in this.plan.selection ? this.plan.selection.accountIds.indexOf(accountId) + 1 : 0;
      const r = await perform(session, this.plan.spec, { account, n, randomId: this.engine.randomId, photo: this.plan.photo });
      return { ok: true, ...r };
    } catch (err) {
      if (isTelegramFailure(err)) return { ok: false, failure: err.failure };
      this.engine.log?.error({ err, accountId, operationId: this.id }, 'unexpected error during an action');
      return { ok: false, failure: { kind: 'unknown', code: 'INTERNAL_ERROR', message: 'an unexpected error in the panel (see its log)' } };
    }
  }

  private settle(c: Candidate, a: Attempt): void {
    const e = this.engine;
    const id = c.account.id;
    const now = e.clock.now();
    e.pacer.finish(id, this.kind, now);
    e.busy.delete(id);
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
    const e = this.engine;
    const id = c.account.id;
    const policy = policyOf(failure.kind);
    e.noteFailure(id, this.kind, failure);
    const base = { accountId: id, status: 'failed' as const, at: now, attempts: c.attempts, failure };
    const waitMs = (failure.seconds ?? Infinity) * 1000;
    const shortWait = policy.retriedAfterWait && waitMs <= e.floodRetryMaxMs;
    if (this.plan.named) {
      if (shortWait && !this.aborted && this.stopReason === null) {
        this.candidates.push(c);
        this.emit({ type: 'waiting', operationId: this.id, accountId: id, until: now + waitMs, failure });
        return;
      }
    } else if (policy.replaceable) {
      // The slot goes back to the operation; another account takes it if one is left.
      this.record({ ...base, replaced: true });
      // After a short wait this account may take a slot again, if none is ready sooner.
      if (shortWait) this.candidates.push(c);
      return;
    }
    this.terminal++;
    this.record({ ...base, replaced: false });
    // Each account's profile is its own target: one account's refusal says nothing about the others.
    if (this.kind === 'profile') return;
    // The target refused in a way no other account would change: stop spending accounts on it.
    if (policy.stopsOperation === 'always' || (policy.stopsOperation === 'first' && this.successes === 0)) {
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
