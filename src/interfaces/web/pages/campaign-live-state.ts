import type { CampaignAccountSummary, CampaignService, CampaignStatus, CampaignTimeline } from '../../../engine/campaigns.ts';

/**
 * How old the per-account table and the chart of a running campaign may be. They cost tens of
 * milliseconds with hundreds of accounts and 100,000 targets (aggregates over every sent row), the
 * chart's bars are minutes wide, and caps and waits move slowly; the progress line is read afresh
 * on every refresh.
 */
export const DETAIL_MAX_AGE_MS = 15_000;

export interface CampaignLiveState {
  status: CampaignStatus;
  timeline: CampaignTimeline;
}

interface Detail {
  at: number;
  accounts: CampaignAccountSummary[];
  timeline: CampaignTimeline;
}

/**
 * What a campaign's live part shows, shared by every page open on it: while the campaign runs, its
 * state and counts are read on each request and the per-account detail at most every
 * `DETAIL_MAX_AGE_MS`; any other state is read whole (nothing refreshes those pages on a timer,
 * and a pause or the end must show exact figures).
 */
export class CampaignLiveStates {
  private readonly details = new Map<string, Detail>();

  constructor(
    private readonly campaigns: Pick<CampaignService, 'progress' | 'status' | 'timeline'>,
    private readonly now: () => number = () => performance.now(),
    private readonly maxAgeMs = DETAIL_MAX_AGE_MS,
    /** A count read moments ago for everyone (the event poll's), shown instead of counting again. */
    private readonly recent: (name: string) => Omit<CampaignStatus, 'accounts'> | undefined = () => undefined,
  ) {}

  /** Throws the engine's InputError for an unknown campaign. */
  read(name: string): CampaignLiveState {
    const now = this.now();
    const d = this.details.get(name);
    if (d && now - d.at < this.maxAgeMs) {
      const progress = this.recent(name) ?? this.campaigns.progress(name);
      if (progress.state === 'running') return { status: { ...progress, accounts: d.accounts }, timeline: d.timeline };
    }
    const status = this.campaigns.status(name);
    const timeline = this.campaigns.timeline(name);
    if (status.state === 'running') this.details.set(name, { at: now, accounts: status.accounts, timeline });
    else this.details.delete(name);
    return { status, timeline };
  }
}
