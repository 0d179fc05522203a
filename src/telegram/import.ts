import {
  convertFromGramjsSession,
  convertFromMtkrutoSession,
  convertFromPyrogramSession,
  convertFromTdata,
  convertFromTelethonSession,
  DC_MAPPING_PROD,
  parseGramjsSession,
  parseMtkrutoSession,
  parsePyrogramSession,
  parseTelethonSession,
} from '@mtcute/convert';
import { readStringSession, writeStringSession, type StringSessionData } from '@mtcute/core/utils.js';
import { MemoryStorage } from '@mtcute/node';
import type { Failure } from '../core/failures.ts';
import type { ForeignSessionFile } from '../store/foreign-sessions.ts';
import { buildClient } from './client.ts';
import { classify } from './errors.ts';
import { layOut, verifiedFrom, type TelegramApi, type VerifiedSession } from './login.ts';
import type { ProxySpec } from '../core/proxy-url.ts';

import { STRING_FORMATS, type ImportFormat, type StringFormat } from '../core/import-formats.ts';

export { IMPORT_FORMATS, STRING_FORMATS, type ImportFormat, type StringFormat } from '../core/import-formats.ts';

/** A session read from another library's format, not yet checked against Telegram. */
export interface ParsedSession {
  format: ImportFormat;
  data: StringSessionData;
  /** When the format records it (Pyrogram, mtcute). */
  userId: number | null;
  isBot: boolean;
}

export type ParseResult = { ok: true; session: ParsedSession } | { ok: false; tried: Array<{ format: ImportFormat; problem: string }> };

const AUTH_KEY_BYTES = 256;

/** Why a parsed session cannot be right, or undefined when it looks sound. */
function implausible(data: StringSessionData): string | undefined {
  if (data.authKey.length !== AUTH_KEY_BYTES) return `the auth key has ${data.authKey.length} bytes, not ${AUTH_KEY_BYTES}`;
  const dc = data.primaryDcs.main;
  if (!Number.isInteger(dc.id) || dc.id < 1 || dc.id > 5) return `data center ${dc.id} does not exist`;
  if (!Number.isInteger(dc.port) || dc.port < 1 || dc.port > 65535) return `port ${dc.port} is not valid`;
  if (dc.ipAddress === '' || /[^0-9a-fA-F.:]/.test(dc.ipAddress)) return `"${dc.ipAddress.slice(0, 40)}" is not an IP address`;
  return undefined;
}

function reason(e: unknown): string {
  // Parsers echo bytes they could not read; keep the message printable.
  return e instanceof Error ? e.message.replace(/\s+/g, ' ').replace(/[^\x20-\x7e]+/g, '?').slice(0, 120) : 'unreadable';
}

const STRING_PARSERS: Record<StringFormat, (text: string) => ParsedSession> = {
  mtcute: (t) => {
    const data = readStringSession(t);
    // The reader accepts some other formats' bytes as garbage fields; a real mtcute string
    // writes back exactly as it came.
    if (writeStringSession(data) !== t) throw new Error('not an mtcute string (it does not read back the same)');
    return { format: 'mtcute', data, userId: data.self?.userId ?? null, isBot: data.self?.isBot ?? false };
  },
  gramjs: (t) => {
    // GramJS: "1" + base64 of dc(1) ipLength(2) ip(text) port(2) key(256); the length must add up.
    if (!t.startsWith('1')) throw new Error('a GramJS string starts with 1');
    const raw = Buffer.from(t.slice(1).replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    const ipLength = raw.length >= 3 ? raw.readUInt16BE(1) : -1;
    if (ipLength < 7 || ipLength > 45 || raw.length !== 3 + ipLength + 2 + AUTH_KEY_BYTES) throw new Error('the lengths inside do not add up to a GramJS session');
    const p = parseGramjsSession(t);
    if (!/^\d{1,3}(\.\d{1,3}){3}$|^[0-9a-fA-F:]+$/.test(p.ipAddress)) throw new Error('no IP address where GramJS keeps it');
    return { format: 'gramjs', data: convertFromGramjsSession(p), userId: null, isBot: false };
  },
  telethon: (t) => {
    // Telethon: "1" + urlsafe base64 of dc(1) ip(4|16) port(2) key(256): 353 or 369 characters.
    if (t.length !== 353 && t.length !== 369) throw new Error(`a Telethon string has 353 or 369 characters, this one ${t.length}`);
    return { format: 'telethon', data: convertFromTelethonSession(parseTelethonSession(t)), userId: null, isBot: false };
  },
  pyrogram: (t) => {
    if (![351, 356, 362].includes(t.length)) throw new Error(`a Pyrogram string has 351, 356 or 362 characters, this one ${t.length}`);
    // Other formats share these lengths (an MTKruto string can be 356 long): Pyrogram's flag
    // bytes hold exactly 0 or 1.
    const raw = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    const flags = t.length === 362 ? [raw[5], raw[270]] : [raw[1], raw[raw.length - 1]];
    if (flags.some((b) => b !== 0 && b !== 1)) throw new Error('the test-mode and bot flags of a Pyrogram string are 0 or 1');
    const p = parsePyrogramSession(t);
    return { format: 'pyrogram', data: convertFromPyrogramSession(p), userId: p.userId, isBot: p.isBot };
  },
  mtkruto: (t) => ({ format: 'mtkruto', data: convertFromMtkrutoSession(parseMtkrutoSession(t)), userId: null, isBot: false }),
};

/** Reads a session string in `format`, or in the first format it fits when none is given. */
export function parseSessionString(text: string, format?: StringFormat): ParseResult {
  const t = text.trim();
  const tried: Array<{ format: ImportFormat; problem: string }> = [];
  for (const f of format ? [format] : STRING_FORMATS) {
    try {
      const session = STRING_PARSERS[f](t);
      const bad = implausible(session.data);
      if (bad) {
        tried.push({ format: f, problem: bad });
        continue;
      }
      return { ok: true, session };
    } catch (e) {
      tried.push({ format: f, problem: reason(e) });
    }
  }
  return { ok: false, tried };
}

export function fromForeignFile(file: ForeignSessionFile): ParseResult {
  try {
    let session: ParsedSession;
    if (file.format === 'telethon-file') {
      const ipv6 = file.serverAddress.includes(':');
      session = {
        format: file.format,
        data: convertFromTelethonSession({ dcId: file.dcId, ipAddress: file.serverAddress, ipv6, port: file.port, authKey: file.authKey }),
        userId: null,
        isBot: false,
      };
    } else {
      const data = convertFromPyrogramSession({ dcId: file.dcId, isTest: file.testMode, authKey: file.authKey, userId: file.userId ?? 0, isBot: file.isBot });
      session = { format: file.format, data, userId: file.userId, isBot: file.isBot };
    }
    const bad = implausible(session.data);
    return bad ? { ok: false, tried: [{ format: file.format, problem: bad }] } : { ok: true, session };
  } catch (e) {
    return { ok: false, tried: [{ format: file.format, problem: reason(e) }] };
  }
}

/** Reads the first account of a Telegram Desktop `tdata` folder. */
export async function fromTdata(path: string, opts: { passcode?: string; accountIndex?: number } = {}): Promise<ParseResult> {
  try {
    const data = await convertFromTdata({ path, ...(opts.passcode !== undefined ? { passcode: opts.passcode } : {}) }, opts.accountIndex ?? 0);
    const bad = implausible(data);
    if (bad) return { ok: false, tried: [{ format: 'tdata', problem: bad }] };
    return { ok: true, session: { format: 'tdata', data, userId: data.self?.userId ?? null, isBot: data.self?.isBot ?? false } };
  } catch (e) {
    return { ok: false, tried: [{ format: 'tdata', problem: reason(e) }] };
  }
}

export type VerifyResult = { ok: true; session: VerifiedSession } | { ok: false; failure: Failure };

/**
 * Connects with the session in memory and asks getMe. Never `start()`: on a revoked key that
 * would log out and try a phone login. Nothing is stored here.
 */
export async function verifySession(api: TelegramApi, parsed: ParsedSession, proxy: ProxySpec | null, timeoutMs = 30_000): Promise<VerifyResult> {
  const mem = new MemoryStorage();
  const built = buildClient({ apiId: api.apiId, apiHash: api.apiHash, storage: mem, log: api.log, proxy, override: api.override, disableUpdates: true });
  try {
    await built.client.importSession(parsed.data, true);
    await built.client.connect();
    const user = await built.client.withParams({ floodSleepThreshold: 0, timeout: timeoutMs }).getMe();
    const snapshot = await layOut(api, await built.client.exportSession());
    return { ok: true, session: verifiedFrom(built, user, snapshot) };
  } catch (e) {
    await built.destroy();
    return { ok: false, failure: classify(e, { viaProxy: built.viaProxy }) };
  }
}

/** The production DC table, for building sessions in tests and tools. */
export const PRODUCTION_DCS = DC_MAPPING_PROD;
