import type { FailureKind } from './failures.ts';
import type { Reason, ReasonParams } from './reasons.ts';

/**
 * Reasons the engine keeps with a record (why a campaign paused, why an operation stopped, why
 * an account has its status), as codes with parameters. The English words below are the ones the
 * CLI prints and the bot shows in English; every other bot language words each code itself.
 */
export const STORED_REASON_CODES = [
  /** kind, code, seconds (flood waits), message (the adapter's English sentence) */
  'telegram_failure',
  'operation_process_ended',
  /** count */
  'campaign_targets_added',
  'campaign_paused_by_operator',
  'campaign_cancelled_by_operator',
  /** count */
  'campaign_uncertain_requeued',
  'campaign_taken_over',
  /** detail (what stopped the process), may be absent */
  'campaign_interrupted',
  /** until (epoch ms), cause (flood, network, daily_cap, delay), account (absent for the delay), cap (daily_cap) */
  'campaign_waiting',
  /** count */
  'campaign_uncertain_left',
  /** pending, claimed, deferred, refused (1: each usable account was refused), stopped (accounts), fleet (0: none), accounts (why each stopped, English) */
  'campaign_stalled',
  /** code (the RPC error), call (the kind of call) */
  'account_flood_wait',
  /** until (epoch ms), may be absent */
  'spambot_limited',
  'spambot_clean',
  /** proxy (its label) */
  'account_connecting_proxy',
  'account_disabled_by_operator',
  'account_lease_lost',
  'account_removed',
] as const;

export type StoredReasonCode = (typeof STORED_REASON_CODES)[number];

/** Why a campaign run waits: an account's flood wait, its connection retry, its daily cap, or the pacing delay. */
export type WaitCause = { cause: 'flood' | 'network'; account: number } | { cause: 'daily_cap'; account: number; cap: number } | { cause: 'delay' };

const iso = (ms: unknown): string => (typeof ms === 'number' ? new Date(ms).toISOString() : '');
const num = (x: unknown): number => (typeof x === 'number' ? x : 0);
const str = (x: unknown): string => (typeof x === 'string' || typeof x === 'number' ? String(x) : '');

function waitCause(p: ReasonParams): string {
  const who = `account #${str(p.account)}`;
  if (p.cause === 'flood') return `${who} waits out a flood wait`;
  if (p.cause === 'network') return `${who} retries after a connection failure`;
  if (p.cause === 'daily_cap') return `${who} reached its daily cap of ${str(p.cap)}`;
  return 'the delay between messages';
}

function stalled(p: ReasonParams): string {
  const parts: string[] = [];
  if (num(p.pending) > 0) parts.push(`${num(p.pending)} target(s) remain`);
  if (num(p.claimed) > 0) parts.push(`${num(p.claimed)} claimed message(s) wait to be confirmed by the account that claimed them`);
  if (num(p.deferred) > 0) parts.push(`${num(p.deferred)} wait for another campaign's unsettled message to the same person`);
  if (num(p.refused) > 0) parts.push('the usable account(s) were each refused by the remaining target(s)');
  if (num(p.stopped) > 0) parts.push(str(p.accounts) || `${num(p.stopped)} account(s) stopped`);
  const head = num(p.stopped) > 0 || num(p.fleet) === 0 ? `no usable account left${num(p.fleet) === 0 ? ' (the fleet has none)' : ''}` : 'stalled';
  return `${head}: ${parts.join('; ')}`;
}

export const STORED_REASONS_EN: Record<StoredReasonCode, (p: ReasonParams) => string> = {
  telegram_failure: (p) => str(p.message) || str(p.code),
  operation_process_ended: () => 'the process running it ended',
  campaign_targets_added: (p) => `${num(p.count)} new target(s) added`,
  campaign_paused_by_operator: () => 'paused by the operator',
  campaign_cancelled_by_operator: () => 'cancelled by the operator',
  campaign_uncertain_requeued: (p) => `${num(p.count)} uncertain target(s) will be sent again on the next run`,
  campaign_taken_over: () => 'another process took the campaign over',
  campaign_interrupted: (p) => `interrupted${p.detail ? ` (${str(p.detail)})` : ''}; run it again to resume`,
  campaign_waiting: (p) => `nothing can be sent before ${iso(p.until)} (${waitCause(p)}); run it again later`,
  campaign_uncertain_left: (p) => `${num(p.count)} message(s) are uncertain: check them and run campaign settle`,
  campaign_stalled: stalled,
  account_flood_wait: (p) => `${str(p.code)} on ${str(p.call)}`,
  spambot_limited: (p) => `@SpamBot: limited${p.until !== undefined ? ` until ${iso(p.until)}` : ''}`,
  spambot_clean: () => '@SpamBot: no limits',
  account_connecting_proxy: (p) => `through ${str(p.proxy)}`,
  account_disabled_by_operator: () => 'disabled by the operator',
  account_lease_lost: () => 'another telegram-panel took over this account',
  account_removed: () => 'removed',
};

export function isStoredReason(r: Reason): r is Reason & { code: StoredReasonCode } {
  return (STORED_REASON_CODES as readonly string[]).includes(r.code);
}

/** The English words of a stored reason: what the CLI prints and the text column keeps. */
export function englishReason(r: Reason): string {
  return isStoredReason(r) ? STORED_REASONS_EN[r.code](r.params) : r.code;
}

/** A Telegram failure as a stored reason: the bot words it by kind, the CLI keeps the adapter's sentence. */
export function failureReason(f: { kind: FailureKind; code: string; message: string; seconds?: number }): Reason {
  const params: Record<string, string | number> = { kind: f.kind, code: f.code, message: f.message };
  if (f.seconds !== undefined) params.seconds = f.seconds;
  return { code: 'telegram_failure', params };
}

/** A reason as stored (code and JSON parameters), and back; a row without a code has none. */
export function reasonColumns(r: Reason | null): { code: string | null; params: string | null; text: string | null } {
  return r ? { code: r.code, params: JSON.stringify(r.params), text: englishReason(r) } : { code: null, params: null, text: null };
}

export function reasonFromColumns(code: string | null, params: string | null): Reason | null {
  if (code === null || !(STORED_REASON_CODES as readonly string[]).includes(code)) return null;
  let p: ReasonParams = {};
  try {
    const parsed: unknown = params ? JSON.parse(params) : {};
    if (parsed && typeof parsed === 'object') p = parsed as ReasonParams;
  } catch {
    // A damaged parameter list still names the reason; the words lose only their values.
  }
  return { code: code as StoredReasonCode, params: p };
}
