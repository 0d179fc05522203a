import type { AccountStatus, AccountSummary } from '../core/accounts.ts';
import { InputError } from '../core/errors.ts';
import { reason } from '../core/reasons.ts';
import { quoteInput } from '../core/text.ts';
import { csvCell } from './campaign-export.ts';

/**
 * Statuses an account can be pruned for: what its last check or use found (a session Telegram
 * ended, a banned or deleted number, a frozen account), an error, or the operator's own disable.
 * Accounts that work, even limited or waiting, are never pruned.
 */
export const PRUNABLE_STATUSES: readonly AccountStatus[] = ['revoked', 'banned', 'frozen', 'error', 'disabled'];

/** Dead for good: the session is gone, or Telegram banned or deleted the number (USER_DEACTIVATED). */
export const DEFAULT_PRUNE_STATUSES: readonly AccountStatus[] = ['revoked', 'banned'];

/** `revoked,banned` (commas or spaces, any case) into statuses; refuses any that is not prunable. */
export function parsePruneStatuses(text: string | undefined): AccountStatus[] {
  if (text === undefined) return [...DEFAULT_PRUNE_STATUSES];
  const parts = text
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const statuses = PRUNABLE_STATUSES.join(', ');
  if (parts.length === 0) throw new InputError(`--status needs one or more of ${statuses}`, reason('prune_status_missing', { statuses }));
  const bad = parts.filter((p) => !(PRUNABLE_STATUSES as readonly string[]).includes(p));
  if (bad.length > 0) {
    throw new InputError(`--status ${bad.map((b) => quoteInput(b)).join(', ')}: accounts are pruned only when ${statuses} (working accounts are never pruned)`, reason('prune_status_invalid', { value: bad.join(', '), statuses }));
  }
  return [...new Set(parts)] as AccountStatus[];
}

/** The accounts whose stored status (as of their last check or use) is one of `statuses`. */
export function pruneCandidates(accounts: readonly AccountSummary[], statuses: readonly AccountStatus[]): AccountSummary[] {
  return accounts.filter((a) => statuses.includes(a.status));
}

/**
 * Removes the accounts through the fleet's one removal path (disconnect, release the lease, delete
 * the account and its keys), one after another; returns the ids removed.
 */
export async function pruneAccounts(fleet: { remove(accountId: number): Promise<void> }, ids: readonly number[]): Promise<number[]> {
  const removed: number[] = [];
  for (const id of ids) {
    await fleet.remove(id);
    removed.push(id);
  }
  return removed;
}

/**
 * The record of what a prune removes, one row per account with its phone and why it was dead, in
 * the campaign exporter's CSV cells: the CLI writes it to a file, the bot sends it as a document.
 */
export function pruneCsv(accounts: readonly AccountSummary[]): string {
  const lines = ['id,phone,username,status,reason,status_since'];
  for (const a of accounts) {
    lines.push(
      [
        csvCell('id', a.id),
        csvCell('account', a.phone),
        csvCell('text', a.username ? `@${a.username}` : null),
        csvCell('outcome', a.status),
        csvCell('text', a.statusReason),
        csvCell('time', new Date(a.statusSince).toISOString()),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** `20260101-1200`: the time in a pruned-accounts file's name. */
export function pruneStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
}
