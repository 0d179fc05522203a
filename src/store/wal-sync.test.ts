import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/tmp.ts';
import { openSqlite } from './db.ts';
import { WalSync } from './wal-sync.ts';

describe('WalSync', () => {
  it('syncs the WAL file; callers that overlap share fsyncs, and each waits for one that started after it asked', async () => {
    const db = openSqlite(join(tempDir('tp-wal-'), 'panel.db'));
    const started: string[] = [];
    let release: (() => void) | undefined;
    const sync = new WalSync(db, (path) => {
      started.push(path);
      return new Promise<void>((r) => (release = r));
    });
    const first = sync.flush();
    const waiting = [sync.flush(), sync.flush(), sync.flush()];
    expect(started).toEqual([`${db.name}-wal`]);
    let done = 0;
    for (const w of waiting) void w.then(() => done++);
    release!();
    await first;
    await new Promise((r) => setImmediate(r));
    // The three asked while the first fsync ran (it may predate their commits): one more covers them all.
    expect(done).toBe(0);
    expect(started).toHaveLength(2);
    release!();
    await Promise.all(waiting);
    expect(started).toHaveLength(2);
    db.close();
  });

  it('runs a real fsync of the WAL file', async () => {
    const db = openSqlite(join(tempDir('tp-wal-'), 'panel.db'));
    db.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1)');
    await new WalSync(db).flush();
    db.close();
  });
});
