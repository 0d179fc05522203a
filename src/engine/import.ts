import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { AccountSummary } from '../core/accounts.ts';
import type { Clock } from '../core/clock.ts';
import type { Failure } from '../core/failures.ts';
import type { Logger } from '../log.ts';
import { AccountExistsError, type AccountStore } from '../store/accounts.ts';
import { ForeignSessionError, readForeignSessionFile } from '../store/foreign-sessions.ts';
import { fromForeignFile, fromTdata, parseSessionString, STRING_FORMATS, verifySession, type ImportFormat, type ParseResult, type StringFormat } from '../telegram/import.ts';
import type { TelegramApi } from '../telegram/login.ts';
import { parseProxyUrl, type ProxySpec } from '../core/proxy-url.ts';

export { IMPORT_FORMATS, type ImportFormat } from '../telegram/import.ts';

export type ImportError =
  | { kind: 'unreadable'; message: string }
  | { kind: 'not_a_session'; tried: Array<{ format: ImportFormat; problem: string }>; message: string }
  | { kind: 'bot_session'; message: string }
  | { kind: 'bad_proxy'; message: string }
  | { kind: 'rejected'; failure: Failure; message: string }
  | { kind: 'already_exists'; accountId: number; message: string };

export type ImportResult = { ok: true; account: AccountSummary; format: ImportFormat } | { ok: false; error: ImportError };

export interface ImportOptions {
  format?: ImportFormat;
  /** The account's own proxy (else PROXY_URL); the check goes through it. */
  proxyUrl?: string;
  /** Telegram Desktop local passcode, for a protected tdata folder. */
  passcode?: string;
  /**
   * The input is the session string itself, never a path: what a browser sends must not name a
   * file or folder of the machine the panel runs on (the dashboard).
   */
  textOnly?: boolean;
}

export interface ImportServiceOptions {
  api: TelegramApi;
  store: AccountStore;
  clock: Clock;
  log: Logger;
  defaultProxyUrl?: string | undefined;
  onStored?: (account: AccountSummary) => void;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Session strings are a few hundred characters; a larger text file is not one. */
const MAX_TEXT_FILE = 64 * 1024;

export { isImportFormat } from '../core/import-formats.ts';

function notASession(tried: Array<{ format: ImportFormat; problem: string }>, what: string): ImportResult {
  const list = tried.map((t) => `${t.format} (${t.problem})`).join('; ');
  return { ok: false, error: { kind: 'not_a_session', tried, message: `${what} is not a session this panel can read; tried ${list}` } };
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Imports a session made elsewhere: a string (mtcute, Telethon, Pyrogram, GramJS, MTKruto), a
 * file holding one, a Telethon or Pyrogram `.session` file, or a Telegram Desktop `tdata` folder.
 * The session is checked with getMe before anything is stored.
 */
export class ImportService {
  constructor(private readonly o: ImportServiceOptions) {}

  /** Reads `input` into a session without contacting Telegram. */
  async read(input: string, opts: ImportOptions = {}): Promise<{ parsed: ParseResult; what: string } | { error: ImportError }> {
    const fmt = opts.format;
    if (opts.textOnly) return { parsed: this.parseText(input, fmt), what: 'the text' };
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(input, { throwIfNoEntry: false });
    } catch {
      st = undefined;
    }
    const looksLikePath = st !== undefined || /^(\.{0,2}\/|~\/|[A-Za-z]:\\)|\.(session|txt)$/i.test(input);
    if (st === undefined && looksLikePath && input.length < 4096) {
      return { error: { kind: 'unreadable', message: `${input} does not exist` } };
    }
    if (st?.isDirectory()) {
      if (fmt !== undefined && fmt !== 'tdata') return { error: { kind: 'unreadable', message: `${input} is a folder; only --format tdata reads folders` } };
      return { parsed: await fromTdata(input, opts.passcode !== undefined ? { passcode: opts.passcode } : {}), what: `the folder ${input}` };
    }
    if (st?.isFile()) {
      let head: Buffer;
      try {
        head = readHead(input);
      } catch (e) {
        return { error: { kind: 'unreadable', message: `cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` } };
      }
      if (head.equals(SQLITE_HEADER)) {
        if (fmt !== undefined && fmt !== 'telethon-file' && fmt !== 'pyrogram-file') {
          return { error: { kind: 'unreadable', message: `${input} is a SQLite .session file; use --format telethon-file or pyrogram-file, or leave --format out` } };
        }
        try {
          const file = readForeignSessionFile(input);
          if (fmt !== undefined && file.format !== fmt) return { parsed: { ok: false, tried: [{ format: fmt, problem: `the file is a ${file.format}` }] }, what: input };
          return { parsed: fromForeignFile(file), what: input };
        } catch (e) {
          if (e instanceof ForeignSessionError) return { parsed: { ok: false, tried: [{ format: 'telethon-file', problem: e.message }, { format: 'pyrogram-file', problem: e.message }] }, what: input };
          throw e;
        }
      }
      if (st.size > MAX_TEXT_FILE) return { parsed: { ok: false, tried: [{ format: 'mtcute', problem: `the file has ${st.size} bytes, far more than a session string` }] }, what: input };
      let text: string;
      try {
        text = readFileSync(input, 'utf8');
      } catch (e) {
        return { error: { kind: 'unreadable', message: `cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` } };
      }
      return { parsed: this.parseText(text, fmt), what: `the file ${input}` };
    }
    return { parsed: this.parseText(input, fmt), what: 'the text' };
  }

  private parseText(text: string, fmt: ImportFormat | undefined): ParseResult {
    if (fmt !== undefined && !(STRING_FORMATS as readonly string[]).includes(fmt)) {
      return { ok: false, tried: [{ format: fmt, problem: `${fmt} is read from a file or folder, not from a string` }] };
    }
    return parseSessionString(text, fmt as StringFormat | undefined);
  }

  async import(input: string, opts: ImportOptions = {}): Promise<ImportResult> {
    let proxy: { url: string; label: string; spec: ProxySpec } | null = null;
    const proxyUrl = opts.proxyUrl ?? this.o.defaultProxyUrl;
    if (proxyUrl) {
      const p = parseProxyUrl(proxyUrl);
      if (!p.ok) return { ok: false, error: { kind: 'bad_proxy', message: p.problem } };
      proxy = { url: proxyUrl, label: p.label, spec: p.spec };
    }
    const read = await this.read(input, opts);
    if ('error' in read) return { ok: false, error: read.error };
    if (!read.parsed.ok) return notASession(read.parsed.tried, read.what);
    const parsed = read.parsed.session;
    if (parsed.isBot) return { ok: false, error: { kind: 'bot_session', message: 'this is a bot session; the panel runs user accounts only' } };
    if (parsed.userId !== null) {
      const existing = this.o.store.byUserId(parsed.userId);
      if (existing !== undefined) return { ok: false, error: { kind: 'already_exists', accountId: existing, message: `this Telegram account is already stored as account #${existing}` } };
    }
    const verified = await verifySession(this.o.api, parsed, proxy?.spec ?? null);
    if (!verified.ok) {
      return { ok: false, error: { kind: 'rejected', failure: verified.failure, message: `Telegram did not accept the ${parsed.format} session: ${verified.failure.message}` } };
    }
    const { self, snapshot } = verified.session;
    const now = this.o.clock.now();
    try {
      const id = this.o.store.create(
        {
          phone: self.phone ?? `+0${self.userId}`,
          userId: self.userId,
          username: self.username,
          firstName: self.firstName,
          proxy: opts.proxyUrl && proxy ? { url: proxy.url, label: proxy.label } : null,
        },
        snapshot,
        now,
      );
      // The session belongs to the operator's other copy too: close, never log out. Closed
      // before anyone may connect the stored account, so the key is never live twice here.
      await verified.session.close();
      const account = this.o.store.get(id, now)!;
      this.o.log.info({ accountId: id, format: parsed.format }, 'account imported');
      this.o.onStored?.(account);
      return { ok: true, account, format: parsed.format };
    } catch (e) {
      await verified.session.close();
      if (e instanceof AccountExistsError) return { ok: false, error: { kind: 'already_exists', accountId: e.existingId, message: e.message } };
      throw e;
    }
  }
}
