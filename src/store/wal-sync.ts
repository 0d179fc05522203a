import { closeSync, fsync, openSync } from 'node:fs';
import type { Db } from './db.ts';
import { CachingDatabase } from './cached-statements.ts';

/**
 * Makes everything a connection has committed so far survive a power cut, without stopping the
 * event loop: an fsync of the WAL file in libuv's thread pool, which is what SQLite itself does
 * after a commit at `synchronous = FULL`, but there on the main thread (0.3-11 ms per commit on the
 * disks measured, during which no other account, update or bot answer moves). Commits at
 * `synchronous = NORMAL` already survive a killed process; this adds the disk.
 *
 * Callers that overlap share fsyncs (group commit): a flush waits for an fsync that started after
 * it was asked for, since one already running may predate the caller's commit.
 */
export class WalSync {
  private readonly walPath: string | null;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(
    db: Db,
    private readonly syncFile: (path: string) => Promise<void> = fsyncFile,
  ) {
    // PostgreSQL's COMMIT already waited for its own log to reach the disk: nothing to add there.
    const wal = db instanceof CachingDatabase && !db.memory && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    this.walPath = wal ? `${db.name}-wal` : null;
  }

  flush(): Promise<void> {
    if (this.walPath === null) return Promise.resolve();
    if (!this.running) {
      const run = this.syncFile(this.walPath).finally(() => {
        if (this.running === run) this.running = undefined;
      });
      this.running = run;
      return run;
    }
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.flush();
      });
    return this.next;
  }
}

/** Opening and closing an existing file costs no disk wait; only the fsync goes to the pool (one hop, not three). */
function fsyncFile(path: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fd = openSync(path, 'r');
    fsync(fd, (err) => {
      closeSync(fd);
      if (err) reject(err);
      else resolve();
    });
  });
}
