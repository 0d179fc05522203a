import { pinAllows, type PinFilter } from './worker-pin.ts';

/**
 * How live workers split the accounts they may connect: each holds about the same number. Pure:
 * the engine (engine/workers.ts) feeds it the rows it read and applies the answer.
 *
 * With N accounts and W workers, a worker takes free accounts up to floor(N/W) at once, and up to
 * ceil(N/W) only when no worker is below floor(N/W) (so a newcomer gets the free ones first). A
 * worker above floor(N/W) gives accounts away only while some worker is below it and the free
 * accounts cannot fill that gap; the givers are ranked the same way by every worker (most held
 * first, then by name), so together they give about what is missing, not W times that.
 */

export interface Share {
  floor: number;
  ceil: number;
}

export function fairShare(accounts: number, workers: number): Share {
  if (workers <= 0) return { floor: accounts, ceil: accounts };
  return { floor: Math.floor(accounts / workers), ceil: Math.ceil(accounts / workers) };
}

export interface WorkerLoad {
  owner: string;
  /** Accounts of the shared set this worker holds. */
  held: number;
}

export interface BalanceInput {
  self: WorkerLoad;
  /** The other live workers that may take accounts of this set. */
  others: readonly WorkerLoad[];
  /** Accounts in the set: held by these workers or free. */
  accounts: number;
  /** Accounts of the set nobody holds. */
  free: number;
}

export interface BalanceDecision {
  take: number;
  give: number;
}

export function decideBalance(i: BalanceInput): BalanceDecision {
  const { floor, ceil } = fairShare(i.accounts, i.others.length + 1);
  const deficit = i.others.reduce((n, o) => n + Math.max(0, floor - o.held), 0);
  let take = 0;
  if (i.self.held < floor) take = floor - i.self.held;
  else if (i.self.held < ceil && deficit === 0) take = ceil - i.self.held;
  take = Math.min(take, i.free);
  let give = 0;
  // What the free accounts cannot cover is taken from those above floor, ranked alike everywhere.
  let missing = Math.max(0, deficit - i.free);
  if (missing > 0 && i.self.held > floor) {
    const givers = [i.self, ...i.others].filter((w) => w.held > floor).sort((a, b) => b.held - a.held || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
    for (const g of givers) {
      const n = Math.min(g.held - floor, missing);
      missing -= n;
      if (g.owner === i.self.owner) {
        give = n;
        break;
      }
      if (missing === 0) break;
    }
  }
  return { take, give };
}

/** One account as the balance sees it. */
export interface BalanceAccount {
  id: number;
  tags?: readonly string[] | undefined;
  /** The live owner of its lease (a worker, or another process such as a CLI command); null when free. */
  holder: string | null;
  /** Not disabled, not waiting for the operator: a worker may connect it by itself. */
  connectable: boolean;
  /** Accounts used least recently are given away first (they are least likely busy). */
  lastUsedAt: number | null;
}

export interface BalanceWorker {
  owner: string;
  pin: PinFilter;
}

export interface BalancePlan {
  /** Free accounts to connect now, in the order to try them. */
  take: number[];
  /** Accounts this worker holds to disconnect and release for another worker. */
  give: number[];
  share: Share;
}

/**
 * What `self` should take and give, from every live worker (self included) and every account.
 * An account that `self` holds but may not take (a live pinned worker names it) is given when
 * another live worker may take it. `order` ranks the free accounts to try (the engine shuffles them,
 * so workers starting together try different ones first).
 */
export function planBalance(
  self: string,
  workers: readonly BalanceWorker[],
  accounts: readonly BalanceAccount[],
  order: (ids: number[]) => number[] = (ids) => ids,
): BalancePlan {
  const me = workers.find((w) => w.owner === self) ?? { owner: self, pin: { kind: 'all' } as PinFilter };
  const all = workers.some((w) => w.owner === self) ? workers : [...workers, me];
  const pins = all.map((w) => w.pin);
  const mayTake = (w: BalanceWorker, a: BalanceAccount): boolean => pinAllows(w.pin, a, pins);
  const set = accounts.filter((a) => mayTake(me, a) && (a.holder === self || (a.connectable && (a.holder === null || all.some((w) => w.owner === a.holder)))));
  const others = all.filter((w) => w.owner !== self && set.some((a) => mayTake(w, a)));
  const heldBy = (owner: string): number => set.filter((a) => a.holder === owner).length;
  const free = set.filter((a) => a.holder === null);
  const counted = set.filter((a) => a.holder === self || a.holder === null || others.some((o) => o.owner === a.holder));
  const decision = decideBalance({
    self: { owner: self, held: heldBy(self) },
    others: others.map((o) => ({ owner: o.owner, held: heldBy(o.owner) })),
    accounts: counted.length,
    free: free.length,
  });
  const mine = set.filter((a) => a.holder === self).sort((x, y) => (x.lastUsedAt ?? -Infinity) - (y.lastUsedAt ?? -Infinity) || x.id - y.id);
  const misplaced = accounts.filter((a) => a.holder === self && !mayTake(me, a) && all.some((w) => w.owner !== self && mayTake(w, a)));
  return {
    take: order(free.map((a) => a.id)).slice(0, decision.take),
    give: [...misplaced.map((a) => a.id), ...mine.slice(0, decision.give).map((a) => a.id)],
    share: fairShare(counted.length, others.length + 1),
  };
}
