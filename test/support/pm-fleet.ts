import type { AccountStatus } from '../../src/core/accounts.ts';
import type { Clock } from '../../src/core/clock.ts';
import { TelegramFailure, type Failure } from '../../src/core/failures.ts';
import type { AccountSession } from '../../src/core/session.ts';
import type { PoolAccount } from '../../src/engine/ports.ts';
import { MemoryPool as BasePool } from './memory-pool.ts';

/**
 * An in-memory Telegram for private messages and an `AccountPool` over it, for campaign tests
 * and benchmarks. The "server" side (deliveries, used random_ids) outlives any engine, so a test
 * can abandon an engine mid-run and check what was really delivered.
 */
export interface Delivery {
  from: number;
  to: string;
  text: string;
  randomId: bigint;
  at: number;
}

/** What a scripted fault does to one send: refuse it, or deliver it and then lose the answer. */
export type SendFault = Failure | { deliverThenFail: Failure };

export type FaultRule = (accountId: number, username: string, call: number) => SendFault | undefined;

export const failures = {
  flood: (seconds: number): Failure => ({ kind: 'flood_wait', code: 'FLOOD_WAIT_X', seconds, message: `wait ${seconds} s (FLOOD_WAIT_X)` }),
  peerFlood: (): Failure => ({ kind: 'peer_flood', code: 'PEER_FLOOD', message: 'limited (PEER_FLOOD)' }),
  revoked: (): Failure => ({ kind: 'revoked', code: 'AUTH_KEY_UNREGISTERED', message: 'session revoked (AUTH_KEY_UNREGISTERED)' }),
  network: (): Failure => ({ kind: 'network', code: 'TIMEOUT', message: 'connection lost (TIMEOUT)' }),
  notAllowed: (): Failure => ({ kind: 'not_allowed', code: 'CHAT_WRITE_FORBIDDEN', message: 'not allowed (CHAT_WRITE_FORBIDDEN)' }),
};

export class FakeTelegram {
  readonly deliveries: Delivery[] = [];
  private readonly usedRandomIds = new Map<number, Set<bigint>>();
  private calls = 0;
  /** Sends that reached the server (delivered or refused). */
  sendCalls = 0;
  fault: FaultRule = () => undefined;
  /** History lookups hide deliveries (to exercise RANDOM_ID_DUPLICATE). */
  hideHistory = false;
  /** Called at each point a crash test may kill the caller: before a send reaches the server, after it was delivered, on a history lookup. */
  onPoint: (point: 'before-send' | 'after-send' | 'find') => void = () => undefined;

  constructor(
    readonly clock: Clock,
    readonly users: Set<string>,
    readonly privacy: Set<string> = new Set(),
    /** Virtual latency of each request. */
    readonly latencyMs = 0,
  ) {}

  async send(from: number, to: string, text: string, randomId: bigint, alive: () => boolean = () => true): Promise<{ messageId: number }> {
    if (this.latencyMs > 0) await this.clock.sleep(this.latencyMs);
    this.onPoint('before-send');
    if (!alive()) return never();
    this.sendCalls++;
    const f = this.fault(from, to, this.calls++);
    if (f && !('deliverThenFail' in f)) throw new TelegramFailure(f);
    const used = this.usedRandomIds.get(from) ?? new Set<bigint>();
    this.usedRandomIds.set(from, used);
    // What the adapter (src/telegram) makes of RANDOM_ID_DUPLICATE: it went out before, id unknown.
    if (used.has(randomId)) return { messageId: 0 };
    if (!this.users.has(to) && !this.privacy.has(to)) throw new TelegramFailure({ kind: 'not_found', code: 'USERNAME_NOT_OCCUPIED', message: 'no such user' });
    if (this.privacy.has(to)) throw new TelegramFailure({ kind: 'privacy_restricted', code: 'USER_PRIVACY_RESTRICTED', message: 'privacy' });
    used.add(randomId);
    this.deliveries.push({ from, to, text, randomId, at: this.clock.now() });
    this.onPoint('after-send');
    if (f) throw new TelegramFailure(f.deliverThenFail);
    return { messageId: this.deliveries.length };
  }

  findSent(from: number, to: string, text: string, since: number): boolean {
    this.onPoint('find');
    if (this.hideHistory) return false;
    return this.deliveries.some((d) => d.from === from && d.to === to && d.text === text && d.at >= since);
  }

  /** Recipients who got the message more than once. */
  duplicates(): string[] {
    const seen = new Map<string, number>();
    for (const d of this.deliveries) seen.set(`${d.to}\u0000${d.text}`, (seen.get(`${d.to}\u0000${d.text}`) ?? 0) + 1);
    return [...seen.entries()].filter(([, n]) => n > 1).map(([k]) => k.split('\u0000')[0]!);
  }
}

class FakeSession implements AccountSession {
  constructor(
    readonly accountId: number,
    private readonly tg: FakeTelegram,
    private readonly alive: () => boolean,
  ) {}

  private check(): Promise<void> {
    // A "killed" process never gets an answer.
    return this.alive() ? Promise.resolve() : never();
  }

  async sendMessage(username: string, text: string, randomId: bigint): Promise<{ messageId: number }> {
    await this.check();
    let r: { messageId: number };
    try {
      r = await this.tg.send(this.accountId, username, text, randomId, this.alive);
    } catch (e) {
      await this.check();
      throw e;
    }
    await this.check();
    return r;
  }

  async findSent(username: string, text: string, sinceMs: number): Promise<boolean> {
    await this.check();
    const found = this.tg.findSent(this.accountId, username, text, sinceMs);
    await this.check();
    return found;
  }

  me(): never {
    throw new Error('not used');
  }
  react(): never {
    throw new Error('not used');
  }
  poll(): never {
    throw new Error('not used');
  }
  vote(): never {
    throw new Error('not used');
  }
  join(): never {
    throw new Error('not used');
  }
  leave(): never {
    throw new Error('not used');
  }
  block(): never {
    throw new Error('not used');
  }
  comment(): never {
    throw new Error('not used');
  }
  dialogs(): never {
    throw new Error('not used');
  }
  onMessage(): () => void {
    return () => undefined;
  }
  spamStatus(): never {
    throw new Error('not used');
  }
  async close(): Promise<void> {}
}

/**
 * The shared in-memory pool with sessions over a `FakeTelegram`. `kill()` models the process
 * dying: sessions handed out before it never answer again; accounts, statuses and parks carry
 * over to the next "process".
 */
export class MemoryPool extends BasePool {
  private generation = 0;

  constructor(tg: FakeTelegram, count: number, clock: Clock) {
    let gen = (): number => 0;
    super({
      clock,
      accounts: Array.from({ length: count }, (_, i) => ({ id: i + 1, userId: 1000 + i, username: `fleet${i + 1}`, firstName: `Fleet ${i + 1}` })),
      sessionFor: (accountId) => {
        const at = gen();
        return new FakeSession(accountId, tg, () => gen() === at);
      },
    });
    gen = () => this.generation;
  }

  kill(): void {
    this.generation++;
  }

  get list(): PoolAccount[] {
    return [...this.byId.values()];
  }

  setStatus(accountId: number, status: AccountStatus): void {
    this.byId.get(accountId)!.status = status;
  }
}

/** `n` usernames like `user00001`. */
export function usernames(n: number, prefix = 'user'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(5, '0')}`);
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}
