/**
 * A campaign's vocabulary. A target row moves
 * `pending -> claimed(account, random_id) -> sent | not_found | privacy_restricted | failed | uncertain`,
 * or to `skipped` when the ledger says an earlier campaign already messaged the person (or the
 * operator settles an uncertain row that way).
 */
export type TargetState = 'pending' | 'claimed' | 'sent' | 'not_found' | 'privacy_restricted' | 'failed' | 'uncertain' | 'skipped';

export const TARGET_STATES: readonly TargetState[] = ['pending', 'claimed', 'sent', 'not_found', 'privacy_restricted', 'failed', 'uncertain', 'skipped'];

/** States a row never leaves by itself. */
export const FINAL_TARGET_STATES: readonly TargetState[] = ['sent', 'not_found', 'privacy_restricted', 'failed', 'skipped'];

/**
 * `ready`: created, never run; `running`: a process holds it; `paused`: stopped by the operator,
 * a signal, or because no account can go on (the reason says which); `done`: nothing pending or
 * claimed is left (uncertain rows may still wait for `settle`); `cancelled`: will not send again.
 */
export type CampaignState = 'ready' | 'running' | 'paused' | 'done' | 'cancelled';

export const CAMPAIGN_STATES: readonly CampaignState[] = ['ready', 'running', 'paused', 'done', 'cancelled'];

export type TargetCounts = Record<TargetState, number>;

export function emptyCounts(): TargetCounts {
  return { pending: 0, claimed: 0, sent: 0, not_found: 0, privacy_restricted: 0, failed: 0, uncertain: 0, skipped: 0 };
}

/** What the operator decides for rows the panel could not settle. */
export type UncertainDecision = 'retry' | 'sent' | 'skip';

export const UNCERTAIN_DECISIONS: readonly UncertainDecision[] = ['retry', 'sent', 'skip'];

export interface CampaignSettings {
  /** Accounts to use; null: every usable account. */
  accountIds: number[] | null;
  /** Messages one account sends in this campaign. */
  perAccountCap: number;
  /** Messages one account sends per UTC day over all campaigns. */
  dailyCap: number;
  /** Delay between one account's sends, drawn uniformly. */
  delay: { minMs: number; maxMs: number };
  /** Leave out people any earlier campaign messaged (the contacted ledger). */
  skipContacted: boolean;
}

/** Attempts per target over different accounts before it becomes `failed`. */
export const MAX_TARGET_ATTEMPTS = 3;
