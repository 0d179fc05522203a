import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { freshPostgresDatabase, type FreshPostgresDatabase } from '../../test/support/postgres.ts';
import { openStore } from './open.ts';
import type { Db } from './sql.ts';
import { wakeupsFor } from './wakeups.ts';
import { tempDir } from '../../test/support/tmp.ts';

let pg: FreshPostgresDatabase;
beforeAll(async () => {
  pg = await freshPostgresDatabase();
});
afterAll(async () => {
  await pg.drop();
});

function next(db: Db, topic: 'work'): Promise<string> {
  return new Promise((resolve) => {
    const off = wakeupsFor(db).on(topic, (p) => {
      off();
      resolve(p);
    });
  });
}

test('on PostgreSQL a notify made inside a transaction reaches another connection', async () => {
  const a = openStore({ dataDir: tempDir(), databaseUrl: pg.url });
  const b = openStore({ dataDir: tempDir(), databaseUrl: pg.url });
  try {
    const heard = next(b, 'work');
    let committed = false;
    a.transaction(() => {
      wakeupsFor(a).notify('work', '42');
      committed = true;
    })();
    expect(committed).toBe(true);
    expect(await heard).toBe('42');
    expect(wakeupsFor(a).crossProcess).toBe(true);
  } finally {
    a.close();
    b.close();
  }
});

test('on the SQLite file a notify reaches this process only, after the caller returns', async () => {
  const db = openStore({ dataDir: tempDir() });
  try {
    const w = wakeupsFor(db);
    expect(w.crossProcess).toBe(false);
    const got: string[] = [];
    const heard = next(db, 'work').then((p) => got.push(p));
    w.notify('work', '7');
    expect(got).toEqual([]);
    await heard;
    expect(got).toEqual(['7']);
  } finally {
    db.close();
  }
});

test('on PostgreSQL the store and its listener come back after the server ended their sessions', async () => {
  const a = openStore({ dataDir: tempDir(), databaseUrl: pg.url });
  const b = openStore({ dataDir: tempDir(), databaseUrl: pg.url });
  try {
    const heard = next(b, 'work');
    wakeupsFor(a).notify('work', 'before');
    expect(await heard).toBe('before');
    // What a server restart or an administrator does to every session of the panel.
    const ended = a.prepare<[], { n: number }>(
      "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = 'telegram-panel' AND pid <> pg_backend_pid()",
    ).get();
    expect(ended!.n).toBeGreaterThanOrEqual(2);
    // The statement that meets the cut connection fails; the next one runs on a new connection.
    let failures = 0;
    for (let i = 0; i < 3; i++) {
      try {
        b.prepare('SELECT 1 AS one').get();
      } catch {
        failures++;
      }
    }
    expect(failures).toBeLessThanOrEqual(1);
    expect(b.prepare<[], { one: number }>('SELECT 1 AS one').get()).toEqual({ one: 1 });
    // The listener comes back on its own and hears later notifies.
    await vi.waitFor(
      async () => {
        const again = next(b, 'work');
        wakeupsFor(a).notify('work', 'after');
        expect(await Promise.race([again, new Promise((r) => setTimeout(() => r('nothing'), 300))])).toBe('after');
      },
      { timeout: 10_000, interval: 200 },
    );
  } finally {
    a.close();
    b.close();
  }
});
