import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { enrol, joinWith, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { browserMissing, launchChromium, screenshots } from './support/browser.ts';
import { startHarness, type WebHarness } from './support.ts';

/**
 * The dashboard in a real Chromium over real HTTP, served by the real server over the app and the
 * simulated Telegram: signing in by a one-time link, a reaction run with several accounts watched
 * live to its results, Persian right-to-left, and every page at desktop and phone widths.
 */
let panel: SimPanel;
let app: App;
let web: WebHarness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (browserMissing) return;
  panel = simPanel({ accounts: 4, groups: 3, users: 12, seed: 5 }, { ACTION_DELAY: '0-0', ACTION_CONCURRENCY: '4' });
  app = panel.open();
  for (const acc of panel.summary.accounts.slice(0, 3)) await enrol(app, acc);
  const post = panel.summary.posts.find((p) => !p.link.includes('/c/'))!;
  await joinWith(app, post.link.replace(/\/\d+$/, ''), { accounts: 3 });
  app.monitorService.addKeyword('سلام');
  app.monitorService.addKeyword('giveaway', 'word');
  app.campaigns.create({ name: 'spring', message: 'Hello from the panel', targets: panel.summary.usernames.slice(0, 6).join('\n') });
  web = await startHarness(app);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  // A script the CSP blocks, or one that throws, shows here.
  page.on('console', (m) => {
    // Failed requests are told apart below, by address.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (r) => {
    // The sign-in page has no icon of its own; Chromium asks for /favicon.ico there.
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(e.message));
}, 120_000);

afterAll(async () => {
  if (browserMissing) return;
  await browser?.close();
  await web?.server.stop();
  await panel?.close();
});

describe.skipIf(browserMissing)('the dashboard in Chromium', { timeout: 90_000 }, () => {
  it('refuses a browser without a session, then signs in by a one-time link', async () => {
    await page.goto(web.url('/accounts'));
    expect(new URL(page.url()).pathname).toBe('/signin');
    expect(await page.locator('table.accounts').count()).toBe(0);

    const { token } = app.webAuth.createLink('test');
    await page.goto(web.url(`/signin?t=${token}`));
    await page.locator('form[action="/signin"] button').click();
    await page.waitForURL(web.url('/'));
    await expect(page.locator('h1').textContent()).resolves.toBe('Overview');
    await expect(page.locator('html').getAttribute('dir')).resolves.toBe('ltr');
    await expect(page.locator('.bars li').count()).resolves.toBeGreaterThan(0);
  });

  it('runs a reaction with three accounts and watches the progress reach the results', async () => {
    const post = panel.summary.posts.find((p) => !p.link.includes('/c/'))!;
    await page.goto(web.url('/actions?kind=reaction'));
    await page.fill('input[name="target"]', post.link);
    // The link is read as it is typed, with the parser the CLI uses.
    await expect(page.locator('.link-reading .good').textContent()).resolves.toContain('message');
    await page.fill('input[name="target"]', 'https://example.com/x');
    await page.locator('.link-reading .bad').waitFor();
    await page.fill('input[name="target"]', post.link);
    await page.fill('input[name="emoji"]', '👍');
    await page.fill('input[name="accounts"]', '3');
    await page.locator('form.action-form button[type="submit"]').click();
    await page.waitForURL(/\/operations\/\d+$/);
    // The page's script swaps in the server's rendering as events arrive, until the run is over.
    await page.locator('#live[data-done="1"]').waitFor();
    const rows = page.locator('table.results tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    await expect(page.locator('table.results .outcome-done').count()).resolves.toBe(3);
    await expect(page.locator('#live progress').getAttribute('value')).resolves.toBe('3');
    await screenshots(page, 'operation', 'en');
  });

  it('switches to Persian, right to left, and keeps every page usable at phone width', async () => {
    const pages: Array<[string, string]> = [
      ['overview', '/'],
      ['accounts', '/accounts'],
      ['account', '/accounts/1'],
      ['add-account', '/accounts/add'],
      ['actions', '/actions'],
      ['operations', '/operations'],
      ['campaigns', '/campaigns'],
      ['campaign', '/campaigns/spring'],
      ['monitor', '/monitor'],
    ];
    for (const [name, path] of pages) {
      await page.goto(web.url(path));
      await screenshots(page, name, 'en');
    }
    await page.goto(web.url('/accounts'));
    await page.locator('form.lang button').click();
    await page.waitForURL(web.url('/accounts'));
    await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('fa');
    await expect(page.locator('h1').textContent()).resolves.toBe('حساب‌ها');
    for (const [name, path] of pages) {
      await page.goto(web.url(path));
      await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
      await page.setViewportSize({ width: 390, height: 844 });
      // Nothing wider than the phone: tables scroll inside their own box.
      const overflow = await page.locator('html').evaluate((root) => root.scrollWidth - root.clientWidth);
      expect(overflow, name).toBeLessThanOrEqual(0);
      await screenshots(page, name, 'fa');
    }
    expect(problems).toEqual([]);
  });
});
