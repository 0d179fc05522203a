import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.ts';
import { englishReason, failureReason, STORED_REASON_CODES, type StoredReasonCode } from '../../src/core/stored-reasons.ts';
import { CampaignService } from '../../src/engine/campaigns.ts';
import { messages } from '../../src/interfaces/bot/i18n/index.ts';
import { OperationStore } from '../../src/store/operations.ts';
import { FakeTelegram, MemoryPool as PmPool } from '../support/pm-fleet.ts';
import { account, FakeAccounts } from './fakes.ts';
import { ADMIN, harness, PACING, type Harness } from './harness.ts';

/** Values each stored reason is written with; a code added without an entry here fails the type check. */
const SAMPLES: Record<StoredReasonCode, Record<string, string | number>> = {
  telegram_failure: { kind: 'flood_wait', code: 'FLOOD_WAIT_X', seconds: 420, message: 'Telegram asks this account to wait 7 min' },
  operation_process_ended: {},
  campaign_targets_added: { count: 3 },
  campaign_paused_by_operator: {},
  campaign_cancelled_by_operator: {},
  campaign_uncertain_requeued: { count: 2 },
  campaign_taken_over: {},
  campaign_interrupted: { detail: 'SIGTERM' },
  campaign_waiting: { until: Date.UTC(2026, 0, 2), cause: 'daily_cap', account: 3, cap: 20 },
  campaign_uncertain_left: { count: 1 },
  campaign_stalled: { pending: 4, claimed: 1, deferred: 0, refused: 1, stopped: 2, fleet: 3, accounts: 'account #1 is banned; account #2 is revoked' },
  account_flood_wait: { code: 'FLOOD_WAIT_X', call: 'join' },
  spambot_limited: { until: Date.UTC(2026, 0, 3) },
  spambot_clean: {},
  account_connecting_proxy: { proxy: 'socks5://10.0.0.1:1080' },
  account_disabled_by_operator: {},
  account_lease_lost: {},
  account_removed: {},
};

/** Latin letters outside the isolated values: English left in a Persian sentence. */
function latinOutsideValues(text: string): string {
  return text.replace(/\u2068[^\u2069]*\u2069/g, '').replace(/[^A-Za-z]+/g, ' ').trim();
}

let h: Harness | undefined;
afterEach(() => h?.db.close());

describe('reasons kept with records', () => {
  const fa = messages('fa');
  const en = messages('en');

  it('each has Persian words, and English words the CLI and the English bot share', () => {
    for (const code of STORED_REASON_CODES) {
      const r = { code, params: SAMPLES[code] };
      const english = englishReason(r);
      expect(english.length, code).toBeGreaterThan(5);
      expect(en.reason(r, english), code).toBe(english);
      const persian = fa.reason(r, english);
      expect(persian, code).not.toContain(english);
      expect(latinOutsideValues(persian), code).toBe('');
    }
  });

  it('keep their English wording for the CLI', () => {
    expect(englishReason(failureReason({ kind: 'banned', code: 'USER_DEACTIVATED_BAN', message: 'the account is banned' }))).toBe('the account is banned');
    expect(englishReason({ code: 'campaign_stalled', params: { pending: 2, claimed: 0, deferred: 0, refused: 0, stopped: 1, fleet: 1, accounts: 'account #1 is banned' } })).toBe(
      'no usable account left: 2 target(s) remain; account #1 is banned',
    );
  });
});

describe('a Persian admin reads stored reasons in Persian', () => {
  const PERSIAN = { ...ADMIN, language_code: 'fa' };

  it("a paused campaign's reason on its card", async () => {
    const clock = new VirtualClock();
    h = harness({ clock });
    const tg = new FakeTelegram(clock, new Set(['alice_one']), new Set(), 0);
    const svc = new CampaignService({ db: h.db, pool: new PmPool(tg, 1, clock), clock, pacing: PACING, leaseOwner: 'host:1:a', isLeaseOwnerDead: () => false });
    h.deps.services = { campaigns: svc };
    svc.create({ name: 'Spring', message: 'Hi', targets: 'alice_one' });
    svc.pause('Spring');
    expect(svc.status('Spring').reason).toBe('paused by the operator');
    await h.text('/start', PERSIAN);
    await h.press('کمپین‌ها', PERSIAN);
    await h.press('Spring', PERSIAN);
    expect(h.screen()).toContain('مدیر آن را مکث کرد');
    expect(h.screen()).not.toContain('paused by the operator');
  });

  it("an account's status reason on its card, and an older row's English words", async () => {
    const flood = { code: 'account_flood_wait' as const, params: { code: 'FLOOD_WAIT_X', call: 'join' } };
    h = harness({
      services: {
        accounts: new FakeAccounts([
          account(1, { status: 'flood_wait', statusUntil: Date.UTC(2026, 0, 2), statusReason: englishReason(flood), statusReasonCode: flood }),
          account(2, { status: 'error', statusReason: 'an older sentence' }),
        ]),
      },
    });
    await h.text('/start', PERSIAN);
    await h.press('حساب‌ها', PERSIAN);
    await h.press('فهرست', PERSIAN);
    await h.press('#1', PERSIAN);
    expect(h.screen()).toContain('تلگرام خواسته این حساب صبر کند [FLOOD_WAIT_X]');
    expect(h.screen()).not.toContain('FLOOD_WAIT_X on join');
    await h.press('» بازگشت', PERSIAN);
    await h.press('#2', PERSIAN);
    expect(h.screen()).toContain('an older sentence');
  });

  it('an operation row written before reason codes still reads its English words', () => {
    h = harness({ clock: new VirtualClock() });
    const ops = new OperationStore(h.db);
    const id = ops.create({ spec: { kind: 'leave', target: { kind: 'public', username: 'abcd' } } as never, selection: { accounts: 1 }, actor: 'cli', planned: 1, startedAt: 1 });
    h.db.prepare("UPDATE operations SET status = 'stopped', finished_at = 2, stop_reason = 'an older sentence' WHERE id = ?").run(id);
    expect(ops.get(id)).toMatchObject({ stopReason: 'an older sentence', stopReasonCode: null });
    ops.finish(id, { status: 'stopped', finishedAt: 3, stopReason: null, stopReasonCode: failureReason({ kind: 'not_allowed', code: 'CHAT_WRITE_FORBIDDEN', message: 'not allowed there' }) });
    expect(ops.get(id)).toMatchObject({ stopReason: 'not allowed there', stopReasonCode: { code: 'telegram_failure', params: { kind: 'not_allowed' } } });
  });
});
