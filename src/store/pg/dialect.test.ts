import { describe, expect, it } from 'vitest';
import { toPostgres } from './dialect.ts';

describe('toPostgres', () => {
  it('numbers positional parameters in order', () => {
    expect(toPostgres('SELECT a FROM t WHERE b = ? AND c IN (?, ?)')).toEqual({ sql: 'SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)', names: null });
  });

  it('numbers named parameters once each, whatever their sigil, and names them in order', () => {
    expect(toPostgres('INSERT INTO t (a, b, c) VALUES (@x, :y, $z) ON CONFLICT DO UPDATE SET a = @x')).toEqual({
      sql: 'INSERT INTO t (a, b, c) VALUES ($1, $2, $3) ON CONFLICT DO UPDATE SET a = $1',
      names: ['x', 'y', 'z'],
    });
  });

  it('leaves question marks, at-signs and colons alone inside literals, quoted names, comments and casts', () => {
    const r = toPostgres(`SELECT 'what? @me :x' AS "odd?name", x::text -- why? @no
      FROM t WHERE y = ? AND z = 'it''s ?'`);
    expect(r.sql).toBe(`SELECT 'what? @me :x' AS "odd?name", x::text 
      FROM t WHERE y = $1 AND z = 'it''s ?'`);
    expect(r.names).toBeNull();
  });

  it('drops block comments, whose question marks are no parameters', () => {
    expect(toPostgres('SELECT a /* why? because */ FROM t WHERE b = ? /* unclosed ?').sql).toBe('SELECT a   FROM t WHERE b = $1  ');
  });

  it('refuses a statement that mixes ? and named parameters', () => {
    expect(() => toPostgres('SELECT * FROM t WHERE a = ? AND b = @b')).toThrow(/mixes \? and named parameters/);
  });

  it('turns INSERT OR IGNORE into ON CONFLICT DO NOTHING, before any RETURNING', () => {
    expect(toPostgres('INSERT OR IGNORE INTO t (a) VALUES (?)').sql).toBe('INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING');
    expect(toPostgres('  insert or ignore into t (a) VALUES (?);').sql).toBe('  insert into t (a) VALUES ($1) ON CONFLICT DO NOTHING');
    expect(toPostgres('INSERT OR IGNORE INTO t (a) SELECT ? RETURNING id').sql).toBe('INSERT INTO t (a) SELECT $1  ON CONFLICT DO NOTHING RETURNING id');
  });

  it("casts to SQLite's 64-bit integer and double-precision real", () => {
    expect(toPostgres('SELECT CAST(a AS INTEGER) / CAST(? AS integer), CAST(b AS REAL) FROM t').sql).toBe(
      'SELECT CAST(a AS bigint) / CAST($1 AS bigint), CAST(b AS double precision) FROM t',
    );
  });

  it('refuses what only SQLite reads, naming what to write instead', () => {
    expect(() => toPostgres('INSERT OR REPLACE INTO t (a) VALUES (?)')).toThrow(/INSERT OR REPLACE.*ON CONFLICT/);
    expect(() => toPostgres('SELECT a FROM t ORDER BY a COLLATE NOCASE')).toThrow(/COLLATE NOCASE.*lower/);
    expect(() => toPostgres('SELECT value FROM json_each(?)')).toThrow(/json_each/);
    for (const f of ['strftime', 'julianday', 'unixepoch', 'ifnull', 'iif', 'group_concat']) {
      expect(() => toPostgres(`SELECT ${f}(a) FROM t`)).toThrow(/SQLite-only function/);
    }
    // The same words inside a string literal are data, not SQL.
    expect(toPostgres("SELECT 'INSERT OR REPLACE, ifnull(x)' AS note").sql).toBe("SELECT 'INSERT OR REPLACE, ifnull(x)' AS note");
  });
});
