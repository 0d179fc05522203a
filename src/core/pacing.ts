import type { OperationKind as ActionKind } from './actions.ts';

/**
 * How often one account may repeat one kind of action. Two limits combine: a jittered pause after
 * every attempt (so a fleet never acts in lockstep), and a token bucket that lets a short burst
 * through at the pause alone but holds the hourly average down.
 */
export interface KindPacing {
  /** Pause after each attempt, drawn uniformly from this range (ms). */
  gapMs: { min: number; max: number };
  /** Attempts that may follow each other at the pause alone. */
  burst: number;
  /** Sustained attempts per hour (the bucket's refill rate); `Infinity` for no hourly limit. */
  perHour: number;
}

export type PacingRules = Record<ActionKind, KindPacing>;

export type PacingOverrides = Partial<Record<ActionKind, Partial<KindPacing>>>;

/**
 * Conservative per-kind defaults relative to the configured action delay. Joins, comments and
 * private messages are what Telegram's anti-spam watches most, so they get longer pauses and
 * smaller buckets than reactions and votes.
 */
export const KIND_DEFAULTS: Readonly<Record<ActionKind, { gapFactor: number; burst: number; perHour: number }>> = {
  reaction: { gapFactor: 1, burst: 20, perHour: 60 },
  vote: { gapFactor: 1, burst: 20, perHour: 60 },
  join: { gapFactor: 2, burst: 5, perHour: 20 },
  leave: { gapFactor: 1, burst: 10, perHour: 40 },
  block: { gapFactor: 1, burst: 10, perHour: 40 },
  pm: { gapFactor: 4, burst: 3, perHour: 10 },
  comment: { gapFactor: 2, burst: 5, perHour: 20 },
  // Profile changes are rare for a real person: a long pause and few an hour.
  profile: { gapFactor: 4, burst: 2, perHour: 6 },
};

/** The rules for every kind from the configured delay range (seconds) and optional per-kind overrides. */
export function pacingRules(base: { actionDelay: { min: number; max: number } }, overrides: PacingOverrides = {}): PacingRules {
  const out = {} as PacingRules;
  for (const kind of Object.keys(KIND_DEFAULTS) as ActionKind[]) {
    const d = KIND_DEFAULTS[kind];
    const rule: KindPacing = {
      gapMs: { min: base.actionDelay.min * 1000 * d.gapFactor, max: base.actionDelay.max * 1000 * d.gapFactor },
      burst: d.burst,
      perHour: d.perHour,
      ...overrides[kind],
    };
    out[kind] = checkRule(kind, rule);
  }
  return out;
}

function checkRule(kind: ActionKind, r: KindPacing): KindPacing {
  const ok =
    Number.isFinite(r.gapMs.min) && Number.isFinite(r.gapMs.max) && r.gapMs.min >= 0 && r.gapMs.max >= r.gapMs.min && r.burst >= 1 && r.perHour > 0;
  if (!ok) throw new RangeError(`pacing for ${kind} is inconsistent: gap ${r.gapMs.min}-${r.gapMs.max} ms, burst ${r.burst}, ${r.perHour}/h`);
  return r;
}

/** One account's pacing state for one kind. `nextAt`: earliest start by the pause; bucket as of `at`. */
export interface PaceState {
  nextAt: number;
  tokens: number;
  at: number;
}

/** A state for an account last used at `lastUsedAt` (null: never), with a full bucket. */
export function freshPace(rule: KindPacing, lastUsedAt: number | null): PaceState {
  // The last use may have been another kind in another process; the shortest pause is the safe guess.
  return { nextAt: lastUsedAt === null ? -Infinity : lastUsedAt + rule.gapMs.min, tokens: rule.burst, at: lastUsedAt ?? -Infinity };
}

const HOUR = 3_600_000;

export function tokensAt(rule: KindPacing, s: PaceState, t: number): number {
  if (rule.perHour === Infinity || s.at === -Infinity) return rule.burst;
  return Math.min(rule.burst, s.tokens + (Math.max(0, t - s.at) * rule.perHour) / HOUR);
}

/** The earliest time the next attempt may start. */
export function readyAt(rule: KindPacing, s: PaceState): number {
  if (s.tokens >= 1 || rule.perHour === Infinity || s.at === -Infinity) return s.nextAt;
  return Math.max(s.nextAt, s.at + ((1 - s.tokens) * HOUR) / rule.perHour);
}

/** An attempt starts at `t`: it takes a token. */
export function startAttempt(rule: KindPacing, s: PaceState, t: number): PaceState {
  return { nextAt: s.nextAt, tokens: tokensAt(rule, s, t) - 1, at: t };
}

/** The pause for a uniform draw `u` in [0, 1). */
export function gapFor(rule: KindPacing, u: number): number {
  return rule.gapMs.min + u * (rule.gapMs.max - rule.gapMs.min);
}

/** An attempt ended at `t`: the next may start after a pause drawn with `u`. */
export function finishAttempt(rule: KindPacing, s: PaceState, t: number, u: number): PaceState {
  return { ...s, nextAt: t + gapFor(rule, u) };
}

const KIND_INDEX: Record<ActionKind, number> = { reaction: 0, vote: 1, join: 2, leave: 3, block: 4, pm: 5, comment: 6, profile: 7 };

/** Per-account uniform draws in [0, 1); per account so a benchmark can replay one account's pauses. */
export type RandomSource = (accountId: number) => () => number;

export const mathRandom: RandomSource = () => Math.random;

/**
 * The pacing state of a whole fleet, per account and kind. Holds no timers: the caller asks when
 * an account may act and tells it when an attempt starts and ends.
 */
export class Pacer {
  /** Keyed by account id and kind together (`id * 8 + kind index`): one lookup on the hot path. */
  private readonly states = new Map<number, PaceState>();
  private readonly lastUsed = new Map<number, number | null>();
  private readonly randoms = new Map<number, () => number>();

  constructor(
    private rules: PacingRules,
    private readonly random: RandomSource = mathRandom,
  ) {}

  /** New rules from now on; each account's state carries over (its next pause follows the new rules). */
  setRules(rules: PacingRules): void {
    this.rules = rules;
  }

  /** Tells the pacer when an account was last used before it knew of it (only the first call counts). */
  seed(accountId: number, lastUsedAt: number | null): void {
    if (!this.lastUsed.has(accountId)) this.lastUsed.set(accountId, lastUsedAt);
  }

  readyAt(accountId: number, kind: ActionKind): number {
    return readyAt(this.rules[kind], this.state(accountId, kind));
  }

  start(accountId: number, kind: ActionKind, t: number): void {
    this.set(accountId, kind, startAttempt(this.rules[kind], this.state(accountId, kind), t));
  }

  finish(accountId: number, kind: ActionKind, t: number): void {
    let r = this.randoms.get(accountId);
    if (!r) {
      r = this.random(accountId);
      this.randoms.set(accountId, r);
    }
    this.set(accountId, kind, finishAttempt(this.rules[kind], this.state(accountId, kind), t, r()));
  }

  private state(accountId: number, kind: ActionKind): PaceState {
    return this.states.get(accountId * 8 + KIND_INDEX[kind]) ?? freshPace(this.rules[kind], this.lastUsed.get(accountId) ?? null);
  }

  private set(accountId: number, kind: ActionKind, s: PaceState): void {
    this.states.set(accountId * 8 + KIND_INDEX[kind], s);
  }
}

/** The operator's pacing settings (from the environment, with the bot's overrides on top). */
export interface PacingConfig {
  /** Seconds between two actions of one account, drawn uniformly from this range. */
  actionDelay: { min: number; max: number };
  /** Accounts acting at once in one bulk operation. */
  actionConcurrency: number;
  /** Seconds between two campaign messages of one account. */
  campaignDelay: { min: number; max: number };
  /** Messages one account sends in one campaign. */
  campaignPerAccount: number;
  /** Messages one account sends per day across all campaigns. */
  campaignDailyCap: number;
}
