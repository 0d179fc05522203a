import type { Db } from './db.ts';

/** A sign-in link as stored: never its token, only the token's hash. */
export interface WebLinkRow {
  id: number;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface WebSessionRow {
  id: number;
  createdBy: string;
  userAgent: string | null;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface ApiTokenRow {
  id: number;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

interface LinkDbRow {
  id: number;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

interface SessionDbRow {
  id: number;
  created_by: string;
  user_agent: string | null;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}

interface TokenDbRow {
  id: number;
  name: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const link = (r: LinkDbRow): WebLinkRow => ({ id: r.id, createdBy: r.created_by, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at });
const session = (r: SessionDbRow): WebSessionRow => ({
  id: r.id,
  createdBy: r.created_by,
  userAgent: r.user_agent,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});
const token = (r: TokenDbRow): ApiTokenRow => ({ id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at });

const SESSION_COLUMNS = 'id, created_by, user_agent, created_at, last_seen_at, expires_at, revoked_at';

/**
 * Sign-in links, web sessions and API tokens, looked up by the hash of their secret. The CLI
 * writes links and tokens into the same file the running panel reads, so each read goes to the
 * database (no cache that could miss a revocation).
 */
export class WebAuthStore {
  constructor(private readonly db: Db) {}

  addLink(hash: Buffer, createdBy: string, now: number, expiresAt: number): WebLinkRow {
    const r = this.db
      .prepare('INSERT INTO web_links (token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING id, created_by, created_at, expires_at, used_at')
      .get(hash, createdBy, now, expiresAt) as LinkDbRow;
    return link(r);
  }

  /**
   * Marks the link used and opens a session in one transaction, so two requests racing with the
   * same link cannot both sign in. Returns why not when the link cannot be used.
   */
  redeemLink(
    hash: Buffer,
    now: number,
    open: { sessionHash: Buffer; userAgent: string | null; expiresAt: number },
  ): { ok: true; session: WebSessionRow } | { ok: false; why: 'unknown' | 'used' | 'expired' } {
    return this.db.transaction(() => {
      const r = this.db.prepare('SELECT id, created_by, created_at, expires_at, used_at FROM web_links WHERE token_hash = ?').get(hash) as LinkDbRow | undefined;
      if (!r) return { ok: false as const, why: 'unknown' as const };
      if (r.used_at !== null) return { ok: false as const, why: 'used' as const };
      if (r.expires_at <= now) return { ok: false as const, why: 'expired' as const };
      this.db.prepare('UPDATE web_links SET used_at = ? WHERE id = ?').run(now, r.id);
      const s = this.db
        .prepare(
          `INSERT INTO web_sessions (token_hash, created_by, user_agent, created_at, last_seen_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING ${SESSION_COLUMNS}`,
        )
        .get(open.sessionHash, r.created_by, open.userAgent, now, now, open.expiresAt) as SessionDbRow;
      return { ok: true as const, session: session(s) };
    })();
  }

  /** Links that were neither used nor expired go away with their rows after a day. */
  pruneLinks(before: number): number {
    return this.db.prepare('DELETE FROM web_links WHERE expires_at < ?').run(before).changes;
  }

  sessionByHash(hash: Buffer): WebSessionRow | undefined {
    const r = this.db.prepare(`SELECT ${SESSION_COLUMNS} FROM web_sessions WHERE token_hash = ?`).get(hash) as SessionDbRow | undefined;
    return r && session(r);
  }

  touchSession(id: number, now: number, expiresAt: number): void {
    this.db.prepare('UPDATE web_sessions SET last_seen_at = ?, expires_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, expiresAt, id);
  }

  /** Sessions neither revoked nor expired, newest first. */
  liveSessions(now: number): WebSessionRow[] {
    const rows = this.db
      .prepare(`SELECT ${SESSION_COLUMNS} FROM web_sessions WHERE revoked_at IS NULL AND expires_at > ? ORDER BY id DESC`)
      .all(now) as SessionDbRow[];
    return rows.map(session);
  }

  /** False when no live session has this id. */
  revokeSession(id: number, now: number): boolean {
    return this.db.prepare('UPDATE web_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL AND expires_at > ?').run(now, id, now).changes > 0;
  }

  /**
   * One transaction, so two processes adding the same name at once do not both pass the check:
   * on PostgreSQL the later one runs again and finds the name taken instead of failing the insert.
   */
  addToken(name: string, hash: Buffer, now: number): ApiTokenRow | 'name_taken' {
    return this.db.transaction((): ApiTokenRow | 'name_taken' => {
      const taken = this.db.prepare('SELECT 1 FROM api_tokens WHERE name = ? AND revoked_at IS NULL').get(name);
      if (taken) return 'name_taken';
      const r = this.db
        .prepare('INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?, ?, ?) RETURNING id, name, created_at, last_used_at, revoked_at')
        .get(name, hash, now) as TokenDbRow;
      return token(r);
    }).immediate();
  }

  tokenByHash(hash: Buffer): ApiTokenRow | undefined {
    const r = this.db.prepare('SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE token_hash = ?').get(hash) as TokenDbRow | undefined;
    return r && token(r);
  }

  touchToken(id: number, now: number): void {
    this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  liveTokens(): ApiTokenRow[] {
    const rows = this.db.prepare('SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE revoked_at IS NULL ORDER BY id').all() as TokenDbRow[];
    return rows.map(token);
  }

  /** Revokes the live token with this id or name; undefined when there is none. */
  revokeToken(ref: { id: number } | { name: string }, now: number): ApiTokenRow | undefined {
    return this.db.transaction((): ApiTokenRow | undefined => {
      const r = (
        'id' in ref
          ? this.db.prepare('SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE id = ? AND revoked_at IS NULL').get(ref.id)
          : this.db.prepare('SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE name = ? AND revoked_at IS NULL').get(ref.name)
      ) as TokenDbRow | undefined;
      if (!r) return undefined;
      this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?').run(now, r.id);
      return token({ ...r, revoked_at: now });
    }).immediate();
  }
}
