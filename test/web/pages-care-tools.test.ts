import { afterEach, describe, expect, it } from 'vitest';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { startHarness, type WebHarness } from './support.ts';

/**
 * The account-care tools on the dashboard over real HTTP against the simulator: an account's
 * two-step password (set with a recovery email and its emailed code, change with a wrong and then
 * the right current password, remove after a confirmation that asks for it), pruning dead accounts
 * with the CLI's statuses and CSV, web sessions and API tokens, and the monitor's options. Bad
 * input is refused in the page's language and changes nothing; passwords and tokens never come
 * back (but a new token once) and never reach the log.
 */
let panel: SimPanel;
let web: WebHarness | undefined;
afterEach(async () => {
  await web?.server.stop();
  web = undefined;
  await panel.close();
});

function form(h: WebHarness, csrf: string, path: string, fields: Record<string, string | string[]>, lang: 'en' | 'fa' = 'en', cookie = h.cookie): Promise<Response> {
  const body = new URLSearchParams({ _csrf: csrf });
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return fetch(h.url(path), { method: 'POST', body, redirect: 'manual', headers: { cookie: `${cookie}; lang=${lang}` } });
}

describe('the two-step password from an account page', () => {
  it('sets one with a recovery email and its emailed code, changes it after a wrong current password, removes it after a confirmation', { timeout: 90_000 }, async () => {
    panel = simPanel({ accounts: 2, seed: 51 });
    const app = panel.open();
    const acc = panel.summary.accounts.find((a) => a.password === null)!;
    const id = await enrol(app, acc);
    web = await startHarness(app);
    const { csrf } = await web.signIn();
    const path = `/accounts/${id}/twofa`;

    expect(await (await web.request(`/accounts/${id}`)).text()).toContain(`href="${path}"`);
    const page = await web.request(path);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('name="next" type="password" required maxlength="256" autocomplete="new-password"');
    expect(html).toContain('name="current" type="password" required maxlength="256" autocomplete="off"');

    // The two new passwords differ: refused in Persian, nothing asked of Telegram.
    const differ = await form(web, csrf, path, { action: 'set', next: 'first secret', repeat: 'first secreT' }, 'fa');
    expect(differ.status).toBe(400);
    const differPage = await differ.text();
    expect(differPage).toContain('دو رمز تازه یکی نیستند');
    expect(differPage).not.toContain('first secret');
    expect(panel.world.passwordState(acc.phone).enabled).toBe(false);
    const hintIsPw = await form(web, csrf, path, { action: 'set', next: 'first secret', repeat: 'first secret', hint: 'first secret' });
    expect(await hintIsPw.text()).toContain('The hint may not be the password itself.');
    expect(panel.world.passwordState(acc.phone).enabled).toBe(false);

    // With a recovery email the code Telegram emailed is asked on its own page; a wrong one can be typed again.
    const emailed = panel.world.passwordEmailCode(acc.phone, 'owner@example.com');
    const asked = await form(web, csrf, path, { action: 'set', next: 'first secret', repeat: 'first secret', hint: 'the first', email: 'owner@example.com' });
    expect(asked.status).toBe(200);
    const askedPage = await asked.text();
    expect(askedPage).toContain('owner@example.com');
    expect(askedPage).not.toContain('first secret');
    const key = /name="key" value="([^"]+)"/.exec(askedPage)![1]!;
    expect(panel.world.passwordState(acc.phone).enabled).toBe(false);
    // Another browser cannot answer for it.
    const other = await startHarness(app).then(async (h2) => {
      const { csrf: c2 } = await h2.signIn();
      const r = await form(h2, c2, `${path}/email`, { key, code: emailed });
      await h2.server.stop();
      return r;
    });
    expect(other.status).toBe(400);
    const wrong = await form(web, csrf, `${path}/email`, { key, code: '000000' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('That code is wrong');
    const confirmed = await form(web, csrf, `${path}/email`, { key, code: emailed });
    expect(await confirmed.text()).toContain('The two-step password was set.');
    expect(panel.world.passwordState(acc.phone)).toEqual({ enabled: true, hint: 'the first', email: 'owner@example.com' });
    expect(panel.world.checkPassword(acc.phone, 'first secret')).toBe(true);
    // The key is spent.
    expect((await form(web, csrf, `${path}/email`, { key, code: emailed })).status).toBe(400);

    // A wrong current password, worded in Persian; the password stays.
    const wrongPw = await form(web, csrf, path, { action: 'change', current: 'not it', next: 'second secret', repeat: 'second secret' }, 'fa');
    expect(wrongPw.status).toBe(400);
    const wrongPage = await wrongPw.text();
    expect(wrongPage).toContain('رمز تأیید دومرحله‌ای کنونی اشتباه است');
    expect(wrongPage).not.toContain('second secret');
    expect(panel.world.checkPassword(acc.phone, 'first secret')).toBe(true);
    const changed = await form(web, csrf, path, { action: 'change', current: 'first secret', next: 'second secret', repeat: 'second secret' });
    expect(await changed.text()).toContain('The two-step password was changed.');
    expect(panel.world.checkPassword(acc.phone, 'second secret')).toBe(true);

    // Removal asks first, and the confirmation is where the current password is typed.
    const ask = await form(web, csrf, path, { action: 'remove' });
    const askPage = await ask.text();
    expect(askPage).toContain('name="confirm" value="yes"');
    expect(askPage).toContain('name="current" type="password"');
    expect(panel.world.passwordState(acc.phone).enabled).toBe(true);
    const forged = await fetch(web.url(path), { method: 'POST', body: new URLSearchParams({ action: 'remove', confirm: 'yes', current: 'second secret' }), redirect: 'manual', headers: { cookie: web.cookie! } });
    expect(forged.status).toBe(403);
    expect(panel.world.passwordState(acc.phone).enabled).toBe(true);
    const removed = await form(web, csrf, path, { action: 'remove', confirm: 'yes', current: 'second secret' }, 'fa');
    expect(await removed.text()).toContain('رمز دومرحله‌ای برداشته شد');
    expect(panel.world.passwordState(acc.phone).enabled).toBe(false);

    expect(web.sink.text).not.toMatch(/first secret|second secret|not it/);
  });
});

describe('pruning dead accounts from the dashboard', () => {
  it('lists the accounts by the CLI statuses with reasons, offers the same CSV, and removes exactly those shown only after the confirmation', { timeout: 90_000 }, async () => {
    panel = simPanel({ accounts: 3, users: 4, groups: 1, seed: 52 });
    const app = panel.open();
    const ids: number[] = [];
    for (const acc of panel.summary.accounts) ids.push(await enrol(app, acc));
    const [revoked, banned, alive] = panel.summary.accounts.map((a) => a.phone) as [string, string, string];
    panel.world.setFault(revoked, 'revoked');
    panel.world.setFault(banned, 'banned');
    await app.health.check({ ids });
    web = await startHarness(app);
    const { csrf } = await web.signIn();

    expect(await (await web.request('/accounts')).text()).toContain('href="/accounts/prune"');
    const list = await (await web.request('/accounts/prune')).text();
    expect(list).toContain(revoked);
    expect(list).toContain(banned);
    expect(list).not.toContain(alive);
    expect(list).toContain('Remove these 2 accounts');
    // Only the banned ones.
    const onlyBanned = await (await web.request('/accounts/prune?picked=1&status=banned')).text();
    expect(onlyBanned).not.toContain(revoked);
    expect(onlyBanned).toContain(banned);
    // A working status is never pruned; none picked is refused (in Persian).
    const bad = await fetch(web.url('/accounts/prune?picked=1&status=active'), { headers: { cookie: `${web.cookie}; lang=fa` } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('حساب‌هایی که کار می‌کنند هرگز');
    expect((await web.request('/accounts/prune?picked=1')).status).toBe(400);

    const csv = await web.request('/accounts/prune.csv?status=revoked&status=banned');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="pruned-accounts-\d{8}-\d{4}\.csv"/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('id,phone,username,status,reason,status_since');
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual([revoked, banned]);

    // The first POST only asks; without the CSRF token nothing happens.
    const shown = [String(ids[0]), String(ids[1])];
    const asked = await form(web, csrf, '/accounts/prune', { status: ['revoked', 'banned'], ids: shown });
    expect(await asked.text()).toContain('Yes, remove 2 accounts');
    const forged = await fetch(web.url('/accounts/prune'), { method: 'POST', body: new URLSearchParams([['status', 'revoked'], ['status', 'banned'], ['ids', shown[0]!], ['ids', shown[1]!], ['confirm', 'yes']]), redirect: 'manual', headers: { cookie: web.cookie! } });
    expect(forged.status).toBe(403);
    expect(app.accounts.list(Date.now())).toHaveLength(3);
    // A list other than the one now dead (here: one missing) removes nothing.
    const stale = await form(web, csrf, '/accounts/prune', { status: ['revoked', 'banned'], ids: [shown[0]!], confirm: 'yes' }, 'fa');
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('چیزی حذف نشد');
    expect(app.accounts.list(Date.now())).toHaveLength(3);

    const done = await form(web, csrf, '/accounts/prune', { status: ['revoked', 'banned'], ids: shown, confirm: 'yes' });
    const donePage = await done.text();
    expect(donePage).toContain('2 accounts were removed.');
    expect(donePage).toContain(revoked);
    expect(app.accounts.list(Date.now()).map((a) => a.phone)).toEqual([alive]);
  });
});

describe('web sessions and API tokens on Settings', () => {
  it('makes a token shown once, lists and revokes it after a confirmation; signs out another browser and then this one', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 1, seed: 53 });
    const app = panel.open();
    web = await startHarness(app);
    const { csrf } = await web.signIn();
    const mine = app.webAuth.sessions()[0]!;
    const other = await startHarness(app);
    const { csrf: otherCsrf } = await other.signIn();
    await other.server.stop();
    const theirs = app.webAuth.sessions().find((s) => s.id !== mine.id)!;

    expect(await (await web.request('/settings')).text()).toContain('href="/settings/access"');
    const page = await web.request('/settings/access');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toMatch(new RegExp(`data-session="${mine.id}" class="current"[^]*?this browser`));
    expect(html).toContain(`data-session="${theirs.id}"`);

    // A token: shown in the answer that made it, never again; it opens the API.
    const made = await form(web, csrf, '/settings/access/tokens', { name: 'nightly script' });
    expect(made.headers.get('cache-control')).toBe('no-store');
    const token = /data-token>(tpa_[A-Za-z0-9_-]+)</.exec(await made.text())![1]!;
    expect((await web.request('/api/v1/status', { bearer: token })).status).toBe(200);
    const later = await (await web.request('/settings/access')).text();
    expect(later).toContain('nightly script');
    expect(later).not.toContain(token);
    expect(web.sink.text).not.toContain(token);
    // A taken name and a bad name are refused in Persian; nothing is made.
    const taken = await form(web, csrf, '/settings/access/tokens', { name: 'nightly script' }, 'fa');
    expect(taken.status).toBe(400);
    expect(await taken.text()).toContain('توکنی به نام');
    const badName = await form(web, csrf, '/settings/access/tokens', { name: '  <b>' }, 'fa');
    expect(badName.status).toBe(400);
    expect(await badName.text()).toContain('نام توکن');
    expect(app.webAuth.tokens()).toHaveLength(1);

    const row = app.webAuth.tokens()[0]!;
    expect(await (await form(web, csrf, '/settings/access/tokens/revoke', { id: String(row.id) })).text()).toContain('Yes, revoke it');
    expect(app.webAuth.tokens()).toHaveLength(1);
    expect(await (await form(web, csrf, '/settings/access/tokens/revoke', { id: String(row.id), confirm: 'yes' })).text()).toContain('Token nightly script was revoked.');
    expect(app.webAuth.tokens()).toHaveLength(0);
    expect((await web.request('/api/v1/status', { bearer: token })).status).toBe(401);
    expect((await form(web, csrf, '/settings/access/tokens/revoke', { id: '999', confirm: 'yes' }, 'fa')).status).toBe(400);

    // Another browser's session: asked first, then signed out.
    expect(await (await form(web, csrf, '/settings/access/sessions/revoke', { id: String(theirs.id) })).text()).toContain('Yes, sign it out');
    expect(app.webAuth.sessions().some((s) => s.id === theirs.id)).toBe(true);
    expect(await (await form(web, csrf, '/settings/access/sessions/revoke', { id: String(theirs.id), confirm: 'yes' })).text()).toContain(`Session #${theirs.id} was signed out.`);
    expect(app.webAuth.sessions().some((s) => s.id === theirs.id)).toBe(false);
    expect(otherCsrf).not.toBe(csrf);
    // This browser: signed out, sent to the sign-in page, and its cookie no longer opens anything.
    const cookie = web.cookie;
    const own = await form(web, csrf, '/settings/access/sessions/revoke', { id: String(mine.id), confirm: 'yes' });
    expect(own.status).toBe(303);
    expect(own.headers.get('location')).toBe('/signin');
    expect((await fetch(web.url('/settings/access'), { redirect: 'manual', headers: { cookie: cookie! } })).status).toBe(303);
  });
});

describe('the monitor options on the monitor page', () => {
  it('turns channels and private chats on and off through the service monitor options uses', { timeout: 30_000 }, async () => {
    panel = simPanel({ accounts: 1, seed: 54 });
    const app = panel.open();
    web = await startHarness(app);
    const { csrf } = await web.signIn();
    expect(app.monitorService.options()).toEqual({ channels: false, private: false });
    const page = await (await web.request('/monitor')).text();
    expect(page).toContain('name="channels" value="on"');
    expect((await form(web, csrf, '/monitor/options', { channels: 'on' })).status).toBe(200);
    expect(app.monitorService.options()).toEqual({ channels: true, private: false });
    const both = await (await form(web, csrf, '/monitor/options', { channels: 'on', private: 'on' }, 'fa')).text();
    expect(both).toContain('name="private" value="on" checked');
    expect(app.monitorService.options()).toEqual({ channels: true, private: true });
    await form(web, csrf, '/monitor/options', {});
    expect(app.monitorService.options()).toEqual({ channels: false, private: false });
    // Without the CSRF token nothing changes.
    const forged = await fetch(web.url('/monitor/options'), { method: 'POST', body: new URLSearchParams({ channels: 'on' }), redirect: 'manual', headers: { cookie: web.cookie! } });
    expect(forged.status).toBe(403);
    expect(app.monitorService.options()).toEqual({ channels: false, private: false });
  });
});
