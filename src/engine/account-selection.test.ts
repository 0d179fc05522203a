import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionSpec } from '../core/actions.ts';
import { VirtualClock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import { openSqlite, type Db } from '../store/db.ts';
import { OperationStore } from '../store/operations.ts';
import { MemoryPool } from '../../test/support/memory-pool.ts';
import { defaultSet, taggedIds } from './account-selection.ts';
import { OperationsEngine } from './operations.ts';

const reaction: ActionSpec = { kind: 'reaction', target: { chat: { username: 'somechannel' }, messageId: 10 }, emoji: '👍' };

let dir: string;
let db: Db;
let clock: VirtualClock;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sel-'));
  db = openSqlite(join(dir, 'panel.db'));
  clock = new VirtualClock();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function engine(): { pool: MemoryPool; engine: OperationsEngine } {
  // Account 1 is the least recently used and reserved: a count would take it first if it could.
  const pool = new MemoryPool({
    clock,
    accounts: [
      { id: 1, tags: ['reserve'] },
      { id: 2, tags: ['vip'], lastUsedAt: 10 },
      { id: 3, tags: ['vip'], lastUsedAt: 20 },
      { id: 4, lastUsedAt: 30 },
    ],
  });
  return { pool, engine: new OperationsEngine({ pool, store: new OperationStore(db), clock, pacing: { actionDelay: { min: 0, max: 0 }, actionConcurrency: 4 } }) };
}

describe('account selection and the reserve', () => {
  it('a reserved account is not picked by --accounts N, even when it is the least recently used', async () => {
    const { pool, engine: ops } = engine();
    const r = await clock.run(ops.runOperation(reaction, { accounts: 3 }, { actor: 'test' }));
    expect(r.summary).toMatchObject({ planned: 3, done: 3 });
    expect(r.results.map((x) => x.accountId).sort()).toEqual([2, 3, 4]);
    expect(pool.callsOf(1)).toHaveLength(0);
    // Four would need the reserve: refused before anything acts, nothing recorded.
    expect(() => ops.check(reaction, { accounts: 4 })).toThrow(InputError);
    expect(new OperationStore(db).list()).toHaveLength(1);
  });

  it('a count within a tag picks only tagged accounts; the reserve tag given on purpose picks the reserve', async () => {
    const { engine: ops } = engine();
    const vip = await clock.run(ops.runOperation(reaction, { accounts: 2, tag: 'vip' }, { actor: 'test' }));
    expect(vip.results.map((x) => x.accountId).sort()).toEqual([2, 3]);
    expect(() => ops.check(reaction, { accounts: 3, tag: 'vip' })).toThrow(/among the accounts tagged vip/);
    const reserve = await clock.run(ops.runOperation(reaction, { accounts: 1, tag: 'reserve' }, { actor: 'test' }));
    expect(reserve.results.map((x) => x.accountId)).toEqual([1]);
    // Named accounts act whatever their tags.
    const named = await clock.run(ops.runOperation(reaction, { accountIds: [1] }, { actor: 'test' }));
    expect(named.summary.done).toBe(1);
    expect(() => ops.check(reaction, { accounts: 1, tag: 'not a tag' })).toThrow(InputError);
  });

  it('resolves a tag to its accounts and leaves the reserve out of the default set', () => {
    const { pool } = engine();
    const accounts = pool.accounts();
    expect(taggedIds(accounts, '#VIP')).toEqual([2, 3]);
    expect(() => taggedIds(accounts, 'nobody')).toThrow(/no account is tagged nobody/);
    expect(defaultSet(accounts).map((a) => a.id).sort()).toEqual([2, 3, 4]);
  });
});
