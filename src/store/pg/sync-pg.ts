import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

export interface PgQueryResult {
  rows: Array<Record<string, unknown>>;
  rowCount: number;
}

export interface PgFailure {
  message: string;
  code?: string;
  detail?: string;
  constraint?: string;
}

/** A PostgreSQL error as the stores see it: SQLSTATE in `code` (e.g. 23505 unique, 40001 serialization). */
export class PgError extends Error {
  readonly code: string | undefined;
  constructor(f: PgFailure) {
    super(f.message);
    this.name = 'PgError';
    this.code = f.code;
  }
}

type Reply = ({ ok: true } | PgQueryResult | { error: PgFailure }) & Partial<PgQueryResult>;

/** Long enough for a lock wait behind another worker's transaction; a dead server must not hang a command forever. */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * One PostgreSQL connection driven synchronously. The stores are synchronous (better-sqlite3's
 * model: a query returns its rows), so on PostgreSQL each query blocks this thread until a worker
 * thread running `pg` answers through a shared flag: the same cost model as SQLite, plus one
 * loopback round trip (tens of microseconds when the server is near). Notifications from LISTEN
 * arrive asynchronously as 'notification' events.
 */
export class SyncPg extends EventEmitter<{ notification: [channel: string, payload: string]; failure: [Error] }> {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly events: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private closed = false;
  private lastId = 0;

  constructor(
    url: string,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    super();
    const calls = new MessageChannel();
    const events = new MessageChannel();
    this.port = calls.port1;
    this.events = events.port1;
    this.worker = new Worker(workerFile(), {
      workerData: { url, flag: this.flag.buffer, port: calls.port2, events: events.port2, applicationName: 'telegram-panel' },
      transferList: [calls.port2, events.port2],
    });
    // The worker and its ports must not keep a finished command alive; close() ends them anyway.
    this.worker.unref();
    this.events.unref();
    this.events.on('message', (m: { channel?: string; payload?: string; error?: PgFailure }) => {
      // Not 'error': an EventEmitter throws that when nobody listens, and a lost LISTEN connection is not fatal.
      if (m.error) this.emit('failure', new PgError(m.error));
      else if (m.channel !== undefined) this.emit('notification', m.channel, m.payload ?? '');
    });
    this.call({ op: 'connect' });
  }

  /** `name` makes PostgreSQL parse and plan the text once per connection (a prepared statement). */
  query(sql: string, params: readonly unknown[] = [], name?: string): PgQueryResult {
    const r = this.call({ op: 'query', sql, params, name });
    return { rows: (r.rows ?? []).map(fromClone), rowCount: r.rowCount ?? 0 };
  }

  /** Subscribes to a NOTIFY channel on a second connection (a LISTEN needs one that stays idle). */
  listen(channel: string): void {
    this.call({ op: 'listen', channel });
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ op: 'close' });
    } finally {
      this.closed = true;
      this.port.close();
      this.events.close();
      void this.worker.terminate();
    }
  }

  get open(): boolean {
    return !this.closed;
  }

  private call(req: { op: string; [k: string]: unknown }): Reply {
    if (this.closed) throw new PgError({ message: 'the PostgreSQL connection is closed' });
    const id = ++this.lastId;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...req, id });
    const deadline = performance.now() + this.timeoutMs;
    // The flag only says "look now": the answer is the message carrying this call's id. A wake-up
    // without it (seen under load with child processes signalling) waits again instead of failing.
    for (;;) {
      for (let got = receiveMessageOnPort(this.port); got; got = receiveMessageOnPort(this.port)) {
        const r = got.message as Reply & { id?: number };
        if (r.id !== id) continue;
        if ('error' in r && r.error) throw new PgError(r.error);
        return r;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        this.closed = true;
        void this.worker.terminate();
        throw new PgError({ message: `PostgreSQL did not answer within ${Math.round(this.timeoutMs / 1000)} s` });
      }
      // A flag set since the last look: look again at once; reset, so one already read cannot spin.
      if (Atomics.compareExchange(this.flag, 0, 1, 0) === 1) continue;
      Atomics.wait(this.flag, 0, 0, Math.min(left, 100));
    }
  }
}

/** Structured clone turns Buffers into plain Uint8Arrays; the stores expect Buffers as SQLite gives. */
function fromClone(row: Record<string, unknown>): Record<string, unknown> {
  for (const k in row) {
    const v = row[k];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  return row;
}

/**
 * Beside this module in src/; in dist/ the build copies it to dist/ itself, which is beside the
 * entry or one folder up from the chunk that holds this module.
 */
function workerFile(): URL {
  const candidates = [new URL('./pg-worker.mjs', import.meta.url), new URL('../pg-worker.mjs', import.meta.url)];
  return candidates.find((u) => existsSync(u)) ?? candidates[0]!;
}
