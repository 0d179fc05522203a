import type { Hono } from 'hono';
import type { WebDeps, WebEnv } from '../context.ts';

/**
 * Mounts the dashboard's pages and assets. Called by the server after its middleware (security
 * headers, session, CSRF) and the `/api/v1` routes; `c.get('web')` holds the request's session,
 * CSRF token and language. Unauthenticated page requests never reach these routes: the server
 * answers them with the sign-in explanation.
 */
export function mountPages(app: Hono<WebEnv>, deps: WebDeps): void {
  void deps;
  app.get('/', (c) => c.text('Telegram Panel'));
}
