import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEngines } from '../../test/support/engines.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { openSqlite } from './db.ts';
import { LeaseStore } from './leases.ts';
import { MIGRATIONS } from './migrations.ts';

const T0 = Date.UTC(2026, 5, 1);

describeEngines('one lease store for accounts and campaigns', (t) => {
  it('keeps an account and a campaign with the same id apart, under the same rule', () => {
    const db = t.db;
    const accounts = new LeaseStore(db, 'account');
    const campaigns = new LeaseStore(db, 'campaign');
    expect(accounts.acquire(1, 'A', T0, 1000)).toEqual({ ok: true });
    expect(campaigns.acquire(1, 'B', T0, 1000)).toEqual({ ok: true });
    expect(campaigns.holder(1)?.owner).toBe('B');
    expect(accounts.holder(1)?.owner).toBe('A');
    // The same take-over rule: refused while in force, taken once expired or its holder is dead.
    expect(campaigns.acquire(1, 'C', T0 + 500, 1500)).toEqual({ ok: false, holder: expect.objectContaining({ owner: 'B' }) });
    expect(campaigns.acquire(1, 'C', T0 + 500, 1500, (o) => o === 'B')).toEqual({ ok: true });
    expect(campaigns.renew('B', [1], T0 + 600, 2400)).toEqual([1]);
    expect(campaigns.renew('C', [1], T0 + 600, 2400)).toEqual([]);
    expect(campaigns.liveHolder(1, 'x', T0 + 2999, () => false)).toBe('C');
    expect(campaigns.liveHolder(1, 'x', T0 + 3000, () => false)).toBeNull();
    accounts.releaseAll('A');
    expect(accounts.holder(1)).toBeUndefined();
    expect(campaigns.holder(1)?.owner).toBe('C');
  });
});

// SQLite only: PostgreSQL's history starts after this move (its baseline already has the one table).
describe('one lease store, from an older SQLite file', () => {

  it('moves the leases of a database written before it (account_leases, campaign columns) into the one table', () => {
    const path = join(tempDir(), 'panel.db');
    const old = openSqlite(path, { migrations: MIGRATIONS.filter((m) => m.version < 8) });
    old.prepare("INSERT INTO accounts (id, phone, user_id, first_name, status, status_since, created_at) VALUES (5, '+1555', 9, 'x', 'active', 0, 0)").run();
    old.prepare("INSERT INTO account_leases VALUES (5, 'host/1/a', 1, 2, ?)").run(T0);
    old
      .prepare(
        `INSERT INTO campaigns (id, name, message, state, per_account_cap, daily_cap, delay_min_ms, delay_max_ms, skip_contacted, lease_owner, lease_until, created_at, updated_at)
         VALUES (3, 'c', 'hi', 'running', 1, 1, 0, 0, 1, 'host/2/b', ?, 0, 7)`,
      )
      .run(T0);
    old.close();
    const db = openSqlite(path, { migrations: MIGRATIONS.filter((m) => m.version < 17) });
    expect(new LeaseStore(db, 'account').holder(5)).toEqual({ owner: 'host/1/a', heartbeatAt: 2, expiresAt: T0 });
    expect(new LeaseStore(db, 'campaign').holder(3)).toEqual({ owner: 'host/2/b', heartbeatAt: 7, expiresAt: T0 });
    db.close();
    // Migration 17: campaigns are run by every worker holding their accounts; their leases go.
    const now = openSqlite(path);
    expect(new LeaseStore(now, 'campaign').holder(3)).toBeUndefined();
    expect(new LeaseStore(now, 'account').holder(5)?.owner).toBe('host/1/a');
    now.close();
  });
});
