import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import { reason } from '../core/reasons.ts';
import type { ApiTokenRow, WebAuthStore, WebSessionRow } from '../store/web-auth.ts';

export type { ApiTokenRow, WebSessionRow } from '../store/web-auth.ts';

export const LINK_TTL_MS = 10 * 60_000;
export const SESSION_IDLE_MS = 7 * 86_400_000;
/** A session's last use is written at most this often: pages poll and stream, and each write is an fsync. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Secrets carry a prefix, so a leaked one is recognisable (and the logger scrubs them): `tpl_`
 * sign-in links, `tps_` session cookies, `tpa_` API tokens.
 */
const PREFIX = { link: 'tpl_', session: 'tps_', token: 'tpa_' } as const;
const SECRET_FORM = /^tp[lsa]_[A-Za-z0-9_-]{43}$/;
const TOKEN_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

export type LinkRefusal = 'unknown' | 'used' | 'expired';

export interface SignIn {
  /** The cookie value; only its hash is stored. */
  sessionToken: string;
  session: WebSessionRow;
}

function newSecret(kind: keyof typeof PREFIX): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

function hash(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/**
 * Who may use the web dashboard and its API: one-time sign-in links (made by the CLI or the
 * admin bot, valid 10 minutes, used once), browser sessions with a 7-day idle expiry, CSRF tokens
 * bound to a session, and named API tokens. Secrets are returned once and stored only as hashes.
 */
export class WebAuthService {
  constructor(
    private readonly store: WebAuthStore,
    private readonly clock: Clock,
  ) {}

  /** A new sign-in link's secret; `by` says who asked (`cli`, `bot:<user id>`), kept with the session. */
  createLink(by: string): { token: string; expiresAt: number } {
    const now = this.clock.now();
    this.store.pruneLinks(now - 86_400_000);
    const token = newSecret('link');
    const row = this.store.addLink(hash(token), by, now, now + LINK_TTL_MS);
    return { token, expiresAt: row.expiresAt };
  }

  /** Uses the link once: a session opens, or the reason it cannot (nothing changes then). */
  redeemLink(token: string, userAgent: string | null): { ok: true; signIn: SignIn } | { ok: false; why: LinkRefusal } {
    if (!SECRET_FORM.test(token) || !token.startsWith(PREFIX.link)) return { ok: false, why: 'unknown' };
    const now = this.clock.now();
    const sessionToken = newSecret('session');
    const r = this.store.redeemLink(hash(token), now, {
      sessionHash: hash(sessionToken),
      userAgent: userAgent === null ? null : userAgent.slice(0, 200),
      expiresAt: now + SESSION_IDLE_MS,
    });
    return r.ok ? { ok: true, signIn: { sessionToken, session: r.session } } : r;
  }

  /** The live session a cookie names (its idle expiry moves forward), or undefined. */
  session(sessionToken: string | undefined): WebSessionRow | undefined {
    if (sessionToken === undefined || !SECRET_FORM.test(sessionToken) || !sessionToken.startsWith(PREFIX.session)) return undefined;
    const s = this.store.sessionByHash(hash(sessionToken));
    const now = this.clock.now();
    if (!s || s.revokedAt !== null || s.expiresAt <= now) return undefined;
    if (now - s.lastSeenAt >= TOUCH_EVERY_MS) {
      const expiresAt = now + SESSION_IDLE_MS;
      this.store.touchSession(s.id, now, expiresAt);
      return { ...s, lastSeenAt: now, expiresAt };
    }
    return s;
  }

  /**
   * The session's CSRF token: derived from the cookie value, so it needs no storage, differs per
   * session and dies with it; a page can embed it without revealing the cookie.
   */
  csrfToken(sessionToken: string): string {
    return createHmac('sha256', sessionToken).update('csrf').digest('base64url');
  }

  checkCsrf(sessionToken: string, given: string | undefined): boolean {
    if (given === undefined) return false;
    const want = Buffer.from(this.csrfToken(sessionToken));
    const got = Buffer.from(given);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  sessions(): WebSessionRow[] {
    return this.store.liveSessions(this.clock.now());
  }

  revokeSession(id: number): void {
    if (!Number.isSafeInteger(id) || id < 1 || !this.store.revokeSession(id, this.clock.now())) {
      throw new InputError(`no live web session #${id} (\`web sessions\` lists them)`, reason('web_session_unknown', { id }));
    }
  }

  /** A new API token: the secret is returned here once and never again. */
  createToken(name: string): { token: string; row: ApiTokenRow } {
    const n = name.trim();
    if (!TOKEN_NAME.test(n)) throw new InputError('a token name is 1 to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit', reason('web_token_name_invalid'));
    const token = newSecret('token');
    const row = this.store.addToken(n, hash(token), this.clock.now());
    if (row === 'name_taken') throw new InputError(`a token named "${n}" exists; revoke it first or pick another name`, reason('web_token_name_taken', { name: n }));
    return { token, row };
  }

  tokens(): ApiTokenRow[] {
    return this.store.liveTokens();
  }

  /** By `#id`, id or name. */
  revokeToken(ref: string): ApiTokenRow {
    const t = ref.trim();
    const id = /^#?\d{1,9}$/.test(t) ? Number(t.replace('#', '')) : undefined;
    const row = this.store.revokeToken(id !== undefined ? { id } : { name: t }, this.clock.now());
    if (!row) throw new InputError(`no live API token "${t}" (\`web token list\` lists them)`, reason('web_token_unknown', { ref: t }));
    return row;
  }

  /** The live token a bearer header carries, or undefined. */
  token(secret: string | undefined): ApiTokenRow | undefined {
    if (secret === undefined || !SECRET_FORM.test(secret) || !secret.startsWith(PREFIX.token)) return undefined;
    const row = this.store.tokenByHash(hash(secret));
    if (!row || row.revokedAt !== null) return undefined;
    const now = this.clock.now();
    if (row.lastUsedAt === null || now - row.lastUsedAt >= TOUCH_EVERY_MS) this.store.touchToken(row.id, now);
    return row;
  }
}
