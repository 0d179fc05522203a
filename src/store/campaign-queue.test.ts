import { beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../test/support/engines.ts';
import { CampaignStore } from './campaigns.ts';
import type { Db } from './sql.ts';

const SETTINGS = { accountIds: null, perAccountCap: 10, dailyCap: 3, delay: { minMs: 0, maxMs: 0 }, skipContacted: true };
const T = Date.UTC(2026, 0, 1, 12);

/**
 * The target queue's SQL apart from the claim (whose rules campaigns.test.ts covers): rows are put
 * in the claimed state directly, as a claim leaves them, and then settled through the store.
 */
function claimed(db: Db, campaignId: number, seq: number, accountId: number, at = T): void {
  db.prepare("UPDATE campaign_targets SET state = 'claimed', account_id = ?, random_id = ?, claimed_at = ? WHERE campaign_id = ? AND seq = ?").run(
    accountId,
    String(1000n * BigInt(seq)),
    at,
    campaignId,
    seq,
  );
}

describeEngines('a campaign target queue', (t) => {
  let store: CampaignStore;
  beforeEach(() => {
    store = new CampaignStore(t.db);
  });

  it('keeps records by name and id, in order, with changed settings', () => {
    const a = store.create({ name: 'spring', message: 'hi', settings: SETTINGS, usernames: ['alice_one'], now: T });
    const b = store.create({ name: 'autumn', message: 'yo', settings: { ...SETTINGS, accountIds: [3, 1] }, usernames: [], now: T + 1 });
    expect(store.get('spring')).toEqual(a);
    expect(store.get('nope')).toBeUndefined();
    expect(store.getById(b.id)).toMatchObject({ name: 'autumn', accountIds: [3, 1], state: 'ready', skipContacted: true });
    expect(store.list().map((c) => c.name)).toEqual(['spring', 'autumn']);
    store.updateSettings(a.id, { accountIds: [2], perAccountCap: 5, dailyCap: 7, delay: { minMs: 100, maxMs: 200 }, skipContacted: false }, T + 2);
    expect(store.getById(a.id)).toMatchObject({ accountIds: [2], perAccountCap: 5, dailyCap: 7, delay: { minMs: 100, maxMs: 200 }, skipContacted: false, updatedAt: T + 2 });
  });

  it('settles claimed rows as sent, final, released or uncertain, counted per account', () => {
    const c = store.create({ name: 'c', message: 'm', settings: SETTINGS, usernames: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'], now: T });
    expect(store.hasPending(c.id)).toBe(true);
    for (const [seq, account] of [[1, 1], [2, 1], [3, 2], [4, 2], [5, 2]] as const) claimed(t.db, c.id, seq, account);
    store.usage.count(1, '2026-01-01', T);
    store.usage.count(1, '2026-01-01', T);
    store.usage.count(2, '2026-01-01', T);
    store.usage.count(2, '2026-01-01', T);
    expect(store.row(c.id, 1)).toMatchObject({ state: 'claimed', accountId: 1, randomId: 1000n, claimedAt: T });

    store.markSent(store.row(c.id, 1)!, 77, T + 1);
    store.markFinal(store.row(c.id, 2)!, 'not_found', { code: 'USERNAME_NOT_OCCUPIED', message: 'no one' }, T + 2);
    store.release(store.row(c.id, 3)!, { code: 'PEER_FLOOD', message: 'limited' }, 2);
    store.markUncertain(store.row(c.id, 4)!, { code: 'TIMEOUT', message: 'no answer' }, T + 4);
    expect(store.row(c.id, 1)).toMatchObject({ state: 'sent', messageId: 77, doneAt: T + 1 });
    expect(store.row(c.id, 2)).toMatchObject({ state: 'not_found', attempts: 1, errorCode: 'USERNAME_NOT_OCCUPIED' });
    expect(store.row(c.id, 3)).toMatchObject({ state: 'pending', accountId: null, randomId: null, attempts: 1, tried: [2], errorCode: 'PEER_FLOOD' });
    expect(store.row(c.id, 4)).toMatchObject({ state: 'uncertain', errorCode: 'TIMEOUT', doneAt: T + 4 });
    // The final and the released claims were refunded; the sent and uncertain ones were not.
    expect(store.usedOn(1, '2026-01-01')).toBe(1);
    expect(store.usedOn(2, '2026-01-01')).toBe(1);
    expect(store.isContacted('u1')).toBe(true);
    expect(store.counts(c.id)).toMatchObject({ pending: 2, claimed: 1, sent: 1, not_found: 1, uncertain: 1 });
    expect(store.usedInCampaign(c.id)).toEqual(new Map([[1, 1], [2, 2]]));
    expect(store.accountUsage(c.id)).toEqual([
      { accountId: 1, sent: 1, failed: 0, notFound: 1, privacyRestricted: 0, claimed: 0, uncertain: 0 },
      { accountId: 2, sent: 0, failed: 0, notFound: 0, privacyRestricted: 0, claimed: 1, uncertain: 1 },
    ]);
    expect([...store.rows(c.id)].map((r) => [r.seq, r.state])).toEqual([
      [1, 'sent'],
      [2, 'not_found'],
      [3, 'pending'],
      [4, 'uncertain'],
      [5, 'claimed'],
      [6, 'pending'],
    ]);
    expect(store.targets.lastOutcome('u1')).toEqual({ state: 'sent', campaignId: c.id });
    expect(store.targets.lastOutcome('u4')).toBeUndefined();
    expect(t.db.transaction(() => store.targets.skipPending(c.id, 'u6', { code: 'BLOCKED', message: 'blocked' }, T + 9))()).toBe(true);
    expect(store.targets.skipPending(c.id, 'u6', { code: 'BLOCKED', message: 'blocked' }, T + 9)).toBe(false);
    expect(store.row(c.id, 6)).toMatchObject({ state: 'skipped', errorCode: 'BLOCKED' });
  });

  it('applies the operator decision to uncertain rows', () => {
    const c = store.create({ name: 'c', message: 'm', settings: SETTINGS, usernames: ['u1', 'u2', 'u3'], now: T });
    for (const seq of [1, 2, 3]) {
      claimed(t.db, c.id, seq, 1);
      store.usage.count(1, '2026-01-01', T);
      store.markUncertain(store.row(c.id, seq)!, { code: 'TIMEOUT', message: 'no answer' }, T + 1);
    }
    expect(store.settleUncertain(c.id, 'retry', T + 2)).toBe(3);
    expect(store.rowsInState(c.id, 'pending').map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(store.row(c.id, 1)).toMatchObject({ accountId: null, randomId: null, attempts: 0, tried: [], doneAt: null });
    expect(store.usedOn(1, '2026-01-01')).toBe(0);

    claimed(t.db, c.id, 1, 1);
    store.markUncertain(store.row(c.id, 1)!, { code: 'TIMEOUT', message: 'x' }, T + 3);
    claimed(t.db, c.id, 2, 1);
    store.markUncertain(store.row(c.id, 2)!, { code: 'TIMEOUT', message: 'x' }, T + 3);
    expect(store.settleUncertain(c.id, 'sent', T + 4)).toBe(2);
    expect(store.rowsInState(c.id, 'sent').map((r) => r.seq)).toEqual([1, 2]);
    claimed(t.db, c.id, 3, 1);
    store.markUncertain(store.row(c.id, 3)!, { code: 'TIMEOUT', message: 'x' }, T + 5);
    expect(store.settleUncertain(c.id, 'skip', T + 6)).toBe(1);
    expect(store.row(c.id, 3)).toMatchObject({ state: 'skipped', errorCode: 'SETTLED_SKIP', doneAt: T + 6 });
    // Either way the person may have the message: all three are in the ledger.
    expect(['u1', 'u2', 'u3'].map((u) => store.isContacted(u))).toEqual([true, true, true]);
    expect(store.hasPending(c.id)).toBe(false);
  });
});
