import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CachingDatabase } from './cached-statements.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function open(): CachingDatabase {
  dir = mkdtempSync(join(tmpdir(), 'tp-cached-'));
  const db = new CachingDatabase(join(dir, 'x.db'));
  db.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3);');
  return db;
}

describe('statements compiled once per connection', () => {
  it('hands out the same statement for the same SQL', () => {
    const db = open();
    expect(db.prepare('SELECT n FROM t WHERE n = ?')).toBe(db.prepare('SELECT n FROM t WHERE n = ?'));
    db.close();
  });

  it('gives a statement that is still iterating to nobody else', () => {
    const db = open();
    const seen: number[] = [];
    for (const r of db.prepare('SELECT n FROM t ORDER BY n').iterate() as Iterable<{ n: number }>) {
      seen.push(r.n, (db.prepare('SELECT n FROM t ORDER BY n').all() as Array<{ n: number }>).length);
    }
    expect(seen).toEqual([1, 3, 2, 3, 3, 3]);
    db.close();
  });

  it('resets modes a previous caller switched on', () => {
    const db = open();
    expect(db.prepare('SELECT n FROM t ORDER BY n').pluck().get()).toBe(1);
    expect(db.prepare('SELECT n FROM t ORDER BY n').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT n FROM t ORDER BY n').raw().get()).toEqual([1]);
    expect(db.prepare('SELECT n FROM t ORDER BY n').get()).toEqual({ n: 1 });
    db.close();
  });
});
