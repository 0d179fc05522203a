/**
 * The stores write SQLite's SQL; this turns one statement into PostgreSQL's, once per text.
 * Only what the stores use is translated, and anything else SQLite-only is refused here so that
 * a new query fails its PostgreSQL test instead of misbehaving:
 * - placeholders: `?` and `@name` become `$n` (named ones read from the object the caller binds);
 * - `INSERT OR IGNORE` becomes `INSERT … ON CONFLICT DO NOTHING`;
 * - `CAST(… AS REAL)` becomes double precision (PostgreSQL's real is single precision), and
 *   `CAST(… AS INTEGER)` bigint (SQLite's integers are 64-bit, PostgreSQL's integer 32: epoch
 *   milliseconds overflow it).
 * Everything else in the stores is written in SQL both engines read alike.
 */
export interface PgStatementText {
  sql: string;
  /** For named parameters: the name bound to each `$n`, in order; null when positional. */
  names: string[] | null;
}

const REFUSED: ReadonlyArray<[RegExp, string]> = [
  [/\bINSERT\s+OR\s+REPLACE\b/i, 'INSERT OR REPLACE (write INSERT … ON CONFLICT (key) DO UPDATE)'],
  [/\bCOLLATE\s+NOCASE\b/i, 'COLLATE NOCASE (order by lower(…))'],
  [/\bjson_each\s*\(/i, 'json_each (use the dialect helper for id lists)'],
  [/\b(?:strftime|julianday|unixepoch|ifnull|iif|group_concat)\s*\(/i, 'a SQLite-only function'],
];

export function toPostgres(sqlite: string): PgStatementText {
  for (const [re, what] of REFUSED) if (re.test(stripLiterals(sqlite))) throw new Error(`SQL not portable to PostgreSQL: ${what}: ${sqlite}`);
  let sql = sqlite;
  if (/^\s*INSERT\s+OR\s+IGNORE\b/i.test(sql)) {
    sql = sql.replace(/^(\s*INSERT)\s+OR\s+IGNORE\b/i, '$1');
    const returning = /\bRETURNING\b[\s\S]*$/i.exec(sql);
    sql = returning ? `${sql.slice(0, returning.index)} ON CONFLICT DO NOTHING ${returning[0]}` : `${sql.trimEnd().replace(/;$/, '')} ON CONFLICT DO NOTHING`;
  }
  sql = sql.replace(/\bAS\s+REAL\b/gi, 'AS double precision').replace(/\bAS\s+INTEGER\b/gi, 'AS bigint');
  return numberPlaceholders(sql);
}

/** Replaces `?`/`@name`/`:name`/`$name` outside string literals, quoted names and comments with `$1…`. */
function numberPlaceholders(sql: string): PgStatementText {
  let out = '';
  let n = 0;
  const names: string[] = [];
  const index = new Map<string, number>();
  let named = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end + 1);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end - 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      // A `?` in a comment is no parameter: numbering it would shift every later one.
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
      out += ' ';
    } else if (c === '?') {
      out += `$${++n}`;
    } else if ((c === '@' || c === ':' || c === '$') && /[A-Za-z_]/.test(sql[i + 1] ?? '') && !(c === ':' && sql[i - 1] === ':')) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))!;
      named = true;
      let k = index.get(m[0]);
      if (k === undefined) {
        names.push(m[0]);
        k = names.length;
        index.set(m[0], k);
      }
      out += `$${k}`;
      i += m[0].length;
    } else out += c;
  }
  if (named && n > 0) throw new Error(`SQL mixes ? and named parameters: ${sql}`);
  return { sql: out, names: named ? names : null };
}

function closingQuote(sql: string, start: number, q: string): number {
  for (let j = start + 1; j < sql.length; j++) {
    if (sql[j] === q) {
      if (sql[j + 1] === q) j++;
      else return j;
    }
  }
  return sql.length - 1;
}

function stripLiterals(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "''");
}
