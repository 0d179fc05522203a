import { afterEach, describe, expect, it } from 'vitest';
import { loggedInClient } from '../../src/sim/client.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { startHarness, type WebHarness } from './support.ts';

/**
 * The account pages' care over real HTTP against the simulator: tags, proxy, removal with its
 * confirmation, a session string import, devices and ending the others, login codes, a profile edit
 * run as the engine's operation, and several accounts at once. Refusals come in the page's language
 * and change nothing; nothing secret comes back or reaches the log.
 */
let panel: SimPanel;
let web: WebHarness | undefined;
afterEach(async () => {
  await web?.server.stop();
  web = undefined;
  await panel.close();
});

const DAY = 24 * 3600_000;

async function signedIn(p: SimPanel, accounts: number): Promise<{ app: ReturnType<SimPanel['open']>; ids: number[]; csrf: string; web: WebHarness }> {
  const app = p.open();
  const ids: number[] = [];
  for (const acc of p.summary.accounts.slice(0, accounts)) ids.push(await enrol(app, acc));
  const h = await startHarness(app);
  const { csrf } = await h.signIn();
  return { app, ids, csrf, web: h };
}

/** A form POST as the page sends it (CSRF in the body), in `lang`. */
function form(h: WebHarness, csrf: string, path: string, fields: Record<string, string | string[]>, lang: 'en' | 'fa' = 'en'): Promise<Response> {
  const body = new URLSearchParams({ _csrf: csrf });
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return fetch(h.url(path), { method: 'POST', body, redirect: 'manual', headers: { cookie: `${h.cookie}; lang=${lang}` } });
}

describe('an account page', () => {
  it('adds and removes tags, refusing a bad tag in Persian; changes the proxy without ever showing its password; removes only after a confirmation', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 2, seed: 31 });
    const s = await signedIn(panel, 1);
    web = s.web;
    const id = s.ids[0]!;

    const tagged = await form(web, s.csrf, `/accounts/${id}/tags`, { op: 'add', tag: 'Warm' });
    expect(tagged.status).toBe(200);
    expect(await tagged.text()).toContain('Tagged warm.');
    expect(s.app.accounts.get(id, Date.now())!.tags).toEqual(['warm']);

    const bad = await form(web, s.csrf, `/accounts/${id}/tags`, { op: 'add', tag: 'no spaces here' }, 'fa');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/انجام نشد: [^<]*[\u0600-\u06FF]/);
    expect(s.app.accounts.get(id, Date.now())!.tags).toEqual(['warm']);

    expect(await (await form(web, s.csrf, `/accounts/${id}/tags`, { op: 'remove', tag: 'warm' })).text()).toContain('warm removed.');
    expect(s.app.accounts.get(id, Date.now())!.tags ?? []).toEqual([]);

    const proxied = await form(web, s.csrf, `/accounts/${id}/proxy`, { proxy: 'socks5://alice:s3cretPw@127.0.0.1:1080' });
    const proxiedPage = await proxied.text();
    expect(proxied.status).toBe(200);
    expect(proxiedPage).toContain('127.0.0.1:1080');
    expect(proxiedPage).not.toContain('s3cretPw');
    expect(proxiedPage).not.toContain('alice');
    expect(await (await web.request(`/accounts/${id}`)).text()).not.toContain('s3cretPw');
    const badProxy = await form(web, s.csrf, `/accounts/${id}/proxy`, { proxy: 'ftp://nowhere' }, 'fa');
    expect(badProxy.status).toBe(400);
    expect(await badProxy.text()).toContain('انجام نشد');
    expect(s.app.accounts.get(id, Date.now())!.proxyUrl).toContain('127.0.0.1:1080');
    await form(web, s.csrf, `/accounts/${id}/proxy`, { clear: '1' });
    expect(s.app.accounts.get(id, Date.now())!.proxyUrl).toBeNull();

    // Without the CSRF token nothing happens.
    const forged = await fetch(web.url(`/accounts/${id}/remove`), { method: 'POST', body: new URLSearchParams({ confirm: 'yes' }), redirect: 'manual', headers: { cookie: web.cookie! } });
    expect(forged.status).toBe(403);
    const asked = await form(web, s.csrf, `/accounts/${id}/remove`, {});
    expect(await asked.text()).toContain('name="confirm" value="yes"');
    expect(s.app.accounts.get(id, Date.now())).toBeDefined();
    const removed = await form(web, s.csrf, `/accounts/${id}/remove`, { confirm: 'yes' });
    expect(await removed.text()).toContain('was removed');
    expect(s.app.accounts.get(id, Date.now())).toBeUndefined();
    expect(web.sink.text).not.toContain('s3cretPw');
  });

  it('imports a pasted session string, never echoing it; a string that is no session is refused and names no file of the server', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 2, seed: 32 });
    const s = await signedIn(panel, 0);
    web = s.web;
    const acc = panel.summary.accounts[0]!;
    const client = await loggedInClient(panel.world, acc.phone);
    const session = await client.client.exportSession();
    await client.close();

    const refused = await form(web, s.csrf, '/accounts/import', { session: 'not-a-session-at-all-but-long-enough' }, 'fa');
    expect(refused.status).toBe(400);
    const refusedPage = await refused.text();
    expect(refusedPage).toContain('وارد کردن نشد');
    expect(refusedPage).not.toContain('not-a-session-at-all');
    // A path is read as text, never as a file of the panel's machine.
    const path = await form(web, s.csrf, '/accounts/import', { session: `${panel.dir}/data/panel.db` });
    expect(path.status).toBe(400);
    expect(s.app.accounts.list(Date.now())).toHaveLength(0);

    // Pasted over several lines.
    const pasted = session.replace(/(.{60})/g, '$1\n');
    const done = await form(web, s.csrf, '/accounts/import', { session: pasted });
    const page = await done.text();
    expect(done.status).toBe(200);
    expect(page).toContain('The account was imported');
    expect(page).not.toContain(session.slice(0, 40));
    expect(s.app.accounts.list(Date.now())).toHaveLength(1);
    expect(web.sink.text).not.toContain(session.slice(0, 40));
  });

  it('lists the devices, asks before ending the others naming how many, then ends them; shows login codes only when asked, never logging them', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 3, seed: 11 });
    const app = panel.open();
    const acc = panel.summary.accounts.find((a) => panel.world.devices(a.phone).length > 0 && a.password === null) ?? panel.summary.accounts.find((a) => panel.world.devices(a.phone).length > 0)!;
    const seeded = panel.world.devices(acc.phone).length;
    const id = await enrol(app, acc);
    web = await startHarness(app);
    const { csrf } = await web.signIn();

    const devices = await (await web.request(`/accounts/${id}/devices`)).text();
    expect(devices).toContain('this panel');
    expect(devices).toContain(`End the ${seeded} other sessions`);

    panel.world.setTime(Date.now() + DAY + 60_000);
    const asked = await (await form(web, csrf, `/accounts/${id}/devices/end`, {})).text();
    expect(asked).toContain(`End ${seeded} other sessions of`);
    expect(panel.world.devices(acc.phone)).toHaveLength(seeded + 1);
    const ended = await form(web, csrf, `/accounts/${id}/devices/end`, { confirm: 'yes' });
    expect(await ended.text()).toContain(`${seeded} sessions ended.`);
    expect(panel.world.devices(acc.phone)).toHaveLength(1);

    // A login started elsewhere: its code shows on the explicit view only.
    const elsewhere = simPanel({ accounts: 1, seed: 98 });
    try {
      const phone = elsewhere.open({ connection: () => panel.world.attach() });
      await phone.logins.start(acc.phone);
      expect(await (await web.request(`/accounts/${id}`)).text()).not.toContain(`>${acc.code}<`);
      const codes = await form(web, csrf, `/accounts/${id}/codes`, {});
      expect(codes.headers.get('cache-control')).toBe('no-store');
      expect(await codes.text()).toContain(`>${acc.code}</code>`);
      expect(web.sink.text).not.toContain(acc.code);
    } finally {
      await elsewhere.close();
    }
  });

  it('edits the profile as the engine\'s profile operation; a bad username is refused before anything runs', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 2, seed: 33 });
    const s = await signedIn(panel, 1);
    web = s.web;
    const id = s.ids[0]!;
    const before = s.app.operationStore.list({ limit: 10 }).length;
    const bad = await form(web, s.csrf, `/accounts/${id}/profile`, { username: 'a b' }, 'fa');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('انجام نشد');
    expect(s.app.operationStore.list({ limit: 10 })).toHaveLength(before);

    const res = await form(web, s.csrf, `/accounts/${id}/profile`, { firstName: 'Webname', lastName: '', bio: 'from the dashboard' });
    expect(res.status).toBe(303);
    const opId = Number(/\/operations\/(\d+)$/.exec(res.headers.get('location')!)![1]);
    let record = s.app.operationStore.get(opId);
    for (let i = 0; i < 100 && record?.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      record = s.app.operationStore.get(opId);
    }
    expect(record).toMatchObject({ kind: 'profile', status: 'finished' });
    expect(record!.results[0]).toMatchObject({ accountId: id, status: 'done' });
  });
});

describe('the accounts table', () => {
  it('disables, tags and enables several selected accounts at once; an unknown id changes nothing', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 3, seed: 34 });
    const s = await signedIn(panel, 3);
    web = s.web;
    const [a, b, c] = s.ids as [number, number, number];
    const list = await (await web.request('/accounts')).text();
    expect(list).toContain(`name="ids" value="${a}" form="bulk"`);

    const off = await form(web, s.csrf, '/accounts/bulk', { op: 'disable', ids: [String(a), String(b)] });
    expect(await off.text()).toContain('2 accounts changed.');
    const now = Date.now();
    expect([a, b, c].map((id) => s.app.accounts.get(id, now)!.enabled)).toEqual([false, false, true]);

    await form(web, s.csrf, '/accounts/bulk', { op: 'tag_add', tag: 'reserve', ids: [String(b), String(c)] });
    expect([a, b, c].map((id) => s.app.accounts.get(id, now)!.tags ?? [])).toEqual([[], ['reserve'], ['reserve']]);
    expect(await (await web.request('/accounts?tag=reserve')).text()).not.toContain(`value="${a}" form="bulk"`);

    const unknown = await form(web, s.csrf, '/accounts/bulk', { op: 'enable', ids: [String(a), '999'] }, 'fa');
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('انجام نشد');
    expect(s.app.accounts.get(a, now)!.enabled).toBe(false);

    const none = await form(web, s.csrf, '/accounts/bulk', { op: 'enable' });
    expect(await none.text()).toContain('Select at least one account.');
  });
});
