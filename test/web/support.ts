import { Writable } from 'node:stream';
import type { App } from '../../src/app.ts';
import type { WebConfig } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { startWebServer, type WebServer } from '../../src/interfaces/web/server.ts';

/** Every log line the server wrote, to look for secrets in. */
export class LogSink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export interface WebHarness {
  server: WebServer;
  log: Logger;
  sink: LogSink;
  url(path: string): string;
  /** fetch with the harness's cookie jar of one (the session cookie) and no redirects followed. */
  request(path: string, init?: RequestInit & { csrf?: string | false; bearer?: string }): Promise<Response>;
  cookie: string | undefined;
  signIn(): Promise<{ csrf: string }>;
}

export async function startHarness(app: App, web: Partial<WebConfig> = {}): Promise<WebHarness> {
  const sink = new LogSink();
  const log = createLogger({ level: 'debug', destination: sink, style: 'json' });
  const server = await startWebServer(app, { host: '127.0.0.1', port: 0, origin: undefined, ...web }, log, { events: { pollMs: 100 } });
  const h: WebHarness = {
    server,
    log,
    sink,
    cookie: undefined,
    url: (path) => server.address + path,
    async request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (h.cookie && !init.bearer) headers.set('cookie', h.cookie);
      if (init.bearer) headers.set('authorization', `Bearer ${init.bearer}`);
      if (typeof init.csrf === 'string') headers.set('x-csrf-token', init.csrf);
      const res = await fetch(server.address + path, { ...init, headers, redirect: 'manual' });
      const set = res.headers.getSetCookie();
      for (const c of set) {
        const [pair] = c.split(';');
        if (pair!.includes('tp_session=')) h.cookie = pair!.endsWith('=') ? undefined : pair;
      }
      return res;
    },
    async signIn() {
      const { token } = app.webAuth.createLink('test');
      const res = await h.request('/signin', { method: 'POST', body: new URLSearchParams({ t: token }) });
      if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
      const page = await h.request('/api/v1/status');
      if (page.status !== 200) throw new Error(`status answered ${page.status}`);
      return { csrf: app.webAuth.csrfToken(h.cookie!.split('=')[1]!) };
    },
  };
  return h;
}

/** Reads an SSE response until `until` says stop; returns the events seen. */
export async function readEvents(
  res: Response,
  until: (e: { id: string; event: string; data: unknown }) => boolean,
): Promise<Array<{ id: string; event: string; data: unknown }>> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: Array<{ id: string; event: string; data: unknown }> = [];
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(':');
          fields.set(line.slice(0, i), line.slice(i + 1).replace(/^ /, ''));
        }
        if (!fields.has('data')) continue;
        const e = { id: fields.get('id') ?? '', event: fields.get('event') ?? 'message', data: JSON.parse(fields.get('data')!) as unknown };
        events.push(e);
        if (until(e)) return events;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
