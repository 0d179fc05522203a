import { expect, it } from 'vitest';
import { describeEngines } from '../../test/support/engines.ts';
import { CampaignStore } from './campaigns.ts';
import { LeaseStore } from './leases.ts';
import type { Db } from './sql.ts';

const SETTINGS = { accountIds: null, perAccountCap: 10, dailyCap: 3, delay: { minMs: 0, maxMs: 0 }, skipContacted: true };
const T = Date.UTC(2026, 0, 1, 12);

function open(db: Db) {
  return { db, store: new CampaignStore(db) };
}

/** `owner` holds the account leases of `ids` (what its fleet takes when it connects them). */
function hold(db: Db, owner: string, ...ids: number[]): void {
  const leases = new LeaseStore(db, 'account');
  for (const id of ids) if (!leases.acquire(id, owner, T, 60_000).ok) throw new Error(`account ${id} is held`);
}

describeEngines('campaign store', (t) => {
  it('keeps a committed claim with its account and random_id across a reopen of the store', () => {
    const a = open(t.db);
    const c = a.store.create({ name: 'c', message: 'm', settings: SETTINGS, usernames: ['alice_one', 'bob_two'], now: T });
    a.store.setState(c.id, 'running', null, T);
    hold(t.db, 'me', 4);
    const r = a.store.claimNext({ campaignId: c.id, leaseOwner: 'me', accountId: 4, randomId: 9_223_372_036_854_775_807n, now: T, dailyCap: 3, skipContacted: true });
    expect(r.kind).toBe('claimed');
    const b = open(t.reopen());
    expect(b.store.rowsInState(c.id, 'claimed')).toEqual([expect.objectContaining({ username: 'alice_one', accountId: 4, randomId: 9_223_372_036_854_775_807n, claimedAt: T })]);
    expect(b.store.usedOn(4, '2026-01-01')).toBe(1);
    expect(b.store.lastClaimAt(4)).toBe(T);
  });

  it("refuses claims without the account's lease or beyond the daily cap, skips refused accounts, and refunds what was not sent", () => {
    const { store } = open(t.db);
    const c = store.create({ name: 'c', message: 'm', settings: SETTINGS, usernames: ['alice_one', 'bob_two', 'carol_three', 'dave_four'], now: T });
    const q = { campaignId: c.id, leaseOwner: 'me', accountId: 1, randomId: 1n, now: T, dailyCap: 2, skipContacted: true };
    expect(store.claimNext(q)).toEqual({ kind: 'stopped', state: 'ready' });
    store.setState(c.id, 'running', null, T);
    // Nobody holds account 1, then another process does: no claim with it here.
    expect(store.claimNext(q)).toEqual({ kind: 'account_lost', holder: null });
    hold(t.db, 'other', 1);
    expect(store.claimNext(q)).toEqual({ kind: 'account_lost', holder: 'other' });
    // A pool that takes no leases is refused only while another live owner holds the account.
    expect(store.claimNext({ ...q, requireLease: false })).toEqual({ kind: 'account_lost', holder: 'other' });
    new LeaseStore(t.db, 'account').release(1, 'other');
    hold(t.db, 'me', 1, 2);

    const first = store.claimNext(q);
    if (first.kind !== 'claimed') throw new Error(first.kind);
    store.release(first.row, { code: 'CHAT_WRITE_FORBIDDEN', message: 'no' }, 1);
    expect(store.usedOn(1, '2026-01-01')).toBe(0);
    // Account 1 was refused by alice_one: it gets the next person; account 2 may take alice_one.
    const second = store.claimNext(q);
    expect(second).toMatchObject({ kind: 'claimed', row: { username: 'bob_two' } });
    expect(store.claimNext({ ...q, accountId: 2 })).toMatchObject({ kind: 'claimed', row: { username: 'alice_one', attempts: 1, tried: [1] } });
    const third = store.claimNext(q);
    if (third.kind !== 'claimed') throw new Error(third.kind);
    expect(store.claimNext(q)).toEqual({ kind: 'daily_cap' });
    store.markFinal(third.row, 'not_found', { code: 'USERNAME_NOT_OCCUPIED', message: 'no such user' }, T);
    expect(store.usedOn(1, '2026-01-01')).toBe(1);
    expect(store.claimNext({ ...q, now: T + 86_400_000 })).toMatchObject({ kind: 'claimed', row: { username: 'dave_four' } });
  });

  it('writes the ledger with the sent mark and skips ledger people in later campaigns', () => {
    const { store } = open(t.db);
    const a = store.create({ name: 'a', message: 'm', settings: SETTINGS, usernames: ['alice_one'], now: T });
    store.setState(a.id, 'running', null, T);
    hold(t.db, 'me', 1);
    const r = store.claimNext({ campaignId: a.id, leaseOwner: 'me', accountId: 1, randomId: 5n, now: T, dailyCap: 9, skipContacted: true });
    if (r.kind !== 'claimed') throw new Error(r.kind);
    expect(store.isContacted('alice_one')).toBe(false);
    store.markSent(r.row, 77, T);
    expect(store.isContacted('alice_one')).toBe(true);
    const b = store.create({ name: 'b', message: 'n', settings: SETTINGS, usernames: ['alice_one', 'bob_two'], now: T });
    store.setState(b.id, 'running', null, T);
    expect(store.claimNext({ campaignId: b.id, leaseOwner: 'me', accountId: 1, randomId: 6n, now: T, dailyCap: 9, skipContacted: true })).toMatchObject({
      kind: 'claimed',
      row: { username: 'bob_two' },
    });
    expect(store.counts(b.id)).toMatchObject({ skipped: 1, claimed: 1 });
    expect(store.addTargets(b.id, ['bob_two', 'carol_three'])).toBe(1);
  });
});
