import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { MemoryStorage, MtProxyTcpTransport } from '@mtcute/node';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { openApp, type App } from '../app.ts';
import { loadConfig } from '../config.ts';
import { isTelegramFailure, type Failure } from '../core/failures.ts';
import { mtproxySecretProblem } from '../core/proxy-url.ts';
import { silentLogger } from '../log.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { buildClient } from './client.ts';
import { snapshotOf } from './storage.ts';

describe('MTProxy secrets', () => {
  /** Whether mtcute's transport takes the secret (it checks in its constructor, before any connect). */
  const mtcuteTakes = (secret: string): boolean => {
    try {
      new MtProxyTcpTransport({ host: 'h', port: 1, secret });
      return true;
    } catch {
      return false;
    }
  };
  const secretBytes = fc.tuple(fc.constantFrom(0xdd, 0xee, 0x00, 0xab), fc.uint8Array({ minLength: 0, maxLength: 210 })).map(([first, rest]) => Buffer.from([first, ...rest]));
  const secret = fc.oneof(
    secretBytes.map((b) => b.toString('hex')),
    secretBytes.map((b) => b.toString('base64url')),
    secretBytes.map((b) => b.toString('base64')),
    fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex')),
  );

  it('are accepted by the parser exactly when the transport that connects accepts them (property)', () => {
    fc.assert(
      fc.property(secret, (s) => {
        expect(mtproxySecretProblem(s) === undefined).toBe(mtcuteTakes(s));
      }),
      { numRuns: 300 },
    );
  });
});

/** A TCP server that counts connections and closes each at once. */
async function closingServer(): Promise<{ server: Server; port: number; connections: () => number }> {
  let n = 0;
  const server = createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { server, port: addr.port, connections: () => n };
}

const servers: Server[] = [];
const apps: App[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const s of servers.splice(0)) s.close();
});

describe('an account behind a failing proxy', () => {
  it('stays disconnected with the proxy as the reason and never connects directly', async () => {
    const proxy = await closingServer();
    // Where the session says Telegram is: a direct connection would land here.
    const direct = await closingServer();
    servers.push(proxy.server, direct.server);

    const dir = tempDir();
    const config = loadConfig({
      DATA_DIR: join(dir, 'data'),
      API_ID: '12345',
      API_HASH: '0123456789abcdef0123456789abcdef',
      PANEL_SECRET: randomBytes(32).toString('base64'),
      PROXY_URL: `socks5://127.0.0.1:${proxy.port}`,
    });
    const app = openApp(config, { log: silentLogger, fleet: { connectTimeoutMs: 1500 } });
    apps.push(app);

    // A stored session whose data center is the "direct" server.
    const mem = new MemoryStorage();
    const tmp = buildClient({ apiId: 1, apiHash: 'x', storage: mem, log: silentLogger, disableUpdates: true });
    const dc = { id: 2, ipAddress: '127.0.0.1', port: direct.port };
    await tmp.client.importSession({ primaryDcs: { main: dc, media: dc }, authKey: randomBytes(256) }, true);
    await tmp.destroy();
    const id = app.accounts.create({ phone: '+15550000001', userId: 42, username: null, firstName: 'P' }, snapshotOf(mem), app.clock.now());

    let failure: Failure | undefined;
    try {
      await app.fleet.session(id);
    } catch (e) {
      if (isTelegramFailure(e)) failure = e.failure;
    }
    expect(failure).toMatchObject({ kind: 'proxy' });
    expect(failure?.message).toContain(`socks5://127.0.0.1:${proxy.port}`);
    expect(proxy.connections()).toBeGreaterThan(0);
    expect(direct.connections()).toBe(0);
    const account = app.accounts.get(id, app.clock.now());
    expect(account).toMatchObject({ status: 'error', statusReason: expect.stringContaining('proxy socks5://127.0.0.1') });
    expect(app.fleet.isLive(id)).toBe(false);
    // The session is still stored.
    expect(app.accounts.sessions.authKeyDcs(id)).toEqual([2]);

    // The account's own proxy wins over PROXY_URL, and is used the same way.
    const own = await closingServer();
    servers.push(own.server);
    app.accounts.setProxy(id, { url: `http://127.0.0.1:${own.port}`, label: `http://127.0.0.1:${own.port}` });
    const before = proxy.connections();
    await expect(app.fleet.session(id)).rejects.toMatchObject({ failure: { kind: 'proxy' } });
    expect(own.connections()).toBeGreaterThan(0);
    expect(proxy.connections()).toBe(before);
    expect(direct.connections()).toBe(0);
  });
});
