import type { CallKind } from '../../src/core/actions.ts';
import type { Clock } from '../../src/core/clock.ts';
import { failureEffect } from '../../src/core/failure-policy.ts';
import { englishReason } from '../../src/core/stored-reasons.ts';
import { TelegramFailure, type Failure } from '../../src/core/failures.ts';
import type { AccountSession, ActionOutcome, JoinTarget, LeaveTarget, MessageTarget, PollInfo } from '../../src/core/session.ts';
import type { AccountPool, PoolAccount } from '../../src/engine/ports.ts';

/**
 * The one in-memory `AccountPool` of the tests and benchmarks, with sessions whose answers a
 * script decides (or that `sessionFor` builds). It follows the port's contract without a database
 * or Telegram: least recently used first, and failures applied by the same policy table the
 * fleet uses (parks per kind, statuses).
 */

/** One call a fake session received. */
export interface SessionCall {
  accountId: number;
  method: 'react' | 'vote' | 'join' | 'leave' | 'block' | 'sendMessage' | 'comment';
  args: unknown[];
  /** Clock time when the call started and when it answered. */
  at: number;
  endAt?: number;
}

/** Decides a call's answer: an outcome, or a `Failure` to throw. */
export type SessionScript = (call: SessionCall) => ActionOutcome | Failure | Promise<ActionOutcome | Failure>;

export interface MemoryPoolOptions {
  clock: Clock;
  /** How many accounts to create (ids 1..n), or their partial summaries. */
  accounts: number | Array<Partial<PoolAccount> & { id: number }>;
  script?: SessionScript;
  /** Clock time each call takes (slept on the clock before answering). 0: answers at once. */
  latencyMs?: number;
  /** What reading the poll under any message answers (default: open, four options, several allowed). */
  poll?: PollInfo;
  /** Builds the account's session instead of the scripted one (campaign tests' fake Telegram). */
  sessionFor?: (accountId: number) => AccountSession;
}

export function poolAccount(id: number, over: Partial<PoolAccount> = {}): PoolAccount {
  return {
    id,
    phone: `+1555000${String(id).padStart(4, '0')}`,
    userId: 100_000 + id,
    username: `acct${id}`,
    firstName: `Account ${id}`,
    status: 'active',
    statusReason: null,
    statusSince: 0,
    statusUntil: null,
    enabled: true,
    proxyUrl: null,
    groupsCount: 0,
    lastUsedAt: null,
    createdAt: 0,
    parkedUntil: {},
    ...over,
  };
}

export class MemoryPool implements AccountPool {
  readonly byId = new Map<number, PoolAccount>();
  readonly calls: SessionCall[] = [];
  readonly reported: Array<{ accountId: number; kind: CallKind; failure: Failure }> = [];
  /** Calls in flight now, and the most there ever were. */
  inFlight = 0;
  maxInFlight = 0;
  script: SessionScript;
  protected readonly clock: Clock;
  private readonly latencyMs: number;
  private readonly sessionFor: ((accountId: number) => AccountSession) | undefined;
  poll: PollInfo;
  private readonly sessions = new Map<number, AccountSession>();

  constructor(opts: MemoryPoolOptions) {
    this.clock = opts.clock;
    this.latencyMs = opts.latencyMs ?? 0;
    this.sessionFor = opts.sessionFor;
    this.poll = opts.poll ?? { question: 'Which one?', options: ['one', 'two', 'three', 'four'], multiple: true, closed: false };
    this.script = opts.script ?? (() => 'done');
    const list = typeof opts.accounts === 'number' ? Array.from({ length: opts.accounts }, (_, i) => ({ id: i + 1 })) : opts.accounts;
    for (const a of list) this.byId.set(a.id, poolAccount(a.id, a));
  }

  accounts(): PoolAccount[] {
    return [...this.byId.values()]
      .filter((a) => a.enabled)
      .sort((x, y) => (x.lastUsedAt ?? -Infinity) - (y.lastUsedAt ?? -Infinity) || x.id - y.id)
      .map((a) => ({ ...a, parkedUntil: { ...a.parkedUntil } }));
  }

  session(accountId: number): Promise<AccountSession> {
    const a = this.byId.get(accountId);
    if (!a) return Promise.reject(new TelegramFailure({ kind: 'no_account', code: 'NO_ACCOUNT', message: `there is no account #${accountId}` }));
    if (a.status === 'revoked' || a.status === 'banned' || a.status === 'frozen') {
      return Promise.reject(new TelegramFailure({ kind: a.status, code: a.status.toUpperCase(), message: a.status }));
    }
    if (this.sessionFor) return Promise.resolve(this.sessionFor(accountId));
    let s = this.sessions.get(accountId);
    if (!s) {
      s = this.makeSession(accountId);
      this.sessions.set(accountId, s);
    }
    return Promise.resolve(s);
  }

  reportFailure(accountId: number, kind: CallKind, failure: Failure): void {
    this.reported.push({ accountId, kind, failure });
    const a = this.byId.get(accountId);
    if (!a) return;
    const now = this.clock.now();
    const e = failureEffect({ status: a.status, until: a.statusUntil }, kind, failure, now, 'call');
    if (e.park) a.parkedUntil[e.park.kind] = Math.max(a.parkedUntil[e.park.kind] ?? 0, e.park.until);
    if (e.status) Object.assign(a, { status: e.status.status, statusReason: englishReason(e.status.reason), statusReasonCode: e.status.reason, statusSince: now, statusUntil: e.status.until });
  }

  markUsed(accountId: number): void {
    const a = this.byId.get(accountId);
    if (a) a.lastUsedAt = this.clock.now();
  }

  callsOf(accountId: number): SessionCall[] {
    return this.calls.filter((c) => c.accountId === accountId);
  }

  private makeSession(accountId: number): AccountSession {
    const act = async (method: SessionCall['method'], args: unknown[]): Promise<ActionOutcome> => {
      const call: SessionCall = { accountId, method, args, at: this.clock.now() };
      this.calls.push(call);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        if (this.latencyMs > 0) await this.clock.sleep(this.latencyMs);
        const answer = await this.script(call);
        call.endAt = this.clock.now();
        if (typeof answer === 'string') return answer;
        throw new TelegramFailure(answer);
      } finally {
        this.inFlight--;
      }
    };
    const unsupported = (): never => {
      throw new Error('not supported by the in-memory pool');
    };
    let messageId = 0;
    return {
      accountId,
      me: () => Promise.resolve({ userId: 100_000 + accountId, username: `acct${accountId}`, firstName: `Account ${accountId}`, phone: null }),
      react: (t: MessageTarget, emoji: string) => act('react', [t, emoji]),
      poll: () => Promise.resolve(this.poll),
      vote: (t: MessageTarget, options: number[]) => act('vote', [t, options]),
      join: (t: JoinTarget) => act('join', [t]),
      leave: (t: LeaveTarget) => act('leave', [t]),
      block: (u: string) => act('block', [u]),
      sendMessage: async (u: string, text: string, randomId: bigint) => {
        await act('sendMessage', [u, text, randomId]);
        return { messageId: ++messageId };
      },
      comment: async (t: MessageTarget, text: string) => {
        await act('comment', [t, text]);
        return { messageId: ++messageId };
      },
      findSent: () => Promise.resolve(false),
      dialogs: () => Promise.resolve([]),
      onMessage: () => unsupported,
      spamStatus: () => Promise.resolve({ state: 'clean' }),
      close: () => Promise.resolve(),
    };
  }
}

export const flood = (seconds: number): Failure => ({ kind: 'flood_wait', code: 'FLOOD_WAIT_X', message: `wait ${seconds} s`, seconds });
export const failure = (kind: Failure['kind'], code = kind.toUpperCase()): Failure => ({ kind, code, message: `${kind} (${code})` });
