// The PostgreSQL side of SyncPg (sync-pg.ts): runs in a worker thread, owns the connections, and
// answers each request on `port`, then wakes the blocked main thread through the shared flag.
// Plain JavaScript so that the same file runs under vitest (from src/) and from dist/.
import { workerData } from 'node:worker_threads';
import pg from 'pg';

const { url, flag: flagBuffer, port, events, applicationName } = workerData;
const flag = new Int32Array(flagBuffer);

// Epoch-millisecond timestamps and ids fit in a double; the stores expect numbers as SQLite gives.
pg.types.setTypeParser(20, (v) => Number(v)); // int8
pg.types.setTypeParser(1700, (v) => Number(v)); // numeric (sum, avg)
pg.types.setTypeParser(16, (v) => (v === 't' ? 1 : 0)); // bool, as SQLite's 0/1

const client = new pg.Client({ connectionString: url, application_name: applicationName });
let listener;
let connected;

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
  if (!listener) {
    listener = new pg.Client({ connectionString: url, application_name: applicationName });
    listener.on('notification', (n) => events.postMessage({ channel: n.channel, payload: n.payload ?? '' }));
    listener.on('error', (e) => events.postMessage({ error: failure(e).error }));
    await listener.connect();
  }
  await listener.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
}

port.on('message', async (req) => {
  current = req.id;
  try {
    if (req.op === 'connect') {
      connected ??= client.connect();
      await connected;
      client.on('error', (e) => events.postMessage({ error: failure(e).error }));
      reply({ ok: true });
    } else if (req.op === 'query') {
      const r = await client.query({ text: req.sql, values: req.params, name: req.name });
      reply({ rows: r.rows ?? [], rowCount: r.rowCount ?? 0 });
    } else if (req.op === 'listen') {
      await listen(req.channel);
      reply({ ok: true });
    } else if (req.op === 'close') {
      await Promise.allSettled([client.end(), listener?.end()]);
      reply({ ok: true });
    }
  } catch (e) {
    reply(failure(e));
  }
});
