import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/tmp.ts';
import { ensureDataDir, openPanelDb, openSqlite, StoreError } from './db.ts';
import type { Migration } from './migration.ts';
import { MIGRATIONS } from './migrations.ts';

const m1: Migration = { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER);' };
const m2: Migration = { version: 2, name: 'two', sql: 'CREATE TABLE b (y INTEGER);' };

describe('openSqlite', () => {
  it('applies migrations once, in order, and records the version', () => {
    const path = join(tempDir(), 'x.db');
    const db = openSqlite(path, { migrations: [m1] });
    db.prepare('INSERT INTO a VALUES (1)').run();
    db.close();
    const again = openSqlite(path, { migrations: [m2, m1] });
    expect(again.pragma('user_version', { simple: true })).toBe(2);
    // m1 did not run again: its row is still there and the table was not recreated.
    expect(again.prepare('SELECT count(*) AS n FROM a').get()).toEqual({ n: 1 });
    expect(again.prepare('SELECT count(*) AS n FROM b').get()).toEqual({ n: 0 });
    expect(again.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(again.pragma('foreign_keys', { simple: true })).toBe(1);
    again.close();
  });

  it('rolls back every pending migration when one fails', () => {
    const path = join(tempDir(), 'x.db');
    const bad: Migration = { version: 2, name: 'bad', sql: 'CREATE TABLE c (z INTEGER); NOT SQL;' };
    expect(() => openSqlite(path, { migrations: [m1, bad] })).toThrow();
    const db = openSqlite(path, { migrations: [] });
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('a','c')").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a file that is not SQLite and leaves it byte for byte', () => {
    const path = join(tempDir(), 'panel.db');
    const junk = Buffer.from('this is not a database, but somebody cares about it'.repeat(100));
    writeFileSync(path, junk);
    expect(() => openSqlite(path)).toThrow(StoreError);
    expect(() => openSqlite(path)).toThrow(/not a SQLite database.*left untouched/);
    expect(readFileSync(path).equals(junk)).toBe(true);
    expect(existsSync(path + '-wal')).toBe(false);
  });

  it('refuses a damaged SQLite file without changing it', () => {
    const path = join(tempDir(), 'panel.db');
    const db = openSqlite(path, { migrations: [m1] });
    const insert = db.prepare('INSERT INTO a VALUES (?)');
    for (let i = 0; i < 2000; i++) insert.run(i);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(path);
    // Keep the header, scribble over the pages behind it.
    bytes.fill(0xab, 100, bytes.length);
    writeFileSync(path, bytes);
    expect(() => openSqlite(path, { migrations: [m1] })).toThrow(StoreError);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('refuses a folder where the database file should be', () => {
    const path = join(tempDir(), 'panel.db');
    mkdirSync(path);
    expect(() => openSqlite(path)).toThrow(new StoreError(`${path} is a folder, not a database file; it was left untouched. Move it away`));
  });

  it('refuses a database written by a newer version and leaves it untouched', () => {
    const path = join(tempDir(), 'panel.db');
    openSqlite(path, { migrations: [m1, m2] }).close();
    const before = readFileSync(path);
    expect(() => openSqlite(path, { migrations: [m1] })).toThrow(/newer version.*schema 2.*knows 1/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe('data dir', () => {
  it('is created with mode 0700 and holds panel.db with every migration', () => {
    const dir = join(tempDir(), 'nested', 'data');
    const db = openPanelDb(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(db.pragma('user_version', { simple: true })).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    db.close();
  });

  it('names the path and the reason when it cannot be used', () => {
    const parent = tempDir();
    const file = join(parent, 'a-file');
    writeFileSync(file, 'x');
    expect(() => ensureDataDir(join(file, 'data'))).toThrow(new RegExp(`DATA_DIR ${file}/data cannot be used \\(ENOTDIR\\)`));
    expect(() => ensureDataDir(file)).toThrow(/cannot be used \(it is a file, not a folder\)/);
    if (process.getuid?.() !== 0) {
      const locked = join(parent, 'locked');
      ensureDataDir(locked);
      chmodSync(locked, 0o500);
      expect(() => ensureDataDir(locked)).toThrow(/cannot be used/);
    }
  });

  it.runIf(existsSync('/proc/self'))('refuses a place where mkdir answers ENOENT under an existing parent, instead of hanging', () => {
    expect(() => ensureDataDir('/proc/telegram-panel-test/data')).toThrow(/DATA_DIR \/proc\/telegram-panel-test\/data cannot be used \(ENOENT\)/);
  });

  it('refuses an empty panel.db beside an existing secret.key (a botched restore), saying what it found, and writes nothing', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'panel.db'), '');
    writeFileSync(join(dir, 'secret.key'), 'k'.repeat(44) + '\n');
    writeFileSync(join(dir, 'panel.db-wal'), Buffer.alloc(32));
    expect(() => openPanelDb(dir)).toThrow(StoreError);
    expect(() => openPanelDb(dir)).toThrow(/panel\.db is empty \(0 bytes\) but .*secret\.key exists, with .*panel\.db-wal \(32 bytes\): this looks like an unfinished restore/);
    expect(statSync(join(dir, 'panel.db')).size).toBe(0);
    expect(statSync(join(dir, 'panel.db-wal')).size).toBe(32);
    expect(existsSync(join(dir, 'panel.db-shm'))).toBe(false);
  });

  it('still opens an empty panel.db with no key file beside it (nothing to lose)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'panel.db'), '');
    openPanelDb(dir).close();
    expect(readFileSync(join(dir, 'panel.db')).subarray(0, 15).toString()).toBe('SQLite format 3');
  });
});
