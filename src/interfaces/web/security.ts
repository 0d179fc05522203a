import type { MiddlewareHandler } from 'hono';
import type { WebEnv } from './context.ts';

/**
 * Scripts and styles only from the panel's own files: no inline script or style attribute can
 * run, so text that reaches a page (chat titles, messages, usernames) cannot become code.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every answer; a handler that set its own Cache-Control (assets) keeps it. */
export function securityHeaders(https: boolean): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('X-Frame-Options', 'DENY');
    // Sign-in links carry their secret in the address; no other site may see it as a referrer.
    h.set('Referrer-Policy', 'no-referrer');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    h.set('Cross-Origin-Resource-Policy', 'same-origin');
    h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (https) h.set('Strict-Transport-Security', 'max-age=31536000');
    if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store');
  };
}

/**
 * Refuses a Host the dashboard is not served as. A page on another site can point a name it
 * controls at 127.0.0.1 (DNS rebinding) and read the loopback dashboard as same-origin; such a
 * request carries that name as its Host.
 */
export function hostCheck(allowed: ReadonlySet<string>): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!allowed.has(host)) return c.json({ error: 'this address is not the dashboard\'s (see WEB_ORIGIN)', code: 'bad_host', problems: [] }, 421);
    await next();
  };
}
