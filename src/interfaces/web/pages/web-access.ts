import type { Context, Hono } from 'hono';
import { deleteCookie } from 'hono/cookie';
import { InputError } from '../../../core/errors.ts';
import { sessionCookieName } from '../auth.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { refusedNotice } from './account-care.ts';
import { bdi, h, type Html } from './html.ts';
import { csrfField, layout, notice, pageCtx, postButton, type Notice, type PageCtx } from './layout.ts';

/**
 * Settings → web sessions and API tokens, through `app.webAuth` like `web sessions` and
 * `web token` in the CLI: signed-in browsers (this one marked) signed out after a confirmation,
 * API tokens made with a name (the secret shown once, in the answer that made it, never again),
 * listed and revoked after a confirmation. Refusals are worded in the page's language.
 */

function str(f: Record<string, unknown>, k: string): string {
  const v = f[k];
  return typeof v === 'string' ? v : '';
}

function accessPage(p: PageCtx, deps: WebDeps, n: Notice, created?: { name: string; token: string }): Html {
  const { t } = p;
  const auth = deps.app.webAuth;
  const own = p.web.session?.id;
  const sessions = auth.sessions();
  const sessionRows = sessions.map(
    (s) =>
      h`<tr data-session="${s.id}"${String(s.id) === own ? h` class="current"` : ''}><td>${t.n(s.id)}</td><td>${bdi(s.userAgent ?? '?')}${String(s.id) === own ? h` <span class="badge">${t.thisBrowser}</span>` : ''}</td><td>${t.time(s.createdAt)}</td><td>${t.time(s.lastSeenAt)}</td><td>${t.time(s.expiresAt)}</td><td>${postButton(p, '/settings/access/sessions/revoke', t.signOutSession, { fields: { id: String(s.id) }, cls: 'btn btn-quiet btn-small' })}</td></tr>`,
  );
  const sessionsCard = h`<section class="card" aria-labelledby="ws-h"><h2 id="ws-h">${t.webSessionsTitle}</h2><div class="table-wrap"><table class="web-sessions"><thead><tr><th scope="col">#</th><th scope="col">${t.colBrowser}</th><th scope="col">${t.colSignedIn}</th><th scope="col">${t.colLastSeen}</th><th scope="col">${t.colExpires}</th><th scope="col"></th></tr></thead><tbody>${sessionRows}</tbody></table></div></section>`;
  const tokens = auth.tokens();
  const fresh = created
    ? h`<div class="notice notice-ok" role="status"><p>${t.tokenCreated(created.name)}</p><p><code class="secret" dir="ltr" data-token>${created.token}</code></p></div>`
    : '';
  const tokenRows = tokens.map(
    (x) =>
      h`<tr data-token-row="${x.id}"><td>${t.n(x.id)}</td><td>${bdi(x.name)}</td><td>${t.time(x.createdAt)}</td><td>${t.time(x.lastUsedAt)}</td><td>${postButton(p, '/settings/access/tokens/revoke', t.tokenRevoke, { fields: { id: String(x.id) }, cls: 'btn btn-quiet btn-small' })}</td></tr>`,
  );
  const tokensCard = h`<section class="card" aria-labelledby="tok-h"><h2 id="tok-h">${t.tokensTitle}</h2><p><small>${t.tokensNote}</small></p>${fresh}
${tokens.length ? h`<div class="table-wrap"><table class="tokens"><thead><tr><th scope="col">#</th><th scope="col">${t.tokenName}</th><th scope="col">${t.colSignedIn}</th><th scope="col">${t.colLastUse}</th><th scope="col"></th></tr></thead><tbody>${tokenRows}</tbody></table></div>` : h`<p class="empty">${t.noTokens}</p>`}
<form method="post" action="/settings/access/tokens" class="row">${csrfField(p)}<label>${t.tokenName}<input name="name" required maxlength="64" autocomplete="off"></label><button class="btn btn-primary" type="submit">${t.tokenCreate}</button></form></section>`;
  return layout(p, 'settings', t.accessTitle, h`${notice(n)}<p><small>${t.accessNote}</small></p><div class="grid">${sessionsCard}${tokensCard}</div><p><a href="/settings"><span class="back" aria-hidden="true">←</span> ${t.settingsTitle}</a></p>`);
}

function confirmPage(p: PageCtx, question: string, action: string, id: number, yes: string): Html {
  const { t } = p;
  return layout(
    p,
    'settings',
    t.accessTitle,
    h`<section class="card narrow" role="alertdialog" aria-labelledby="confirm-q"><p id="confirm-q">${question}</p><div class="actions-row"><form method="post" action="${action}" class="inline">${csrfField(p)}<input type="hidden" name="id" value="${id}"><input type="hidden" name="confirm" value="yes"><button type="submit" class="btn btn-danger">${yes}</button></form> <a class="btn btn-quiet" href="/settings/access">${t.cancel}</a></div></section>`,
  );
}

export function mountWebAccess(app: Hono<WebEnv>, deps: WebDeps): void {
  const auth = deps.app.webAuth;
  const cookieName = sessionCookieName(deps.secureCookies);
  /** A token appears on this page once: neither the browser nor a proxy may keep it. */
  const html = (c: Context<WebEnv>, page: Html, status: 200 | 400 = 200): Response => {
    c.header('Cache-Control', 'no-store');
    return c.html(page.value, status);
  };
  const idOf = (f: Record<string, unknown>): number => (/^\d{1,9}$/.test(str(f, 'id')) ? Number(str(f, 'id')) : -1);

  app.get('/settings/access', (c) => html(c, accessPage(pageCtx(c), deps, null)));

  app.post('/settings/access/sessions/revoke', async (c) => {
    const p = pageCtx(c);
    const f = await c.req.parseBody();
    const id = idOf(f);
    const session = auth.sessions().find((s) => s.id === id);
    const own = p.web.session?.id === String(id);
    if (!session) {
      try {
        auth.revokeSession(id);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        return html(c, accessPage(p, deps, refusedNotice(p, e)), 400);
      }
    }
    if (str(f, 'confirm') !== 'yes') return html(c, confirmPage(p, p.t.sessionRevokeConfirm(id, own), '/settings/access/sessions/revoke', id, p.t.sessionRevokeYes));
    try {
      auth.revokeSession(id);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return html(c, accessPage(p, deps, refusedNotice(p, e)), 400);
    }
    deps.log.info(`web: session #${id} was signed out from the dashboard`);
    if (own) {
      deleteCookie(c, cookieName, { path: '/', secure: deps.secureCookies });
      return c.redirect('/signin', 303);
    }
    return html(c, accessPage(p, deps, { kind: 'ok', text: p.t.sessionRevoked(id) }));
  });

  app.post('/settings/access/tokens', async (c) => {
    const p = pageCtx(c);
    const f = await c.req.parseBody();
    try {
      const { token, row } = auth.createToken(str(f, 'name'));
      deps.log.info(`web: API token #${row.id} was made from the dashboard`);
      return html(c, accessPage(p, deps, null, { name: row.name, token }));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return html(c, accessPage(p, deps, refusedNotice(p, e)), 400);
    }
  });

  app.post('/settings/access/tokens/revoke', async (c) => {
    const p = pageCtx(c);
    const f = await c.req.parseBody();
    const id = idOf(f);
    const row = auth.tokens().find((x) => x.id === id);
    try {
      if (!row) auth.revokeToken(`#${id}`);
      else if (str(f, 'confirm') !== 'yes') return html(c, confirmPage(p, p.t.tokenRevokeConfirm(row.name), '/settings/access/tokens/revoke', id, p.t.tokenRevokeYes));
      else auth.revokeToken(`#${id}`);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return html(c, accessPage(p, deps, refusedNotice(p, e)), 400);
    }
    return html(c, accessPage(p, deps, { kind: 'ok', text: p.t.tokenRevoked(row?.name ?? `#${id}`) }));
  });
}
