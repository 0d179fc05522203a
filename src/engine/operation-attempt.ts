import type { OperationKind, OperationSpec } from '../core/actions.ts';
import { policyOf } from '../core/failure-policy.ts';
import { isTelegramFailure, TelegramFailure, type Failure } from '../core/failures.ts';
import { describeValues, fillProfile } from '../core/profile.ts';
import type { ActionOutcome, AccountSession } from '../core/session.ts';
import type { OperationsEngine } from './operations.ts';
import type { PoolAccount } from './ports.ts';
import { usability, type Usability } from './usability.ts';

/**
 * One account's attempt at an operation's action, and what a failure means for the operation:
 * the part both the local run (operation-run.ts) and a worker executing stored work
 * (operation-work.ts) go through, so pacing, parks and the failure policy are one code path.
 */

export type Attempt = { ok: true; outcome: ActionOutcome; detail?: string } | { ok: false; failure: Failure };

/** What one attempt needs besides the spec: the account (and its place in the selection) and shared inputs. */
export interface AttemptContext {
  account: PoolAccount;
  /** The account's running number in the selection, from 1 (a profile edit's `{n}`). */
  n: number;
  photo: Uint8Array | undefined;
  /** For the log. */
  operationId: number;
}

const USABLE: Usability = { usable: true };

/** Performs one action as one account; the session resolves the target itself. */
async function perform(session: AccountSession, spec: OperationSpec, ctx: AttemptContext, randomId: () => bigint): Promise<{ outcome: ActionOutcome; detail?: string }> {
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
 * One attempt: the account is busy and paced from the moment this is called (synchronously, so
 * a scheduler's next pick already sees it), acts, then is free again; a failure is noted for the
 * account (parks, status) before the promise settles.
 */
export function executeAttempt(engine: OperationsEngine, spec: OperationSpec, ctx: AttemptContext): Promise<Attempt> {
  const id = ctx.account.id;
  const kind = spec.kind;
  const started = engine.clock.now();
  engine.busy.add(id);
  engine.pacer.start(id, kind, started);
  engine.markUsed(id, started);
  const run = async (): Promise<Attempt> => {
    try {
      const session = await engine.pool.session(id);
      const r = await perform(session, spec, ctx, engine.randomId);
      return { ok: true, ...r };
    } catch (err) {
      if (isTelegramFailure(err)) return { ok: false, failure: err.failure };
      engine.log?.error({ err, accountId: id, operationId: ctx.operationId }, 'unexpected error during an action');
      return { ok: false, failure: { kind: 'unknown', code: 'INTERNAL_ERROR', message: 'an unexpected error in the panel (see its log)' } };
    }
  };
  return run().then((a) => {
    engine.pacer.finish(id, kind, engine.clock.now());
    engine.busy.delete(id);
    if (!a.ok) engine.noteFailure(id, kind, a.failure);
    return a;
  });
}

/**
 * When the account may act next with `kind` (its pacing, or the end of a short park), or `null`
 * when it cannot take part any more (the caller drops it). Busy accounts are the caller's to skip.
 */
export function readyAt(engine: OperationsEngine, account: PoolAccount, kind: OperationKind, now: number): number | null {
  let at = engine.pacer.readyAt(account.id, kind);
  const local = engine.localState(account.id);
  // The plan checked the snapshot; only what changed since (a park, a failure here) needs a look.
  // Whoever holds the account elsewhere is the caller's concern, not a reason to drop it here.
  const probe = account.heldBy ? { ...account, heldBy: null } : account;
  const u = local === undefined && (account.parkedUntil[kind] ?? 0) <= now ? USABLE : usability(probe, kind, now, local);
  if (!u.usable) {
    if (u.category === 'parked' && (u.until ?? Infinity) - now <= engine.floodRetryMaxMs) at = Math.max(at, u.until ?? now);
    else return null;
  }
  return at;
}

/**
 * What a failed attempt means for the account's slot: `retry` (a named account waits out a short
 * flood wait and tries again), `replace` (the slot goes back to the operation for another account),
 * or `final` (the failure is the account's result).
 */
export function afterFailure(engine: OperationsEngine, failure: Failure, named: boolean, stopping: boolean): { step: 'retry' | 'replace' | 'final'; until: number; shortWait: boolean } {
  const policy = policyOf(failure.kind);
  const now = engine.clock.now();
  const again = mayActAgainAt(engine, failure, now);
  const shortWait = again !== null;
  const until = again ?? now + (failure.seconds ?? Infinity) * 1000;
  if (named) return { step: shortWait && !stopping ? 'retry' : 'final', until, shortWait };
  return { step: policy.replaceable ? 'replace' : 'final', until, shortWait };
}

/**
 * When an account whose attempt failed at `at` may act again in the same operation: after a short
 * wait the failure policy retries (a named account's retry, a counted account taking a slot
 * again), or never (null). One rule for accounts acting here and on other workers.
 */
export function mayActAgainAt(engine: Pick<OperationsEngine, 'floodRetryMaxMs'>, failure: Failure, at: number): number | null {
  const waitMs = (failure.seconds ?? Infinity) * 1000;
  return policyOf(failure.kind).retriedAfterWait && waitMs <= engine.floodRetryMaxMs ? at + waitMs : null;
}

/** Whether a final failure stops the operation (the target refuses whoever asks). */
export function stopsOperation(kind: OperationKind, failure: Failure, successes: number): boolean {
  // Each account's profile is its own target: one account's refusal says nothing about the others.
  if (kind === 'profile') return false;
  const policy = policyOf(failure.kind);
  return policy.stopsOperation === 'always' || (policy.stopsOperation === 'first' && successes === 0);
}
