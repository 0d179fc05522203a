import type { WebDeps } from '../context.ts';

/**
 * Runs this server started (operations, campaigns), for the API and the pages alike, so a request
 * can stop them and the server's stop lets them wind down: an aborted operation starts no new
 * account, an aborted campaign pauses once its messages in flight are settled.
 */
export class WebRuns {
  readonly operations = new Map<number, AbortController>();
  readonly campaigns = new Map<string, AbortController>();
  private readonly stoppers: Array<() => void> = [];

  /**
   * Runs a campaign in the background (once per campaign at a time), publishing its events to the
   * live stream; resolves once it began, or rejects with the engine's refusal (cancelled, run by
   * another process). A run that fails later is logged; the engine leaves it paused with the reason.
   */
  async startCampaign(deps: Pick<WebDeps, 'app' | 'events' | 'log'>, campaign: string): Promise<void> {
    if (this.campaigns.has(campaign)) return;
    const ctl = new AbortController();
    let started: () => void = () => undefined;
    const began = new Promise<void>((resolve) => (started = resolve));
    deps.events.ownCampaigns.add(campaign);
    this.campaigns.set(campaign, ctl);
    const run = deps.app.campaigns.run(campaign, {
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.type === 'started') started();
        deps.events.publish('campaign', { name: campaign, ...e });
      },
    });
    const settled = run.finally(() => {
      this.campaigns.delete(campaign);
      deps.events.ownCampaigns.delete(campaign);
    });
    void settled.catch((err: unknown) => deps.log.warn({ err, campaign }, `web: the campaign run of "${campaign}" ended with an error`));
    await Promise.race([began, run.then(() => undefined)]);
  }

  /** Asks a run started here to pause after its messages in flight. */
  stopCampaign(campaign: string): void {
    this.campaigns.get(campaign)?.abort();
  }

  /** Other runs to stop with these (the pages' live operations). */
  onStop(stop: () => void): void {
    this.stoppers.push(stop);
  }

  stopAll(): void {
    for (const c of this.operations.values()) c.abort();
    for (const c of this.campaigns.values()) c.abort();
    for (const stop of this.stoppers) stop();
  }
}
