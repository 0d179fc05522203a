import { beforeEach, expect, it } from 'vitest';
import type { ActionSpec } from '../core/actions.ts';
import { describeEngines } from '../../test/support/engines.ts';
import type { Db } from './db.ts';
import { OperationStore, summarize } from './operations.ts';

const spec: ActionSpec = { kind: 'vote', target: { chat: { channelId: 1234567 }, messageId: 5, topicId: 2 }, options: [1, 3] };

describeEngines('OperationStore', (t) => {
  let db: Db;
  beforeEach(() => {
    db = t.db;
  });

  it('keeps the input, who asked, times and each account\'s final result, across a reopen', () => {
    const s = new OperationStore(db);
    const id = s.create({ spec, selection: { accounts: 3 }, actor: 'bot:42', planned: 3, startedAt: 1000 });
    s.saveResult(id, { accountId: 1, status: 'failed', at: 1100, attempts: 1, replaced: true, failure: { kind: 'flood_wait', code: 'FLOOD_WAIT_X', message: 'wait', seconds: 30 } });
    s.saveResult(id, { accountId: 2, status: 'done', at: 1200, attempts: 1, replaced: false });
    s.saveResult(id, { accountId: 3, status: 'already', at: 1300, attempts: 1, replaced: false, detail: 'voted before' });
    s.saveResult(id, { accountId: 4, status: 'failed', at: 1400, attempts: 1, replaced: false, failure: { kind: 'not_found', code: 'MSG_ID_INVALID', message: 'gone' } });
    s.finish(id, { status: 'finished', finishedAt: 2000, stopReason: null });
    db = t.reopen();
    const r = new OperationStore(db).get(id)!;
    expect(r).toMatchObject({ id, kind: 'vote', spec, selection: { accounts: 3 }, actor: 'bot:42', status: 'finished', planned: 3, startedAt: 1000, finishedAt: 2000 });
    expect(r.results).toEqual([
      { accountId: 1, status: 'failed', at: 1100, attempts: 1, replaced: true, failure: { kind: 'flood_wait', code: 'FLOOD_WAIT_X', message: 'wait', seconds: 30 } },
      { accountId: 2, status: 'done', at: 1200, attempts: 1, replaced: false },
      { accountId: 3, status: 'already', at: 1300, attempts: 1, replaced: false, detail: 'voted before' },
      { accountId: 4, status: 'failed', at: 1400, attempts: 1, replaced: false, failure: { kind: 'not_found', code: 'MSG_ID_INVALID', message: 'gone' } },
    ]);
    expect(r.summary).toEqual({ planned: 3, done: 1, already: 1, requested: 0, failed: 2, replaced: 1, shortfall: 0 });
  });

  it('replaces an account\'s result when it is retried', () => {
    const s = new OperationStore(db);
    const id = s.create({ spec, selection: { accountIds: [1] }, actor: 'cli', planned: 1, startedAt: 0 });
    s.saveResult(id, { accountId: 1, status: 'failed', at: 1, attempts: 1, replaced: false, failure: { kind: 'network', code: 'TIMEOUT', message: 't' } });
    s.saveResult(id, { accountId: 1, status: 'done', at: 2, attempts: 2, replaced: false });
    expect(s.get(id)!.results).toEqual([{ accountId: 1, status: 'done', at: 2, attempts: 2, replaced: false }]);
  });

  it('lists newest first with summaries, filters by kind, and marks leftovers interrupted', () => {
    const s = new OperationStore(db);
    const a = s.create({ spec, selection: { accounts: 2 }, actor: 'cli', planned: 2, startedAt: 1 });
    s.saveResult(a, { accountId: 1, status: 'done', at: 2, attempts: 1, replaced: false });
    s.finish(a, { status: 'cancelled', finishedAt: 3, stopReason: null });
    const b = s.create({ spec: { kind: 'join', target: { kind: 'invite', hash: 'AbCdEf12' } }, selection: { accounts: 1 }, actor: 'cli', planned: 1, startedAt: 4 });
    expect(s.list().map((o) => o.id)).toEqual([b, a]);
    expect(s.list()[1]!.summary).toEqual(summarize(2, s.get(a)!.results));
    expect(s.list()[1]!.summary.shortfall).toBe(1);
    expect(s.list({ kind: 'join' }).map((o) => o.id)).toEqual([b]);
    expect(s.list({ limit: 1 }).map((o) => o.id)).toEqual([b]);
    expect(s.list({ before: b }).map((o) => o.id)).toEqual([a]);
    // Only work whose process is gone is marked; another live process's work is left running.
    const mine = new OperationStore(db, 'host/1/a');
    const c = mine.create({ spec: { kind: 'block', username: 'someone' }, selection: { accounts: 1 }, actor: 'cli', planned: 1, startedAt: 5 });
    const live = new OperationStore(db, 'host/2/b').create({ spec: { kind: 'block', username: 'other' }, selection: { accounts: 1 }, actor: 'cli', planned: 1, startedAt: 6 });
    expect(s.markInterrupted(10, (owner) => owner === 'host/1/a')).toBe(1);
    expect(s.get(c)).toMatchObject({ status: 'interrupted', finishedAt: 10, stopReason: 'the process running it ended' });
    expect(s.get(live)).toMatchObject({ status: 'running' });
    expect(s.get(b)).toMatchObject({ status: 'running' });
    expect(s.get(999)).toBeUndefined();
  });
});
