import type { Clock } from '../core/clock.ts';
import type { Logger } from '../log.ts';
import type { Wakeups } from '../store/wakeups.ts';
import type { CampaignService } from './campaigns.ts';
import { sleepUnless } from './sleep.ts';

/**
 * A worker's side of campaigns: whoever starts a campaign (any interface, any process) marks it
 * running and wakes the workers; each runs its part with the accounts it holds. The wake-up is
 * only a hint (lost across processes on SQLite, or with a dropped listener), so a slow poll finds
 * running campaigns too, including ones whose accounts this worker came to hold later.
 */
export class CampaignWatcher {
  private readonly stopCtl = new AbortController();
  private poke = new AbortController();
  private readonly parts = new Set<Promise<unknown>>();
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly d: { campaigns: CampaignService; wakeups: Wakeups; clock: Clock; log: Logger; pollMs?: number },
  ) {}

  start(): void {
    if (this.loop) return;
    this.unsubscribe = this.d.wakeups.on('campaigns', () => this.poke.abort());
    this.loop = this.watch();
  }

  private async watch(): Promise<void> {
    const poll = this.d.pollMs ?? 10_000;
    while (!this.stopCtl.signal.aborted) {
      this.poke = new AbortController();
      try {
        for (const name of this.d.campaigns.runningNames()) this.join(name);
      } catch (err) {
        this.d.log.warn({ err }, 'campaigns: could not read the running campaigns');
      }
      await sleepUnless(this.d.clock, poll, [this.stopCtl.signal, this.poke.signal]);
    }
  }

  private join(name: string): void {
    const part = this.d.campaigns.runPart(name, this.stopCtl.signal);
    if (!part) return;
    const settled = part
      .then((r) => this.d.log.info({ campaign: name, state: r.state, sent: r.run.sent }, `campaign "${name}": this worker's part ended (${r.state})`))
      .catch((err: unknown) => this.d.log.warn({ err, campaign: name }, `campaign "${name}": this worker's part failed`))
      .finally(() => this.parts.delete(settled));
    this.parts.add(settled);
  }

  /** Ends this worker's parts once their sends in flight settle; the campaigns go on elsewhere. */
  async stop(): Promise<void> {
    this.stopCtl.abort();
    this.unsubscribe?.();
    await this.loop;
    await Promise.allSettled([...this.parts]);
  }
}
