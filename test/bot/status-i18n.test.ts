import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../src/interfaces/bot/i18n/en.ts';
import { fa } from '../../src/interfaces/bot/i18n/fa.ts';
import { stripIsolates } from '../../src/interfaces/bot/i18n/bidi.ts';
import { account, FakeAccounts } from './fakes.ts';
import { ADMIN, harness, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.db.close());

describe('status screen', () => {
  it('shows the fleet by status, today\'s usage against the cap, and what runs', async () => {
    const accounts = new FakeAccounts([account(1), account(2), account(3, { status: 'banned' })]);
    h = harness({
      services: {
        accounts,
        usage: {
          usedToday: (id) => (id === 1 ? 20 : id === 2 ? 3 : 0),
          recentOperations: () => [
            {
              id: 7,
              kind: 'join',
              spec: { kind: 'join', target: { kind: 'public', username: 'abcd' } },
              selection: { accounts: 2 },
              actor: 'cli',
              status: 'finished',
              stopReason: null,
              planned: 2,
              startedAt: Date.UTC(2026, 0, 1, 9),
              finishedAt: Date.UTC(2026, 0, 1, 9, 1),
              summary: { planned: 2, done: 2, already: 0, requested: 0, failed: 0, replaced: 0, shortfall: 0 },
            },
          ],
        },
      },
    });
    await h.text('/start');
    await h.press('Status');
    const s = h.screen();
    expect(s).toContain('Accounts: 3');
    expect(s).toContain('🟢 active: 2');
    expect(s).toContain('⛔ banned: 1');
    expect(s).toContain('Private messages today: 23 of 60 (20 per account)');
    expect(s).toContain('#1 +15550000001 @acc1: 20/20 ⛔');
    expect(s).toContain('Nothing is running.');
    expect(s).toContain('#7 join, finished: ✅ 2 · 2026-01-01 09:00 UTC');
    await h.press('Refresh');
    expect(h.api.callsOf('sendMessage')).toHaveLength(1);
  });
});

describe('English and Persian', () => {
  it('has every message in both languages, each Persian string translated', () => {
    const same = new Set(['btnHome']);
    for (const [key, value] of Object.entries(en)) {
      const other = (fa as Record<string, unknown>)[key];
      expect(typeof other, key).toBe(typeof value);
      if (typeof value === 'string' && !same.has(key)) expect(other, key).not.toBe(value);
    }
  });

  it('Persian screens keep Latin names, numbers and links isolated so they do not reorder the text', async () => {
    h = harness({ services: { accounts: new FakeAccounts([account(1, { firstName: 'John', status: 'flood_wait', statusUntil: Date.UTC(2026, 0, 2), statusReason: 'FLOOD_WAIT_X on join' })]) } });
    await h.text('/start');
    await h.press('Settings');
    await h.press('فارسی');
    await h.press('» بازگشت');
    await h.press('حساب‌ها');
    await h.press('فهرست');
    await h.press('#1');
    const raw = h.menu().text;
    // Each Latin run sits inside an isolate (U+2068 … U+2069), so the paragraph stays right-to-left.
    for (const latin of ['#1 +15550000001 @acc1', 'John', '@acc1', 'FLOOD_WAIT_X on join']) expect(raw).toContain(`\u2068${latin}\u2069`);
    expect(stripIsolates(raw)).toContain('وضعیت: ⏳ در انتظار (محدودیت تلگرام)');
    // The first strong character of every line is Persian (or an emoji), never a bare Latin letter.
    for (const line of raw.split('\n').filter((l) => l.trim() !== '')) {
      const bare = line.replace(/\u2068[^\u2069]*\u2069/g, '');
      const firstStrong = /[A-Za-z\u0600-\u06FF]/.exec(bare)?.[0];
      if (firstStrong) expect(firstStrong, line).toMatch(/[\u0600-\u06FF]/);
    }
    await h.text('/cancel');
    expect(h.screen()).toContain('چیزی برای لغو وجود ندارد.');
    await h.text('سلام');
    expect(h.screen()).toContain('از منوی زیر استفاده کنید.');
  });

  it('a stranger writing with a Persian client is refused in Persian', async () => {
    h = harness();
    await h.text('/start', { id: 4242, first_name: 'Ali', language_code: 'fa' });
    expect(h.api.callsOf('sendMessage')[0]!.payload.text).toBe('این ربات خصوصی است.');
    expect(h.bot.runtime.store.menu(ADMIN.id)).toBeUndefined();
  });
});
