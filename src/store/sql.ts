/**
 * What the stores need from a database, whichever engine holds it: better-sqlite3's synchronous
 * statement model, which the SQLite file provides natively and PostgreSQL through PgDatabase.
 * Code that needs SQLite itself (pragmas, the WAL) takes `SqliteDb` instead.
 */
export type Dialect = 'sqlite' | 'postgres';

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement<P extends unknown[] = unknown[], R = unknown> {
  readonly reader: boolean;
  run(...params: P): RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
  iterate(...params: P): IterableIterator<R>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- better-sqlite3's own bound, so its Database is a Db
type VariableArgFunction = (...params: any[]) => unknown;
type ArgumentTypes<F extends VariableArgFunction> = F extends (...args: infer A) => unknown ? A : never;

export interface Transaction<F extends VariableArgFunction> {
  (...params: ArgumentTypes<F>): ReturnType<F>;
  deferred(...params: ArgumentTypes<F>): ReturnType<F>;
  immediate(...params: ArgumentTypes<F>): ReturnType<F>;
  exclusive(...params: ArgumentTypes<F>): ReturnType<F>;
}

export type { VariableArgFunction };

export interface Db {
  readonly dialect: Dialect;
  readonly inTransaction: boolean;
  readonly open: boolean;
  /** Named parameters (`@name`) bind one object: `prepare<{ name: string }>`; positional ones a tuple. */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- better-sqlite3's exact signature, so its Database is a Db
  prepare<P extends unknown[] | {} = unknown[], R = unknown>(sql: string): P extends unknown[] ? Statement<P, R> : Statement<[P], R>;
  transaction<F extends VariableArgFunction>(fn: F): Transaction<F>;
  exec(sql: string): this;
  close(): this;
}

/** An id list as a subquery both engines read (`x IN (<this>)`), bound to one JSON array parameter. */
export function idsFromJson(db: Db): string {
  return db.dialect === 'postgres' ? 'SELECT value::bigint FROM json_array_elements_text(?::json)' : 'SELECT value FROM json_each(?)';
}
