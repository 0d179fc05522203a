import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStorage } from '@mtcute/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { loggedInClient, simClient } from './client.ts';
import { createWorld } from './create.ts';
import { makeTestWorld, rpcError, type TestWorld } from './test-support.ts';
import { openWorld } from './world.ts';

let t: TestWorld;
beforeAll(() => {
  t = makeTestWorld();
});
afterAll(() => t.cleanup());

const plain = (): TestWorld['summary']['accounts'][number] => t.summary.accounts.find((a) => a.password === null)!;
const with2fa = (): TestWorld['summary']['accounts'][number] => t.summary.accounts.find((a) => a.password !== null)!;

describe('login against the simulator with the production TelegramClient', () => {
  it('logs in with a code, and the login persists in the world file', async () => {
    const acc = plain();
    const c = await loggedInClient(t.world, acc.phone);
    const me = await c.client.getMe();
    expect(me.username).toBe(acc.username);
    expect(t.world.accounts().find((a) => a.phone === acc.phone)!.sessions).toBeGreaterThanOrEqual(1);
    await c.close();
  });

  it('keeps one server key per world: a second handle of the file (another process alike) logs in with the key the first made', async () => {
    const first = await loggedInClient(t.world, plain().phone, { storage: new MemoryStorage() });
    await first.close();
    const stored = t.world.meta('server_key');
    expect(stored).toMatch(/BEGIN PRIVATE KEY/);
    const other = openWorld(t.path);
    try {
      const c = await loggedInClient(other, with2fa().phone, { storage: new MemoryStorage() });
      expect((await c.client.getMe()).username).toBe(with2fa().username);
      await c.close();
      expect(other.meta('server_key')).toBe(stored);
    } finally {
      other.close();
    }
  });

  it('logs in with 2FA through real SRP', async () => {
    const acc = with2fa();
    const c = await loggedInClient(t.world, acc.phone);
    expect((await c.client.getMe()).username).toBe(acc.username);
    await c.close();
  });

  it('refuses a wrong code, an expired code and a wrong password', async () => {
    const acc = with2fa();
    const c = simClient(t.world);
    try {
      const sent = await c.client.sendCode({ phone: acc.phone });
      if (!('phoneCodeHash' in sent)) throw new Error('expected a sent code');
      const wrong = await rpcError(() => c.client.signIn({ phone: acc.phone, phoneCodeHash: sent.phoneCodeHash, phoneCode: '00000' }));
      expect(wrong.text).toBe('PHONE_CODE_INVALID');

      // The right code, but after the world clock passed its validity.
      t.world.setTime(t.world.now());
      t.world.advance(11 * 60_000);
      const expired = await rpcError(() => c.client.signIn({ phone: acc.phone, phoneCodeHash: sent.phoneCodeHash, phoneCode: acc.code }));
      expect(expired.text).toBe('PHONE_CODE_EXPIRED');
      t.world.useWallClock();

      const again = await c.client.sendCode({ phone: acc.phone });
      if (!('phoneCodeHash' in again)) throw new Error('expected a sent code');
      const needs = await rpcError(() => c.client.signIn({ phone: acc.phone, phoneCodeHash: again.phoneCodeHash, phoneCode: acc.code }));
      expect(needs.text).toBe('SESSION_PASSWORD_NEEDED');
      const badPassword = await rpcError(() => c.client.checkPassword('not-the-password'));
      expect(badPassword.text).toBe('PASSWORD_HASH_INVALID');
      const me = await c.client.checkPassword(acc.password!);
      expect(me.username).toBe(acc.username);
    } finally {
      t.world.useWallClock();
      await c.close();
    }
  });

  it('restores an exported session into a new client with a fresh storage, also from another world handle', async () => {
    const acc = plain();
    const first = await loggedInClient(t.world, acc.phone);
    const session = await first.client.exportSession();
    await first.close();

    // A second handle on the same file, as another process would have.
    const other = openWorld(t.path);
    const second = simClient(other, { storage: new MemoryStorage() });
    try {
      await second.client.importSession(session);
      const me = await second.client.getMe();
      expect(me.username).toBe(acc.username);
    } finally {
      await second.close();
      other.close();
    }
  });

  it('answers AUTH_KEY_DUPLICATED when one session is used over two live connections, and from then on', async () => {
    const acc = t.summary.accounts[2]!;
    const a = await loggedInClient(t.world, acc.phone);
    const session = await a.client.exportSession();
    const b = simClient(t.world);
    try {
      await b.client.importSession(session);
      const dup = await rpcError(() => b.client.getMe());
      expect(dup.code).toBe(406);
      expect(dup.text).toBe('AUTH_KEY_DUPLICATED');
      expect((await rpcError(() => a.client.getMe())).text).toBe('AUTH_KEY_DUPLICATED');
      // A fresh login (a new key) works again.
      const fresh = await loggedInClient(t.world, acc.phone);
      expect((await fresh.client.getMe()).username).toBe(acc.username);
      await fresh.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('answers AUTH_KEY_UNREGISTERED and SESSION_REVOKED for revoked sessions', async () => {
    const acc = t.summary.accounts[3]!;
    const a = await loggedInClient(t.world, acc.phone);
    t.world.setFault(acc.phone, 'revoked');
    const e1 = await rpcError(() => a.client.getMe());
    expect([e1.code, e1.text]).toEqual([401, 'AUTH_KEY_UNREGISTERED']);
    await a.close();

    const b = await loggedInClient(t.world, acc.phone);
    t.world.setFault(acc.phone, 'session-revoked');
    const e2 = await rpcError(() => b.client.getMe());
    expect([e2.code, e2.text]).toEqual([401, 'SESSION_REVOKED']);
    await b.close();
  });
});

describe('world files', () => {
  it('builds the same world from the same seed and a different one from another seed', () => {
    const a = createWorld(join(t.dir, 'a.db'), { seed: 42, accounts: 3, users: 20, groups: 8 });
    const b = createWorld(join(t.dir, 'b.db'), { seed: 42, accounts: 3, users: 20, groups: 8 });
    const c = createWorld(join(t.dir, 'c.db'), { seed: 43, accounts: 3, users: 20, groups: 8 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a.accounts).toHaveLength(3);
    expect(a.posts.some((p) => p.poll?.multiple === true)).toBe(true);
    expect(a.posts.some((p) => p.poll?.multiple === false)).toBe(true);
    expect(a.groups.some((g) => g.link.includes('/+'))).toBe(true);
    expect(a.missingUsernames.length).toBeGreaterThan(0);
  });

  it('refuses a file that is not a world and leaves it untouched', () => {
    const junk = join(t.dir, 'notes.db');
    writeFileSync(junk, 'not a database at all');
    expect(() => openWorld(junk)).toThrow(InputError);
    expect(() => createWorld(junk)).toThrow(/left untouched/);
    expect(readFileSync(junk, 'utf8')).toBe('not a database at all');
  });

  it('refuses a SQLite file of something else', () => {
    const other = join(t.dir, 'panel.db');
    const before = createWorld(join(t.dir, 'x.db'), { accounts: 1, users: 0, groups: 0 });
    expect(before.accounts).toHaveLength(1);
    // A SQLite database without the world marker.
    const w = openWorld(join(t.dir, 'x.db'));
    w.db.exec(`ATTACH '${other}' AS o; CREATE TABLE o.settings (k TEXT); DETACH o;`);
    w.close();
    expect(() => openWorld(other)).toThrow(/not a simulator world/);
  });
});
