import type { App } from '../../app.ts';
import type { Logger } from '../../log.ts';
import type { EventHub } from './sse.ts';

/** The dashboard's languages; Persian pages are right-to-left. */
export type WebLang = 'en' | 'fa';

/** The signed-in browser session, as the pages may show it (never its cookie value). */
export interface WebSessionView {
  /** Public id (shown in `web sessions`, used to revoke); not the cookie. */
  id: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/**
 * What the web interface is built from, once per server: the app's services and what the server
 * decided at start. Pages and API handlers call services through `app`; none opens a store.
 */
export interface WebDeps {
  app: App;
  log: Logger;
  /** The public origin (`WEB_ORIGIN`), or the loopback origin the server bound. */
  origin: string;
  /** Cookies get `Secure` (and the `__Host-` prefix) when the public origin is https. */
  secureCookies: boolean;
  /** Live events for `/api/v1/events` (the pages subscribe to the same stream). */
  events: EventHub;
}

/**
 * Per request, set by the server's middleware before any page or API handler runs
 * (`c.get('web')`). `session` is null on public routes (sign-in, assets); every other route is
 * reached only with a session or a bearer token.
 */
export interface WebContext {
  deps: WebDeps;
  session: WebSessionView | null;
  /**
   * The session's CSRF token: pages put it in forms (field `_csrf`) or send it as the
   * `X-CSRF-Token` header; the server refuses a state-changing request without it. Null without
   * a session (bearer-token requests need none).
   */
  csrf: string | null;
  /** The API token a script sent as `Authorization: Bearer …` (then `session` is null). */
  token: { id: number; name: string } | null;
  /** From the `lang` cookie (the pages' language switch sets it); English otherwise. */
  lang: WebLang;
}

/** Hono's environment for the dashboard's routes. */
export interface WebEnv {
  Variables: { web: WebContext };
}
