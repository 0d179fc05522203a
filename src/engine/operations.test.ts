import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionSpec } from '../core/actions.ts';
import { VirtualClock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import { openSqlite, type Db } from '../store/db.ts';
import { OperationStore } from '../store/operations.ts';
import { failure, flood, MemoryPool, type MemoryPoolOptions } from '../../test/support/memory-pool.ts';
import { OperationsEngine, type OperationEvent, type OperationsEngineOptions } from './operations.ts';

const target = { chat: { username: 'somechannel' }, messageId: 10 };
const reaction: ActionSpec = { kind: 'reaction', target, emoji: '👍' };
const vote: ActionSpec = { kind: 'vote', target, options: [2] };
const pm: ActionSpec = { kind: 'pm', username: 'someone', text: 'hello there' };
const pacing = { actionDelay: { min: 8, max: 15 }, actionConcurrency: 3 };

let dir: string;
let db: Db;
let store: OperationStore;
let clock: VirtualClock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ops-'));
  db = openSqlite(join(dir, 'panel.db'));
  store = new OperationStore(db);
  clock = new VirtualClock();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(poolOpts: Omit<MemoryPoolOptions, 'clock'>, engineOpts: Partial<OperationsEngineOptions> = {}): { pool: MemoryPool; engine: OperationsEngine } {
  const pool = new MemoryPool({ clock, ...poolOpts });
  const engine = new OperationsEngine({ pool, store, clock, pacing, ...engineOpts });
  return { pool, engine };
}

describe('OperationsEngine', () => {
  it('gets N successes, each account paced per kind and the concurrency bounded', async () => {
    const { pool, engine } = setup({ accounts: 5, latencyMs: 1000 });
    const ops = [1, 2, 3].map((i) => engine.runOperation({ ...reaction, target: { ...target, messageId: i } }, { accounts: 5 }, { actor: 'test' }));
    const records = await clock.run(Promise.all(ops));
    for (const r of records) {
      expect(r.status).toBe('finished');
      expect(r.summary).toMatchObject({ planned: 5, done: 5, failed: 0, shortfall: 0 });
    }
    expect(pool.calls).toHaveLength(15);
    // Three operations of concurrency 3 at once, but one account never acts twice at once.
    expect(pool.maxInFlight).toBeLessThanOrEqual(5);
    for (let id = 1; id <= 5; id++) {
      const calls = pool.callsOf(id);
      expect(calls).toHaveLength(3);
      for (let i = 1; i < calls.length; i++) {
        // The pause runs from the end of one attempt to the start of the next: 8-15 s.
        const gap = calls[i]!.at - calls[i - 1]!.endAt!;
        expect(gap).toBeGreaterThanOrEqual(8000);
      }
    }
  });

  it('reads pacing per operation, so a change made in Settings applies without a restart', async () => {
    let current = { actionDelay: { min: 8, max: 15 }, actionConcurrency: 1 };
    const { pool, engine } = setup({ accounts: 6, latencyMs: 1000 }, { pacing: () => current });
    await clock.run(engine.runOperation(reaction, { accounts: 6 }));
    expect(pool.maxInFlight).toBe(1);

    current = { actionDelay: { min: 100, max: 100 }, actionConcurrency: 6 };
    const at = (messageId: number): ActionSpec => ({ ...reaction, target: { ...target, messageId } });
    await clock.run(Promise.all([engine.runOperation(at(2), { accountIds: [1] }), engine.runOperation(at(3), { accountIds: [1] })]));
    const [, second, third] = pool.callsOf(1);
    // The new 100 s pause, not the 8-15 s the engine was built with.
    expect(third!.at - second!.endAt!).toBeGreaterThanOrEqual(100_000);

    pool.maxInFlight = 0;
    // Account 1 still pauses; the other five act at once under the new concurrency.
    await clock.run(engine.runOperation(at(4), { accounts: 5 }));
    expect(pool.maxInFlight).toBe(5);
  });

  it('keeps at most `actionConcurrency` accounts acting at once in one operation', async () => {
    const { pool, engine } = setup({ accounts: 10, latencyMs: 2000 });
    const r = await clock.run(engine.runOperation(reaction, { accounts: 10 }));
    expect(r.summary.done).toBe(10);
    expect(pool.maxInFlight).toBe(3);
    // Nothing waits for pacing here (each account acts once): only the concurrency spaces them.
    expect(r.finishedAt! - r.startedAt).toBe(4 * 2000);
  });

  it('moves the work of an account hit by FLOOD_WAIT to another account and parks it for that kind', async () => {
    const { pool, engine } = setup({ accounts: 4, script: (c) => (c.accountId === 1 && c.method === 'react' ? flood(600) : 'done') });
    const r = await clock.run(engine.runOperation(reaction, { accounts: 2 }));
    expect(r.summary).toMatchObject({ planned: 2, done: 2, failed: 1, replaced: 1, shortfall: 0 });
    const byAccount = new Map(r.results.map((x) => [x.accountId, x]));
    expect(byAccount.get(1)).toMatchObject({ status: 'failed', replaced: true, failure: { kind: 'flood_wait', seconds: 600 } });
    expect([...byAccount.keys()].sort()).toEqual([1, 2, 3]);
    expect(pool.reported).toEqual([{ accountId: 1, kind: 'reaction', failure: flood(600) }]);

    // Parked for reactions only: 3 accounts can react, all 4 can vote.
    await expect(engine.runOperation(reaction, { accounts: 4 })).rejects.toThrow(/only 3 can do reactions now.*flood-wait for reactions until/);
    const v = await clock.run(engine.runOperation(vote, { accounts: 4 }));
    expect(v.summary.done).toBe(4);
    // Once the wait has passed, account 1 reacts again.
    await clock.advance(601_000);
    pool.script = () => 'done';
    const again = await clock.run(engine.runOperation(reaction, { accounts: 4 }));
    expect(again.summary.done).toBe(4);
  });

  it('comes back to an account after a short FLOOD_WAIT when no other account is left', async () => {
    let flooded = false;
    const { pool, engine } = setup({
      accounts: 3,
      script: (c) => {
        if (c.accountId === 1 && !flooded) {
          flooded = true;
          return flood(60);
        }
        return 'done';
      },
    });
    const r = await clock.run(engine.runOperation(reaction, { accounts: 3 }));
    expect(r.summary).toMatchObject({ done: 3, failed: 0, shortfall: 0 });
    expect(r.results.find((x) => x.accountId === 1)).toMatchObject({ status: 'done', attempts: 2 });
    const calls = pool.callsOf(1);
    expect(calls[1]!.at - calls[0]!.at).toBe(60_000);
    expect(store.get(r.id)!.results).toHaveLength(3);
  });

  it('retries a named account after a short FLOOD_WAIT and fails it after a long one', async () => {
    let first = true;
    const { pool, engine } = setup({
      accounts: 2,
      script: (c) => {
        if (c.accountId === 2) return flood(3600);
        if (first) {
          first = false;
          return flood(120);
        }
        return 'done';
      },
    });
    const events: OperationEvent[] = [];
    const r = await clock.run(engine.runOperation(reaction, { accountIds: [1, 2] }, { onEvent: (e) => events.push(e) }));
    const one = r.results.find((x) => x.accountId === 1)!;
    const two = r.results.find((x) => x.accountId === 2)!;
    expect(one).toMatchObject({ status: 'done', attempts: 2 });
    expect(two).toMatchObject({ status: 'failed', attempts: 1, failure: { kind: 'flood_wait', seconds: 3600 } });
    const calls = pool.callsOf(1);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(120_000);
    expect(events.filter((e) => e.type === 'waiting')).toMatchObject([{ accountId: 1, until: calls[0]!.at + 120_000 }]);
    expect(r.summary).toMatchObject({ planned: 2, done: 1, failed: 1, shortfall: 0 });
  });

  it('reports PEER_FLOOD and revoked accounts to the pool and stops using them', async () => {
    const { pool, engine } = setup({
      accounts: 5,
      script: (c) => (c.accountId === 1 ? failure('peer_flood', 'PEER_FLOOD') : c.accountId === 2 ? failure('revoked', 'AUTH_KEY_UNREGISTERED') : 'done'),
    });
    const r = await clock.run(engine.runOperation(pm, { accounts: 2 }));
    expect(r.summary).toMatchObject({ done: 2, replaced: 2, shortfall: 0 });
    expect(pool.reported.map((x) => [x.accountId, x.failure.kind])).toEqual([
      [1, 'peer_flood'],
      [2, 'revoked'],
    ]);
    expect(pool.byId.get(1)!.status).toBe('peer_flood');
    expect(pool.byId.get(2)!.status).toBe('revoked');
    // The PEER_FLOOD account may not message strangers but still reacts; the revoked one does nothing.
    await expect(engine.runOperation(pm, { accounts: 4 })).rejects.toThrow(/only 3 can do private messages now; the others: 1 limited by PEER_FLOOD \(#1\); 1 revoked \(#2\)/);
    const calls = pool.calls.length;
    await expect(engine.runOperation(reaction, { accountIds: [2] })).rejects.toThrow(/#2 \+\d+ @acct2 cannot: revoked/);
    const rr = await clock.run(engine.runOperation(reaction, { accounts: 4 }));
    expect(rr.results.map((x) => x.accountId).sort()).toEqual([1, 3, 4, 5]);
    expect(pool.calls.length).toBe(calls + 4);
  });

  it('stops starting attempts when cancelled, lets those in flight finish and records it cancelled', async () => {
    const { pool, engine } = setup({ accounts: 10, latencyMs: 5000 });
    const ctl = new AbortController();
    const events: OperationEvent[] = [];
    const run = engine.runOperation(reaction, { accounts: 10 }, {
      signal: ctl.signal,
      concurrency: 2,
      onEvent: (e) => {
        events.push(e);
        // Cancel after the third result: attempts four (and five?) are in flight then.
        if (e.type === 'result' && e.settled === 3) ctl.abort();
      },
    });
    const r = await clock.run(run);
    expect(r.status).toBe('cancelled');
    // 3 settled when cancelled, the 4th was in flight and finished; nothing new started.
    expect(pool.calls).toHaveLength(4);
    expect(r.summary).toMatchObject({ done: 4, shortfall: 6 });
    expect(store.get(r.id)).toMatchObject({ status: 'cancelled', summary: { done: 4 } });
    expect(events.at(-1)).toMatchObject({ type: 'finished', status: 'cancelled' });
    expect(clock.pending).toBe(0);
  });

  it('refuses bad input before any account acts and records nothing', async () => {
    const { pool, engine } = setup({ accounts: 3 });
    const bad: Array<[ActionSpec, object, RegExp]> = [
      [{ ...reaction, emoji: 'ok' }, { accounts: 1 }, /not a single emoji/],
      [{ ...reaction, emoji: '👍👍' }, { accounts: 1 }, /not a single emoji/],
      [{ ...vote, options: [0] }, { accounts: 1 }, /option numbers/],
      [{ ...vote, options: [] }, { accounts: 1 }, /at least one option/],
      [{ ...pm, text: '   ' }, { accounts: 1 }, /text is empty/],
      [{ ...pm, text: 'x'.repeat(4097) }, { accounts: 1 }, /4097 characters/],
      [{ ...pm, username: 'a' }, { accounts: 1 }, /too short/],
      [reaction, { accounts: 4 }, /asked for 4 accounts but only 3 can do reactions/],
      [reaction, { accounts: 0 }, /whole number from 1/],
      [reaction, { accountIds: [1, 9] }, /no enabled account #9/],
      [reaction, { accountIds: [] }, /at least one account/],
    ];
    for (const [spec, sel, msg] of bad) {
      const p = engine.runOperation(spec, sel as { accounts: number });
      await expect(p).rejects.toBeInstanceOf(InputError);
      await expect(p).rejects.toThrow(msg);
    }
    expect(pool.calls).toHaveLength(0);
    expect(store.list()).toHaveLength(0);
  });

  it('explains why accounts are not usable', async () => {
    const { engine } = setup({
      accounts: [
        { id: 1 },
        { id: 2, enabled: false },
        { id: 3, status: 'banned', statusReason: 'USER_DEACTIVATED_BAN' },
        { id: 4, status: 'flood_wait', parkedUntil: { reaction: clock.now() + 3_600_000 } },
        { id: 5, status: 'flood_wait', parkedUntil: { join: clock.now() + 3_600_000 } },
      ],
    });
    // The pool lists enabled accounts only; a flood-wait status for joins leaves reactions open.
    await expect(engine.runOperation(reaction, { accounts: 3 })).rejects.toThrow(
      /only 2 can do reactions now; the others: 1 banned \(#3\); 1 flood-wait for reactions until 2026-01-01T01:00:00.000Z \(#4\)/,
    );
  });

  it('picks the least recently used accounts first', async () => {
    const now = clock.now();
    const { pool, engine } = setup({
      accounts: [
        { id: 1, lastUsedAt: now - 3_600_000 },
        { id: 2, lastUsedAt: null },
        { id: 3, lastUsedAt: now - 7_200_000 },
        { id: 4, lastUsedAt: now - 60_000 },
      ],
    });
    const r = await clock.run(engine.runOperation(reaction, { accounts: 2 }, { concurrency: 1 }));
    expect(r.results.map((x) => x.accountId)).toEqual([2, 3]);
    const r2 = await clock.run(engine.runOperation(vote, { accounts: 2 }, { concurrency: 1 }));
    expect(r2.results.map((x) => x.accountId)).toEqual([1, 4]);
    expect(pool.byId.get(2)!.lastUsedAt).toBe(r.startedAt);
  });

  it('waits out the pause of an account used moments ago by an earlier run', async () => {
    const now = clock.now();
    const { pool, engine } = setup({ accounts: [{ id: 1, lastUsedAt: now - 2000 }] });
    await clock.run(engine.runOperation(reaction, { accounts: 1 }));
    // The shortest pause (8 s) counts from the last use recorded in the pool.
    expect(pool.calls[0]!.at - now).toBe(6000);
  });

  it('stops when the target refuses in a way no other account would change', async () => {
    const { pool, engine } = setup({ accounts: 5, script: () => ({ kind: 'bad_request', code: 'OPTION_INVALID', message: 'the poll has 3 options: 1 a, 2 b, 3 c' }) });
    const r = await clock.run(engine.runOperation(vote, { accounts: 5 }, { concurrency: 1 }));
    expect(r.status).toBe('stopped');
    expect(r.stopReason).toBe('the poll has 3 options: 1 a, 2 b, 3 c');
    expect(pool.calls).toHaveLength(1);
    expect(r.summary).toMatchObject({ failed: 1, shortfall: 4 });
  });

  it('stores the operation with its input, actor, times and results, and emits progress', async () => {
    const { engine } = setup({ accounts: 3, latencyMs: 500, script: (c) => (c.accountId === 2 ? 'already' : 'done') });
    const events: OperationEvent[] = [];
    const r = await clock.run(engine.runOperation(reaction, { accounts: 3 }, { actor: 'cli', onEvent: (e) => events.push(e) }));
    const stored = store.get(r.id)!;
    expect(stored).toEqual({ ...r, results: [...r.results].sort((a, b) => a.at - b.at || a.accountId - b.accountId) });
    expect(stored).toMatchObject({ actor: 'cli', spec: reaction, selection: { accounts: 3 }, status: 'finished', summary: { done: 2, already: 1 } });
    expect(stored.finishedAt).toBe(clock.now());
    expect(events.map((e) => e.type)).toEqual(['started', 'result', 'result', 'result', 'finished']);
    expect(events[0]).toMatchObject({ planned: 3, operationId: r.id });
    expect(events.filter((e) => e.type === 'result').map((e) => e.settled)).toEqual([1, 2, 3]);
    expect(store.list()[0]).toMatchObject({ id: r.id, summary: { planned: 3, done: 2, already: 1 } });
  });

  it('runs a private message with a fresh random id per account', async () => {
    const { pool, engine } = setup({ accounts: 2 });
    const r = await clock.run(engine.runOperation(pm, { accounts: 2 }));
    expect(r.results.every((x) => x.status === 'done' && /^message \d+$/.test(x.detail ?? ''))).toBe(true);
    const ids = pool.calls.map((c) => c.args[2] as bigint);
    expect(typeof ids[0]).toBe('bigint');
    expect(ids[0]).not.toBe(ids[1]);
  });
});
