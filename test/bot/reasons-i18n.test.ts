import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.ts';
import type { LinkErrorCode } from '../../src/core/links.ts';
import { REASON_CODES } from '../../src/core/reasons.ts';
import { CampaignService } from '../../src/engine/campaigns.ts';
import { OperationsEngine } from '../../src/engine/operations.ts';
import { messages } from '../../src/interfaces/bot/i18n/index.ts';
import { OperationStore } from '../../src/store/operations.ts';
import { MemoryPool } from '../support/memory-pool.ts';
import { FakeTelegram, MemoryPool as PmPool } from '../support/pm-fleet.ts';
import { ADMIN, harness, PACING, type Harness } from './harness.ts';

/** Every link error code; a code added to core/links.ts and missing here fails the type check. */
const LINK_CODES: Record<LinkErrorCode, true> = {
  empty: true,
  too_long: true,
  unsupported_scheme: true,
  no_host: true,
  unknown_host: true,
  bad_percent_encoding: true,
  no_chat: true,
  not_a_name: true,
  bad_username: true,
  reserved_word: true,
  unsupported_link: true,
  invite_without_hash: true,
  bad_invite_hash: true,
  unexpected_path: true,
  expected_message_id: true,
  private_chat_without_message: true,
  channel_id_prefix: true,
  bad_id: true,
  zero_id: true,
  id_too_large: true,
  conflicting_thread: true,
  duplicate_param: true,
  param_needs_post: true,
  missing_param: true,
  no_action: true,
  unsupported_action: true,
  join_needs_invite: true,
  needs_message_link: true,
  needs_user: true,
};

const ENGLISH = 'the English sentence';
const PARAMS = { name: 'Spring', value: 'abc', ref: 'btc', length: 5000, max: 4096, invalid: 2, min: 5, accounts: '#3, #4', account: '#3 +15550000003', fleet: 2, owner: 'host/1', wanted: 5, usable: 2, held: 2, holders: 'process 7 on host', field: 'message', rule: 'too_short', state: 'done', detail: 'missing )' };

/** Latin letters outside the isolated values: English left in a Persian sentence. */
function latinOutsideValues(text: string): string {
  return text.replace(/\u2068[^\u2069]*\u2069/g, '').replace(/[^A-Za-z]+/g, ' ').trim();
}

let h: Harness | undefined;
afterEach(() => h?.db.close());

describe('every reason the engine gives has Persian words', () => {
  const fa = messages('fa');

  it('each engine reason code', () => {
    for (const code of REASON_CODES) {
      const text = fa.reason({ code, params: PARAMS }, ENGLISH);
      expect(text, code).not.toContain(ENGLISH);
      expect(text.trim().length, code).toBeGreaterThan(5);
      expect(latinOutsideValues(text), code).toBe('');
    }
  });

  it('each link refusal code', () => {
    for (const code of Object.keys(LINK_CODES) as LinkErrorCode[]) {
      const params = { value: 'x', other: 'y', word: 'joinchat', kind: 'folder' as const, rule: 'too_short' as const, field: 'message' as const, max: 9, length: 3000, key: 'post', action: 'resolve', username: 'durov', channel: 12, topic: 3, thread: 4, got: 'invite' as const };
      const text = fa.linkError({ code, params, error: ENGLISH });
      expect(text, code).not.toContain(ENGLISH);
      expect(latinOutsideValues(text), code).toBe('');
    }
  });

  it('English keeps the engine sentence', () => {
    expect(messages('en').reason({ code: 'campaign_unknown', params: { name: 'x' } }, ENGLISH)).toBe(ENGLISH);
  });
});

describe('a Persian admin reads the engine refusals in Persian', () => {
  const PERSIAN = { ...ADMIN, language_code: 'fa' };

  it('a link that does not fit the action', async () => {
    const clock = new VirtualClock();
    const pool = new MemoryPool({ clock, accounts: 2 });
    h = harness({ clock });
    h.deps.services = { operations: new OperationsEngine({ pool, store: new OperationStore(h.db), clock, pacing: PACING }) };
    await h.text('/start', PERSIAN);
    await h.press('عملیات', PERSIAN);
    await h.press('واکنش', PERSIAN);
    await h.text('https://t.me/+AbCdEfGh', PERSIAN);
    expect(h.screen()).toContain('این کار پیوند یک پیام لازم دارد');
    expect(h.screen()).not.toContain('needs a message link');
  });

  it('a campaign name taken by another message', async () => {
    const clock = new VirtualClock();
    const tg = new FakeTelegram(clock, new Set(['alice_one']), new Set(), 0);
    h = harness({ clock });
    const svc = new CampaignService({ db: h.db, pool: new PmPool(tg, 1, clock), clock, pacing: PACING, leaseOwner: 'host:1:a', isLeaseOwnerDead: () => false, syncClaims: false });
    h.deps.services = { campaigns: svc };
    svc.create({ name: 'Taken', message: 'Other text', targets: 'alice_one' });
    await h.text('/start', PERSIAN);
    await h.press('کمپین‌ها', PERSIAN);
    await h.press('کمپین تازه', PERSIAN);
    await h.text('Taken', PERSIAN);
    await h.text('سلام', PERSIAN);
    await h.text('alice_one', PERSIAN);
    await h.press('ساختن', PERSIAN);
    expect(h.screen()).toContain('کمپینی به نام Taken با پیام دیگری از قبل هست');
    expect(h.screen()).not.toContain('already exists');
  });
});
