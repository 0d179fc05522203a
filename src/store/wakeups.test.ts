import { afterAll, beforeAll, expect, test } from 'vitest';
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
