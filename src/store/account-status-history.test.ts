import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { reason } from '../core/reasons.ts';
import { describeEngines } from '../../test/support/engines.ts';
import { AccountStore } from './accounts.ts';
import { Secrets } from './secrets.ts';

const T0 = Date.UTC(2026, 5, 1);
const someone = { phone: '+15550001', userId: 1001, username: 'alice_acc', firstName: 'Alice' };

describeEngines('an account status history', (t) => {
  it('keeps every change of status with its reason code, newest first, and goes with the account', () => {
    const db = t.db;
    const store = new AccountStore(db, new Secrets(randomBytes(32)));
    const id = store.create(someone, { authKeys: [], kv: [] }, T0);
    store.setStatus(id, 'active', null, T0 + 1);
    store.setStatus(id, 'flood_wait', reason('account_disabled_by_operator'), T0 + 10, T0 + 100);
    // The same status again is no change; a new flood wait after the last one lapsed is one.
    store.setStatus(id, 'flood_wait', null, T0 + 20, T0 + 110);
    store.setStatus(id, 'flood_wait', null, T0 + 200, T0 + 300);
    store.setStatus(id, 'revoked', null, T0 + 400);
    const h = store.statusHistory(id);
    expect(h.map((x) => [x.status, x.at])).toEqual([
      ['revoked', T0 + 400],
      ['flood_wait', T0 + 200],
      ['flood_wait', T0 + 10],
      ['active', T0],
    ]);
    expect(h[2]).toMatchObject({ reasonCode: { code: 'account_disabled_by_operator' }, until: T0 + 100 });
    expect(h[2]!.reason).toBeTruthy();
    expect(store.statusHistory(id, 1)).toHaveLength(1);
    store.remove(id);
    expect(db.prepare('SELECT count(*) AS n FROM account_status_history').get()).toEqual({ n: 0 });
  });

  it('keeps the latest hundred changes of an account', () => {
    const store = new AccountStore(t.db, new Secrets(randomBytes(32)));
    const id = store.create(someone, { authKeys: [], kv: [] }, T0);
    for (let i = 1; i <= 150; i++) store.setStatus(id, i % 2 ? 'error' : 'active', null, T0 + i);
    const h = store.statusHistory(id, 1000);
    expect(h).toHaveLength(100);
    expect(h[0]!.at).toBe(T0 + 150);
  });
});
