import { afterEach, describe, expect, it } from 'vitest';
import { InputError, PanelError } from '../../src/core/errors.ts';
import { TelegramFailure } from '../../src/core/failures.ts';
import { REASON_CODES, reason } from '../../src/core/reasons.ts';
import { englishReason, failureReason } from '../../src/core/stored-reasons.ts';
import type { ImportError } from '../../src/engine/import.ts';
import type { LoginError } from '../../src/engine/login.ts';
import { importErrorText, loginErrorText } from '../../src/interfaces/i18n/account-errors.ts';
import { linkRefusalText, reasonText, refusalText, storedReasonText } from '../../src/interfaces/i18n/reasons.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { startHarness, type WebHarness } from '../web/support.ts';

const PARAMS = { name: 'Spring', value: 'abc', ref: 'btc', length: 5000, max: 4096, invalid: 2, min: 5, accounts: '#3, #4', account: '#3 +15550000003', fleet: 2, owner: 'host/1', wanted: 5, usable: 2, held: 2, holders: 'process 7 on host', field: 'message', rule: 'too_short', state: 'done', detail: 'missing )' };

/** Latin letters outside the isolated values: English left in a Persian sentence. */
function latinOutsideValues(text: string): string {
  return text.replace(/\u2068[^\u2069]*\u2069/g, '').replace(/[^A-Za-z]+/g, ' ').trim();
}

describe('one table of reason words for every interface', () => {
  it('words each engine reason in Persian, and keeps the engine sentence in English', () => {
    for (const code of REASON_CODES) {
      const r = { code, params: PARAMS };
      const persian = reasonText(r, 'fa', 'the English sentence');
      expect(persian.trim().length, code).toBeGreaterThan(5);
      expect(latinOutsideValues(persian), code).toBe('');
      expect(reasonText(r, 'en', 'the English sentence'), code).toBe('the English sentence');
    }
  });

  it('words a refusal from its code, a Telegram failure by its kind, and nothing else', () => {
    const refused = new PanelError('5 accounts were asked for but only 2 can do this now', reason('accounts_too_few', { wanted: 5, usable: 2 }));
    expect(refusalText(refused, 'fa')).toContain('حساب خواسته شد');
    expect(refusalText(refused, 'en')).toBe(refused.message);
    expect(refusalText(new InputError('an older refusal without a code'), 'fa')).toBe('an older refusal without a code');
    const flood = new TelegramFailure({ kind: 'flood_wait', code: 'FLOOD_WAIT_X', seconds: 420, message: 'wait' });
    expect(refusalText(flood, 'fa')).toContain('۷');
    expect(refusalText(flood, 'en')).toMatch(/^Telegram asks this account to wait \(7 min\)/);
    expect(refusalText(new Error('a bug'), 'fa')).toBeNull();
  });

  it('words a refused link inside a reason, and a stored reason, or the English of an older row', () => {
    const link = { code: 'needs_message_link', params: { got: 'invite' }, error: 'this needs a message link' };
    expect(reasonText(reason('link_refused', {}, link), 'fa')).toContain('این کار پیوند یک پیام لازم دارد');
    expect(linkRefusalText({ code: 'no_chat', error: 'the link names no chat' }, 'en')).toBe('the link names no chat');
    const banned = failureReason({ kind: 'banned', code: 'USER_DEACTIVATED_BAN', message: 'the account is banned' });
    expect(storedReasonText(banned, englishReason(banned), 'fa')).toContain('مسدود');
    expect(storedReasonText(banned, englishReason(banned), 'en')).toBe('the account is banned');
    expect(storedReasonText(null, 'an older sentence', 'fa')).toBe('an older sentence');
  });
});

const FAILURE = { kind: 'banned' as const, code: 'PHONE_NUMBER_BANNED', message: 'the number is banned' };

/** One of each login and import failure; a kind added to the engine and missing here fails the type check. */
const LOGIN_ERRORS: { [K in LoginError['kind']]: Extract<LoginError, { kind: K }> } = {
  invalid_phone: { kind: 'invalid_phone', message: 'm' },
  bad_code: { kind: 'bad_code', message: 'm' },
  wrong_code: { kind: 'wrong_code', message: 'm' },
  expired_code: { kind: 'expired_code', message: 'm' },
  wrong_password: { kind: 'wrong_password', message: 'm' },
  too_many_attempts: { kind: 'too_many_attempts', seconds: 3600, message: 'm' },
  banned_number: { kind: 'banned_number', message: 'm' },
  not_registered: { kind: 'not_registered', message: 'm' },
  already_exists: { kind: 'already_exists', accountId: 4, message: 'm' },
  bad_proxy: { kind: 'bad_proxy', message: 'm' },
  no_login: { kind: 'no_login', message: 'm' },
  failed: { kind: 'failed', failure: FAILURE, message: 'm' },
};
const IMPORT_ERRORS: { [K in ImportError['kind']]: Extract<ImportError, { kind: K }> } = {
  unreadable: { kind: 'unreadable', message: 'm' },
  not_a_session: { kind: 'not_a_session', tried: [{ format: 'telethon', problem: 'p' }], message: 'm' },
  bot_session: { kind: 'bot_session', message: 'm' },
  bad_proxy: { kind: 'bad_proxy', message: 'm' },
  rejected: { kind: 'rejected', failure: FAILURE, message: 'm' },
  already_exists: { kind: 'already_exists', accountId: 4, message: 'm' },
};

describe('login and import failures in both languages', () => {
  it('words every kind in Persian and in English', () => {
    const texts = [...Object.values(LOGIN_ERRORS).map((e) => [e.kind, loginErrorText(e, 'fa'), loginErrorText(e, 'en')]), ...Object.values(IMPORT_ERRORS).map((e) => [e.kind, importErrorText(e, 'fa'), importErrorText(e, 'en')])];
    for (const [kind, persian, english] of texts) {
      expect(latinOutsideValues(persian!), kind).toBe('');
      expect(persian, kind).toMatch(/[\u0600-\u06FF]/);
      expect(english, kind).toMatch(/^[\x20-\x7e\u2068\u2069]+$/);
    }
    expect(loginErrorText(LOGIN_ERRORS.too_many_attempts, 'en')).toContain('(60 min)');
    expect(importErrorText(IMPORT_ERRORS.rejected, 'fa')).toContain('PHONE_NUMBER_BANNED');
  });
});

let panel: SimPanel | undefined;
let web: WebHarness | undefined;
afterEach(async () => {
  await web?.server.stop();
  web = undefined;
  await panel?.close();
  panel = undefined;
});

describe('the dashboard in Persian shows the engine reasons in Persian', () => {
  it('a refused campaign, a link that does not fit the action, a phone Telegram would not take, and an unreadable link', async () => {
    panel = simPanel({ accounts: 1, users: 2, groups: 1, seed: 3 });
    const app = panel.open();
    for (const a of panel.summary.accounts) await enrol(app, a);
    web = await startHarness(app);
    const { csrf } = await web.signIn();
    const persian = (path: string, init: RequestInit = {}): Promise<Response> =>
      fetch(web!.url(path), { ...init, headers: { cookie: `${web!.cookie}; lang=fa`, 'x-csrf-token': csrf }, redirect: 'manual' });

    const empty = await persian('/campaigns', { method: 'POST', body: new URLSearchParams({ _csrf: csrf, name: 'spring', message: '   ', targets: 'someone_here', do: 'create' }) });
    const page = await empty.text();
    expect(page).toContain('پیام خالی است');
    expect(page).not.toContain('the message is empty');

    const invite = await (await persian(`/actions/reaction/reads?target=${encodeURIComponent('https://t.me/+AbCdEfGh')}`)).text();
    expect(invite).toContain('این کار پیوند یک پیام لازم دارد');
    const phone = await (await persian('/accounts/add', { method: 'POST', body: new URLSearchParams({ _csrf: csrf, step: 'phone', phone: '12' }) })).text();
    expect(phone).toContain('این شماره‌ای نیست که تلگرام بپذیرد');

    const unreadable = await (await persian(`/actions/reaction/reads?target=${encodeURIComponent('ftp://example.com/x')}`)).text();
    expect(unreadable).toMatch(/[\u0600-\u06FF]/);
    expect(unreadable).not.toMatch(/scheme/i);
  });
});
