import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertToGramjsSession, convertToMtkrutoSession, convertToPyrogramSession, convertToTdata } from '@mtcute/convert';
import { readStringSession, type StringSessionData } from '@mtcute/core/utils.js';
import { MemoryStorage } from '@mtcute/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.ts';
import { silentLogger } from '../log.ts';
import { openSqlite } from '../store/db.ts';
import { simPanel, type SimPanel } from '../../test/support/sim-panel.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { buildClient } from './client.ts';
import { parseSessionString, type ImportFormat } from './import.ts';

let panel: SimPanel;
let app: App;
/** A session made outside the panel (like an operator's own script would), then closed. */
let exported: string;
let data: StringSessionData;
let phone: string;

beforeAll(async () => {
  panel = simPanel({ accounts: 2 });
  const acc = panel.summary.accounts.find((a) => a.password === null)!;
  phone = acc.phone;
  const built = buildClient({ apiId: 1, apiHash: 'x', storage: new MemoryStorage(), log: silentLogger, override: () => panel.world.attach(), disableUpdates: true });
  await built.client.start({ phone: acc.phone, code: () => Promise.resolve(acc.code), codeSentCallback: () => undefined });
  exported = await built.client.exportSession();
  data = readStringSession(exported);
  await built.destroy();
  app = panel.open({ fleet: { connectTimeoutMs: 5000 } });
});

afterAll(async () => {
  await panel.close();
});

/** Telethon's StringSession layout, written by hand: "1" + urlsafe base64(dc, ipv4, port, key). */
function telethonString(d: StringSessionData): string {
  const dc = d.primaryDcs.main;
  const buf = Buffer.alloc(1 + 4 + 2 + 256);
  buf.writeUInt8(dc.id, 0);
  dc.ipAddress.split('.').forEach((part, i) => buf.writeUInt8(Number(part), 1 + i));
  buf.writeUInt16BE(dc.port, 5);
  Buffer.from(d.authKey).copy(buf, 7);
  return '1' + buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

function telethonFile(d: StringSessionData): string {
  const path = join(tempDir(), 'account.session');
  const db = openSqlite(path, {
    migrations: [
      {
        version: 1,
        name: 'telethon',
        sql: `CREATE TABLE version (version integer primary key);
              CREATE TABLE sessions (dc_id integer primary key, server_address text, port integer, auth_key blob, takeout_id integer);
              CREATE TABLE entities (id integer primary key, hash integer not null, username text, phone integer, name text, date integer);`,
      },
    ],
  });
  db.prepare('INSERT INTO version VALUES (7)').run();
  db.prepare('INSERT INTO sessions VALUES (?, ?, ?, ?, NULL)').run(d.primaryDcs.main.id, d.primaryDcs.main.ipAddress, d.primaryDcs.main.port, Buffer.from(d.authKey));
  db.close();
  return path;
}

/** Imports, checks the stored account works, then removes it for the next format. */
async function importAndCheck(input: string, format?: ImportFormat): Promise<string> {
  const res = await app.imports.import(input, format ? { format } : {});
  if (!res.ok) throw new Error(res.error.message);
  expect(res.account.phone).toBe(phone);
  const s = await app.fleet.session(res.account.id);
  expect((await s.me()).phone).toBe(phone);
  await app.fleet.disconnect(res.account.id);
  app.accounts.remove(res.account.id);
  return res.format;
}

describe('importing sessions made elsewhere', () => {
  it('reads a hand-built Telethon string by its layout', () => {
    const t = telethonString(data);
    expect(t).toHaveLength(353);
    const parsed = parseSessionString(t);
    expect(parsed.ok && parsed.session.format).toBe('telethon');
    if (parsed.ok) expect(Buffer.from(parsed.session.data.authKey).equals(Buffer.from(data.authKey))).toBe(true);
  });

  it('imports mtcute, Telethon, Pyrogram, GramJS and MTKruto strings, detected automatically', async () => {
    expect(await importAndCheck(exported)).toBe('mtcute');
    expect(await importAndCheck(telethonString(data))).toBe('telethon');
    expect(await importAndCheck(convertToPyrogramSession(exported, { apiId: 1 }))).toBe('pyrogram');
    expect(await importAndCheck(convertToGramjsSession(exported))).toBe('gramjs');
    expect(await importAndCheck(convertToMtkrutoSession(exported))).toBe('mtkruto');
    // --format overrides detection.
    expect(await importAndCheck(telethonString(data), 'telethon')).toBe('telethon');
  });

  it('imports a string saved in a file, a Telethon .session file and a tdata folder', async () => {
    const dir = tempDir();
    const txt = join(dir, 'session.txt');
    writeFileSync(txt, convertToGramjsSession(exported) + '\n');
    expect(await importAndCheck(txt)).toBe('gramjs');
    expect(await importAndCheck(telethonFile(data))).toBe('telethon-file');
    const tdata = join(dir, 'tdata');
    mkdirSync(tdata);
    await convertToTdata(exported, { path: tdata });
    expect(await importAndCheck(tdata)).toBe('tdata');
  });

  it('says which formats were tried for something that is not a session, and stores nothing', async () => {
    const res = await app.imports.import('definitely-not-a-session-string');
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.kind).toBe('not_a_session');
      expect(res.error.message).toMatch(/mtcute.*gramjs.*telethon.*pyrogram.*mtkruto/);
    }
    const file = join(tempDir(), 'notes.txt');
    writeFileSync(file, 'hello\n');
    const fromFile = await app.imports.import(file);
    expect(!fromFile.ok && fromFile.error.kind).toBe('not_a_session');
    const missing = await app.imports.import('./no/such/file.session');
    expect(!missing.ok && missing.error.kind).toBe('unreadable');
    const wrongFormat = await app.imports.import(exported, { format: 'telethon' });
    expect(!wrongFormat.ok && wrongFormat.error.kind).toBe('not_a_session');
    expect(app.accounts.list(0)).toHaveLength(0);
  });

  it('refuses a bot session, a session Telegram rejects, and an account already stored', async () => {
    const bot = await app.imports.import(convertToPyrogramSession({ ...data, self: { userId: 5, isBot: true, isPremium: false, usernames: [] } }, { apiId: 1 }));
    expect(!bot.ok && bot.error.kind).toBe('bot_session');
    const first = await app.imports.import(exported);
    expect(first.ok).toBe(true);
    const again = await app.imports.import(telethonString(data));
    expect(!again.ok && again.error).toMatchObject({ kind: 'already_exists' });
    if (first.ok) app.accounts.remove(first.account.id);
    panel.world.setFault(phone, 'revoked');
    const revoked = await app.imports.import(exported);
    expect(!revoked.ok && revoked.error).toMatchObject({ kind: 'rejected', failure: { kind: 'revoked' } });
    expect(app.accounts.list(0)).toHaveLength(0);
  });
});
