import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.ts';
import { simPanel, type SimPanel } from '../support/sim-panel.ts';
import { startHarness, type WebHarness } from './support.ts';

/** Sign-in links, session cookies, CSRF and API tokens over real HTTP on 127.0.0.1. */
let panel: SimPanel;
let web: WebHarness | undefined;
afterEach(async () => {
  await web?.server.stop();
  web = undefined;
  await panel.close();
});

describe('web sign-in', () => {
  it('a link opens a session once; opening it only shows a button; the cookie is HttpOnly, SameSite=Strict, 7 days', async () => {
    panel = simPanel({ accounts: 1 });
    const app = panel.open();
    web = await startHarness(app);
    const { token } = app.webAuth.createLink('cli');

    const unsigned = await web.request('/api/v1/status');
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ code: 'unauthorized', problems: [] });
    expect((await web.request('/')).headers.get('location')).toBe('/signin');

    // A preview fetching the link must not use it up.
    const preview = await web.request(`/signin?t=${token}`);
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain('<form method="post" action="/signin">');

    const res = await web.request('/signin', { method: 'POST', body: new URLSearchParams({ t: token }) });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tp_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Max-Age=604800/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i);
    expect((await web.request('/api/v1/status')).status).toBe(200);

    // Used: refused, and no second session opens.
    const again = await fetch(web.url('/signin'), { method: 'POST', body: new URLSearchParams({ t: token }), redirect: 'manual' });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('data-refusal="used"');
    expect(again.headers.getSetCookie()).toEqual([]);
    expect(app.webAuth.sessions()).toHaveLength(1);

    const forged = await fetch(web.url('/signin'), { method: 'POST', body: new URLSearchParams({ t: 'tpl_' + 'A'.repeat(43) }), redirect: 'manual' });
    expect(forged.status).toBe(400);

    // Nothing secret in the log, and only hashes in the database.
    const cookieValue = web.cookie!.split('=')[1]!;
    expect(web.sink.text).not.toContain(token);
    expect(web.sink.text).not.toContain(cookieValue);
    const stored = JSON.stringify(app.db.prepare('SELECT * FROM web_links').all()) + JSON.stringify(app.db.prepare('SELECT * FROM web_sessions').all());
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(cookieValue);
  });

  it('behind an https WEB_ORIGIN the cookie is Secure and bound to the origin (__Host-), with HSTS', async () => {
    panel = simPanel({ accounts: 1 });
    const app = panel.open();
    web = await startHarness(app, { origin: 'https://panel.example.com' });
    expect(web.server.origin).toBe('https://panel.example.com');
    const { token } = app.webAuth.createLink('cli');
    const res = await fetch(web.url('/signin'), { method: 'POST', body: new URLSearchParams({ t: token }), redirect: 'manual' });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^__Host-tp_session=tps_/);
    expect(cookie).toMatch(/; Secure/i);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('an expired link is refused (virtual clock) and a revoked session is signed out', async () => {
    panel = simPanel({ accounts: 1 });
    const clock = new VirtualClock(Date.now());
    const app = panel.open({ clock });
    web = await startHarness(app);
    const { token } = app.webAuth.createLink('cli');
    await clock.advance(10 * 60_000 + 1);
    const res = await web.request('/signin', { method: 'POST', body: new URLSearchParams({ t: token }) });
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('data-refusal="expired"');
    expect(app.webAuth.sessions()).toEqual([]);

    await web.signIn();
    const [session] = app.webAuth.sessions();
    app.webAuth.revokeSession(session!.id);
    expect((await web.request('/api/v1/status')).status).toBe(401);

    // Idle for 7 days: gone.
    await web.signIn();
    await clock.advance(7 * 86_400_000 + 1);
    expect((await web.request('/api/v1/status')).status).toBe(401);
  });

  it('a state-changing request without the CSRF token, or from another site, changes nothing', async () => {
    panel = simPanel({ accounts: 1 });
    const app = panel.open();
    web = await startHarness(app);
    const { csrf } = await web.signIn();
    const body = JSON.stringify({ keyword: 'usdt' });
    const json = { 'content-type': 'application/json' };

    const none = await web.request('/api/v1/monitor/keywords', { method: 'POST', body, headers: json });
    expect(none.status).toBe(403);
    expect(await none.json()).toMatchObject({ code: 'csrf' });
    const wrong = await web.request('/api/v1/monitor/keywords', { method: 'POST', body, headers: json, csrf: csrf.slice(1) + 'x' });
    expect(wrong.status).toBe(403);
    const otherSite = await web.request('/api/v1/monitor/keywords', { method: 'POST', body, headers: { ...json, origin: 'https://evil.example' }, csrf });
    expect(otherSite.status).toBe(403);
    const form = await web.request('/signout', { method: 'POST', body: new URLSearchParams({ _csrf: 'nope' }) });
    expect(form.status).toBe(403);
    expect(app.monitorService.keywords()).toEqual([]);
    expect(app.webAuth.sessions()).toHaveLength(1);

    const ok = await web.request('/api/v1/monitor/keywords', { method: 'POST', body, headers: json, csrf });
    expect(ok.status).toBe(201);
    expect(app.monitorService.keywords().map((k) => k.pattern)).toEqual(['usdt']);

    // The form field works too (the pages' forms).
    const out = await web.request('/signout', { method: 'POST', body: new URLSearchParams({ _csrf: csrf }) });
    expect(out.status).toBe(303);
    expect(app.webAuth.sessions()).toEqual([]);
  });

  it('a bearer token opens the API (no CSRF needed); a revoked or unknown one is refused', async () => {
    panel = simPanel({ accounts: 1 });
    const app = panel.open();
    web = await startHarness(app);
    const { token, row } = app.webAuth.createToken('script');
    expect(() => app.webAuth.createToken('script')).toThrow(/exists/);

    const list = await web.request('/api/v1/accounts', { bearer: token });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([]);
    const add = await web.request('/api/v1/monitor/keywords', { method: 'POST', body: JSON.stringify({ keyword: 'btc', mode: 'word' }), headers: { 'content-type': 'application/json' }, bearer: token });
    expect(add.status).toBe(201);
    // Tokens open the API only, not the pages.
    expect((await web.request('/', { bearer: token })).status).toBe(401);

    app.webAuth.revokeToken(`#${row.id}`);
    const revoked = await web.request('/api/v1/accounts', { bearer: token });
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ code: 'unauthorized' });
    expect((await web.request('/api/v1/accounts', { bearer: 'tpa_' + 'x'.repeat(43) })).status).toBe(401);
    expect(web.sink.text).not.toContain(token);
    expect(JSON.stringify(app.db.prepare('SELECT * FROM api_tokens').all())).not.toContain(token);
  });

  it('sends strict security headers, and refuses a Host it is not served as', async () => {
    panel = simPanel({ accounts: 1 });
    const app = panel.open();
    web = await startHarness(app);
    const res = await web.request('/signin');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    // fetch cannot set Host; node:http can, like a browser after DNS rebinding.
    const url = new URL(web.url('/signin'));
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request({ host: url.hostname, port: url.port, path: url.pathname, headers: { host: 'attacker.example' } }, (r) => {
        r.resume();
        resolve(r.statusCode);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(421);
  });
});
