import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/tmp.ts';
import { VirtualClock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import type { ScheduledJob } from '../core/schedules.ts';
import { silentLogger } from '../log.ts';
import { openPanelDb, type Db } from '../store/db.ts';
import type { OperationRecord } from '../store/operations.ts';
import { ScheduleStore } from '../store/schedules.ts';
import type { RunReport } from './campaign-run.ts';
import type { CheckResult } from './health.ts';
import { parseWhen } from './schedule-when.ts';
import { Scheduler, ScheduleService, type ScheduledWork } from './schedules.ts';

const HOUR = 3_600_000;
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

const CHECK: ScheduledJob = { kind: 'accounts-check', ids: null, spam: false };

/** Work that records each call; a check waits for `release` when `hold` is set. */
function fakeWork(clock: VirtualClock) {
  const calls: string[] = [];
  let hold: Promise<void> | undefined;
  let release = (): void => undefined;
  const work: ScheduledWork = {
    operations: () => ({
      runOperation: (spec, selection, opts) => {
        calls.push(`act ${spec.kind} ${JSON.stringify(selection)} ${opts?.actor}`);
        opts?.onEvent?.({ type: 'started', operationId: 41, kind: spec.kind, planned: 1, named: false, at: clock.now() });
        const record = {
          id: 41,
          status: 'finished',
          stopReason: null,
          summary: { planned: 1, done: 1, already: 0, requested: 0, failed: 0, replaced: 0, shortfall: 0 },
        } as unknown as OperationRecord;
        return Promise.resolve(record);
      },
    }),
    campaigns: () => ({
      run: (name) => {
        calls.push(`campaign ${name}`);
        return Promise.resolve({ name, state: 'done', reason: null, counts: {}, run: { sent: 3, settled: 0, uncertain: 0, attempts: 3 } } as unknown as RunReport);
      },
    }),
    health: () => ({
      check: async () => {
        calls.push(`check at ${new Date(clock.now()).toISOString()}`);
        if (hold) await hold;
        return [{ ok: true }, { ok: false }] as CheckResult[];
      },
    }),
  };
  return {
    work,
    calls,
    holdChecks: () => {
      hold = new Promise<void>((r) => (release = r));
    },
    release: () => release(),
  };
}

function setup(start = Date.UTC(2026, 11, 24, 8, 0)) {
  const db = openPanelDb(tempDir());
  dbs.push(db);
  const clock = new VirtualClock(start);
  const store = new ScheduleStore(db);
  const service = new ScheduleService({ store, clock, accountIds: () => [1, 2], campaignExists: (n) => n === 'spring' });
  const fake = fakeWork(clock);
  const scheduler = (owner = 'host/1/a'): Scheduler => new Scheduler({ store, clock, log: silentLogger, work: fake.work, owner, isOwnerGone: (o) => o !== owner, pollMs: HOUR });
  return { db, clock, store, service, scheduler, ...fake };
}

describe('parseWhen', () => {
  const now = Date.UTC(2026, 11, 24, 8, 0);
  it('reads spans from now, local times in a zone, and cron expressions in a zone', () => {
    expect(parseWhen('+2h', 'UTC', now)).toEqual({ kind: 'once', cron: null, first: now + 2 * HOUR });
    expect(parseWhen('+1h30m', 'UTC', now).first).toBe(now + 90 * 60_000);
    // 09:00 in Tehran (UTC+3:30) is 05:30 UTC the next day.
    expect(parseWhen('2026-12-25T09:00', 'Asia/Tehran', now)).toEqual({ kind: 'once', cron: null, first: Date.UTC(2026, 11, 25, 5, 30) });
    // 09:00 in Berlin is 08:00 UTC: now exactly, so the first run is the next day's.
    expect(parseWhen('0 9 * * *', 'Europe/Berlin', now)).toEqual({ kind: 'cron', cron: '0 9 * * *', first: Date.UTC(2026, 11, 25, 8, 0) });
    expect(parseWhen('@hourly', 'UTC', now).first).toBe(now + HOUR);
  });

  it('refuses the past, dates that do not exist, unknown zones, bad cron and anything else', () => {
    for (const [when, tz, words] of [
      ['2026-12-24T07:59', 'UTC', /in the past/],
      ['2026-02-30T09:00', 'UTC', /that exists/],
      ['0 9 * * *', 'Mars/Olympus', /unknown time zone/],
      ['61 9 * * *', 'UTC', /cron expression/],
      ['* * * * * *', 'UTC', /five fields/],
      ['tomorrow', 'UTC', /cannot read/],
      ['+0m', 'UTC', /no time from now/],
    ] as const) {
      expect(() => parseWhen(when, tz, now), when).toThrow(InputError);
      expect(() => parseWhen(when, tz, now), when).toThrow(words);
    }
  });
});

describe('ScheduleService', () => {
  it('checks the job before storing: unknown accounts and campaigns, bad actions', () => {
    const { service, store } = setup();
    const base = { when: '+1h', tz: 'UTC', command: 'x', actor: 'cli' };
    expect(() => service.add({ ...base, job: { kind: 'accounts-check', ids: [1, 9], spam: false } })).toThrow(/no account #9/);
    expect(() => service.add({ ...base, job: { kind: 'campaign-run', name: 'autumn' } })).toThrow(/no campaign named "autumn"/);
    expect(() => service.add({ ...base, job: { kind: 'act', spec: { kind: 'block', username: 'no' }, selection: { accounts: 1 } } })).toThrow(InputError);
    expect(() => service.add({ ...base, when: 'soon', job: CHECK })).toThrow(/cannot read/);
    expect(store.list()).toEqual([]);
    const s = service.add({ ...base, job: { kind: 'campaign-run', name: 'spring' } });
    expect(s).toMatchObject({ id: 1, kind: 'once', state: 'active', nextRunAt: Date.UTC(2026, 11, 24, 9, 0) });
  });

  it('pauses and resumes; a resumed cron schedule waits for its next time from now', async () => {
    const { service, clock } = setup();
    const s = service.add({ when: '0 * * * *', tz: 'UTC', job: CHECK, command: 'accounts check', actor: 'cli' });
    expect(service.pause(s.id).state).toBe('paused');
    await clock.advance(5 * HOUR + 60_000);
    expect(service.resume(s.id)).toMatchObject({ state: 'active', nextRunAt: Date.UTC(2026, 11, 24, 14, 0) });
    expect(service.remove(s.id).id).toBe(s.id);
    expect(() => service.get(s.id)).toThrow(/no schedule #1/);
    // Each refusal carries its code, so the bot words it in the admin's language.
    const codeOf = (call: () => unknown): string | undefined => {
      try {
        call();
      } catch (e) {
        return e instanceof InputError ? e.reason?.code : undefined;
      }
      return undefined;
    };
    expect(codeOf(() => service.remove(s.id))).toBe('schedule_unknown');
    expect(codeOf(() => service.add({ when: '+1h', tz: 'UTC', command: 'x', actor: 'cli', job: { kind: 'campaign-run', name: 'autumn' } }))).toBe('campaign_unknown');
    expect(codeOf(() => service.add({ when: '+1h', tz: 'UTC', command: 'x', actor: 'cli', job: { kind: 'accounts-check', ids: [9], spam: false } }))).toBe('account_unknown');
  });
});

describe('Scheduler', () => {
  it('runs a one-time schedule once, links the operation it started, and marks the schedule done', async () => {
    const { service, scheduler, clock, calls, store } = setup();
    const s = service.add({ when: '+2h', tz: 'UTC', job: { kind: 'act', spec: { kind: 'join', target: { kind: 'public', username: 'durov' } }, selection: { accounts: 2 } }, command: 'act join @durov --accounts 2', actor: 'cli' });
    const sch = scheduler();
    sch.start();
    await clock.advance(2 * HOUR);
    await sch.idle();
    await clock.advance(10 * HOUR);
    await sch.stop();
    expect(calls).toEqual(['act join {"accounts":2} schedule:1']);
    expect(store.get(s.id)).toMatchObject({ state: 'done', nextRunAt: null, lastRunAt: Date.UTC(2026, 11, 24, 10, 0) });
    expect(store.runs({ scheduleId: s.id })).toEqual([
      expect.objectContaining({ status: 'ok', operationId: 41, dueAt: Date.UTC(2026, 11, 24, 10, 0), detail: 'operation #41 finished: 1 of 1 succeeded' }),
    ]);
  });

  it('a cron schedule missed while the panel was down runs once when it starts, then at its next time', async () => {
    const { service, scheduler, clock, calls, store } = setup();
    const s = service.add({ when: '0 * * * *', tz: 'UTC', job: CHECK, command: 'accounts check', actor: 'cli' });
    // Down for five and a half hours: five hourly times passed.
    await clock.advance(5.5 * HOUR);
    const sch = scheduler();
    sch.start();
    await clock.advance(0);
    await sch.idle();
    expect(calls).toEqual(['check at 2026-12-24T13:30:00.000Z']);
    expect(store.get(s.id)!.nextRunAt).toBe(Date.UTC(2026, 11, 24, 14, 0));
    await clock.advance(HOUR);
    await sch.idle();
    await sch.stop();
    expect(calls).toEqual(['check at 2026-12-24T13:30:00.000Z', 'check at 2026-12-24T14:00:00.000Z']);
    expect(store.runs({ scheduleId: s.id }).map((r) => [r.status, r.detail])).toEqual([
      ['ok', '1 of 2 account(s) answered'],
      ['ok', '1 of 2 account(s) answered'],
    ]);
  });

  it('two schedulers over one store start a due run once', async () => {
    const { service, scheduler, clock, calls } = setup();
    service.add({ when: '+1m', tz: 'UTC', job: { kind: 'campaign-run', name: 'spring' }, command: 'campaign run spring', actor: 'cli' });
    await clock.advance(60_000);
    const [a, b] = [scheduler('host/1/a'), scheduler('host/2/b')];
    const runs = [...(await a.tick()), ...(await b.tick())];
    await Promise.all([a.idle(), b.idle()]);
    expect(runs).toHaveLength(1);
    expect(calls).toEqual(['campaign spring']);
  });

  it('skips a time that comes while the previous run of the schedule is still going', async () => {
    const { service, scheduler, clock, calls, store, holdChecks, release } = setup();
    const s = service.add({ when: '*/10 * * * *', tz: 'UTC', job: CHECK, command: 'accounts check', actor: 'cli' });
    holdChecks();
    const sch = scheduler();
    await clock.advance(10 * 60_000);
    await sch.tick();
    await clock.advance(10 * 60_000);
    await sch.tick();
    release();
    await sch.idle();
    expect(calls).toHaveLength(1);
    expect(store.runs({ scheduleId: s.id }).map((r) => r.status)).toEqual(['skipped', 'ok']);
  });

  it('a run left running by a process that ended is marked interrupted and not started again', async () => {
    const { service, scheduler, clock, calls, store } = setup();
    const s = service.add({ when: '+1m', tz: 'UTC', job: CHECK, command: 'accounts check', actor: 'cli' });
    await clock.advance(60_000);
    store.claim(s.id, s.nextRunAt!, null, { startedAt: clock.now(), owner: 'host/99/gone', status: 'running' });
    const sch = scheduler();
    sch.start();
    await clock.advance(HOUR);
    await sch.stop();
    expect(calls).toEqual([]);
    expect(store.runs({ scheduleId: s.id })).toEqual([expect.objectContaining({ status: 'interrupted' })]);
  });

  it('a failing run is recorded with its reason and the schedule goes on', async () => {
    const { service, clock, store } = setup();
    const s = service.add({ when: '0 * * * *', tz: 'UTC', job: CHECK, command: 'accounts check', actor: 'cli' });
    const sch = new Scheduler({
      store,
      clock,
      log: silentLogger,
      owner: 'host/1/a',
      work: { operations: () => ({ runOperation: () => Promise.reject(new Error('x')) }), campaigns: () => ({ run: () => Promise.reject(new Error('x')) }), health: () => ({ check: () => Promise.reject(new InputError('no enabled accounts')) }) },
    });
    await clock.advance(HOUR);
    await sch.tick();
    await sch.idle();
    expect(store.runs({ scheduleId: s.id })).toEqual([expect.objectContaining({ status: 'failed', detail: 'no enabled accounts' })]);
    expect(store.get(s.id)).toMatchObject({ state: 'active', nextRunAt: Date.UTC(2026, 11, 24, 10, 0) });
  });
});
