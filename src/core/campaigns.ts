import type { FailureKind } from './failures.ts';

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

/** Telegram's answer to a resend with a `random_id` this account already used: it went out before. */
export const RANDOM_ID_DUPLICATE = 'RANDOM_ID_DUPLICATE';

/**
 * What a refused send means for the row and the account:
 * - `not_found` / `privacy_restricted`: final for the person, never retried;
 * - `park`: FLOOD_WAIT, the account waits, nothing went out;
 * - `peer_flood`: the account may not message strangers any more, nothing went out;
 * - `account_lost`: revoked, banned, frozen, duplicate session: the account stops;
 * - `refused`: this account may not message this person (blocked, not allowed); another may;
 * - `ambiguous`: the connection failed or Telegram had an internal error, so the message may
 *   have gone out: only the same account, with the same random_id, may try again.
 */
export type SendFailureEffect = 'not_found' | 'privacy_restricted' | 'park' | 'peer_flood' | 'account_lost' | 'refused' | 'ambiguous';

export function sendFailureEffect(kind: FailureKind): SendFailureEffect {
  switch (kind) {
    case 'not_found':
      return 'not_found';
    case 'privacy_restricted':
      return 'privacy_restricted';
    case 'flood_wait':
      return 'park';
    case 'peer_flood':
      return 'peer_flood';
    case 'revoked':
    case 'banned':
    case 'frozen':
    case 'duplicate_session':
      return 'account_lost';
    case 'not_allowed':
    case 'bad_request':
    case 'no_access':
      return 'refused';
    case 'network':
    case 'proxy':
    case 'unknown':
      return 'ambiguous';
  }
}
