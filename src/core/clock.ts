/**
 * Time as the engine sees it. Production uses the wall clock; tests and benchmarks drive a
 * virtual one so hours of pacing run in milliseconds.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * A clock whose time moves only when every pending task has had its turn: `run()` advances to
 * the next sleeper whenever the microtask queue drains, so concurrent code is simulated in order.
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((x) => x !== s);
        reject(signal?.reason as Error);
      };
      const s: Sleeper = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.insert(s);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Moves time forward by `ms`, waking every sleeper due by then in order. */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    while (this.sleepers.length > 0 && this.sleepers[0]!.at <= until) {
      await this.step();
    }
    this.t = until;
  }

  /** Runs `task` to completion, jumping time to the next sleeper whenever nothing else can run. */
  async run<T>(task: Promise<T>): Promise<T> {
    let done = false;
    let failed = false;
    let value: T | undefined;
    let error: unknown;
    task.then(
      (v) => {
        done = true;
        value = v;
      },
      (e: unknown) => {
        done = true;
        failed = true;
        error = e;
      },
    );
    while (!done) {
      await settle();
      if (done) break;
      if (this.sleepers.length === 0) {
        await settle();
        if (!done && this.sleepers.length === 0) throw new Error('VirtualClock.run: the task is waiting on something other than the clock');
        continue;
      }
      await this.step();
    }
    if (failed) throw error;
    return value as T;
  }

  get pending(): number {
    return this.sleepers.length;
  }

  private async step(): Promise<void> {
    const next = this.sleepers.shift();
    if (!next) return;
    this.t = Math.max(this.t, next.at);
    next.resolve();
    await settle();
  }

  private insert(s: Sleeper): void {
    let i = this.sleepers.length;
    while (i > 0 && (this.sleepers[i - 1]!.at > s.at || (this.sleepers[i - 1]!.at === s.at && this.sleepers[i - 1]!.seq > s.seq))) i--;
    this.sleepers.splice(i, 0, s);
  }
}

/** Lets every queued microtask and immediate run (a few rounds, since promises chain). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}
