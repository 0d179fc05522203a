import type { Clock } from '../core/clock.ts';
import { sleepUnless } from './sleep.ts';

/**
 * Reconnects accounts that failed, later: each failure in a row doubles the wait (from
 * `baseMs` up to `maxMs`), and a wait Telegram asked for is never cut short. One pending
 * attempt per account; a success resets its count.
 */
export class Backoff {
  private readonly pending = new Map<number, Promise<void>>();
  private readonly failuresInRow = new Map<number, number>();

  constructor(
    private readonly clock: Clock,
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly stop: AbortSignal,
    /** Tries once; resolves true when connected. Only called when `mayTry` still says so. */
    private readonly attempt: (accountId: number) => Promise<boolean>,
    private readonly mayTry: (accountId: number) => boolean,
  ) {}

  schedule(accountId: number, atLeastMs = 0): void {
    if (this.stop.aborted || this.pending.has(accountId)) return;
    const n = (this.failuresInRow.get(accountId) ?? 0) + 1;
    this.failuresInRow.set(accountId, n);
    const delay = Math.max(atLeastMs, Math.min(this.maxMs, this.baseMs * 2 ** (n - 1)));
    const timer = (async () => {
      await sleepUnless(this.clock, delay, [this.stop]);
      this.pending.delete(accountId);
      if (this.stop.aborted || !this.mayTry(accountId)) return;
      if (await this.attempt(accountId)) this.failuresInRow.delete(accountId);
    })();
    this.pending.set(accountId, timer);
  }

  /** A retry is scheduled for the account. */
  waiting(accountId: number): boolean {
    return this.pending.has(accountId);
  }

  /** Connected some other way: the next failure starts from the shortest wait again. */
  reset(accountId: number): void {
    this.failuresInRow.delete(accountId);
  }

  /** Resolves when every pending attempt has ended (after the stop signal, promptly). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending.values()]);
  }
}
