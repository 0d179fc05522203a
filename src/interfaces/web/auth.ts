import type { Context, Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { SESSION_IDLE_MS, type LinkRefusal } from '../../engine/web-auth.ts';
import type { WebContext, WebDeps, WebEnv, WebLang } from './context.ts';
import { apiError } from './api/errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Routes reachable without signing in. */
export function isPublicPath(path: string): boolean {
  return path === '/signin' || path.startsWith('/assets/') || path === '/favicon.ico';
}

/** `__Host-` binds the cookie to this origin exactly; browsers accept it only with Secure. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-tp_session' : 'tp_session';
}

function langOf(c: Context): WebLang {
  return getCookie(c, 'lang') === 'fa' ? 'fa' : 'en';
}

/**
 * Who is asking: an API token (`Authorization: Bearer tpa_…`) or a session cookie, set on
 * `c.get('web')`. Then the rules: a state-changing request with a session needs its CSRF token
 * (header `X-CSRF-Token` or form field `_csrf`) and, when the browser names one, this origin;
 * anything but the public routes needs a session or a token. A refused request changes nothing.
 */
export function authMiddleware(deps: WebDeps, origins: ReadonlySet<string>): MiddlewareHandler<WebEnv> {
  const auth = deps.app.webAuth;
  const cookieName = sessionCookieName(deps.secureCookies);
  return async (c, next) => {
    const ctx: WebContext = { deps, session: null, csrf: null, token: null, lang: langOf(c) };
    c.set('web', ctx);
    const path = c.req.path;
    const api = path === '/api' || path.startsWith('/api/');
    const authorization = c.req.header('authorization');
    let sessionToken: string | undefined;
    if (authorization !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      const token = m ? auth.token(m[1]) : undefined;
      if (!token) return apiError(c, 401, { error: 'the API token is unknown or revoked (`telegram-panel web token create <name>` makes one)', code: 'unauthorized' });
      if (!api) return apiError(c, 401, { error: 'API tokens open /api/v1 only; sign in to use the pages', code: 'unauthorized' });
      ctx.token = { id: token.id, name: token.name };
    } else {
      sessionToken = getCookie(c, cookieName);
      const s = auth.session(sessionToken);
      if (s && sessionToken !== undefined) {
        ctx.session = { id: String(s.id), createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, expiresAt: s.expiresAt };
        ctx.csrf = auth.csrfToken(sessionToken);
        // The expiry is idle time: a page view moves the browser's cookie forward with the server's.
        if (c.req.method === 'GET' && !api) {
          setCookie(c, cookieName, sessionToken, { httpOnly: true, sameSite: 'Strict', secure: deps.secureCookies, path: '/', maxAge: Math.floor(SESSION_IDLE_MS / 1000) });
        }
      } else sessionToken = undefined;
    }

    if (!SAFE_METHODS.has(c.req.method) && path !== '/signin') {
      if (ctx.session && sessionToken !== undefined) {
        const origin = c.req.header('origin');
        if (origin !== undefined && !origins.has(origin.toLowerCase())) {
          return apiError(c, 403, { error: 'the request came from another site', code: 'csrf' });
        }
        let given = c.req.header('x-csrf-token');
        if (given === undefined && /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(c.req.header('content-type') ?? '')) {
          // Hono keeps the parsed body, so the page's handler reads the same form again.
          const form = await c.req.parseBody();
          given = typeof form._csrf === 'string' ? form._csrf : undefined;
        }
        if (!auth.checkCsrf(sessionToken, given)) {
          return apiError(c, 403, { error: 'the CSRF token is missing or wrong: reload the page and try again', code: 'csrf' });
        }
      }
    }

    if (!isPublicPath(path) && !ctx.session && !ctx.token) {
      if (api || c.req.header('accept')?.includes('text/event-stream')) {
        return apiError(c, 401, { error: 'sign in first (`telegram-panel web link`, or /web in the admin bot), or send an API token', code: 'unauthorized' });
      }
      return c.redirect('/signin', 303);
    }
    await next();
  };
}

const TEXT: Record<WebLang, Record<'title' | 'how' | 'button' | LinkRefusal | 'again', string>> = {
  en: {
    title: 'Sign in to Telegram Panel',
    how: 'Open a sign-in link: run `telegram-panel web link` on the panel\'s machine, or send `/web` to the admin bot. A link works once, for 10 minutes.',
    button: 'Sign in',
    unknown: 'This is not a sign-in link of this panel.',
    used: 'This sign-in link was used already.',
    expired: 'This sign-in link has expired (links last 10 minutes).',
    again: 'Ask for a new one: `telegram-panel web link`, or `/web` in the admin bot.',
  },
  fa: {
    title: 'ورود به پنل تلگرام',
    how: 'یک پیوند ورود باز کنید: روی دستگاه پنل `telegram-panel web link` را اجرا کنید یا به ربات مدیریت `/web` بفرستید. هر پیوند یک بار و تا ۱۰ دقیقه کار می‌کند.',
    button: 'ورود',
    unknown: 'این پیوند ورودِ این پنل نیست.',
    used: 'این پیوند ورود پیش‌تر به کار رفته است.',
    expired: 'زمان این پیوند ورود گذشته است (هر پیوند ۱۰ دقیقه اعتبار دارد).',
    again: 'پیوند تازه‌ای بگیرید: `telegram-panel web link` یا `/web` در ربات مدیریت.',
  },
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A sentence with `commands` set apart, left to right even in a Persian sentence. */
function prose(s: string): string {
  return escapeHtml(s).replace(/`([^`]+)`/g, '<code dir="ltr">$1</code>');
}

function page(lang: WebLang, body: string): string {
  const t = TEXT[lang];
  return `<!doctype html><html lang="${lang}" dir="${lang === 'fa' ? 'rtl' : 'ltr'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(t.title)}</title><link rel="stylesheet" href="/assets/app.css"><link rel="icon" href="/assets/icon.svg" type="image/svg+xml"></head><body><main><section class="card narrow signin"><h1>${escapeHtml(t.title)}</h1>${body}</section></main></body></html>`;
}

/**
 * The sign-in routes. Opening a link (GET) only shows a button: link previews and scanners fetch
 * addresses they see, and must not use up the link. The button's POST uses it and sets the cookie.
 */
export function signInRoutes(app: Hono<WebEnv>, deps: WebDeps): void {
  const auth = deps.app.webAuth;
  const cookieName = sessionCookieName(deps.secureCookies);

  app.get('/signin', (c) => {
    const { lang } = c.get('web');
    const t = TEXT[lang];
    const token = c.req.query('t');
    if (token === undefined) return c.html(page(lang, `<p>${prose(t.how)}</p>`));
    return c.html(
      page(lang, `<form method="post" action="/signin"><input type="hidden" name="t" value="${escapeHtml(token)}"><button class="btn btn-primary" type="submit">${escapeHtml(t.button)}</button></form>`),
    );
  });

  app.post('/signin', async (c) => {
    const { lang } = c.get('web');
    const t = TEXT[lang];
    const form = await c.req.parseBody();
    const token = typeof form.t === 'string' ? form.t : '';
    const r = auth.redeemLink(token, c.req.header('user-agent') ?? null);
    if (!r.ok) {
      deps.log.warn(`web: a sign-in link was refused (${r.why})`);
      return c.html(page(lang, `<p role="alert" data-refusal="${r.why}">${escapeHtml(t[r.why])}</p><p>${prose(t.again)}</p>`), r.why === 'unknown' ? 400 : 410);
    }
    deps.log.info(`web: session #${r.signIn.session.id} signed in`);
    setCookie(c, cookieName, r.signIn.sessionToken, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: deps.secureCookies,
      path: '/',
      maxAge: Math.floor(SESSION_IDLE_MS / 1000),
    });
    return c.redirect('/', 303);
  });

  app.post('/signout', (c) => {
    const { session } = c.get('web');
    if (session) auth.revokeSession(Number(session.id));
    deleteCookie(c, cookieName, { path: '/', secure: deps.secureCookies });
    return c.redirect('/signin', 303);
  });
}
