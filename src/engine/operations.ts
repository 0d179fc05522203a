import { randomBytes } from 'node:crypto';
import type { PacingConfig } from '../config.ts';
import type { ActionKind, ActionSpec } from '../core/actions.ts';
import type { Clock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import type { Failure, FailureKind } from '../core/failures.ts';
import { Pacer, pacingRules, type PacingOverrides, type RandomSource } from '../core/pacing.ts';
import type { OperationRecord, OperationRecorder, OperationSelection } from '../store/operations.ts';
import type { Logger } from '../log.ts';
import { validateActionSpec } from './action-input.ts';
import { OperationRun, REPLACEABLE_KINDS, type OperationEvent } from './operation-run.ts';
import type { AccountPool, PoolAccount } from './ports.ts';
import { accountLabel, describeShortage, type LocalAccountState, usability, type Usability } from './usability.ts';

export { REPLACEABLE_KINDS, type OperationEvent } from './operation-run.ts';
export type { OperationSelection } from '../store/operations.ts';

export interface OperationsEngineOptions {
  pool: AccountPool;
  store: OperationRecorder;
  clock: Clock;
  /** `Config.pacing`: the base delay range and the concurrency of one operation. */
  pacing: Pick<PacingConfig, 'actionDelay' | 'actionConcurrency'>;
  /** Per-kind pacing beyond the defaults derived from `pacing.actionDelay`. */
  rules?: PacingOverrides;
  /** Named accounts hit by a FLOOD_WAIT this long or shorter are retried after it; longer ones fail. Default 300. */
  floodRetryMaxSeconds?: number;
  /** Jitter source (per account); tests and benchmarks pass seeded ones. */
  random?: RandomSource;
  /** `random_id` for private messages. */
  randomId?: () => bigint;
  log?: Logger;
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
  spec: ActionSpec;
  selection: OperationSelection;
  planned: number;
  /** `true`: exactly these accounts, each once; `false`: any of them, failed ones replaced. */
  named: boolean;
  candidates: PoolAccount[];
}

export interface FleetUsability {
  usable: PoolAccount[];
  unusable: Array<{ account: PoolAccount; usability: Usability }>;
}

/** Failures that change what the pool knows about the account. */
const ACCOUNT_KINDS: ReadonlySet<FailureKind> = REPLACEABLE_KINDS;

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
  readonly concurrency: number;
  readonly floodRetryMaxMs: number;
  readonly randomId: () => bigint;
  readonly log: Logger | undefined;
  /** Accounts with an attempt in flight (in any operation). */
  readonly busy = new Set<number>();
  private readonly local = new Map<number, LocalAccountState>();
  private readonly lastUsed = new Map<number, number>();
  private readonly runs = new Set<OperationRun>();

  constructor(opts: OperationsEngineOptions) {
    this.pool = opts.pool;
    this.store = opts.store;
    this.clock = opts.clock;
    this.pacer = new Pacer(pacingRules(opts.pacing, opts.rules), opts.random);
    this.concurrency = Math.max(1, Math.floor(opts.pacing.actionConcurrency));
    this.floodRetryMaxMs = (opts.floodRetryMaxSeconds ?? 300) * 1000;
    this.randomId = opts.randomId ?? (() => randomBytes(8).readBigInt64LE());
    this.log = opts.log;
  }

  /** Every account the pool lists, split by whether it can do `kind` now (and why not). */
  usable(kind: ActionKind): FleetUsability {
    const now = this.clock.now();
    const out: FleetUsability = { usable: [], unusable: [] };
    for (const a of this.sortedAccounts()) {
      const u = usability(a, kind, now, this.local.get(a.id));
      if (u.usable) out.usable.push(a);
      else out.unusable.push({ account: a, usability: u });
    }
    return out;
  }

  /** Validates the action and the selection without acting; throws `InputError`. */
  check(spec: ActionSpec, selection: OperationSelection): OperationPlan {
    validateActionSpec(spec);
    const kind = spec.kind;
    if ('accounts' in selection) {
      const n = selection.accounts;
      if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`the number of accounts must be a whole number from 1 (got ${String(n)})`);
      const { usable, unusable } = this.usable(kind);
      if (n > usable.length) throw new InputError(describeShortage(n, kind, usable.length, unusable));
      return { spec, selection, planned: n, named: false, candidates: usable };
    }
    const ids = selection.accountIds;
    if (ids.length === 0) throw new InputError('name at least one account');
    const all = new Map(this.sortedAccounts().map((a) => [a.id, a]));
    const now = this.clock.now();
    const chosen: PoolAccount[] = [];
    const problems: string[] = [];
    for (const id of ids) {
      const a = all.get(id);
      if (!a) {
        problems.push(`no enabled account #${id}`);
        continue;
      }
      if (chosen.includes(a)) continue;
      const u = usability(a, kind, now, this.local.get(id));
      // A short park is waited out: the operator named this account on purpose.
      if (!u.usable && !(u.category === 'parked' && (u.until ?? Infinity) - now <= this.floodRetryMaxMs)) {
        problems.push(`${accountLabel(a)} cannot: ${u.reason}`);
        continue;
      }
      chosen.push(a);
    }
    if (problems.length > 0) throw new InputError(problems.join('; '));
    return { spec, selection: { accountIds: chosen.map((a) => a.id) }, planned: chosen.length, named: true, candidates: chosen };
  }

  /**
   * Validates, records and runs an operation; resolves with its final record when every attempt
   * has settled. Rejects with `InputError` before any account acts when the input is bad.
   */
  async runOperation(spec: ActionSpec, selection: OperationSelection, opts: RunOptions = {}): Promise<OperationRecord> {
    const plan = this.check(spec, selection);
    const run = new OperationRun(this, plan, opts);
    this.runs.add(run);
    try {
      return await run.start();
    } finally {
      this.runs.delete(run);
    }
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
  noteFailure(accountId: number, kind: ActionKind, failure: Failure): void {
    if (!ACCOUNT_KINDS.has(failure.kind)) return;
    const s = this.local.get(accountId) ?? {};
    if (failure.kind === 'flood_wait') {
      const until = this.clock.now() + (failure.seconds ?? 60) * 1000;
      s.parkedUntil = { ...s.parkedUntil, [kind]: Math.max(s.parkedUntil?.[kind] ?? 0, until) };
    } else if (failure.kind === 'peer_flood') s.peerFlood = true;
    else if (failure.kind === 'revoked' || failure.kind === 'banned' || failure.kind === 'frozen' || failure.kind === 'duplicate_session') {
      s.fatal = failure.kind;
    }
    this.local.set(accountId, s);
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
