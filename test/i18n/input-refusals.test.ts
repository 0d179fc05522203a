import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TWO_FACTOR_ACTIONS, type TwoFactorIssue } from '../../src/core/account-care.ts';
import { InputError, PanelError } from '../../src/core/errors.ts';
import { parseProxyUrl, type ProxyProblemCode } from '../../src/core/proxy-url.ts';
import { reason } from '../../src/core/reasons.ts';
import { parsePruneStatuses } from '../../src/engine/account-prune.ts';
import { checkExportTarget, writeExportFile } from '../../src/engine/campaign-export.ts';
import { parseWhen } from '../../src/engine/schedule-when.ts';
import { messages } from '../../src/interfaces/bot/i18n/index.ts';
import { proxyProblemText, reasonText, refusalText } from '../../src/interfaces/i18n/reasons.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { tempDir } from '../support/tmp.ts';

/** The refusal a call throws, or a failure of the test when it does not throw. */
async function refusal(call: () => unknown): Promise<InputError | PanelError> {
  try {
    await call();
  } catch (e) {
    if (e instanceof InputError || e instanceof PanelError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** Latin letters outside the isolated values: English left in a Persian sentence. */
function latinOutsideValues(text: string): string {
  return text.replace(/\u2068[^\u2069]*\u2069/g, '').replace(/[^A-Za-z]+/g, ' ').trim();
}

/** The refusal in Persian (shared table and the bot's catalogue agree) holds no English outside the values it quotes. */
function persian(e: InputError | PanelError): string {
  expect(e.reason, e.message).toBeDefined();
  const text = refusalText(e, 'fa')!;
  expect(messages('fa').reason(e.reason!, e.message)).toBe(text);
  expect(text).not.toContain(e.message);
  expect(latinOutsideValues(text), text).toBe('');
  expect(refusalText(e, 'en')).toBe(e.message);
  return text;
}

let panel: SimPanel | undefined;
afterEach(async () => {
  await panel?.close();
  panel = undefined;
});

describe('refusals that once had only English carry codes worded in Persian', () => {
  it('export paths: an existing file without --force, the panel database, a missing folder', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    mkdirSync(data);
    writeFileSync(join(data, 'panel.db'), '');
    writeFileSync(join(dir, 'old.csv'), 'kept');
    const exists = await refusal(() => writeExportFile(join(dir, 'old.csv'), 'new', { force: false, dataDir: data }));
    expect(exists.message).toBe(`--out ${join(dir, 'old.csv')} already exists; add --force to replace it, or pick another file`);
    expect(exists.reason).toEqual({ code: 'export_exists', params: { path: join(dir, 'old.csv') } });
    expect(persian(exists)).toContain('از قبل هست');
    const db = await refusal(() => checkExportTarget(join(data, 'panel.db-wal'), { force: true, dataDir: data }));
    expect(db.message).toMatch(/it is the panel's database .*; an export never writes there\. Pick another file$/);
    expect(db.reason?.params).toMatchObject({ file: 'database' });
    expect(persian(db)).toContain('پایگاه دادهٔ پنل');
    const folder = await refusal(() => checkExportTarget(join(dir, 'nowhere', 'x.csv'), { force: false, dataDir: data }));
    expect(persian(folder)).toContain('اول آن را بسازید');
  });

  it('schedule times: a time in the past, an unknown zone, a cron expression that cannot be read', async () => {
    const now = Date.UTC(2026, 5, 1);
    const past = await refusal(() => parseWhen('2026-01-01T09:00', 'UTC', now));
    expect(past.message).toBe('"2026-01-01T09:00" (UTC) is in the past');
    expect(past.reason).toEqual({ code: 'schedule_in_past', params: { value: '2026-01-01T09:00', tz: 'UTC' } });
    expect(persian(past)).toContain('گذشته است');
    expect(persian(await refusal(() => parseWhen('+1h', 'Mars/Olympus', now)))).toContain('منطقهٔ زمانی');
    expect(persian(await refusal(() => parseWhen('tomorrow', 'UTC', now)))).toContain('خوانده نمی‌شود');
    expect(persian(await refusal(() => parseWhen('61 * * * *', 'UTC', now))).length).toBeGreaterThan(10);
  });

  it('accounts prune --status that names a working status', async () => {
    const e = await refusal(() => parsePruneStatuses('banned,active'));
    expect(e.message).toBe('--status "active": accounts are pruned only when revoked, banned, frozen, error, disabled (working accounts are never pruned)');
    expect(e.reason).toEqual({ code: 'prune_status_invalid', params: { value: 'active', statuses: 'revoked, banned, frozen, error, disabled' } });
    expect(persian(e)).toContain('حساب سالم هرگز حذف نمی‌شود');
    expect(persian(await refusal(() => parsePruneStatuses(' , ')))).toContain('دست‌کم یکی');
  });

  it('2FA input and a proxy URL, refused by the running panel', async () => {
    panel = simPanel({ accounts: 1 });
    const app = panel.open();
    const id = await enrol(app, panel.summary.accounts[0]!);
    const same = await refusal(() => app.accountCare.twoFactor([id], { action: 'change', current: 'pw-1', next: 'pw-1' }));
    expect(same.message).toBe('the new password is the same as the current one');
    expect(same.reason).toEqual({ code: 'twofa_input_invalid', params: { issue: 'same_as_current' } });
    expect(persian(same)).toBe('رمز تازه همان رمز کنونی است');
    const long = await refusal(() => app.accountCare.twoFactor([id], { action: 'set', current: null, next: 'x'.repeat(300) }));
    expect(persian(long)).toContain('۲۵۶');
    const proxy = await refusal(() => app.fleet.setProxy(id, 'socks5://user:secret@10.0.0.1'));
    expect(proxy.message).toBe('the proxy URL needs an explicit port (1-65535)');
    expect(proxy.reason).toMatchObject({ code: 'proxy_invalid', params: { problem: 'no_port', part: 'url' } });
    const text = persian(proxy);
    expect(text).toContain('درگاه');
    expect(text).not.toContain('secret');
    // The bot's proxy step keeps its English sentence and words the Persian from the code.
    expect(messages('en').reason(proxy.reason!, messages('en').badProxy(proxy.message))).toBe(`That proxy cannot be used: \u2068${proxy.message}\u2069`);
  });
});

/** A URL for each problem the proxy parser names; a code added without one fails the type check. */
const PROXY_SAMPLES: Record<ProxyProblemCode, string> = {
  not_a_url: 'my proxy is user:hunter2@h.example',
  unknown_link: 'tg://resolve?domain=x',
  unknown_scheme: 'ftp://h.example:21',
  no_host: 'tg://socks?port=1080',
  bad_host: 'tg://proxy?server=bad_host!&port=443&secret=00',
  no_port: 'tg://socks?server=h.example',
  no_secret: 'tg://proxy?server=h.example&port=443',
  secret_not_encoded: 'tg://proxy?server=h.example&port=443&secret=not*secret',
  secret_domain_too_long: `tg://proxy?server=h.example&port=443&secret=ee${'11'.repeat(16)}${'61'.repeat(183)}`,
  secret_bad_length: `tg://proxy?server=h.example&port=443&secret=ff${'11'.repeat(16)}`,
};

describe('every proxy problem has Persian words', () => {
  it('from the parser through the reason the fleet refuses with', () => {
    for (const [code, url] of Object.entries(PROXY_SAMPLES) as [ProxyProblemCode, string][]) {
      const p = parseProxyUrl(url);
      expect(p.ok, code).toBe(false);
      if (p.ok) continue;
      expect(p.code, `${code}: ${p.problem}`).toBe(code);
      const fa = proxyProblemText(p, 'fa');
      expect(latinOutsideValues(fa), code).toBe('');
      expect(fa, code).not.toContain('hunter2');
      expect(proxyProblemText(p, 'en'), code).toBe(p.problem);
      const r = reason('proxy_invalid', { ...p.params, detail: p.problem, problem: p.code });
      expect(reasonText(r, 'fa'), code).toContain(fa);
    }
  });

  it('keeps a masked URL out of the words when asked not to echo it', () => {
    const p = parseProxyUrl('proxy user:hunter2@h.example', { echo: false });
    expect(p).toMatchObject({ ok: false, code: 'not_a_url', params: {} });
    if (!p.ok) expect(proxyProblemText(p, 'fa')).not.toContain('hunter2');
  });
});

/** Every two-step rule; an issue added without an entry fails the type check. */
const ISSUES: Record<TwoFactorIssue, true> = {
  action: true,
  current_empty: true,
  next_empty: true,
  next_too_long: true,
  repeat_differs: true,
  same_as_current: true,
  hint_too_long: true,
  hint_is_password: true,
  email_invalid: true,
  remove_extras: true,
};

describe('every two-step rule has Persian words', () => {
  it('one sentence per issue, none of them the fallback', () => {
    expect(TWO_FACTOR_ACTIONS.length).toBe(3);
    const fallback = reasonText(reason('twofa_input_invalid', { issue: 'nope' }), 'fa');
    for (const issue of Object.keys(ISSUES)) {
      const text = reasonText(reason('twofa_input_invalid', { issue, max: 256 }), 'fa');
      expect(text, issue).not.toBe(fallback);
      expect(latinOutsideValues(text), issue).toBe('');
    }
  });
});
