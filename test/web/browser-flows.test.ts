import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../../src/app.ts';
import type { MonitorRuntime } from '../../src/engine/monitor-runtime.ts';
import { enrol, joinWith, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { browserMissing, launchChromium, SCREENSHOTS } from './support/browser.ts';
import { startHarness, type WebHarness } from './support.ts';

/**
 * The dashboard's working flows in a real Chromium over real HTTP, served over the app with the
 * production client against the simulator: an account added through the page with its code and
 * two-step password, a campaign created from an uploaded file and watched live to done (checked
 * against the simulator's delivery log), a Persian keyword added and a posted hit seen in the live
 * feed, and requests without a session or with a wrong CSRF token refused with nothing changed.
 */
let panel: SimPanel;
let app: App;
let web: WebHarness;
let runtime: MonitorRuntime;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let watched: { link: string; title: string };
const problems: string[] = [];

const MESSAGE = 'Salam from the spring sale';

beforeAll(async () => {
  if (browserMissing) return;
  panel = simPanel({ accounts: 4, groups: 4, users: 12, seed: 9 }, { ACTION_DELAY: '0-0', ACTION_CONCURRENCY: '4', CAMPAIGN_DELAY: '1-1', CAMPAIGN_PER_ACCOUNT: '10' });
  app = panel.open();
  // Every account but the one with a two-step password; that one is added through the page.
  for (const acc of panel.summary.accounts.filter((a) => a.password === null)) await enrol(app, acc);
  const group = panel.summary.groups.map((g) => ({ ...g, row: panel.world.findChat(g.link) })).find((g) => g.row.kind === 'supergroup' && g.row.username && !g.row.forum && !g.row.join_request)!;
  watched = { link: group.link, title: group.row.title };
  await joinWith(app, group.link, { accounts: 2 });
  await app.fleet.start();
  const since = Date.now();
  runtime = app.monitorRuntime(null);
  await runtime.start();
  // The monitor has caught up on every account before anything is posted.
  await vi.waitFor(() => expect(runtime.monitor.watches().length > 0 && runtime.monitor.watches().every((w) => (w.lastCatchUpAt ?? 0) >= since)).toBe(true), {
    timeout: 30_000,
    interval: 50,
  });
  web = await startHarness(app);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  const { token } = app.webAuth.createLink('test');
  await page.goto(web.url(`/signin?t=${token}`));
  await page.locator('form[action="/signin"] button').click();
  await page.waitForURL(web.url('/'));
}, 120_000);

afterAll(async () => {
  if (browserMissing) return;
  await browser?.close();
  await web?.server.stop();
  await runtime?.stop();
  await panel?.close();
});

describe.skipIf(browserMissing)('dashboard flows in Chromium', { timeout: 60_000 }, () => {
  it('adds an account through the page: phone, code, then the two-step password', async () => {
    const acc = panel.summary.accounts.find((a) => a.password !== null)!;
    const before = app.accounts.list(Date.now()).length;
    await page.goto(web.url('/accounts/add'));
    await page.fill('input[name="phone"]', acc.phone);
    await page.locator('form.stack button[type="submit"]').click();
    await page.locator('input[name="code"]').waitFor();
    // A wrong code is refused in the page and asked again; nothing is stored.
    await page.fill('input[name="code"]', '00000');
    await page.locator('form.stack button[type="submit"]').click();
    await page.locator('.notice-error').waitFor();
    await page.locator('input[name="code"]').waitFor();
    expect(app.accounts.list(Date.now())).toHaveLength(before);
    await page.fill('input[name="code"]', acc.code);
    await page.locator('form.stack button[type="submit"]').click();
    await page.locator('input[name="password"][type="password"]').waitFor();
    await page.fill('input[name="password"]', acc.password!);
    await page.locator('form.stack button[type="submit"]').click();
    await page.locator('.notice-ok').waitFor();
    // The secrets typed are never rendered back.
    const html = await page.content();
    expect(html).not.toContain(acc.password!);
    expect(html).not.toContain(`value="${acc.code}"`);
    const added = app.accounts.list(Date.now()).find((a) => a.phone === acc.phone);
    expect(added?.status).toBe('active');
    expect(app.accounts.list(Date.now())).toHaveLength(before + 1);
    await page.locator('main a.btn-primary').click();
    await page.waitForURL(web.url(`/accounts/${added!.id}`));
  });

  it('creates a campaign from an uploaded file, runs it and watches its live page reach done; the delivery log agrees, nobody twice', async () => {
    const names = panel.summary.usernames.slice(0, 8);
    // Two lines that are not targets, and one name twice (another spelling of it).
    const file = [...names, 'not a name!', 'x', `https://t.me/${names[0]!.toUpperCase()}`].join('\n');
    await page.goto(web.url('/campaigns'));
    await page.fill('input[name="name"]', 'spring');
    await page.fill('textarea[name="message"]', MESSAGE);
    await page.setInputFiles('input[name="file"]', { name: 'targets.txt', mimeType: 'text/plain', buffer: Buffer.from(file) });
    // Counted before anything is created.
    await page.locator('button[name="do"][value="count"]').click();
    await page.locator('[data-counts]').waitFor();
    const counts = await page.locator('[data-counts]').textContent();
    expect(counts).toContain('8');
    expect(app.campaigns.list()).toEqual([]);
    // The count put the file's lines in the box; create from the file alone.
    await page.fill('textarea[name="targets"]', '');
    await page.setInputFiles('input[name="file"]', { name: 'targets.txt', mimeType: 'text/plain', buffer: Buffer.from(file) });
    await page.locator('button[name="do"][value="create"]').click();
    await page.waitForURL(web.url('/campaigns/spring'));
    expect(app.campaigns.status('spring').counts.pending).toBe(8);
    await expect(page.locator('#live').getAttribute('data-done')).resolves.toBe('1');

    // Every value the live progress bar takes on the page, recorded in the page itself; and every
    // live part swapped in whose chart and table came as an unfilled stand-in (the server's answer
    // when the page shows them already: the page must keep its own in their place).
    await page.addInitScript({
      content: `window.progress = [];
window.standIns = 0;
let seen = null;
new MutationObserver(() => {
  const v = document.querySelector('#live progress')?.getAttribute('value');
  if (v != null && window.progress.at(-1) !== v) window.progress.push(v);
  const live = document.getElementById('live');
  if (live && live !== seen) {
    seen = live;
    if (live.querySelector('[data-same]')) window.standIns++;
  }
}).observe(document, { childList: true, subtree: true });`,
    });
    const ran = page.waitForResponse((r) => r.url().endsWith('/campaigns/spring/run'));
    await page.locator(`form[action="/campaigns/spring/run"] button`).click();
    // The server renders the page running (the run's state is set before the answer)...
    await expect((await ran).text()).resolves.toContain('data-done="0"');
    // ...and the page swaps its live part in from the event stream until the campaign is done.
    await page.locator('#live[data-done="1"] .campaign-done').waitFor();
    const progress = (await page.evaluate<string[]>('window.progress')).map(Number);
    expect(progress.at(-1)).toBe(8);
    expect(progress.length).toBeGreaterThan(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    await expect(page.evaluate<number>('window.standIns')).resolves.toBe(0);
    await expect(page.locator('#live progress').getAttribute('value')).resolves.toBe('8');
    await expect(page.locator('#live progress').getAttribute('max')).resolves.toBe('8');

    const status = app.campaigns.status('spring');
    expect(status.state).toBe('done');
    const delivered = panel.world
      .deliveries()
      .filter((d) => d.text === MESSAGE)
      .map((d) => (d.to ?? '').toLowerCase());
    expect(delivered.length).toBe(status.counts.sent);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(status.counts.sent).toBeGreaterThan(0);
    for (const to of delivered) expect(names.map((n) => n.toLowerCase())).toContain(to);
    // The per-account table agrees with the log.
    const perAccount = await page.locator('#live tbody tr td:nth-child(2)').allTextContents();
    expect(perAccount.map(Number).reduce((a, b) => a + b, 0)).toBe(delivered.length);
  });

  it('adds a Persian keyword on the monitor page and sees a posted hit appear in the live feed', async () => {
    await page.goto(web.url('/monitor'));
    await expect(page.locator('#live[data-topics="hit"]').count()).resolves.toBe(1);
    await page.fill('form[action="/monitor/keywords"] input[name="pattern"]', 'تخفیف');
    await page.locator('form[action="/monitor/keywords"] button[type="submit"]').click();
    await page.locator('.notice-ok').waitFor();
    await expect(page.locator('ul.keywords bdi').allTextContents()).resolves.toContain('تخفیف');
    // Back on the page as an operator would keep it open; the feed is empty and waits.
    await page.goto(web.url('/monitor'));
    await page.locator('body[data-live="on"]').waitFor({ state: 'attached' });
    await expect(page.locator('table.feed').count()).resolves.toBe(0);
    // Written with Arabic letters (ي), as an Arabic keyboard types it: the monitor folds them.
    panel.world.post(watched.link, 'تخفيف ویژه امروز، فقط تا شب');
    const row = page.locator('table.feed tbody tr').first();
    await row.waitFor();
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe(watched.title);
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('تخفیف');
    await expect(row.locator('td.clip').textContent()).resolves.toContain('ویژه امروز');
    // Seen once, though two accounts watch the group.
    await expect(page.locator('table.feed tbody tr').count()).resolves.toBe(1);
  });

  it('refuses a request without a session or with a wrong CSRF token, and changes nothing', async () => {
    const keywords = app.monitorService.keywords().map((k) => k.pattern);
    const enabled = app.accounts.list(Date.now()).map((a) => [a.id, a.enabled]);
    const campaigns = app.campaigns.list().map((c) => c.name);
    await page.goto(web.url('/monitor'));
    const real = (await page.locator('meta[name="csrf-token"]').getAttribute('content'))!;
    const answers = await page.evaluate(async (real) => {
      const form = (csrf: string | null): URLSearchParams => new URLSearchParams({ ...(csrf === null ? {} : { _csrf: csrf }), pattern: 'forged', mode: 'plain' });
      const json = (csrf: string | null): RequestInit => ({
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(csrf === null ? {} : { 'x-csrf-token': csrf }) },
        body: JSON.stringify({ name: 'forged', message: 'hi', targets: ['someone'] }),
      });
      const wrong = real.slice(0, -2) + (real.endsWith('AA') ? 'BB' : 'AA');
      return {
        realLength: real.length,
        formWrong: (await fetch('/monitor/keywords', { method: 'POST', body: form(wrong) })).status,
        formMissing: (await fetch('/monitor/keywords', { method: 'POST', body: form(null) })).status,
        apiWrong: (await fetch('/api/v1/campaigns', json(wrong))).status,
        apiMissing: (await fetch('/api/v1/campaigns', json(null))).status,
        disableWrong: (await fetch('/accounts/1/disable', { method: 'POST', body: new URLSearchParams({ _csrf: wrong }) })).status,
      };
    }, real);
    expect(answers).toEqual({ realLength: answers.realLength, formWrong: 403, formMissing: 403, apiWrong: 403, apiMissing: 403, disableWrong: 403 });
    expect(answers.realLength).toBeGreaterThan(10);

    // A browser without a session: the API answers 401, a page's form is sent to sign in.
    const stranger = await browser.newContext();
    try {
      const other = await stranger.newPage();
      await other.goto(web.url('/signin'));
      const out = await other.evaluate(async () => ({
        api: (await fetch('/api/v1/monitor/keywords', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keyword: 'forged' }) })).status,
        form: await fetch('/accounts/1/disable', { method: 'POST', body: new URLSearchParams({ _csrf: 'x' }) }).then((r) => new URL(r.url).pathname),
        page: await fetch('/monitor/keywords', { method: 'POST', body: new URLSearchParams({ pattern: 'forged' }), redirect: 'manual' }).then((r) => r.type),
      }));
      expect(out).toEqual({ api: 401, form: '/signin', page: 'opaqueredirect' });
    } finally {
      await stranger.close();
    }

    expect(app.monitorService.keywords().map((k) => k.pattern)).toEqual(keywords);
    expect(app.accounts.list(Date.now()).map((a) => [a.id, a.enabled])).toEqual(enabled);
    expect(app.campaigns.list().map((c) => c.name)).toEqual(campaigns);
    // And with the right token the same form works: the refusals were the token's doing.
    await page.fill('form[action="/monitor/keywords"] input[name="pattern"]', 'giveaway');
    await page.locator('form[action="/monitor/keywords"] button[type="submit"]').click();
    await page.locator('.notice-ok').waitFor();
    expect(app.monitorService.keywords().map((k) => k.pattern)).toEqual([...keywords, 'giveaway']);
  });

  it('saves the README screenshots: the English overview on a laptop, the Persian accounts page on a phone', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(web.url('/'));
    await page.screenshot({ path: join(SCREENSHOTS, 'readme-overview-en.png'), scale: 'css' });
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, storageState: await context.storageState() });
    try {
      const p = await phone.newPage();
      await p.goto(web.url('/accounts'));
      await p.locator('form.lang button').click();
      await p.waitForURL(web.url('/accounts'));
      await expect(p.locator('html').getAttribute('dir')).resolves.toBe('rtl');
      await p.screenshot({ path: join(SCREENSHOTS, 'readme-accounts-fa.png'), scale: 'css' });
    } finally {
      await phone.close();
    }
    expect(problems).toEqual([]);
  });
});
