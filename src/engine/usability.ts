import { PROBLEM_STATUSES, type AccountStatus } from '../core/accounts.ts';
import type { OperationKind as ActionKind } from '../core/actions.ts';
import type { FailureKind } from '../core/failures.ts';
import { describeOwner } from './process-owner.ts';
import type { PoolAccount } from './ports.ts';

/** Why an account cannot take part in an action of some kind right now. */
export type UnusableCategory = 'disabled' | 'held' | 'revoked' | 'banned' | 'frozen' | 'error' | 'peer_flood' | 'parked';

/** The failure kind an operation records for an account it had to leave out. */
export const UNUSABLE_KIND: Readonly<Record<UnusableCategory, FailureKind>> = {
  disabled: 'disabled',
  held: 'lease_held',
  revoked: 'revoked',
  banned: 'banned',
  frozen: 'frozen',
  error: 'unknown',
  peer_flood: 'peer_flood',
  parked: 'flood_wait',
};

export type Usability = { usable: true } | { usable: false; category: UnusableCategory; reason: string; until?: number };

/** What this process learned about accounts since the pool listed them (the pool may lag). */
export interface LocalAccountState {
  /** The status an account-ending failure seen here set (the pool's listing may not show it yet). */
  ended?: { status: AccountStatus; reason: string };
  peerFlood?: boolean;
  parkedUntil?: Partial<Record<ActionKind, number>>;
}

const KIND_NAMES: Record<ActionKind, string> = {
  reaction: 'reactions',
  vote: 'votes',
  join: 'joins',
  leave: 'leaves',
  block: 'blocks',
  pm: 'private messages',
  comment: 'comments',
  profile: 'profile edits',
};

export function kindName(kind: ActionKind): string {
  return KIND_NAMES[kind];
}

/** The time a kind is parked until for this account (0 when it is not). */
export function parkedUntil(a: PoolAccount, kind: ActionKind, local?: LocalAccountState): number {
  return Math.max(a.parkedUntil[kind] ?? 0, local?.parkedUntil?.[kind] ?? 0);
}

/**
 * Whether an account may act with `kind` at `now`. A flood-wait status does not exclude an
 * account by itself: only a park for this kind does, since waits are per method.
 */
export function usability(a: PoolAccount, kind: ActionKind, now: number, local?: LocalAccountState): Usability {
  if (!a.enabled) return { usable: false, category: 'disabled', reason: 'disabled' };
  const ended = local?.ended ?? (PROBLEM_STATUSES.includes(a.status) ? { status: a.status, reason: a.statusReason } : undefined);
  if (ended !== undefined) {
    const category = ended.status === 'revoked' || ended.status === 'banned' || ended.status === 'frozen' ? ended.status : 'error';
    return { usable: false, category, reason: withReason(ended.status, ended.reason) };
  }
  if (a.heldBy) return { usable: false, category: 'held', reason: `connected by another telegram-panel (${describeOwner(a.heldBy)})` };
  if (a.status === 'disabled') return { usable: false, category: 'disabled', reason: withReason('disabled', a.statusReason) };
  if (a.status === 'error') return { usable: false, category: 'error', reason: withReason('error', a.statusReason) };
  if (kind === 'pm' && (a.status === 'peer_flood' || local?.peerFlood)) {
    return { usable: false, category: 'peer_flood', reason: 'limited by Telegram (PEER_FLOOD): may not message strangers' };
  }
  const until = parkedUntil(a, kind, local);
  if (until > now) return { usable: false, category: 'parked', reason: `flood-wait for ${kindName(kind)} until ${new Date(until).toISOString()}`, until };
  return { usable: true };
}

function withReason(what: string, reason: string | null): string {
  return reason ? `${what} (${reason})` : what;
}

/** "asked for 10 accounts but only 6 can …: 2 disabled (#3, #4), 1 revoked (#7)". */
/** The accounts other panel processes hold, counted, and those processes named: what the operator stops to free them. */
export function heldElsewhere(unusable: Array<{ account: PoolAccount; usability: Usability }>): { held?: number; holders?: string } {
  const owners = unusable.flatMap(({ account, usability: u }) => (!u.usable && u.category === 'held' && account.heldBy ? [account.heldBy] : []));
  if (owners.length === 0) return {};
  return { held: owners.length, holders: [...new Set(owners.map(describeOwner))].join(', ') };
}

export function describeShortage(asked: number, kind: ActionKind, usableCount: number, unusable: Array<{ account: PoolAccount; usability: Usability }>): string {
  const groups = new Map<string, number[]>();
  for (const { account, usability: u } of unusable) {
    if (u.usable) continue;
    const key = u.category === 'parked' || u.category === 'held' ? u.reason : u.category === 'peer_flood' ? 'limited by PEER_FLOOD' : u.category;
    const list = groups.get(key) ?? [];
    list.push(account.id);
    groups.set(key, list);
  }
  const head = `asked for ${asked} account${asked === 1 ? '' : 's'} but only ${usableCount} can do ${kindName(kind)} now`;
  if (groups.size === 0) return `${head} (there are no other accounts; add some with \`accounts add\`)`;
  const parts = [...groups.entries()].map(([why, ids]) => `${ids.length} ${why} (${ids.slice(0, 8).map((i) => `#${i}`).join(', ')}${ids.length > 8 ? ', …' : ''})`);
  return `${head}; the others: ${parts.join('; ')}`;
}
