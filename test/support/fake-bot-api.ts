/**
 * A fake Telegram Bot API for tests: the same in-memory server behind two fronts, a loopback HTTP
 * server with real long polling for `getUpdates` (`listen()`), and a `fetch` for grammY's
 * `client.fetch` that needs no socket. It records every call, keeps the messages it was sent so
 * edits that change nothing fail like Telegram's ("message is not modified"), serves files, and
 * can be told to answer the next call(s) of a method with 429 and `retry_after`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update, UserFromGetMe } from 'grammy/types';

export const TOKEN = '123456789:AAFakeTokenForTestsOnly_abcdefghijkl';

export const BOT_INFO: UserFromGetMe = {
  id: 123456789,
  is_bot: true,
  first_name: 'Panel',
  username: 'panel_test_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

export interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
  /** Index in call order, for "after" assertions. */
  seq: number;
}

export interface StoredMessage {
  chatId: number;
  messageId: number;
  text: string;
  markup: unknown;
  deleted: boolean;
  document?: { fileName: string; content: Buffer };
  /** Who wrote it: the bot, or a user (pushed as an update). */
  fromBot: boolean;
}

interface ApiResult {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

interface Waiter {
  offset: number;
  limit: number;
  resolve: (updates: Update[]) => void;
  timer: NodeJS.Timeout;
}

export interface FakeUser {
  id: number;
  first_name: string;
  username?: string;
  language_code?: string;
}

export class FakeBotApi {
  readonly calls: RecordedCall[] = [];
  private seq = 0;
  private updates: Update[] = [];
  private nextUpdateId = 1;
  private nextMessageId = new Map<number, number>();
  private readonly messages = new Map<string, StoredMessage>();
  private readonly files = new Map<string, { path: string; content: Buffer }>();
  private readonly waiters = new Set<Waiter>();
  private readonly failures = new Map<string, Array<{ code: number; description: string; retryAfter?: number }>>();
  private server: Server | undefined;
  private nextFile = 1;
  private callbackIds = 1;
  private stalled = false;

  /** Called for every recorded call (tests note the virtual time of each). */
  onCall: ((call: RecordedCall) => void) | undefined;

  constructor(readonly token = TOKEN) {}

  // --- test controls ---

  /** The next `times` calls of `method` fail with 429 and `retry_after`. */
  rateLimitNext(method: string, retryAfter: number, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push({ code: 429, description: `Too Many Requests: retry after ${retryAfter}`, retryAfter });
    this.failures.set(method, list);
  }

  failNext(method: string, code: number, description: string): void {
    const list = this.failures.get(method) ?? [];
    list.push({ code, description });
    this.failures.set(method, list);
  }

  /**
   * From now on the API accepts calls and never answers them (a Bot API behind a black hole);
   * long polls waiting now never return either.
   */
  stall(): void {
    this.stalled = true;
    for (const w of this.waiters) clearTimeout(w.timer);
    this.waiters.clear();
  }

  /** Queues an update for getUpdates (waking a pending long poll) and returns it. */
  push(update: Omit<Update, 'update_id'>): Update {
    const u = { ...update, update_id: this.nextUpdateId++ };
    this.updates.push(u);
    this.wake();
    return u;
  }

  /** A text message from `from` in their private chat (not queued: pass it to push or handleUpdate). */
  textUpdate(from: FakeUser, text: string): Omit<Update, 'update_id'> {
    const entities = text.startsWith('/') ? [{ type: 'bot_command' as const, offset: 0, length: text.split(/\s/)[0]!.length }] : undefined;
    return this.userMessage(from, text, { text, ...(entities ? { entities } : {}) });
  }

  /** A file the user sent: stored so getFile and the download path serve it. */
  documentUpdate(from: FakeUser, fileName: string, content: Buffer | string): Omit<Update, 'update_id'> {
    const fileId = this.addFile(fileName, content);
    return this.userMessage(from, '', { document: { file_id: fileId, file_unique_id: `u${fileId}`, file_name: fileName, file_size: Buffer.byteLength(content) } });
  }

  /** A photo the user sent as a photo: a small preview and the full size, both served by getFile. */
  photoUpdate(from: FakeUser, content: Buffer, width: number, height: number): Omit<Update, 'update_id'> {
    const thumb = this.addFile('thumb.jpg', content.subarray(0, Math.min(content.length, 64)));
    const full = this.addFile('photo.jpg', content);
    return this.userMessage(from, '', {
      photo: [
        { file_id: thumb, file_unique_id: `u${thumb}`, width: Math.min(width, 90), height: Math.min(height, 90), file_size: Math.min(content.length, 64) },
        { file_id: full, file_unique_id: `u${full}`, width, height, file_size: content.length },
      ],
    });
  }

  /** A sticker or photo: something that is neither text nor a document. */
  stickerUpdate(from: FakeUser): Omit<Update, 'update_id'> {
    return this.userMessage(from, '', { sticker: { file_id: 's', file_unique_id: 's', type: 'regular', width: 1, height: 1, is_animated: false, is_video: false } }, false);
  }

  /** A message from `from` in their private chat; recorded (unless told not to) so deletions can be checked. */
  private userMessage(from: FakeUser, text: string, content: object, record = true): Omit<Update, 'update_id'> {
    const messageId = this.allocMessageId(from.id);
    if (record) this.store({ chatId: from.id, messageId, text, markup: undefined, deleted: false, fromBot: false });
    return {
      message: {
        message_id: messageId,
        date: 1_700_000_000,
        chat: { id: from.id, type: 'private', first_name: from.first_name },
        from: { ...from, is_bot: false },
        ...content,
      },
    };
  }

  /** A press on a button of message `messageId` in `chatId` (default: the user's private chat). */
  callbackUpdate(from: FakeUser, messageId: number, data: string, chatId = from.id): Omit<Update, 'update_id'> {
    const m = this.messages.get(key(chatId, messageId));
    return {
      callback_query: {
        id: String(this.callbackIds++),
        from: { ...from, is_bot: false },
        chat_instance: 'ci',
        data,
        message: {
          message_id: messageId,
          date: 1_700_000_000,
          chat: chatId > 0 ? { id: chatId, type: 'private', first_name: from.first_name } : { id: chatId, type: 'channel', title: 'hits' },
          text: m?.text ?? '',
        },
      },
    };
  }

  inlineUpdate(from: FakeUser, query: string): Omit<Update, 'update_id'> {
    return { inline_query: { id: String(this.callbackIds++), from: { ...from, is_bot: false }, query, offset: '' } };
  }

  addFile(fileName: string, content: Buffer | string): string {
    const id = `file${this.nextFile++}`;
    this.files.set(id, { path: `documents/${id}_${fileName}`, content: Buffer.from(content) });
    return id;
  }

  /** Messages the bot sent or edited in a chat, oldest first, deleted ones included. */
  chat(chatId: number): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.chatId === chatId).sort((a, b) => a.messageId - b.messageId);
  }

  message(chatId: number, messageId: number): StoredMessage | undefined {
    return this.messages.get(key(chatId, messageId));
  }

  /** The newest message the bot sent to a chat that is still there. */
  lastBotMessage(chatId: number): StoredMessage | undefined {
    return this.chat(chatId)
      .filter((m) => m.fromBot && !m.deleted)
      .at(-1);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Callback data of every button on a message, by button text. */
  buttons(m: StoredMessage | undefined): Array<{ text: string; data?: string; url?: string }> {
    const kb = (m?.markup as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string; url?: string }>> } | undefined)?.inline_keyboard ?? [];
    return kb.flat().map((b) => ({ text: b.text, data: b.callback_data, url: b.url }));
  }

  /** Number of getUpdates long polls waiting right now. */
  get pendingPolls(): number {
    return this.waiters.size;
  }

  // --- the API itself ---

  async handle(method: string, payload: Record<string, unknown>, closed?: Promise<void>): Promise<ApiResult> {
    const call = { method, payload, seq: this.seq++ };
    this.calls.push(call);
    this.onCall?.(call);
    if (this.stalled) return new Promise<ApiResult>(() => undefined);
    const queued = this.failures.get(method);
    if (queued && queued.length > 0) {
      const f = queued.shift()!;
      return { ok: false, error_code: f.code, description: f.description, ...(f.retryAfter !== undefined ? { parameters: { retry_after: f.retryAfter } } : {}) };
    }
    switch (method) {
      case 'getMe':
        return ok(BOT_INFO);
      case 'getUpdates':
        return ok(await this.getUpdates(payload, closed));
      case 'sendMessage':
      case 'sendDocument':
        return this.send(method, payload);
      case 'editMessageText':
        return this.editText(payload);
      case 'editMessageReplyMarkup':
        return this.editMarkup(payload);
      case 'deleteMessage': {
        const m = this.messages.get(key(toNumber(payload.chat_id), toNumber(payload.message_id)));
        if (!m || m.deleted) return err(400, 'Bad Request: message to delete not found');
        m.deleted = true;
        return ok(true);
      }
      case 'getFile': {
        const f = this.files.get(String(payload.file_id));
        if (!f) return err(400, 'Bad Request: invalid file_id');
        return ok({ file_id: payload.file_id, file_unique_id: `u${String(payload.file_id)}`, file_size: f.content.length, file_path: f.path });
      }
      default:
        return ok(true);
    }
  }

  private async getUpdates(payload: Record<string, unknown>, closed?: Promise<void>): Promise<Update[]> {
    const offset = payload.offset === undefined ? 0 : toNumber(payload.offset);
    const limit = payload.limit === undefined ? 100 : toNumber(payload.limit);
    const timeout = payload.timeout === undefined ? 0 : toNumber(payload.timeout);
    // A call with an offset confirms every earlier update, as on Telegram.
    if (offset > 0) this.updates = this.updates.filter((u) => u.update_id >= offset);
    const ready = this.updates.slice(0, limit);
    if (ready.length > 0 || timeout === 0) return ready;
    return new Promise((resolve) => {
      const w: Waiter = {
        offset,
        limit,
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          resolve([]);
        }, timeout * 1000),
      };
      this.waiters.add(w);
      // A client that gave up (grammY aborts the poll on stop) no longer waits.
      void closed?.then(() => {
        if (!this.waiters.delete(w)) return;
        clearTimeout(w.timer);
        resolve([]);
      });
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      const ready = this.updates.filter((u) => u.update_id >= w.offset).slice(0, w.limit);
      if (ready.length === 0) continue;
      clearTimeout(w.timer);
      this.waiters.delete(w);
      w.resolve(ready);
    }
  }

  private send(method: string, payload: Record<string, unknown>): ApiResult {
    const chatId = toNumber(payload.chat_id);
    const messageId = this.allocMessageId(chatId);
    const markup = parseJson(payload.reply_markup);
    const doc = payload.document as { fileName: string; content: Buffer } | undefined;
    const text = asText(method === 'sendDocument' ? payload.caption : payload.text);
    const m: StoredMessage = { chatId, messageId, text, markup, deleted: false, fromBot: true };
    if (doc) m.document = doc;
    this.store(m);
    const result: Record<string, unknown> = { message_id: messageId, date: 1_700_000_000, chat: { id: chatId, type: chatId > 0 ? 'private' : 'channel' } };
    if (method === 'sendMessage') result.text = text;
    else result.document = { file_id: `sent${messageId}`, file_unique_id: `sent${messageId}`, file_name: doc?.fileName };
    return ok(result);
  }

  private editText(payload: Record<string, unknown>): ApiResult {
    const m = this.messages.get(key(toNumber(payload.chat_id), toNumber(payload.message_id)));
    if (!m || m.deleted) return err(400, 'Bad Request: message to edit not found');
    const text = asText(payload.text);
    const markup = parseJson(payload.reply_markup);
    if (m.text === text && JSON.stringify(m.markup ?? null) === JSON.stringify(markup ?? null)) {
      return err(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    }
    m.text = text;
    m.markup = markup;
    return ok({ message_id: m.messageId, date: 1_700_000_000, chat: { id: m.chatId, type: 'private' }, text });
  }

  private editMarkup(payload: Record<string, unknown>): ApiResult {
    const m = this.messages.get(key(toNumber(payload.chat_id), toNumber(payload.message_id)));
    if (!m || m.deleted) return err(400, 'Bad Request: message to edit not found');
    const markup = parseJson(payload.reply_markup);
    if (JSON.stringify(m.markup ?? null) === JSON.stringify(markup ?? null)) return err(400, 'Bad Request: message is not modified');
    m.markup = markup;
    return ok(true);
  }

  private allocMessageId(chatId: number): number {
    const id = this.nextMessageId.get(chatId) ?? 1;
    this.nextMessageId.set(chatId, id + 1);
    return id;
  }

  private store(m: StoredMessage): void {
    this.messages.set(key(m.chatId, m.messageId), m);
  }

  // --- fronts ---

  /** A `fetch` for grammY's `client.fetch`: the same API with no socket. */
  readonly fetch = async (input: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<Response> => {
    const url = new URL(input);
    const file = this.fileFor(url.pathname);
    if (file !== undefined) return file ? new Response(new Uint8Array(file)) : new Response('not found', { status: 404 });
    const method = this.methodFor(url.pathname);
    if (!method) return new Response(JSON.stringify(err(404, 'Not Found')), { status: 404 });
    const body = await readBody(init?.body);
    const payload = parsePayload(body, init?.headers?.['content-type']);
    return new Response(JSON.stringify(await this.handle(method, payload)), { headers: { 'content-type': 'application/json' } });
  };

  /** Starts the loopback HTTP server; returns its apiRoot. */
  async listen(): Promise<string> {
    const server = createServer((req, res) => void this.serve(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve([]);
    }
    this.waiters.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const file = this.fileFor(path);
      if (file !== undefined) {
        res.writeHead(file ? 200 : 404).end(file ?? 'not found');
        return;
      }
      const method = this.methodFor(path);
      if (!method) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(err(404, 'Not Found')));
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const payload = parsePayload(Buffer.concat(chunks), req.headers['content-type']);
      const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
      const result = await this.handle(method, payload, closed);
      if (res.destroyed) return;
      res.writeHead(result.ok ? 200 : (result.error_code ?? 400), { 'content-type': 'application/json' }).end(JSON.stringify(result));
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  }

  private methodFor(path: string): string | undefined {
    const prefix = `/bot${this.token}/`;
    return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
  }

  /** undefined: not a file path; null: a file path that names nothing. */
  private fileFor(path: string): Buffer | null | undefined {
    const prefix = `/file/bot${this.token}/`;
    if (!path.startsWith(prefix)) return undefined;
    const wanted = decodeURIComponent(path.slice(prefix.length));
    for (const f of this.files.values()) if (f.path === wanted) return f.content;
    return null;
  }
}

function key(chatId: number, messageId: number): string {
  return `${chatId}:${messageId}`;
}

function ok(result: unknown): ApiResult {
  return { ok: true, result };
}

function err(code: number, description: string): ApiResult {
  return { ok: false, error_code: code, description };
}

function asText(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

async function readBody(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

function parsePayload(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  if (body.length === 0) return {};
  if (contentType?.startsWith('multipart/form-data')) {
    const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
    if (!boundary) throw new Error('multipart without a boundary');
    const out: Record<string, unknown> = {};
    const files = new Map<string, { fileName: string; content: Buffer }>();
    for (const part of splitMultipart(body, boundary)) {
      const name = /name="?([^";]+)"?/i.exec(part.disposition)?.[1];
      const fileName = /filename="?([^";]+)"?/i.exec(part.disposition)?.[1];
      if (name === undefined) continue;
      if (fileName !== undefined) files.set(name, { fileName, content: part.body });
      else out[name] = part.body.toString('utf8');
    }
    // grammY sends each file as its own part and names it in the field as `attach://<id>`.
    for (const [k, v] of Object.entries(out)) {
      if (typeof v === 'string' && v.startsWith('attach://')) out[k] = files.get(v.slice('attach://'.length));
    }
    return out;
  }
  return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
}

/** The parts of a multipart/form-data body (grammY writes headers without spaces or quotes). */
function splitMultipart(body: Buffer, boundary: string): Array<{ disposition: string; body: Buffer }> {
  const parts: Array<{ disposition: string; body: Buffer }> = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const chunk = body.subarray(start + 2, next - 2); // drop the CRLF after the delimiter and before the next
    const headerEnd = chunk.indexOf('\r\n\r\n');
    const headers = chunk.subarray(0, headerEnd).toString('utf8');
    const disposition = headers.split('\r\n').find((l) => l.toLowerCase().startsWith('content-disposition')) ?? '';
    parts.push({ disposition, body: chunk.subarray(headerEnd + 4) });
    pos = next;
  }
  return parts;
}

/** Waits until `check` returns a value (not undefined/false), polling between event-loop turns. */
export async function eventually<T>(check: () => T | undefined | false, what = 'condition', deadlineMs = 5000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
