// The PostgreSQL side of SyncPg (sync-pg.ts): runs in a worker thread, owns the connections, and
// answers each request on `port`, then wakes the blocked main thread through the shared flag.
// Plain JavaScript so that the same file runs under vitest (from src/) and from dist/.
import { setTimeout } from 'node:timers';
import { workerData } from 'node:worker_threads';
import pg from 'pg';

const { url, flag: flagBuffer, port, events, applicationName } = workerData;
const flag = new Int32Array(flagBuffer);

// Epoch-millisecond timestamps and ids fit in a double; the stores expect numbers as SQLite gives.
pg.types.setTypeParser(20, (v) => Number(v)); // int8
pg.types.setTypeParser(1700, (v) => Number(v)); // numeric (sum, avg)
pg.types.setTypeParser(16, (v) => (v === 't' ? 1 : 0)); // bool, as SQLite's 0/1

// Replaced after it fails (the server restarted, an administrator ended the session): the call that
// met the failure reports it, the next one runs on a new connection. A transaction cut that way is
// rolled back by the server, and its caller sees the error.
let client;
let broken = true;
let listener;
const channels = new Set();

async function connection() {
  if (!broken) return client;
  const c = new pg.Client({ connectionString: url, application_name: applicationName });
  c.on('error', (e) => {
    if (c === client) broken = true;
    events.postMessage({ error: failure(e).error });
  });
  c.on('end', () => {
    if (c === client) broken = true;
  });
  await c.connect();
  client = c;
  broken = false;
  return c;
}

let current = 0;

function reply(message) {
  port.postMessage({ ...message, id: current });
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function failure(e) {
  return { error: { message: e instanceof Error ? e.message : String(e), code: e?.code, detail: e?.detail, constraint: e?.constraint } };
}

async function listen(channel) {
  channels.add(channel);
  if (!listener) {
    const l = new pg.Client({ connectionString: url, application_name: applicationName });
    l.on('notification', (n) => events.postMessage({ channel: n.channel, payload: n.payload ?? '' }));
    // A lost listener comes back by itself with every channel: nothing else would ask for it again.
    const lost = (e) => {
      if (listener !== l) return;
      listener = undefined;
      if (e) events.postMessage({ error: failure(e).error });
      setTimeout(() => void relisten(), 1000).unref();
    };
    l.on('error', lost);
    l.on('end', () => lost());
    listener = l;
    try {
      await l.connect();
    } catch (e) {
      lost(e);
      throw e;
    }
    for (const c of channels) if (c !== channel) await l.query(`LISTEN ${quoted(c)}`);
  }
  await listener.query(`LISTEN ${quoted(channel)}`);
}

async function relisten() {
  const [first] = channels;
  if (first === undefined || listener || closing) return;
  try {
    await listen(first);
  } catch {
    // `lost` has scheduled the next try.
  }
}

function quoted(channel) {
  return `"${channel.replaceAll('"', '""')}"`;
}

let closing = false;

port.on('message', async (req) => {
  current = req.id;
  try {
    if (req.op === 'connect') {
      await connection();
      reply({ ok: true });
    } else if (req.op === 'query') {
      const c = await connection();
      const r = await c.query({ text: req.sql, values: req.params, name: req.name });
      reply({ rows: r.rows ?? [], rowCount: r.rowCount ?? 0 });
    } else if (req.op === 'listen') {
      await listen(req.channel);
      reply({ ok: true });
    } else if (req.op === 'close') {
      closing = true;
      const l = listener;
      listener = undefined;
      await Promise.allSettled([broken ? undefined : client?.end(), l?.end()]);
      reply({ ok: true });
    }
  } catch (e) {
    reply(failure(e));
  }
});
