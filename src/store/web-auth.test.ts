import { createHash, randomBytes } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../test/support/engines.ts';
import { WebAuthStore } from './web-auth.ts';

const T0 = Date.UTC(2026, 5, 1);
const hash = (s: string): Buffer => createHash('sha256').update(s).digest();

describeEngines('WebAuthStore', (t) => {
  let store: WebAuthStore;
  beforeEach(() => {
    store = new WebAuthStore(t.db);
  });

  it('redeems a sign-in link once, before it expires, into a session found by its hash', () => {
    expect(store.addLink(hash('link-1'), 'cli', T0, T0 + 60_000)).toEqual({ id: 1, createdBy: 'cli', createdAt: T0, expiresAt: T0 + 60_000, usedAt: null });
    store.addLink(hash('link-2'), 'bot:1', T0, T0 + 10);
    const open = { sessionHash: hash('session-1'), userAgent: 'Firefox', expiresAt: T0 + 86_400_000 };
    expect(store.redeemLink(hash('nope'), T0, open)).toEqual({ ok: false, why: 'unknown' });
    expect(store.redeemLink(hash('link-2'), T0 + 10, open)).toEqual({ ok: false, why: 'expired' });
    const r = store.redeemLink(hash('link-1'), T0 + 5, open);
    expect(r).toEqual({
      ok: true,
      session: { id: 1, createdBy: 'cli', userAgent: 'Firefox', createdAt: T0 + 5, lastSeenAt: T0 + 5, expiresAt: T0 + 86_400_000, revokedAt: null },
    });
    expect(store.redeemLink(hash('link-1'), T0 + 6, { ...open, sessionHash: hash('session-2') })).toEqual({ ok: false, why: 'used' });
    expect(store.sessionByHash(hash('session-1'))?.id).toBe(1);
    expect(store.sessionByHash(hash('session-2'))).toBeUndefined();
    expect(store.pruneLinks(T0 + 11)).toBe(1);
    expect(store.redeemLink(hash('link-2'), T0, open)).toEqual({ ok: false, why: 'unknown' });
  });

  it('touches, lists and revokes live sessions', () => {
    const mk = (name: string, expiresAt: number) => {
      store.addLink(hash(`l-${name}`), 'cli', T0, T0 + 1000);
      const r = store.redeemLink(hash(`l-${name}`), T0, { sessionHash: hash(name), userAgent: null, expiresAt });
      if (!r.ok) throw new Error(r.why);
      return r.session;
    };
    const a = mk('a', T0 + 100);
    const b = mk('b', T0 + 1000);
    expect(store.liveSessions(T0 + 50).map((s) => s.id)).toEqual([b.id, a.id]);
    expect(store.liveSessions(T0 + 100).map((s) => s.id)).toEqual([b.id]);
    store.touchSession(a.id, T0 + 90, T0 + 5000);
    expect(store.sessionByHash(hash('a'))).toMatchObject({ lastSeenAt: T0 + 90, expiresAt: T0 + 5000, userAgent: null });
    expect(store.revokeSession(a.id, T0 + 200)).toBe(true);
    expect(store.revokeSession(a.id, T0 + 201)).toBe(false);
    // An expired session is not live: nothing to revoke.
    expect(store.revokeSession(b.id, T0 + 1000)).toBe(false);
    store.touchSession(a.id, T0 + 300, T0 + 9000);
    expect(store.sessionByHash(hash('a'))).toMatchObject({ revokedAt: T0 + 200, expiresAt: T0 + 5000 });
    expect(store.liveSessions(T0 + 300).map((s) => s.id)).toEqual([b.id]);
  });

  it('keeps one live API token per name, found by hash, revoked by id or name', () => {
    const h1 = randomBytes(32);
    const a = store.addToken('deploy', h1, T0);
    expect(a).toEqual({ id: 1, name: 'deploy', createdAt: T0, lastUsedAt: null, revokedAt: null });
    expect(store.addToken('deploy', randomBytes(32), T0 + 1)).toBe('name_taken');
    const b = store.addToken('grafana', randomBytes(32), T0 + 2);
    if (a === 'name_taken' || b === 'name_taken') throw new Error('name taken');
    store.touchToken(a.id, T0 + 3);
    expect(store.tokenByHash(h1)).toEqual({ ...a, lastUsedAt: T0 + 3 });
    expect(store.liveTokens().map((x) => x.name)).toEqual(['deploy', 'grafana']);
    expect(store.revokeToken({ name: 'deploy' }, T0 + 4)).toMatchObject({ id: a.id, revokedAt: T0 + 4 });
    expect(store.revokeToken({ name: 'deploy' }, T0 + 5)).toBeUndefined();
    expect(store.revokeToken({ id: b.id }, T0 + 6)).toMatchObject({ name: 'grafana', revokedAt: T0 + 6 });
    expect(store.revokeToken({ id: b.id }, T0 + 7)).toBeUndefined();
    expect(store.liveTokens()).toEqual([]);
    expect(store.tokenByHash(h1)?.revokedAt).toBe(T0 + 4);
    // The name is free again once revoked.
    expect(store.addToken('deploy', randomBytes(32), T0 + 8)).toMatchObject({ name: 'deploy' });
  });

  // SQLite's immediate transaction holds the write lock from the check on: no one can get between.
  it.runIf(t.engine === 'postgres')('answers name_taken to the later of two processes adding one name at once', () => {
    const other = new WebAuthStore(t.connect());
    const db = t.db;
    let raced = false;
    // This process checks the name, then the other one adds it before this one inserts.
    const overtaken = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop !== 'prepare') return Reflect.get(target, prop, receiver) as unknown;
        return (sql: string) => {
          const stmt = target.prepare(sql);
          if (!sql.startsWith('SELECT 1 FROM api_tokens') || raced) return stmt;
          return {
            get: (...args: unknown[]) => {
              const r = stmt.get(...args);
              raced = true;
              other.addToken('deploy', randomBytes(32), T0);
              return r;
            },
          };
        };
      },
    });
    expect(new WebAuthStore(overtaken).addToken('deploy', randomBytes(32), T0 + 1)).toBe('name_taken');
    expect(store.liveTokens()).toHaveLength(1);
  });
});
