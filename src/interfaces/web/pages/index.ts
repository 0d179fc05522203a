import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { describeLink, parseLink } from '../../../core/links.ts';
import { InputError } from '../../../core/errors.ts';
import { linkRefusalText, refusalText } from '../../i18n/reasons.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { mountAccounts } from './accounts.ts';
import { mountAccountTwoFactor } from './account-twofa.ts';
import { actionFromForm, isActionKind } from './action-form.ts';
import { mountCampaigns } from './campaigns.ts';
import { h } from './html.ts';
import { pageCtx } from './layout.ts';
import type { WebRuns } from '../api/runs.ts';
import { LiveRuns } from './live-runs.ts';
import { mountMonitor } from './monitor.ts';
import { mountOperations } from './operations.ts';
import { overviewPage } from './overview.ts';
import { mountPrune } from './prune.ts';
import { mountSettings } from './settings.ts';
import { mountWebAccess } from './web-access.ts';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The assets folder: beside this file's folder when running from src/ (tests, tsx), or copied
 * next to the bundle by bin/build.mjs (dist/web-assets) when running compiled code, whose chunks
 * live one level down in dist/chunks.
 */
export function assetsDir(): string {
  const candidates = ['../assets/', './web-assets/', '../web-assets/'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  const found = candidates.find((d) => existsSync(join(d, 'app.css')));
  if (!found) throw new Error(`the dashboard's assets are missing (looked in ${candidates.join(', ')})`);
  return found;
}

/** Read once at mount: a fixed set, so a request can never name a file outside it. */
function loadAssets(): Map<string, { body: Uint8Array; type: string }> {
  const dir = assetsDir();
  const out = new Map<string, { body: Uint8Array; type: string }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) out.set(name, { body: readFileSync(join(dir, name)), type });
  }
  return out;
}

/**
 * Mounts the dashboard's pages and assets. Called by the server after its middleware (security
 * headers, session, CSRF) and the `/api/v1` routes; `c.get('web')` holds the request's session,
 * CSRF token and language. Unauthenticated page requests never reach these routes: the server
 * answers them with the sign-in explanation.
 */
export function mountPages(app: Hono<WebEnv>, deps: WebDeps, runs: WebRuns): void {
  const assets = loadAssets();
  const live = new LiveRuns();
  // The server's stop reaches the operations the pages started too.
  runs.onStop(() => live.stopAll());
  // Runs started here publish their own events at once; the hub's database poll then skips them.
  live.subscribe((e) => {
    if (e.type === 'started') deps.events.ownOperations.add(e.operationId);
    deps.events.publish('operation', e);
  });

  app.get('/assets/:name', (c) => {
    const a = assets.get(c.req.param('name'));
    if (!a) return c.notFound();
    return c.body(a.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': a.type, 'Cache-Control': 'no-cache' });
  });

  app.get('/', (c) => c.html(overviewPage(pageCtx(c), deps, live).value));

  // The language lives in a cookie of this browser: the dashboard has no user accounts.
  app.post('/lang', async (c) => {
    const f = await c.req.parseBody();
    const lang = f.lang === 'fa' ? 'fa' : 'en';
    const to = typeof f.to === 'string' && f.to.startsWith('/') && !f.to.startsWith('//') ? f.to : '/';
    c.header('Set-Cookie', `lang=${lang}; Path=/; Max-Age=31536000; SameSite=Strict${deps.secureCookies ? '; Secure' : ''}`);
    return c.redirect(to, 303);
  });

  // What the typed target reads as, with the same parser and checks as the CLI and the bot.
  app.get('/actions/:kind/reads', (c) => {
    const p = pageCtx(c);
    const kind = c.req.param('kind');
    const input = c.req.query('target') ?? '';
    if (!isActionKind(kind) || input.trim() === '') return c.html('');
    const parsed = parseLink(input);
    if (!parsed.ok) return c.html(h`<span class="bad">${p.t.linkRefused}: ${linkRefusalText(parsed, p.lang)}</span>`.value);
    try {
      actionFromForm(kind, { target: input, emoji: '👍', options: '1', text: 'x' });
      return c.html(h`<span class="good">${p.t.linkReads}: <bdi>${describeLink(parsed.link)}</bdi></span>`.value);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return c.html(h`<span class="bad">${p.t.linkRefused}: ${refusalText(e, p.lang) ?? e.message}</span>`.value);
    }
  });

  mountAccounts(app, deps, live);
  mountOperations(app, deps, live);
  mountCampaigns(app, deps, runs);
  mountMonitor(app, deps);
  mountSettings(app, deps);
  mountAccountTwoFactor(app, deps);
  mountPrune(app, deps);
  mountWebAccess(app, deps);
}
