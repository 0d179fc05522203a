import { beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../test/support/engines.ts';
import { ScheduleStore, type NewSchedule } from './schedules.ts';

const T0 = Date.UTC(2026, 5, 1, 9);
const HOUR = 3_600_000;

function schedule(over: Partial<NewSchedule> = {}): NewSchedule {
  return {
    kind: 'cron',
    when: '0 * * * *',
    cron: '0 * * * *',
    tz: 'UTC',
    job: { kind: 'campaign-run', name: 'spring' },
    command: 'campaign run spring',
    nextRunAt: T0,
    createdAt: T0 - HOUR,
    actor: 'cli',
    ...over,
  };
}

describeEngines('ScheduleStore', (t) => {
  let store: ScheduleStore;
  beforeEach(() => {
    store = new ScheduleStore(t.db);
  });

  it('adds, lists, pauses and removes schedules, and finds the due ones soonest first', () => {
    const a = store.add(schedule({ nextRunAt: T0 + HOUR }));
    expect(a).toEqual({
      id: 1,
      kind: 'cron',
      when: '0 * * * *',
      cron: '0 * * * *',
      tz: 'UTC',
      job: { kind: 'campaign-run', name: 'spring' },
      command: 'campaign run spring',
      state: 'active',
      nextRunAt: T0 + HOUR,
      lastRunAt: null,
      createdAt: T0 - HOUR,
      actor: 'cli',
    });
    const b = store.add(schedule({ kind: 'once', when: '+1h', cron: null, job: { kind: 'accounts-check', ids: null, spam: true }, nextRunAt: T0 }));
    const c = store.add(schedule({ nextRunAt: T0 - 1 }));
    expect(store.list().map((s) => s.id)).toEqual([a.id, b.id, c.id]);
    expect(store.get(b.id)?.job).toEqual({ kind: 'accounts-check', ids: null, spam: true });
    expect(store.nextDue()).toBe(T0 - 1);
    expect(store.due(T0).map((s) => s.id)).toEqual([c.id, b.id]);
    store.setState(c.id, 'paused', null);
    expect(store.get(c.id)).toMatchObject({ state: 'paused', nextRunAt: null });
    expect(store.due(T0 + HOUR).map((s) => s.id)).toEqual([b.id, a.id]);
    expect(store.nextDue()).toBe(T0);
    expect(store.remove(b.id)).toBe(true);
    expect(store.remove(b.id)).toBe(false);
    expect(store.get(b.id)).toBeUndefined();
    store.setState(a.id, 'paused', null);
    expect(store.nextDue()).toBeNull();
  });

  it('claims a due run once, across connections, and ends a one-time schedule', () => {
    const s = store.add(schedule());
    const other = new ScheduleStore(t.connect());
    const run = store.claim(s.id, T0, T0 + HOUR, { startedAt: T0 + 5, owner: 'host/1/a', status: 'running' })!;
    expect(run).toEqual({ id: 1, scheduleId: s.id, dueAt: T0, startedAt: T0 + 5, finishedAt: null, status: 'running', operationId: null, campaign: null, detail: null });
    expect(other.claim(s.id, T0, T0 + HOUR, { startedAt: T0 + 6, owner: 'host/2/b', status: 'running' })).toBeUndefined();
    expect(store.get(s.id)).toMatchObject({ state: 'active', nextRunAt: T0 + HOUR, lastRunAt: T0 + 5 });
    // Due again while the first run still goes: recorded as skipped, finished at once.
    const skipped = other.claim(s.id, T0 + HOUR, T0 + 2 * HOUR, { startedAt: T0 + HOUR, owner: 'host/2/b', status: 'skipped', detail: 'still running' })!;
    expect(skipped).toMatchObject({ status: 'skipped', finishedAt: T0 + HOUR, detail: 'still running' });

    const once = store.add(schedule({ kind: 'once', cron: null, nextRunAt: T0 }));
    expect(store.claim(once.id, T0, null, { startedAt: T0, owner: 'host/1/a', status: 'running' })).toBeDefined();
    expect(store.get(once.id)).toMatchObject({ state: 'done', nextRunAt: null });
    expect(store.claim(once.id, T0, null, { startedAt: T0, owner: 'host/1/a', status: 'running' })).toBeUndefined();
  });

  it('links and finishes runs, lists them newest first, and marks the runs of ended processes interrupted', () => {
    const s = store.add(schedule());
    const r1 = store.claim(s.id, T0, T0 + HOUR, { startedAt: T0, owner: 'host/1/a', status: 'running' })!;
    store.link(r1.id, { operationId: 12 });
    store.link(r1.id, { campaign: 'spring' });
    expect(store.run(r1.id)).toMatchObject({ operationId: 12, campaign: 'spring', status: 'running' });
    store.finish(r1.id, { status: 'ok', finishedAt: T0 + 10 });
    expect(store.run(r1.id)).toMatchObject({ status: 'ok', finishedAt: T0 + 10, operationId: 12, campaign: 'spring', detail: null });
    // A finished run stays as it ended.
    store.finish(r1.id, { status: 'failed', finishedAt: T0 + 20, detail: 'late' });
    expect(store.run(r1.id)).toMatchObject({ status: 'ok', finishedAt: T0 + 10 });

    const r2 = store.claim(s.id, T0 + HOUR, T0 + 2 * HOUR, { startedAt: T0 + HOUR, owner: 'host/1/a', status: 'running' })!;
    const other = store.add(schedule({ nextRunAt: T0 }));
    const r3 = store.claim(other.id, T0, T0 + HOUR, { startedAt: T0 + 1, owner: 'host/2/b', status: 'running' })!;
    expect(store.runs().map((r) => r.id)).toEqual([r3.id, r2.id, r1.id]);
    expect(store.runs({ limit: 1 }).map((r) => r.id)).toEqual([r3.id]);
    expect(store.runs({ scheduleId: s.id }).map((r) => r.id)).toEqual([r2.id, r1.id]);
    expect(store.runs({ scheduleId: s.id, limit: 1 }).map((r) => r.id)).toEqual([r2.id]);

    expect(store.markInterrupted(T0 + 3 * HOUR, (owner) => owner === 'host/1/a')).toBe(1);
    expect(store.run(r2.id)).toMatchObject({ status: 'interrupted', finishedAt: T0 + 3 * HOUR, detail: 'the process running it ended' });
    expect(store.run(r3.id)).toMatchObject({ status: 'running' });
    expect(store.run(999)).toBeUndefined();
  });
});
