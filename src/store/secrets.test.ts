import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeEngines } from '../../test/support/engines.ts';
import { tempDir } from '../../test/support/tmp.ts';
import type { Db } from './sql.ts';
import { loadKey, Secrets, SecretsError, verifyKey, WRONG_KEY_MESSAGE } from './secrets.ts';

describe('Secrets', () => {
  it('round-trips bytes and text, with a fresh IV every time', () => {
    const s = new Secrets(randomBytes(32));
    const key = randomBytes(256);
    const a = s.encrypt(key);
    const b = s.encrypt(key);
    expect(a.equals(b)).toBe(false);
    expect(a.includes(key.subarray(0, 16))).toBe(false);
    expect(s.decrypt(a).equals(key)).toBe(true);
    expect(s.decryptText(s.encrypt('пароль 2FA'))).toBe('пароль 2FA');
  });

  it('gives the wrong-key message, never garbage, for another key', () => {
    const sealed = new Secrets(randomBytes(32)).encrypt('secret');
    const other = new Secrets(randomBytes(32));
    expect(() => other.decrypt(sealed)).toThrow(new SecretsError(WRONG_KEY_MESSAGE));
  });

  it('detects tampering', () => {
    const s = new Secrets(randomBytes(32));
    const sealed = s.encrypt('secret');
    sealed[sealed.length - 1]! ^= 1;
    expect(() => s.decrypt(sealed)).toThrow(SecretsError);
    expect(() => s.decrypt(Buffer.from([9, 9]))).toThrow(/not in the expected format/);
  });
});

describe('loadKey', () => {
  it('creates secret.key once with mode 0600 and reuses it', () => {
    const dir = tempDir();
    const k1 = loadKey(dir, undefined);
    const path = join(dir, 'secret.key');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadKey(dir, undefined).equals(k1)).toBe(true);
    expect(readFileSync(path, 'utf8').trim()).toBe(k1.toString('base64'));
  });

  it('prefers PANEL_SECRET and accepts hex', () => {
    const key = randomBytes(32);
    expect(loadKey(tempDir(), key.toString('hex')).equals(key)).toBe(true);
  });
});

/**
 * `db` as seen by a worker that another worker overtakes: the other one's `race()` runs right after
 * this one's first read of the settings table, before it writes.
 */
function overtakenBy(db: Db, race: () => void): Db {
  let raced = false;
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') return Reflect.get(target, prop, receiver) as unknown;
      return (sql: string) => {
        const stmt = target.prepare(sql);
        if (raced || !/^SELECT value FROM settings/.test(sql)) return stmt;
        return new Proxy(stmt, {
          get(s, p, r) {
            if (p !== 'get') return Reflect.get(s, p, r) as unknown;
            return (...args: unknown[]) => {
              const row = s.get(...args);
              raced = true;
              race();
              return row;
            };
          },
        });
      };
    },
  });
}

describeEngines('the key check in the database', (t) => {
  it('lets workers that start at once on a new database agree on the first key, and refuses another', () => {
    const key = new Secrets(randomBytes(32));
    verifyKey(overtakenBy(t.db, () => verifyKey(t.connect(), key)), key);
    expect(() => verifyKey(overtakenBy(t.reopen(), () => {}), key)).not.toThrow();
    const db = t.connect();
    db.prepare("DELETE FROM settings WHERE key = 'secrets.key_check'").run();
    expect(() => verifyKey(overtakenBy(db, () => verifyKey(t.connect(), new Secrets(randomBytes(32)))), key)).toThrow(WRONG_KEY_MESSAGE);
  });


  it('refuses to invent a new key when the database already holds secrets', () => {
    const dir = tempDir();
    const db = t.db;
    verifyKey(db, new Secrets(loadKey(dir, undefined, db)));
    unlinkSync(join(dir, 'secret.key'));
    expect(() => loadKey(dir, undefined, db)).toThrow(/secret.key is missing but the database holds encrypted data/);
  });

  it('verifyKey refuses a different PANEL_SECRET with the clear message', () => {
    const db = t.db;
    const key = new Secrets(randomBytes(32));
    verifyKey(db, key);
    expect(() => verifyKey(db, new Secrets(randomBytes(32)))).toThrow(WRONG_KEY_MESSAGE);
    expect(() => verifyKey(t.reopen(), key)).not.toThrow();
  });
});
