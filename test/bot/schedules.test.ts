import { afterEach, describe, expect, it } from 'vitest';
import { ScheduleService } from '../../src/engine/schedules.ts';
import { ScheduleStore } from '../../src/store/schedules.ts';
import { harness, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.db.close());

function withSchedules(): ScheduleService {
  h = harness();
  const svc = new ScheduleService({ store: new ScheduleStore(h.db), clock: h.clock, accountIds: () => [1], campaignExists: () => true });
  h.deps.services.schedules = svc;
  return svc;
}

describe('schedules menu', () => {
  it('lists schedules with their next run and removes one after a confirmation', async () => {
    const svc = withSchedules();
    svc.add({ when: '0 9 * * 1-5', tz: 'Asia/Tehran', job: { kind: 'accounts-check', ids: null, spam: false }, command: 'accounts check', actor: 'cli' });
    svc.add({ when: '+2h', tz: 'UTC', job: { kind: 'campaign-run', name: 'spring' }, command: 'campaign run spring', actor: 'cli' });
    await h.text('/start');
    await h.press('Schedules');
    expect(h.screen()).toContain('Schedules (2)');
    expect(h.screen()).toMatch(/#1 · active · 0 9 \* \* 1-5 \(Asia\/Tehran\)\naccounts check\nNext: 2026-01-01 05:30 UTC/);
    expect(h.screen()).toContain('campaign run spring');
    await h.press('🗑 #2');
    expect(h.screen()).toContain('Remove schedule #2?');
    await h.press('No');
    expect(h.screen()).toContain('Schedules (2)');
    await h.press('🗑 #2');
    await h.press('Yes');
    expect(h.screen()).toContain('Schedule #2 removed.');
    expect(svc.list().map((s) => s.id)).toEqual([1]);
  });

  it('a schedule removed elsewhere meanwhile is reported, in Persian too', async () => {
    const svc = withSchedules();
    svc.add({ when: '+1h', tz: 'UTC', job: { kind: 'accounts-check', ids: null, spam: false }, command: 'accounts check', actor: 'cli' });
    h.bot.runtime.store.setLanguage(1001, 'fa', h.clock.now());
    await h.text('/start');
    await h.press('زمان‌بندی‌ها');
    await h.press('🗑');
    svc.remove(1);
    await h.press('بله');
    expect(h.screen()).toContain('این زمان‌بندی دیگر وجود ندارد.');
    expect(h.screen()).toContain('چیزی زمان‌بندی نشده است');
  });

  it('says so when the schedules service is not running in this process', async () => {
    h = harness();
    await h.text('/start');
    await h.press('Schedules');
    expect(h.screen()).toContain('not running in this process');
  });
});
