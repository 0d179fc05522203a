import { randomBytes } from 'node:crypto';
import type { PacingConfig } from '../config.ts';
import { accountLabel } from '../core/accounts.ts';
import type { OperationKind, OperationSpec } from '../core/actions.ts';
import type { Clock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import { reason } from '../core/reasons.ts';
import { pickable, tagProblem, tagRule } from '../core/tags.ts';
import { failureEffect } from '../core/failure-policy.ts';
import type { Failure } from '../core/failures.ts';
import { Pacer, pacingRules, type PacingOverrides, type RandomSource } from '../core/pacing.ts';
import type { OperationRecord, OperationRecorder, OperationSelection } from '../store/operations.ts';
import type { Logger } from '../log.ts';
import { checkAgainstTarget, validateActionSpec } from './action-input.ts';
import { liveWorkers, type OperationWork } from './operation-follow.ts';
import { OperationRun, type OperationEvent } from './operation-run.ts';
import { checkProfileFor, readPhoto } from './profiles.ts';
import type { AccountPool, PoolAccount } from './ports.ts';
import { describeShortage, heldElsewhere, type LocalAccountState, usability, type Usability } from './usability.ts';

export type { OperationEvent } from './operation-run.ts';
export type { OperationSelection } from '../store/operations.ts';

export interface OperationsEngineOptions {
  pool: AccountPool;
  store: OperationRecorder;
  clock: Clock;
  /**
   * The base delay range and the concurrency of one operation (`Config.pacing` with the
   * operator's overrides). A function is read at the start of every operation, so a change made
   * in Settings applies to the next operation without a restart.
   */
  pacing: OperationPacing | (() => OperationPacing);
  /** Per-kind pacing beyond the defaults derived from `pacing.actionDelay`. */
  rules?: PacingOverrides;
  /** Named accounts hit by a FLOOD_WAIT this long or shorter are retried after it; longer ones fail. Default 300. */
  floodRetryMaxSeconds?: number;
  /** Jitter source (per account); tests and benchmarks pass seeded ones. */
  random?: RandomSource;
  /** `random_id` for private messages. */
  randomId?: () => bigint;
  log?: Logger;
  /**
   * Stored work: accounts another live worker holds take part through it (their part runs there)
   * instead of being left out. Without it, as in one process alone, they are left out.
   */
  work?: OperationWork;
}

export interface RunOptions {
  /** Who asked, stored with the record: `cli`, `bot:<user id>`, … */
  actor?: string;
  /** Aborting stops new attempts; attempts in flight finish; the record ends `cancelled`. */
  signal?: AbortSignal;
  onEvent?: (event: OperationEvent) => void;
  /** Accounts acting at once in this operation; default `pacing.actionConcurrency`. */
  concurrency?: number;
}

/** What `check` decided: how many slots and which accounts may fill them, best first. */
export interface OperationPlan {
  spec: OperationSpec;
  selection: OperationSelection;
  planned: number;
  /** `true`: exactly these accounts, each once; `false`: any of them, failed ones replaced. */
  named: boolean;
  candidates: PoolAccount[];
  /** A profile edit's photo, read and checked once for every account. */
  photo?: Uint8Array;
}

export interface FleetUsability {
  usable: PoolAccount[];
  unusable: Array<{ account: PoolAccount; usability: Usability }>;
}

export type OperationPacing = Pick<PacingConfig, 'actionDelay' | 'actionConcurrency'>;

/**
 * Runs actions with many accounts: picks usable ones (least recently used first), paces each
 * account per kind, bounds concurrency, moves work off accounts that hit a FLOOD_WAIT, records
 * every result. One engine per process: pacing, busy accounts and parks are shared by all the
 * operations it runs at once.
 */
export class OperationsEngine {
  readonly pacer: Pacer;
  readonly pool: AccountPool;
  readonly store: OperationRecorder;
  readonly clock: Clock;
  readonly floodRetryMaxMs: number;
  readonly randomId: () => bigint;
  readonly log: Logger | undefined;
  readonly work: OperationWork | undefined;
  /** Accounts with an attempt in flight (in any operation). */
  readonly busy = new Set<number>();
  private readonly local = new Map<number, LocalAccountState>();
  private readonly lastUsed = new Map<number, number>();
  private readonly runs = new Set<OperationRun>();
  private readonly readPacing: () => OperationPacing;
  private readonly rules: PacingOverrides | undefined;
  private pacingSeen: OperationPacing;

  constructor(opts: OperationsEngineOptions) {
    this.pool = opts.pool;
    this.store = opts.store;
    this.clock = opts.clock;
    const pacing = opts.pacing;
    this.readPacing = typeof pacing === 'function' ? pacing : () => pacing;
    this.rules = opts.rules;
    const first = this.readPacing();
    this.pacingSeen = first;
    this.pacer = new Pacer(pacingRules(first, opts.rules), opts.random);
    this.floodRetryMaxMs = (opts.floodRetryMaxSeconds ?? 300) * 1000;
    this.randomId = opts.randomId ?? (() => randomBytes(8).readBigInt64LE());
    this.log = opts.log;
    this.work = opts.work;
  }

  /** Every account the pool lists, split by whether it can do `kind` now (and why not). */
  usable(kind: OperationKind): FleetUsability {
    const now = this.clock.now();
    const out: FleetUsability = { usable: [], unusable: [] };
    const workers = this.liveWorkers(now);
    for (const a of this.sortedAccounts()) {
      const u = this.usabilityOf(a, kind, now, workers);
      if (u.usable) out.usable.push(a);
      else out.unusable.push({ account: a, usability: u });
    }
    return out;
  }

  /** Validates the action and the selection without acting; throws `InputError`. */
  check(spec: OperationSpec, selection: OperationSelection): OperationPlan {
    if (spec.kind !== 'profile') validateActionSpec(spec);
    const kind = spec.kind;
    // Each account's profile is its own: a count would edit accounts nobody chose.
    if (kind === 'profile' && 'accounts' in selection) {
      throw new InputError('name the accounts whose profiles to edit (or give their tag)', reason('profile_needs_named'));
    }
    if ('accounts' in selection) {
      const n = selection.accounts;
      if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`the number of accounts must be a whole number from 1 (got ${String(n)})`, reason('accounts_count_invalid', { value: String(n) }));
      const tag = selection.tag;
      if (tag !== undefined && tagRule(tag) !== undefined) throw new InputError(tagProblem(tag) ?? 'bad tag', reason('tag_invalid', { value: tag }));
      const all = this.usable(kind);
      // Reserve accounts (or, with a tag, accounts without it) are never picked by a count.
      const usable = pickable(all.usable, tag);
      const unusable = all.unusable.filter((u) => pickable([u.account], tag).length > 0);
      if (n > usable.length) {
        const head = describeShortage(n, kind, usable.length, unusable);
        throw new InputError(tag === undefined ? head : `${head} (among the accounts tagged ${tag})`, reason('accounts_too_few', { wanted: n, usable: usable.length, ...heldElsewhere(unusable) }));
      }
      return { spec, selection, planned: n, named: false, candidates: usable };
    }
    const ids = selection.accountIds;
    if (ids.length === 0) throw new InputError('name at least one account', reason('accounts_none_named'));
    const all = new Map(this.sortedAccounts().map((a) => [a.id, a]));
    const now = this.clock.now();
    const workers = this.liveWorkers(now);
    const chosen: PoolAccount[] = [];
    const problems: string[] = [];
    const refused: number[] = [];
    for (const id of ids) {
      const a = all.get(id);
      if (!a) {
        problems.push(`no enabled account #${id}`);
        refused.push(id);
        continue;
      }
      if (chosen.includes(a)) continue;
      const u = this.usabilityOf(a, kind, now, workers);
      // A short park is waited out: the operator named this account on purpose.
      if (!u.usable && !(u.category === 'parked' && (u.until ?? Infinity) - now <= this.floodRetryMaxMs)) {
        problems.push(`${accountLabel(a)} cannot: ${u.reason}`);
        refused.push(id);
        continue;
      }
      chosen.push(a);
    }
    if (problems.length > 0) throw new InputError(problems.join('; '), reason('accounts_not_usable', { accounts: refused.map((id) => `#${id}`).join(', ') }));
    if (spec.kind === 'profile') checkProfileFor(spec.edit, chosen);
    return { spec, selection: { accountIds: chosen.map((a) => a.id) }, planned: chosen.length, named: true, candidates: chosen };
  }

  /**
   * `check`, then what only Telegram can tell (a vote's options against the poll), read by the
   * first account that would act, without acting; throws `InputError` before anything is recorded.
   */
  async prepare(spec: OperationSpec, selection: OperationSelection): Promise<OperationPlan> {
    const plan = this.check(spec, selection);
    if (plan.spec.kind === 'profile') {
      // The bytes checked now are the bytes every account uploads, whatever happens to the file.
      if (plan.spec.edit.photo) return { ...plan, photo: readPhoto(plan.spec.edit.photo.file).bytes };
      return plan;
    }
    // Read by an account connected here: one another worker holds is never connected by this process.
    await checkAgainstTarget(plan.spec, plan.candidates.filter((a) => !a.heldBy).map((a) => a.id), this);
    return plan;
  }

  /**
   * Validates, records and runs an operation; resolves with its final record when every attempt
   * has settled. Rejects with `InputError` before any account acts when the input is bad.
   */
  async runOperation(spec: OperationSpec, selection: OperationSelection, opts: RunOptions = {}): Promise<OperationRecord> {
    const plan = await this.prepare(spec, selection);
    const pacing = this.currentPacing();
    const concurrency = Math.max(1, Math.floor(opts.concurrency ?? pacing.actionConcurrency));
    const run = new OperationRun(this, plan, { ...opts, concurrency });
    this.runs.add(run);
    try {
      return await run.start();
    } finally {
      this.runs.delete(run);
    }
  }

  /**
   * The pacing in force now. A changed delay range takes effect for every account's next pause
   * (operations already running included: pauses are per account, whatever operation it is in).
   */
  currentPacing(): OperationPacing {
    const p = this.readPacing();
    if (p.actionDelay.min !== this.pacingSeen.actionDelay.min || p.actionDelay.max !== this.pacingSeen.actionDelay.max) {
      this.pacer.setRules(pacingRules(p, this.rules));
    }
    this.pacingSeen = p;
    return p;
  }

  /** Operations running now in this engine. */
  get running(): number {
    return this.runs.size;
  }

  // ---- shared state, used by OperationRun ----

  localState(accountId: number): LocalAccountState | undefined {
    return this.local.get(accountId);
  }

  lastUsedAt(accountId: number): number {
    return this.lastUsed.get(accountId) ?? -Infinity;
  }

  markUsed(accountId: number, at: number): void {
    this.lastUsed.set(accountId, at);
    try {
      this.pool.markUsed(accountId);
    } catch (e) {
      this.log?.warn({ err: e, accountId }, 'could not record account use');
    }
  }

  /** Remembers what a failure says about the account and tells the pool. */
  noteFailure(accountId: number, kind: OperationKind, failure: Failure): void {
    // What this process must not wait for the pool's next listing to know.
    const e = failureEffect({ status: 'active', until: null }, kind, failure, this.clock.now(), 'call');
    if (e.park || e.status?.status === 'peer_flood' || e.endsSession) {
      const s = this.local.get(accountId) ?? {};
      if (e.park) s.parkedUntil = { ...s.parkedUntil, [kind]: Math.max(s.parkedUntil?.[kind] ?? 0, e.park.until) };
      if (e.status?.status === 'peer_flood') s.peerFlood = true;
      else if (e.endsSession && e.status) s.ended = { status: e.status.status, reason: failure.message };
      this.local.set(accountId, s);
    }
    try {
      this.pool.reportFailure(accountId, kind, failure);
    } catch (e) {
      this.log?.warn({ err: e, accountId, failure: failure.code }, 'could not record an account failure');
    }
  }

  /** An attempt ended somewhere: every running operation may now find an account ready. */
  wakeAll(): void {
    for (const r of this.runs) r.pump();
  }

  /** The workers that run stored work now (live workers); empty without stored work. */
  private liveWorkers(now: number): ReadonlySet<string> {
    return this.work ? liveWorkers(this.work, now) : new Set();
  }

  /** An account another live worker holds can act there: only its holder's other states count. */
  private usabilityOf(a: PoolAccount, kind: OperationKind, now: number, workers: ReadonlySet<string>): Usability {
    const probe = a.heldBy && workers.has(a.heldBy) ? { ...a, heldBy: null } : a;
    return usability(probe, kind, now, this.local.get(a.id));
  }

  private sortedAccounts(): PoolAccount[] {
    const list = this.pool.accounts();
    for (const a of list) {
      const known = this.lastUsed.get(a.id);
      const fromPool = a.lastUsedAt ?? -Infinity;
      if (known === undefined || fromPool > known) this.lastUsed.set(a.id, fromPool);
      this.pacer.seed(a.id, a.lastUsedAt);
    }
    // The pool lists least recently used first; what this process did since may be newer.
    return list
      .map((a, i) => ({ a, i }))
      .sort((x, y) => this.lastUsedAt(x.a.id) - this.lastUsedAt(y.a.id) || x.i - y.i)
      .map((x) => x.a);
  }
}
