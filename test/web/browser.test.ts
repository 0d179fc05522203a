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
let operationPath = '/operations';
const problems: string[] = [];

/**
 * Run in the page: sentences of three or more English words in the page's own text, leaving out
 * data shown as is (names, links, commands, codes, charts).
 */
const ENGLISH_IN_MAIN = `(() => {
  const main = document.querySelector('main');
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest('bdi, code, pre, [dir="ltr"], svg, .data')) continue;
    const text = n.textContent.trim();
    if (/\\b[A-Za-z]{3,}\\b(\\s+\\b[A-Za-z]{2,}\\b){2,}/.test(text)) found.push(text);
  }
  return found;
})()`;

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
  // Something on the schedules and access pages.
  app.schedules.add({ when: '+2h', tz: 'UTC', job: { kind: 'accounts-check', ids: null, spam: false }, command: 'accounts check --all', actor: 'cli' });
  app.webAuth.createToken('scripts');
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
    operationPath = new URL(page.url()).pathname;
    // The page's script swaps in the server's rendering as events arrive, until the run is over.
    await page.locator('#live[data-done="1"]').waitFor();
    const rows = page.locator('table.results tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    await expect(page.locator('table.results .outcome-done').count()).resolves.toBe(3);
    await expect(page.locator('#live progress').getAttribute('value')).resolves.toBe('3');
  });

  it('shows every page in English and in Persian right to left, usable at phone width; screenshots of each', async () => {
    // Every page under src/interfaces/web/pages, by the address a menu or a link reaches it at.
    const pages: Array<[string, string]> = [
      ['overview', '/'],
      ['accounts', '/accounts'],
      ['account', '/accounts/1'],
      ['account-devices', '/accounts/1/devices'],
      ['account-twofa', '/accounts/1/twofa'],
      ['add-account', '/accounts/add'],
      ['import', '/accounts/import'],
      ['prune', '/accounts/prune'],
      ['actions', '/actions'],
      ['operations', '/operations'],
      ['operation', operationPath],
      ['campaigns', '/campaigns'],
      ['campaign', '/campaigns/spring'],
      ['monitor', '/monitor'],
      ['schedules', '/schedules'],
      ['settings', '/settings'],
      ['access', '/settings/access'],
    ];
    const visit = async (name: string, path: string, lang: 'en' | 'fa'): Promise<void> => {
      await page.goto(web.url(path));
      await expect(page.locator('html').getAttribute('dir'), name).resolves.toBe(lang === 'fa' ? 'rtl' : 'ltr');
      await page.setViewportSize({ width: 390, height: 844 });
      // Nothing wider than the phone: tables scroll inside their own box.
      const overflow = await page.locator('html').evaluate((root) => root.scrollWidth - root.clientWidth);
      expect(overflow, `${name} (${lang})`).toBeLessThanOrEqual(0);
      if (lang === 'fa') {
        // The page's own words are Persian: no English sentence left in the main part.
        const english = await page.evaluate<string[]>(ENGLISH_IN_MAIN);
        expect(english, name).toEqual([]);
      }
      await screenshots(page, name, lang);
    };
    for (const [name, path] of pages) await visit(name, path, 'en');
    await page.goto(web.url('/accounts'));
    await page.locator('form.lang button').click();
    await page.waitForURL(web.url('/accounts'));
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('fa');
    await expect(page.locator('h1').textContent()).resolves.toBe('حساب‌ها');
    for (const [name, path] of pages) await visit(name, path, 'fa');
    expect(problems).toEqual([]);
  });

  it('shows the sign-in page in both languages to a browser without a session', async () => {
    const stranger = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const p = await stranger.newPage();
      await p.goto(web.url('/signin'));
      await screenshots(p, 'signin', 'en');
      await stranger.addCookies([{ name: 'lang', value: 'fa', url: web.url('/') }]);
      await p.goto(web.url('/signin'));
      await expect(p.locator('html').getAttribute('dir')).resolves.toBe('rtl');
      await screenshots(p, 'signin', 'fa');
    } finally {
      await stranger.close();
    }
  });
});
