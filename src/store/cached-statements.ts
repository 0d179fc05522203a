import Database from 'better-sqlite3';

/** Distinct SQL texts are a few hundred at most; past this a text is compiled per call rather than grow without bound. */
const MAX_CACHED = 1000;

/**
 * A connection that compiles each SQL text once. Stores that call `db.prepare(sql)` inside a
 * method (instead of keeping the statement) paid SQLite's parser on every call; restoring a fleet
 * runs such methods several times per account. A statement still iterating (a streamed export) is
 * never handed out twice: that caller gets a fresh one. Modes a caller may have switched on
 * (pluck, raw, expand) are reset so every caller sees plain rows, as a new statement would give.
 */
export class CachingDatabase extends Database {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, Database.Statement>();

  override prepare<P extends unknown[] | object = unknown[], R = unknown>(source: string): Database.Statement<P, R> {
    const cached = this.statements.get(source);
    // bind() would fix a statement's parameters for every later caller; neither store nor sim uses it.
    if (cached && !cached.busy) {
      if (cached.reader) cached.pluck(false).expand(false).raw(false);
      return cached as unknown as Database.Statement<P, R>;
    }
    const fresh = super.prepare<P, R>(source);
    if (!cached && this.statements.size < MAX_CACHED) this.statements.set(source, fresh);
    return fresh;
  }
}
