import type { Db, RunResult, Statement, Transaction, VariableArgFunction } from '../sql.ts';
import { toPostgres, type PgStatementText } from './dialect.ts';
import { PgError, SyncPg } from './sync-pg.ts';

interface Prepared {
  /** The text the store wrote (SQLite's dialect). */
  source: string;
  text: PgStatementText;
  name: string;
}

/** SQLSTATEs after which a whole transaction may simply run again: serialization failure, deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 8;

/**
 * The stores' database on PostgreSQL: the same synchronous prepare/run/get/all/transaction calls
 * as on SQLite, so one store implementation serves both engines. Transactions run SERIALIZABLE,
 * which gives what SQLite's single writer gave (a transaction that read a row may rely on it while
 * it writes), and run again from the start when PostgreSQL reports a conflict with another worker.
 * The stores' transaction bodies only touch the database, which is what makes re-running safe.
 */
export class PgDatabase implements Db {
  /**
   * Tests set this to learn which store SQL texts were executed on PostgreSQL (not just prepared:
   * stores prepare many statements up front); test/support/engines.ts. Null in production, where
   * it costs one comparison per query.
   */
  static executedTexts: Set<string> | null = null;
  readonly dialect = 'postgres' as const;
  private readonly texts = new Map<string, Prepared>();
  private depth = 0;

  constructor(readonly pg: SyncPg) {}

  static connect(url: string): PgDatabase {
    return new PgDatabase(new SyncPg(url));
  }

  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the Db signature
  prepare<P extends unknown[] | {} = unknown[], R = unknown>(sql: string): P extends unknown[] ? Statement<P, R> : Statement<[P], R> {
    return new PgStatement(this, this.translate(sql)) as unknown as P extends unknown[] ? Statement<P, R> : Statement<[P], R>;
  }

  exec(sql: string): this {
    this.pg.query(sql);
    return this;
  }

  transaction<F extends VariableArgFunction>(fn: F): Transaction<F> {
    const tx = ((...args: unknown[]) => this.run('SERIALIZABLE', () => fn(...args) as ReturnType<F>)) as unknown as Transaction<F>;
    tx.deferred = tx;
    tx.immediate = tx;
    tx.exclusive = tx;
    return tx;
  }

  /**
   * `fn` in one READ COMMITTED transaction (re-run on deadlock), for a body that takes its own
   * row locks: a campaign claim locks its candidate rows with FOR UPDATE SKIP LOCKED, so workers
   * claiming at once pass each other by, where SERIALIZABLE would fail all but one of them.
   * Each statement then sees what others committed before it; the body must lock what it relies on.
   */
  readCommitted<T>(fn: () => T): T {
    return this.run('READ COMMITTED', fn);
  }

  private run<T>(level: string, fn: () => T): T {
    if (this.depth > 0) return this.savepoint(fn);
    for (let attempt = 1; ; attempt++) {
      this.pg.query(`BEGIN ISOLATION LEVEL ${level}`);
      this.depth++;
      try {
        const result = fn();
        this.pg.query('COMMIT');
        return result;
      } catch (e) {
        this.rollback();
        if (!(e instanceof PgError && RETRYABLE.has(e.code ?? '')) || attempt >= MAX_ATTEMPTS) throw e;
        pause(attempt);
      } finally {
        this.depth--;
      }
    }
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  get open(): boolean {
    return this.pg.open;
  }

  close(): this {
    this.pg.close();
    return this;
  }

  /** @internal */
  execute(s: Prepared, params: unknown[]): { rows: Array<Record<string, unknown>>; rowCount: number } {
    PgDatabase.executedTexts?.add(s.source);
    return this.pg.query(s.text.sql, bind(s.text, params), s.name);
  }

  private translate(sql: string): Prepared {
    let t = this.texts.get(sql);
    if (!t) {
      t = { source: sql, text: toPostgres(sql), name: `s${this.texts.size + 1}` };
      this.texts.set(sql, t);
    }
    return t;
  }

  private savepoint<T>(fn: () => T): T {
    const name = `sp${this.depth}`;
    this.pg.query(`SAVEPOINT ${name}`);
    this.depth++;
    try {
      const r = fn();
      this.pg.query(`RELEASE SAVEPOINT ${name}`);
      return r;
    } catch (e) {
      this.pg.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw e;
    } finally {
      this.depth--;
    }
  }

  private rollback(): void {
    try {
      this.pg.query('ROLLBACK');
    } catch {
      // The connection is gone; the server rolls the transaction back itself.
    }
  }
}

class PgStatement<P extends unknown[], R> implements Statement<P, R> {
  readonly reader: boolean;

  constructor(
    private readonly db: PgDatabase,
    private readonly s: Prepared,
  ) {
    this.reader = /^\s*(SELECT|WITH|VALUES)\b/i.test(s.text.sql) || /\bRETURNING\b/i.test(s.text.sql);
  }

  run(...params: P): RunResult {
    const r = this.db.execute(this.s, params);
    return {
      changes: r.rowCount,
      get lastInsertRowid(): number {
        throw new Error('lastInsertRowid is SQLite-only: write INSERT … RETURNING id and read it with get()');
      },
    };
  }

  get(...params: P): R | undefined {
    return this.db.execute(this.s, params).rows[0] as R | undefined;
  }

  all(...params: P): R[] {
    return this.db.execute(this.s, params).rows as R[];
  }

  iterate(...params: P): IterableIterator<R> {
    return (this.db.execute(this.s, params).rows as R[])[Symbol.iterator]();
  }
}

function bind(text: PgStatementText, params: unknown[]): unknown[] {
  if (text.names === null) return params.map(value);
  const obj = (params[0] ?? {}) as Record<string, unknown>;
  return text.names.map((n) => {
    if (!(n in obj)) throw new RangeError(`missing named parameter "${n}"`);
    return value(obj[n]);
  });
}

/** better-sqlite3 refuses booleans and stores them nowhere; keep PostgreSQL's columns fed the same 0/1. */
function value(v: unknown): unknown {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

function pause(attempt: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(50, 2 ** attempt) * (0.5 + Math.random()));
}
