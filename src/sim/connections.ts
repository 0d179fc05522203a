/**
 * Which attachments use which auth key, kept in the world file's `connections` table (with the
 * pid that holds each) so two processes using one session see each other, as Telegram would.
 */
import type { Db } from './world-file.ts';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ConnectionRegistry {
  /** connections rows opened by attachments of this process that are still open. */
  private readonly liveRows = new Set<number>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** Records that an attachment of this process uses `keyId`; returns the connections row id. */
  open(keyId: string): number {
    const id = Number(this.db.prepare('INSERT INTO connections (key_id, pid, opened_at) VALUES (?, ?, ?)').run(keyId, process.pid, this.now()).lastInsertRowid);
    this.liveRows.add(id);
    return id;
  }

  /** The attachment holding these rows is gone; `persist` is false once the file is closed. */
  close(rows: readonly number[], persist: boolean): void {
    for (const id of rows) {
      this.liveRows.delete(id);
      if (persist) this.db.prepare('UPDATE connections SET closed_at = ? WHERE id = ? AND closed_at IS NULL').run(this.now(), id);
    }
  }

  /** Whether another live attachment (here or in another running process) uses the key; closes rows of dead processes. */
  duplicateLive(keyId: string, mine: number): boolean {
    const rows = this.db.prepare('SELECT id, pid FROM connections WHERE key_id = ? AND closed_at IS NULL AND id != ?').all(keyId, mine) as Array<{ id: number; pid: number }>;
    let live = false;
    for (const r of rows) {
      const alive = r.pid === process.pid ? this.liveRows.has(r.id) : pidAlive(r.pid);
      if (alive) live = true;
      else this.db.prepare('UPDATE connections SET closed_at = ? WHERE id = ?').run(this.now(), r.id);
    }
    return live;
  }
}
