import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeEngines } from '../../../test/support/engines.ts';
import { freshPostgresDatabase, type FreshPostgresDatabase } from '../../../test/support/postgres.ts';
import type { Db } from '../sql.ts';
import { PgDatabase } from './pg-database.ts';
import { PgError } from './sync-pg.ts';

/** Transaction semantics the stores rely on, alike on both engines. */
describeEngines('a transaction', (t) => {
  let db: Db;
  const values = (): number[] => db.prepare<[], { v: number }>('SELECT v FROM tx_probe ORDER BY v').all().map((r) => r.v);
  beforeEach(() => {
    db = t.db;
    db.exec('DROP TABLE IF EXISTS tx_probe');
    db.exec('CREATE TABLE tx_probe (v BIGINT PRIMARY KEY)');
  });

  it('commits what its body wrote and returns what the body returned', () => {
    const insert = db.prepare('INSERT INTO tx_probe (v) VALUES (?)');
    const r = db.transaction((a: number, b: number) => {
      expect(db.inTransaction).toBe(true);
      insert.run(a);
      insert.run(b);
      return a + b;
    })(1, 2);
    expect(r).toBe(3);
    expect(db.inTransaction).toBe(false);
    expect(values()).toEqual([1, 2]);
  });

  it('rolls everything back when the body throws, and the connection goes on', () => {
    const insert = db.prepare('INSERT INTO tx_probe (v) VALUES (?)');
    expect(() =>
      db.transaction(() => {
        insert.run(1);
        throw new Error('changed my mind');
      })(),
    ).toThrow('changed my mind');
    expect(db.inTransaction).toBe(false);
    // A failed statement (a duplicate key) rolls back the whole transaction too.
    insert.run(5);
    expect(() =>
      db.transaction(() => {
        insert.run(6);
        insert.run(5);
      })(),
    ).toThrow();
    expect(values()).toEqual([5]);
  });

  it('nests as savepoints: an inner failure undoes only the inner part, an outer one everything', () => {
    const insert = db.prepare('INSERT INTO tx_probe (v) VALUES (?)');
    const inner = db.transaction((v: number, fail: boolean) => {
      insert.run(v);
      if (fail) throw new Error('inner');
    });
    db.transaction(() => {
      insert.run(1);
      expect(() => inner(2, true)).toThrow('inner');
      inner(3, false);
      // Two levels down: the deepest failure leaves both outer levels' rows.
      db.transaction(() => {
        insert.run(4);
        expect(() => inner(5, true)).toThrow('inner');
      })();
      // A failed statement inside a savepoint leaves the outer transaction usable (PostgreSQL
      // would otherwise refuse every later statement of an aborted transaction).
      expect(() => inner(1, false)).toThrow();
      insert.run(6);
    })();
    expect(values()).toEqual([1, 3, 4, 6]);
    expect(() =>
      db.transaction(() => {
        inner(7, false);
        throw new Error('outer');
      })(),
    ).toThrow('outer');
    expect(values()).toEqual([1, 3, 4, 6]);
  });
});

describe('PgDatabase transactions between two connections', () => {
  let database: FreshPostgresDatabase;
  let a: PgDatabase;
  let b: PgDatabase;
  beforeAll(async () => {
    database = await freshPostgresDatabase();
    a = PgDatabase.connect(database.url);
    b = PgDatabase.connect(database.url);
  });
  afterAll(async () => {
    a.close();
    b.close();
    await database.drop();
  });
  beforeEach(() => {
    a.exec('DROP TABLE IF EXISTS counter; CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL); INSERT INTO counter VALUES (1, 0)');
  });
  const read = (db: PgDatabase): number => db.prepare<[], { n: number }>('SELECT n FROM counter WHERE id = 1').get()!.n;

  it('runs the body again after another connection committed a conflicting write, losing no update', () => {
    let attempts = 0;
    const result = a.transaction(() => {
      attempts++;
      const seen = read(a);
      // Another worker adds 10 after this transaction read, before it writes: the first attempt
      // fails serialization (40001) at its write and the body runs again on fresh data.
      if (attempts === 1) b.prepare('UPDATE counter SET n = n + 10 WHERE id = 1').run();
      a.prepare('UPDATE counter SET n = ? WHERE id = 1').run(seen + 1);
      return seen;
    })();
    expect(attempts).toBe(2);
    expect(result).toBe(10);
    expect(read(b)).toBe(11);
  });

  it('gives up with the serialization failure when the conflict never ends', () => {
    let attempts = 0;
    let error: unknown;
    try {
      a.transaction(() => {
        attempts++;
        const seen = read(a);
        b.prepare('UPDATE counter SET n = n + 10 WHERE id = 1').run();
        a.prepare('UPDATE counter SET n = ? WHERE id = 1').run(seen + 1);
      })();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PgError);
    expect((error as PgError).code).toBe('40001');
    expect(attempts).toBe(8);
    // Only the other connection's writes were kept.
    expect(read(a)).toBe(80);
    expect(a.inTransaction).toBe(false);
  });

  it('does not run a body again for an error that another attempt would not change', () => {
    let attempts = 0;
    expect(() =>
      a.transaction(() => {
        attempts++;
        a.prepare('INSERT INTO counter VALUES (1, 5)').run();
      })(),
    ).toThrow(expect.objectContaining({ code: '23505' }) as Error);
    expect(attempts).toBe(1);
  });

  it('sees nothing of another connection’s transaction until it commits', () => {
    b.transaction(() => {
      b.prepare('UPDATE counter SET n = 42 WHERE id = 1').run();
      expect(read(a)).toBe(0);
    })();
    expect(read(a)).toBe(42);
  });
});
