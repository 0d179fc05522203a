import { describe, expect, it } from 'vitest';
import { decideBalance, fairShare, planBalance, type BalanceAccount, type BalanceWorker } from './fair-share.ts';
import { parsePinText, pinAllows, pinText } from './worker-pin.ts';

const acc = (id: number, holder: string | null, extra: Partial<BalanceAccount> = {}): BalanceAccount => ({ id, holder, connectable: true, lastUsedAt: null, ...extra });
const all = (owner: string): BalanceWorker => ({ owner, pin: { kind: 'all' } });

/** Every worker applies its plan in turn (give, then take from the free ones) until nothing changes. */
function settle(workers: BalanceWorker[], accounts: BalanceAccount[], rounds = 20): Map<string, number> {
  for (let r = 0; r < rounds; r++) {
    let changed = false;
    for (const w of workers) {
      const plan = planBalance(w.owner, workers, accounts);
      for (const id of plan.give) {
        accounts.find((a) => a.id === id)!.holder = null;
        changed = true;
      }
      for (const id of plan.take) {
        accounts.find((a) => a.id === id)!.holder = w.owner;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return new Map(workers.map((w) => [w.owner, accounts.filter((a) => a.holder === w.owner).length]));
}

describe('fair share', () => {
  it('is floor and ceil of accounts over workers', () => {
    expect(fairShare(10, 3)).toEqual({ floor: 3, ceil: 4 });
    expect(fairShare(9, 3)).toEqual({ floor: 3, ceil: 3 });
    expect(fairShare(2, 3)).toEqual({ floor: 0, ceil: 1 });
    expect(fairShare(5, 1)).toEqual({ floor: 5, ceil: 5 });
  });

  it('one worker alone takes every free account and gives nothing', () => {
    expect(decideBalance({ self: { owner: 'a', held: 0 }, others: [], accounts: 7, free: 7 })).toEqual({ take: 7, give: 0 });
    expect(decideBalance({ self: { owner: 'a', held: 7 }, others: [], accounts: 7, free: 0 })).toEqual({ take: 0, give: 0 });
  });

  it('a newcomer takes free accounts up to floor; the others wait for it before going to ceil', () => {
    expect(decideBalance({ self: { owner: 'b', held: 0 }, others: [{ owner: 'a', held: 4 }], accounts: 10, free: 6 })).toEqual({ take: 5, give: 0 });
    // a is at floor 5 but b is below it: a leaves the free ones to b.
    expect(decideBalance({ self: { owner: 'a', held: 5 }, others: [{ owner: 'b', held: 0 }], accounts: 11, free: 6 })).toEqual({ take: 0, give: 0 });
    expect(decideBalance({ self: { owner: 'a', held: 5 }, others: [{ owner: 'b', held: 5 }], accounts: 11, free: 1 })).toEqual({ take: 1, give: 0 });
  });

  it('a worker above floor gives only what the free accounts cannot cover, givers ranked alike everywhere', () => {
    // 10 accounts, a holds all, b and c just started: floor 3, 6 missing, a gives 6.
    expect(decideBalance({ self: { owner: 'a', held: 10 }, others: [{ owner: 'b', held: 0 }, { owner: 'c', held: 0 }], accounts: 10, free: 0 })).toEqual({ take: 0, give: 6 });
    // Two free accounts cover part of it.
    expect(decideBalance({ self: { owner: 'a', held: 8 }, others: [{ owner: 'b', held: 0 }, { owner: 'c', held: 0 }], accounts: 10, free: 2 })).toEqual({ take: 0, give: 4 });
    // 4, 4, 2: one account is missing; only the first giver in the shared ranking (a) gives it.
    const loads = [{ owner: 'a', held: 4 }, { owner: 'b', held: 4 }, { owner: 'c', held: 2 }];
    expect(decideBalance({ self: loads[0]!, others: [loads[1]!, loads[2]!], accounts: 10, free: 0 })).toEqual({ take: 0, give: 1 });
    expect(decideBalance({ self: loads[1]!, others: [loads[0]!, loads[2]!], accounts: 10, free: 0 })).toEqual({ take: 0, give: 0 });
    // Nobody below floor: nothing moves, even at 4, 3, 3.
    expect(decideBalance({ self: { owner: 'a', held: 4 }, others: [{ owner: 'b', held: 3 }, { owner: 'c', held: 3 }], accounts: 10, free: 0 })).toEqual({ take: 0, give: 0 });
  });

  it('settles any start into a spread within one account, every account held', () => {
    const workers = [all('a'), all('b'), all('c')];
    const accounts = Array.from({ length: 25 }, (_, i) => acc(i + 1, 'a'));
    const held = settle(workers, accounts);
    expect([...held.values()].sort()).toEqual([8, 8, 9]);
    expect(accounts.every((a) => a.holder !== null)).toBe(true);
  });

  it("takes a dead worker's accounts once their leases are free", () => {
    const workers = [all('a'), all('b')];
    const accounts = Array.from({ length: 9 }, (_, i) => acc(i + 1, i < 3 ? 'a' : i < 6 ? 'b' : null));
    const held = settle(workers, accounts);
    expect(held.get('a')! + held.get('b')!).toBe(9);
    expect(Math.abs(held.get('a')! - held.get('b')!)).toBeLessThanOrEqual(1);
  });

  it('leaves accounts held by a process that is not a worker (a CLI command) alone, and skips those that may not connect', () => {
    const plan = planBalance('a', [all('a')], [acc(1, 'cli/1/x'), acc(2, null, { connectable: false }), acc(3, null)]);
    expect(plan.take).toEqual([3]);
    expect(plan.give).toEqual([]);
  });

  it('gives the least recently used accounts first', () => {
    const accounts = [acc(1, 'a', { lastUsedAt: 50 }), acc(2, 'a', { lastUsedAt: null }), acc(3, 'a', { lastUsedAt: 10 }), acc(4, 'a', { lastUsedAt: 99 })];
    expect(planBalance('a', [all('a'), all('b')], accounts).give).toEqual([2, 3]);
  });
});

describe('pinned workers', () => {
  it('round-trip their filter as text', () => {
    for (const p of [{ kind: 'all' }, { kind: 'tag', tag: 'dc1' }, { kind: 'accounts', ids: [1, 5] }] as const) expect(parsePinText(pinText(p))).toEqual(p);
    // A rule this version cannot read pins to nothing rather than to everything.
    expect(parsePinText('proxy:x')).toEqual({ kind: 'accounts', ids: [] });
  });

  it('a pinned worker takes its accounts; unpinned ones leave those to it while it lives', () => {
    const dc1 = { kind: 'tag', tag: 'dc1' } as const;
    const a = { id: 1, tags: ['dc1'] };
    const b = { id: 2, tags: [] };
    expect(pinAllows(dc1, a, [dc1])).toBe(true);
    expect(pinAllows(dc1, b, [dc1])).toBe(false);
    expect(pinAllows({ kind: 'all' }, a, [dc1])).toBe(false);
    expect(pinAllows({ kind: 'all' }, a, [{ kind: 'all' }])).toBe(true);
  });

  it('an unpinned worker hands a pinned account to the pinned worker, and the pinned worker takes all its own', () => {
    const workers: BalanceWorker[] = [all('u1'), all('u2'), { owner: 'p', pin: { kind: 'tag', tag: 'dc1' } }];
    const accounts = Array.from({ length: 12 }, (_, i) => acc(i + 1, i % 2 === 0 ? 'u1' : 'u2', { tags: i < 3 ? ['dc1'] : [] }));
    expect(planBalance('u1', workers, accounts).give.sort()).toEqual([1, 3]);
    const held = settle(workers, accounts);
    expect(accounts.filter((x) => x.tags?.includes('dc1')).every((x) => x.holder === 'p')).toBe(true);
    expect(held.get('p')).toBe(3);
    expect([held.get('u1'), held.get('u2')].sort()).toEqual([4, 5]);
  });
});
