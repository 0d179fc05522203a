import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSecretKey } from '../core/secret-key.ts';
import { KEY_FILE, type Db } from './db.ts';
import { InputError } from '../core/errors.ts';

/**
 * AES-256-GCM for what must not sit in the database in plain text (auth keys, pending logins).
 * Layout: version(1) | iv(12) | tag(16) | ciphertext.
 */
const VERSION = 1;
const IV = 12;
const TAG = 16;

/** A data folder, database or key the operator pointed at that cannot be used: bad input (exit 2). */
export class SecretsError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsError';
  }
}

export const WRONG_KEY_MESSAGE =
  'cannot decrypt: the key (PANEL_SECRET, or DATA_DIR/secret.key when PANEL_SECRET is unset) is not the one these accounts were stored with; ' +
  'set PANEL_SECRET to that value, or unset it if they were stored with secret.key';

export class Secrets {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretsError('the encryption key must be 32 bytes');
  }

  encrypt(plain: Uint8Array | string): Buffer {
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  decrypt(sealed: Uint8Array): Buffer {
    const buf = Buffer.from(sealed);
    if (buf.length < 1 + IV + TAG || buf[0] !== VERSION) throw new SecretsError('cannot decrypt: the stored value is not in the expected format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, buf.subarray(1, 1 + IV));
    decipher.setAuthTag(buf.subarray(1 + IV, 1 + IV + TAG));
    try {
      return Buffer.concat([decipher.update(buf.subarray(1 + IV + TAG)), decipher.final()]);
    } catch {
      throw new SecretsError(WRONG_KEY_MESSAGE);
    }
  }

  decryptText(sealed: Uint8Array): string {
    return this.decrypt(sealed).toString('utf8');
  }

  /**
   * A keyed digest for looking up a sealed value by an exact name (a peer's username or phone)
   * without storing the name in clear. Same input, same output; useless without the key.
   */
  lookup(text: string): string {
    this.lookupKey ??= createHmac('sha256', this.key).update('telegram-panel lookup v1').digest();
    return createHmac('sha256', this.lookupKey).update(text, 'utf8').digest('base64url');
  }

  private lookupKey: Buffer | undefined;
}

/**
 * The key comes from PANEL_SECRET or, when unset, from DATA_DIR/secret.key, created once
 * with mode 0600. A missing key file for a database that already holds secrets is an error,
 * never a silently new key.
 */
export function loadKey(dataDir: string, panelSecret: string | undefined, db?: Db): Buffer {
  if (panelSecret !== undefined) {
    const key = decodeSecretKey(panelSecret);
    if (!key) throw new SecretsError('PANEL_SECRET is not 32 bytes of base64 or hex');
    return key;
  }
  const path = join(dataDir, KEY_FILE);
  if (existsSync(path)) {
    const key = decodeSecretKey(readFileSync(path, 'utf8'));
    if (!key) throw new SecretsError(`${path} does not hold a 32-byte key; restore it from a backup`);
    return key;
  }
  if (db && readKeyCheck(db) !== undefined) {
    throw new SecretsError(`${path} is missing but the database holds encrypted data: restore the key file or set PANEL_SECRET`);
  }
  const key = randomBytes(32);
  writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

const KEY_CHECK = 'secrets.key_check';

function readKeyCheck(db: Db): string | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(KEY_CHECK) as { value: string } | undefined;
  return row?.value;
}

/** Proves at startup that the key opens what is stored, instead of failing on the first account. */
export function verifyKey(db: Db, secrets: Secrets, now = Date.now()): void {
  let stored = readKeyCheck(db);
  if (stored === undefined) {
    // Workers starting at once on a new database may all find no check: the first one written
    // stays, and every other worker checks its key against that one instead of failing the insert.
    db.prepare('INSERT OR IGNORE INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run(KEY_CHECK, secrets.encrypt('telegram-panel').toString('base64'), now);
    stored = readKeyCheck(db)!;
  }
  secrets.decrypt(Buffer.from(stored, 'base64'));
}
