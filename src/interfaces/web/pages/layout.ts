import type { Context } from 'hono';
import type { WebContext, WebEnv, WebLang } from '../context.ts';
import { messages, type Messages } from '../i18n/index.ts';
import { h, type Html, type Part } from './html.ts';

/** What every page renders with: the language's catalogue and the request's CSRF token. */
export interface PageCtx {
  t: Messages;
  lang: WebLang;
  csrf: string;
  /** The path and query of this request, so the language switch comes back to it. */
  here: string;
  web: WebContext;
}

export function pageCtx(c: Context<WebEnv>): PageCtx {
  const web = c.get('web');
  const url = new URL(c.req.url);
  return { t: messages(web.lang), lang: web.lang, csrf: web.csrf ?? '', here: url.pathname + url.search, web };
}

type Section = 'overview' | 'accounts' | 'actions' | 'campaigns' | 'monitor' | 'schedules' | 'settings';

const NAV: ReadonlyArray<readonly [Section, string, (t: Messages) => string]> = [
  ['overview', '/', (t) => t.navOverview],
  ['accounts', '/accounts', (t) => t.navAccounts],
  ['actions', '/actions', (t) => t.navActions],
  ['campaigns', '/campaigns', (t) => t.navCampaigns],
  ['monitor', '/monitor', (t) => t.navMonitor],
  ['schedules', '/schedules', (t) => t.navSchedules],
  ['settings', '/settings', (t) => t.navSettings],
];

export function csrfField(p: PageCtx): Html {
  return h`<input type="hidden" name="_csrf" value="${p.csrf}">`;
}

/** A one-button form: state changes go through POST with the CSRF token, never through links. */
export function postButton(p: PageCtx, action: string, label: string, opts: { cls?: string; fields?: Record<string, string>; confirm?: string } = {}): Html {
  const fields = Object.entries(opts.fields ?? {}).map(([k, v]) => h`<input type="hidden" name="${k}" value="${v}">`);
  return h`<form method="post" action="${action}" class="inline"${opts.confirm ? h` data-confirm="${opts.confirm}"` : ''}>${csrfField(p)}${fields}<button type="submit" class="${opts.cls ?? 'btn'}">${label}</button></form>`;
}

export type Notice = { kind: 'ok' | 'error'; text: string } | null;

export function notice(n: Notice): Html {
  if (!n) return h``;
  return h`<p class="notice notice-${n.kind}" role="${n.kind === 'error' ? 'alert' : 'status'}">${n.text}</p>`;
}

/**
 * The server's Referrer-Policy is no-referrer, under which Chromium sends `Origin: null` with a
 * form's POST and the CSRF origin check refuses it; same-origin keeps the origin on the panel's
 * own forms and still tells other sites nothing.
 */
export function layout(p: PageCtx, section: Section, title: string, body: Part): Html {
  const { t } = p;
  return h`<!doctype html>
<html lang="${p.lang}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${p.csrf}">
<meta name="referrer" content="same-origin">
<title>${title} · ${t.appName}</title>
<link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<script type="module" src="/assets/app.js"></script>
</head>
<body data-lang="${p.lang}">
<a class="skip" href="#main">${t.skipToContent}</a>
<header class="top">
  <a class="brand" href="/">${t.appName}</a>
  <nav aria-label="${t.appName}">
    <ul>${NAV.map(([s, href, label]) => h`<li><a href="${href}"${s === section ? h` aria-current="page"` : ''}>${label(t)}</a></li>`)}</ul>
  </nav>
  <form method="post" action="/lang" class="lang">${csrfField(p)}<input type="hidden" name="to" value="${p.here}"><input type="hidden" name="lang" value="${p.lang === 'fa' ? 'en' : 'fa'}"><button type="submit" class="btn btn-quiet" lang="${p.lang === 'fa' ? 'en' : 'fa'}">${t.switchLanguage}</button></form>
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}
