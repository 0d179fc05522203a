import type { Logger } from '../../log.ts';

/**
 * Work the bot started in the background (progress reporting of a running operation). grammY
 * handles updates one at a time, so anything long runs here; stopping the bot aborts and awaits it.
 */
export class Jobs {
  private readonly running = new Set<Promise<void>>();
  private readonly ctl = new AbortController();

  constructor(private readonly log: Logger) {}

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  run(name: string, task: (signal: AbortSignal) => Promise<void>): void {
    const p: Promise<void> = task(this.ctl.signal)
      .catch((e: unknown) => {
        if (!this.ctl.signal.aborted) this.log.error({ err: e, job: name }, 'bot job failed');
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves when every job has finished (tests use it instead of sleeping). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async stop(): Promise<void> {
    this.ctl.abort(new Error('the bot is stopping'));
    await this.idle();
  }
}
