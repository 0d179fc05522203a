import Database from 'better-sqlite3';

/** A session stored by another library in its own SQLite `.session` file. */
export type ForeignSessionFile =
  | { format: 'telethon-file'; dcId: number; serverAddress: string; port: number; authKey: Buffer }
  | { format: 'pyrogram-file'; dcId: number; apiId: number | null; testMode: boolean; authKey: Buffer; userId: number | null; isBot: boolean };

export class ForeignSessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForeignSessionError';
  }
}

/**
 * Reads a Telethon or Pyrogram `.session` file read-only (it is the operator's file: never
 * migrated, never written). Telethon keeps `sessions(dc_id, server_address, port, auth_key)`;
 * Pyrogram `sessions(dc_id, api_id, test_mode, auth_key, date, user_id, is_bot)`.
 */
export function readForeignSessionFile(path: string): ForeignSessionFile {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new ForeignSessionError(`cannot open ${path} as SQLite: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const cols = new Set((db.prepare("SELECT name FROM pragma_table_info('sessions')").all() as Array<{ name: string }>).map((c) => c.name));
    if (cols.size === 0) throw new ForeignSessionError(`${path} is SQLite but has no "sessions" table (not a Telethon or Pyrogram session)`);
    if (cols.has('server_address') && cols.has('auth_key')) {
      const row = db.prepare('SELECT dc_id, server_address, port, auth_key FROM sessions WHERE auth_key IS NOT NULL LIMIT 1').get() as
        | { dc_id: number; server_address: string; port: number; auth_key: Buffer }
        | undefined;
      if (!row) throw new ForeignSessionError(`${path} is a Telethon session without an auth key (never logged in)`);
      return { format: 'telethon-file', dcId: row.dc_id, serverAddress: row.server_address, port: row.port, authKey: Buffer.from(row.auth_key) };
    }
    if (cols.has('test_mode') && cols.has('auth_key')) {
      const row = db.prepare('SELECT * FROM sessions LIMIT 1').get() as
        | { dc_id: number; api_id?: number | null; test_mode: number; auth_key: Buffer | null; user_id: number | null; is_bot: number | null }
        | undefined;
      if (!row?.auth_key) throw new ForeignSessionError(`${path} is a Pyrogram session without an auth key (never logged in)`);
      return {
        format: 'pyrogram-file',
        dcId: row.dc_id,
        apiId: row.api_id ?? null,
        testMode: row.test_mode === 1,
        authKey: Buffer.from(row.auth_key),
        userId: row.user_id,
        isBot: row.is_bot === 1,
      };
    }
    throw new ForeignSessionError(`${path} has a "sessions" table of an unknown layout (columns: ${[...cols].join(', ')})`);
  } catch (e) {
    if (e instanceof ForeignSessionError) throw e;
    throw new ForeignSessionError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    db.close();
  }
}
