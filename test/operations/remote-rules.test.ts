import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionSpec } from '../../src/core/actions.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import type { AccountSession, ProfileChanges } from '../../src/core/session.ts';
import type { OperationWork } from '../../src/engine/operation-follow.ts';
import { WorkExecutor } from '../../src/engine/operation-work.ts';
import { OperationsEngine } from '../../src/engine/operations.ts';
import { profileSpec } from '../../src/engine/profiles.ts';
import { silentLogger } from '../../src/log.ts';
import { openSqlite, type Db } from '../../src/store/db.ts';
import { LeaseStore } from '../../src/store/leases.ts';
import { OperationWorkStore } from '../../src/store/operation-work.ts';
import { OperationStore } from '../../src/store/operations.ts';
import { wakeupsFor } from '../../src/store/wakeups.ts';
import { WorkerStore } from '../../src/store/workers.ts';
import { flood, MemoryPool, type SessionScript } from '../support/memory-pool.ts';
import { tempDir } from '../support/tmp.ts';
import { png } from '../support/png.ts';

/**
 * The rules an operation follows for an account another worker holds are the ones it follows for
 * an account it connects itself. One database file, two engines in one process (the caller and a
 * worker with its executor, each with its own accounts' sessions), one virtual clock.
 */

const W = 'other-host/4242/feed';
const pacing = { actionDelay: { min: 1, max: 2 }, actionConcurrency: 2 };
const reaction: ActionSpec = { kind: 'reaction', target: { chat: { username: 'somechannel' }, messageId: 10 }, emoji: '👍' };

let dir: string;
let db: Db;
let clock: VirtualClock;

beforeEach(() => {
  dir = tempDir('remote-rules-');
  db = openSqlite(join(dir, 'panel.db'));
  clock = new VirtualClock();
});
afterEach(() => db.close());

function work(): OperationWork {
  return { store: new OperationWorkStore(db), workers: new WorkerStore(db), wakeups: wakeupsFor(db), pollMs: 1000 };
}

/** Worker W, alive in `workers`, holding `held`; its pool sees them as its own and the rest as the caller's. */
function startWorker(held: number[], pool: MemoryPool): { executor: WorkExecutor; engine: OperationsEngine } {
  const now = clock.now();
  new WorkerStore(db).register({ owner: W, host: 'other-host', pid: 4242, startedAt: now, heartbeatAt: now, ttlMs: 24 * 3600_000, accountsHeld: held.length, pin: '', roles: [], version: '' });
  for (const id of held) expect(new LeaseStore(db, 'account').acquire(id, W, now, 24 * 3600_000)).toEqual({ ok: true });
  const engine = new OperationsEngine({ pool, store: new OperationStore(db), clock, pacing, log: silentLogger, work: work() });
  const executor = new WorkExecutor({ engine, work: work(), owner: W, clock, log: silentLogger });
  executor.start();
  return { executor, engine };
}

/** The first call of each account meets a short FLOOD_WAIT; later ones succeed. */
const floodOnce =
  (seconds: number): SessionScript =>
  (call) =>
    call.accountId > 0 && !seen.has(call.accountId) ? (seen.add(call.accountId), flood(seconds)) : 'done';
const seen = new Set<number>();

describe('operations with accounts another worker holds', () => {
  beforeEach(() => seen.clear());

  it('a counted account whose short flood wait gave its slot away takes a slot again after the wait, here and on another worker alike', async () => {
    // Account 1 is connected here, account 2 is held by W: two slots, nobody else to fill them.
    const local = new MemoryPool({ clock, accounts: [{ id: 1 }, { id: 2, heldBy: W }], script: floodOnce(10) });
    const remote = new MemoryPool({ clock, accounts: [{ id: 1, heldBy: 'caller' }, { id: 2 }], script: floodOnce(10) });
    const worker = startWorker([2], remote);
    const caller = new OperationsEngine({ pool: local, store: new OperationStore(db), clock, pacing, log: silentLogger, work: work() });

    const record = await clock.run(caller.runOperation(reaction, { accounts: 2 }, { actor: 'test' }));
    await clock.run(worker.executor.stop());

    expect(record.status).toBe('finished');
    expect(record.summary).toMatchObject({ planned: 2, done: 2, failed: 0, shortfall: 0 });
    const byAccount = new Map(record.results.map((r) => [r.accountId, r]));
    // Each account: its first attempt failed and gave the slot back, its second (after the wait) filled it.
    for (const id of [1, 2]) expect(byAccount.get(id)).toMatchObject({ status: 'done', attempts: 2, replaced: false });
    expect(local.callsOf(1)).toHaveLength(2);
    expect(local.callsOf(2)).toHaveLength(0);
    expect(remote.callsOf(2)).toHaveLength(2);
    expect(remote.callsOf(1)).toHaveLength(0);
    // Not before the wait ended, on either side.
    for (const calls of [local.callsOf(1), remote.callsOf(2)]) expect(calls[1]!.at - calls[0]!.endAt!).toBeGreaterThanOrEqual(10_000);
  });

  it('a failure with no short wait gives the remote slot away for good, as it does locally', async () => {
    const local = new MemoryPool({ clock, accounts: [{ id: 1 }, { id: 2, heldBy: W }], script: floodOnce(3600) });
    const remote = new MemoryPool({ clock, accounts: [{ id: 2 }], script: floodOnce(3600) });
    const worker = startWorker([2], remote);
    const caller = new OperationsEngine({ pool: local, store: new OperationStore(db), clock, pacing, log: silentLogger, work: work() });

    const record = await clock.run(caller.runOperation(reaction, { accounts: 2 }, { actor: 'test' }));
    await clock.run(worker.executor.stop());
    expect(record.summary).toMatchObject({ planned: 2, done: 0, shortfall: 2 });
    expect(local.callsOf(1)).toHaveLength(1);
    expect(remote.callsOf(2)).toHaveLength(1);
    for (const r of record.results) expect(r).toMatchObject({ status: 'failed', replaced: true, failure: { kind: 'flood_wait' } });
  });

  it('a row no worker would claim comes back once its worker lets the account go and no live worker would take it: the caller acts with the account itself', async () => {
    // W holds account 2 and is alive, but its executor has already stopped (W is on its way down).
    const now = clock.now();
    new WorkerStore(db).register({ owner: W, host: 'other-host', pid: 4242, startedAt: now, heartbeatAt: now, ttlMs: 3600_000, accountsHeld: 1, pin: '', roles: [], version: '' });
    expect(new LeaseStore(db, 'account').acquire(2, W, now, 3600_000)).toEqual({ ok: true });
    const local = new MemoryPool({ clock, accounts: [{ id: 2, heldBy: W }] });
    const caller = new OperationsEngine({ pool: local, store: new OperationStore(db), clock, pacing, log: silentLogger, work: work() });

    const running = caller.runOperation(reaction, { accountIds: [2] }, { actor: 'test' });
    const workers = new WorkerStore(db);
    const other = (owner: string, pin: string): void =>
      workers.register({ owner, host: 'third-host', pid: 7, startedAt: now, heartbeatAt: now, ttlMs: 3600_000, accountsHeld: 0, pin, roles: [], version: '' });
    // A live worker pinned to other accounts would never take account 2; an unpinned one would.
    other('third-host/7/pinned', 'accounts:5');
    other('third-host/7/free', '');
    const stopping = (async () => {
      await clock.sleep(5000);
      // W's fleet stops: the connection closes, the lease is released, the worker's row goes.
      expect(new OperationWorkStore(db).ofOperation(1).map((r) => r.state)).toEqual(['queued']);
      new LeaseStore(db, 'account').release(2, W);
      workers.remove(W);
      // The unpinned worker would take the account at its next rebalance: the row waits for it.
      await clock.sleep(10_000);
      expect(new OperationWorkStore(db).ofOperation(1).map((r) => r.state)).toEqual(['queued']);
      expect(local.calls).toEqual([]);
      // It stops too: nobody would ever claim the row.
      workers.remove('third-host/7/free');
    })();
    const stuck = clock.sleep(3600_000).then(() => 'still waiting for a worker' as const);
    const record = await clock.run(Promise.race([Promise.all([running, stopping]).then(([r]) => r), stuck]));
    if (record === 'still waiting for a worker') throw new Error(record);

    expect(record.summary).toMatchObject({ planned: 1, done: 1, failed: 0 });
    expect(record.results).toEqual([expect.objectContaining({ accountId: 2, status: 'done', attempts: 1 })]);
    expect(local.callsOf(2)).toHaveLength(1);
    // The row was taken back, never run by a worker.
    expect(new OperationWorkStore(db).ofOperation(record.id)).toEqual([expect.objectContaining({ state: 'cancelled', owner: null, attempts: 0 })]);
  });

  it('a row taken back goes to the worker that took the account first, when the caller finds the account held as it tries', async () => {
    const now = clock.now();
    const workers = new WorkerStore(db);
    workers.register({ owner: W, host: 'other-host', pid: 4242, startedAt: now, heartbeatAt: now, ttlMs: 3600_000, accountsHeld: 1, pin: '', roles: [], version: '' });
    expect(new LeaseStore(db, 'account').acquire(2, W, now, 3600_000)).toEqual({ ok: true });
    let executor: WorkExecutor | undefined;
    const remote = new MemoryPool({ clock, accounts: [{ id: 2 }] });
    // The caller's attempt finds the account taken by W again (it came back and took its share): nothing happened here.
    const local = new MemoryPool({
      clock,
      accounts: [{ id: 2, heldBy: W }],
      script: () => {
        workers.register({ owner: W, host: 'other-host', pid: 4242, startedAt: now, heartbeatAt: clock.now(), ttlMs: 3600_000, accountsHeld: 1, pin: '', roles: [], version: '' });
        expect(new LeaseStore(db, 'account').acquire(2, W, clock.now(), 3600_000)).toEqual({ ok: true });
        const engine = new OperationsEngine({ pool: remote, store: new OperationStore(db), clock, pacing, log: silentLogger, work: work() });
        executor = new WorkExecutor({ engine, work: work(), owner: W, clock, log: silentLogger });
        executor.start();
        return { kind: 'lease_held', code: 'LEASE_HELD', message: 'another worker holds the account' };
      },
    });
    const caller = new OperationsEngine({ pool: local, store: new OperationStore(db), clock, pacing, log: silentLogger, work: work() });
    const running = caller.runOperation(reaction, { accountIds: [2] }, { actor: 'test' });
    const stopping = (async () => {
      await clock.sleep(5000);
      new LeaseStore(db, 'account').release(2, W);
      workers.remove(W);
    })();
    const stuck = clock.sleep(3600_000).then(() => 'still waiting' as const);
    const record = await clock.run(Promise.race([Promise.all([running, stopping]).then(([r]) => r), stuck]));
    if (record === 'still waiting') throw new Error(record);
    await clock.run(executor!.stop());

    expect(record.summary).toMatchObject({ planned: 1, done: 1, failed: 0 });
    // One call here (refused before acting), one on W that acted; the attempt that did nothing is not counted.
    expect(local.callsOf(2)).toHaveLength(1);
    expect(remote.callsOf(2)).toHaveLength(1);
    expect(record.results).toEqual([expect.objectContaining({ accountId: 2, status: 'done', attempts: 1 })]);
    expect(new OperationWorkStore(db).ofOperation(record.id)).toEqual([expect.objectContaining({ state: 'done', owner: W, attempts: 1 })]);
  });

  it('a profile photo reaches the worker as the bytes the caller checked: the caller’s file is gone before the worker acts', async () => {
    const file = join(dir, 'face.png');
    const bytes = png(64, 64);
    writeFileSync(file, bytes);
    const uploads: Array<{ accountId: number; photo: Uint8Array | undefined }> = [];
    const local = new MemoryPool({ clock, accounts: [{ id: 1, heldBy: W }, { id: 2, heldBy: W }] });
    const base = new MemoryPool({ clock, accounts: 2 });
    const sessions = new Map<number, AccountSession>();
    for (const id of [1, 2]) sessions.set(id, await base.session(id));
    const remote = new MemoryPool({
      clock,
      accounts: 2,
      sessionFor: (id) => ({
        ...sessions.get(id)!,
        updateProfile: (u: ProfileChanges) => {
          uploads.push({ accountId: id, photo: u.photo?.bytes });
          return Promise.resolve({ changed: true });
        },
      }),
    });
    const worker = startWorker([1, 2], remote);
    const caller = new OperationsEngine({ pool: local, store: new OperationStore(db), clock, pacing, log: silentLogger, work: work() });

    const running = caller.runOperation(profileSpec({ firstName: 'Sara {n}', photoFile: file }), { accountIds: [1, 2] }, { actor: 'test' });
    // Read and checked as the operation began; another machine would not have this file at all.
    rmSync(file);
    const record = await clock.run(running);
    await clock.run(worker.executor.stop());

    expect(record.summary).toMatchObject({ planned: 2, done: 2, failed: 0 });
    expect(uploads.map((u) => u.accountId).sort()).toEqual([1, 2]);
    for (const u of uploads) expect(Buffer.from(u.photo!).equals(bytes)).toBe(true);
    // Nothing of it ran here.
    expect(local.calls).toEqual([]);
  });
});
