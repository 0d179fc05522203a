import { expect, it } from 'vitest';
import { describeEngines } from '../../test/support/engines.ts';
import { sweepOrphans } from '../engine/operation-work.ts';
import { LeaseStore } from './leases.ts';
import { OperationWorkStore } from './operation-work.ts';
import { OperationStore, type OperationResult } from './operations.ts';
import type { PgDatabase } from './pg/pg-database.ts';
import type { Db } from './sql.ts';

const T0 = Date.UTC(2026, 5, 1);
const TTL = 60_000;
// Owners of other hosts: never presumed dead by this host's pid check.
const X = 'host-x/101/aaaa';
const Y = 'host-y/202/bbbb';

const spec = { kind: 'reaction' as const, target: { chat: { username: 'somechannel' }, messageId: 10 }, emoji: '👍' };

function operation(db: Db, accounts: number): number {
  return new OperationStore(db).create({ spec, selection: { accounts }, actor: 'test', planned: accounts, startedAt: T0 });
}

function hold(db: Db, owner: string, ids: number[], now = T0): void {
  const leases = new LeaseStore(db, 'account');
  for (const id of ids) expect(leases.acquire(id, owner, now, TTL)).toEqual({ ok: true });
}

const done = (accountId: number, at: number): OperationResult => ({ accountId, status: 'done', at, attempts: 1, replaced: false });

describeEngines('operation work rows', (t) => {
  it('claims only the queued rows of accounts whose lease the claimer holds in force, with what the executor needs', () => {
    const work = new OperationWorkStore(t.db);
    const op = operation(t.db, 4);
    for (const id of [1, 2, 3, 4]) work.queue(op, id, T0);
    hold(t.db, X, [1, 2]);
    hold(t.db, Y, [3]);
    // Account 4: X held it once, but the lease ran out.
    hold(t.db, X, [4], T0 - 2 * TTL);

    const claimed = work.claim(X, T0 + 1);
    expect(claimed.map((c) => c.accountId)).toEqual([1, 2]);
    expect(claimed[0]).toMatchObject({ operationId: op, state: 'running', owner: X, attempts: 0, claimedAt: T0 + 1, spec, selection: { accounts: 4 } });
    // Nothing twice, and nobody else's.
    expect(work.claim(X, T0 + 2)).toEqual([]);
    expect(work.claim(Y, T0 + 2).map((c) => c.accountId)).toEqual([3]);
    expect(work.ofOperation(op).map((r) => [r.accountId, r.state, r.owner])).toEqual([
      [1, 'running', X],
      [2, 'running', X],
      [3, 'running', Y],
      [4, 'queued', null],
    ]);
    // Once the lease is past its expiry, its rows are nobody's to claim by it.
    work.queue(operation(t.db, 1), 1, T0);
    expect(work.claim(X, T0 + TTL)).toEqual([]);
  });

  it('two connections claiming the same queued rows at once: every row is claimed once', () => {
    const a = new OperationWorkStore(t.db);
    const second = t.connect();
    const b = new OperationWorkStore(second);
    const ops = [operation(t.db, 3), operation(t.db, 3)];
    for (const op of ops) for (const id of [1, 2, 3]) a.queue(op, id, T0);
    // One worker's owner on two connections (its poll and a wake-up racing): both may claim every row.
    hold(t.db, X, [1, 2, 3]);

    let fromA: number[];
    let fromB: number[];
    if (t.engine === 'postgres') {
      // A claim that waited on another's row locks would fail here rather than queue behind them.
      second.exec("SET lock_timeout = '2s'");
      const pg = t.db as unknown as PgDatabase;
      // A is inside its transaction, holding the locks of two rows it is about to take, when B claims.
      const locked = t.db.prepare<[number, number], { id: number }>('SELECT id FROM operation_work WHERE account_id IN (?, ?) ORDER BY id FOR UPDATE');
      ({ fromA, fromB } = pg.readCommitted(() => {
        const held = locked.all(1, 2).map((r) => Number(r.id));
        expect(held).toHaveLength(4);
        // B passes the locked rows by, without waiting, and takes the others.
        const b1 = b.claim(X, T0 + 1).map((c) => c.id);
        // A's claim sees what B committed: only the rows it had locked are left.
        const a1 = a.claim(X, T0 + 2).map((c) => c.id);
        expect(a1.sort()).toEqual(held.sort());
        return { fromA: a1, fromB: b1 };
      }));
      expect(fromB).toHaveLength(2);

      // And a claim left uncommitted: B takes none of its rows; when it rolls back, B takes them all.
      for (const id of [1, 2, 3]) a.queue(operation(t.db, 3), id, T0);
      const before = fromA.length + fromB.length;
      expect(() =>
        pg.readCommitted(() => {
          expect(a.claim(X, T0 + 3)).toHaveLength(3);
          expect(b.claim(X, T0 + 3)).toEqual([]);
          throw new Error('the claimer died before committing');
        }),
      ).toThrow('the claimer died');
      const after = b.claim(X, T0 + 4).map((c) => c.id);
      expect(after).toHaveLength(3);
      fromB = [...fromB, ...after];
      expect(fromA.length + fromB.length).toBe(before + 3);
    } else {
      // SQLite has one writer: the claims run one after the other, each one UPDATE.
      fromB = b.claim(X, T0 + 1).map((c) => c.id);
      fromA = a.claim(X, T0 + 2).map((c) => c.id);
      expect(fromA).toEqual([]);
    }
    const all = [...fromA, ...fromB];
    expect(new Set(all).size).toBe(all.length);
    const rows = a.ofOperation(ops[0]!).concat(a.ofOperation(ops[1]!));
    expect(rows.every((r) => r.state === 'running' && r.owner === X)).toBe(true);
    expect(rows.map((r) => r.id).every((id) => all.includes(id))).toBe(true);
  });

  it('a cancel takes the rows nothing is under way for, and only those; a cancelled row cannot begin or finish', () => {
    const work = new OperationWorkStore(t.db);
    const op = operation(t.db, 4);
    for (const id of [1, 2, 3]) work.queue(op, id, T0);
    hold(t.db, X, [1, 2, 3]);
    const [r1, r2, r3] = work.claim(X, T0);
    work.queue(op, 4, T0);
    // 1: claimed, not begun. 2: begun, acting. 3: begun, then waiting out a flood wait.
    expect(work.beginAttempt(r2!.id, X)).toBe(1);
    expect(work.beginAttempt(r3!.id, X)).toBe(1);
    work.waiting(r3!.id, X, T0 + 30_000);

    expect(work.cancel(op, T0 + 5)).toBe(3);
    const state = new Map(work.ofOperation(op).map((r) => [r.accountId, r]));
    expect([1, 2, 3, 4].map((id) => state.get(id)!.state)).toEqual(['cancelled', 'running', 'cancelled', 'cancelled']);
    expect(state.get(1)!.finishedAt).toBe(T0 + 5);
    // The executor comes back to them: nothing more happens with the cancelled ones.
    expect(work.beginAttempt(r1!.id, X)).toBeNull();
    expect(work.beginAttempt(r3!.id, X)).toBeNull();
    expect(work.finish(r1!.id, X, T0 + 6)).toBe(false);
    // The attempt under way ends with its result.
    expect(work.finish(r2!.id, X, T0 + 6)).toBe(true);
    expect(work.cancel(op, T0 + 7)).toBe(0);
  });

  it('a row given back is queued for the next holder, its attempts kept; only its owner may give it back', () => {
    const work = new OperationWorkStore(t.db);
    const op = operation(t.db, 1);
    work.queue(op, 1, T0);
    hold(t.db, X, [1]);
    const [row] = work.claim(X, T0);
    work.beginAttempt(row!.id, X);
    work.waiting(row!.id, X, T0 + 10_000);
    expect(work.release(row!.id, Y)).toBe(false);
    expect(work.release(row!.id, X)).toBe(true);
    expect(work.release(row!.id, X)).toBe(false);
    expect(work.ofOperation(op)[0]).toMatchObject({ state: 'queued', owner: null, claimedAt: null, attempts: 1 });

    // The account changes hands; the new holder takes the row, and the old owner can no longer touch it.
    new LeaseStore(t.db, 'account').release(1, X);
    hold(t.db, Y, [1], T0 + 1);
    const next = new OperationWorkStore(t.connect());
    expect(next.claim(Y, T0 + 2).map((c) => [c.id, c.attempts])).toEqual([[row!.id, 1]]);
    expect(work.beginAttempt(row!.id, X)).toBeNull();
    expect(next.beginAttempt(row!.id, Y)).toBe(2);
  });

  it('finishing writes the result in the same transaction, or neither', () => {
    const work = new OperationWorkStore(t.db);
    const ops = new OperationStore(t.db);
    const op = operation(t.db, 2);
    for (const id of [1, 2]) work.queue(op, id, T0);
    hold(t.db, X, [1, 2]);
    const [r1, r2] = work.claim(X, T0);
    const end = (id: number, result: OperationResult, fail = false): void =>
      work.atomically(() => {
        if (work.finish(id, X, T0 + 9)) ops.saveResult(op, result);
        if (fail) throw new Error('the store failed after the row was finished');
      });

    end(r1!.id, { accountId: 1, status: 'done', at: T0 + 9, attempts: 1, replaced: false, detail: 'message 5' });
    expect(() => end(r2!.id, done(2, T0 + 9), true)).toThrow('the store failed');
    const rows = new Map(work.ofOperation(op).map((r) => [r.accountId, r]));
    expect(rows.get(1)).toMatchObject({ state: 'done', finishedAt: T0 + 9, result: { status: 'done', detail: 'message 5', at: T0 + 9, attempts: 1, replaced: false } });
    // Rolled back together: still running under X, no result.
    expect(rows.get(2)).toMatchObject({ state: 'running', owner: X, result: null });
    // A second finish of a settled row writes nothing over it.
    end(r1!.id, { accountId: 1, status: 'failed', at: T0 + 10, attempts: 1, replaced: false, failure: { kind: 'unknown', code: 'X', message: 'x' } });
    expect(work.ofOperation(op)[0]!.result).toMatchObject({ status: 'done', detail: 'message 5' });
    expect(ops.get(op)!.results).toHaveLength(1);
  });

  it('rows of an executor that is gone: not begun (or waiting) go back to the queue, begun ones fail as uncertain and are never repeated', () => {
    const work = new OperationWorkStore(t.db);
    const ops = new OperationStore(t.db);
    const op = operation(t.db, 4);
    for (const id of [1, 2, 3, 4]) work.queue(op, id, T0);
    hold(t.db, X, [1, 2, 3, 4]);
    const rows = new Map(work.claim(X, T0).map((r) => [r.accountId, r.id]));
    // 1: not begun. 2: acting when X died. 3: waiting out a flood wait (its attempt failed, nothing sent). 4: finished by X.
    work.beginAttempt(rows.get(2)!, X);
    work.beginAttempt(rows.get(3)!, X);
    work.waiting(rows.get(3)!, X, T0 + 20_000);
    work.beginAttempt(rows.get(4)!, X);
    work.atomically(() => {
      if (work.finish(rows.get(4)!, X, T0 + 1)) ops.saveResult(op, done(4, T0 + 1));
    });

    // While X holds the accounts, its rows are its own: a caller's sweep leaves them.
    const caller = new OperationWorkStore(t.connect());
    const callerOps = { store: new OperationStore(caller.db) };
    expect(sweepOrphans(caller, callerOps, T0 + 1000)).toEqual([]);
    expect(work.ofOperation(op).filter((r) => r.state === 'running')).toHaveLength(3);

    // X dies: its leases run out and Y takes the accounts.
    const later = T0 + TTL + 1;
    for (const id of [1, 2, 3, 4]) expect(new LeaseStore(t.db, 'account').acquire(id, Y, later, TTL)).toEqual({ ok: true });
    expect(sweepOrphans(caller, callerOps, later + 1)).toEqual([op]);
    const after = new Map(caller.ofOperation(op).map((r) => [r.accountId, r]));
    expect(after.get(1)).toMatchObject({ state: 'queued', owner: null, attempts: 0 });
    expect(after.get(3)).toMatchObject({ state: 'queued', owner: null, attempts: 1 });
    expect(after.get(2)).toMatchObject({
      state: 'done',
      attempts: 1,
      result: { status: 'failed', attempts: 1, replaced: false, failure: { kind: 'unknown', code: 'UNCERTAIN' } },
    });
    expect(after.get(4)).toMatchObject({ state: 'done', result: { status: 'done' } });

    // The next holder gets the rows that may run again, never the uncertain one.
    expect(work.claim(Y, later + 2).map((r) => r.accountId)).toEqual([1, 3]);
    // X, if it was only slow, finds its rows settled by someone else and writes nothing.
    expect(work.finish(rows.get(2)!, X, later + 3)).toBe(false);
    expect(work.beginAttempt(rows.get(1)!, X)).toBeNull();
    // A second sweep finds nothing to settle.
    expect(sweepOrphans(caller, callerOps, later + 4)).toEqual([]);
  });

  it('a caller takes back only a queued row, with who holds its account; a claimed row stays its worker’s', () => {
    const work = new OperationWorkStore(t.db);
    const op = operation(t.db, 3);
    for (const id of [1, 2, 3]) work.queue(op, id, T0);
    hold(t.db, X, [1]);
    hold(t.db, Y, [2], T0 - 2 * TTL);
    expect(work.queuedHolders(op, T0)).toEqual([
      { id: 1, accountId: 1, holder: X },
      { id: 2, accountId: 2, holder: null },
      { id: 3, accountId: 3, holder: null },
    ]);
    expect(work.withdraw(2, T0 + 1)).toBe(true);
    expect(work.withdraw(2, T0 + 1)).toBe(false);
    // X claims its row first: the caller's withdrawal comes too late and changes nothing.
    expect(work.claim(X, T0 + 2).map((r) => r.id)).toEqual([1]);
    expect(work.withdraw(1, T0 + 3)).toBe(false);
    // A withdrawn row is nobody's to claim, whoever takes the account later.
    hold(t.db, Y, [2], T0 + 4);
    expect(work.claim(Y, T0 + 5)).toEqual([]);
    expect(work.ofOperation(op).map((r) => [r.accountId, r.state])).toEqual([
      [1, 'running'],
      [2, 'cancelled'],
      [3, 'queued'],
    ]);
    expect(work.queuedHolders(op, T0 + 5)).toEqual([{ id: 3, accountId: 3, holder: null }]);
  });

  it('keeps a profile edit’s photo with its operation, byte for byte', () => {
    const work = new OperationWorkStore(t.db);
    const op = operation(t.db, 1);
    expect(work.photo(op)).toBeNull();
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919) % 256);
    work.savePhoto(op, bytes);
    const read = new OperationWorkStore(t.connect()).photo(op);
    expect(read).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(read!).equals(Buffer.from(bytes))).toBe(true);
  });
});
