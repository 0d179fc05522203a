import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { MemoryStorage } from '@mtcute/node';
import { afterEach, describe, expect, it } from 'vitest';
import { openApp, type App } from '../app.ts';
import { loadConfig } from '../config.ts';
import { isTelegramFailure, type Failure } from '../core/failures.ts';
import { silentLogger } from '../log.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { buildClient } from './client.ts';
import { parseProxyUrl } from './proxy.ts';
import { snapshotOf } from './storage.ts';

describe('parseProxyUrl', () => {
  it.each([
    ['socks5://user:p%40ss@10.0.0.1:1080', { kind: 'socks', version: 5, host: '10.0.0.1', port: 1080, user: 'user', password: 'p@ss' }, 'socks5://user:***@10.0.0.1:1080'],
    ['socks4://10.0.0.1:1080', { kind: 'socks', version: 4 }, 'socks4://10.0.0.1:1080'],
    ['http://proxy.example:3128', { kind: 'http', tls: false, host: 'proxy.example', port: 3128 }, 'http://proxy.example:3128'],
    ['https://u:p@proxy.example:443', { kind: 'http', tls: true, user: 'u', password: 'p' }, 'https://u:***@proxy.example:443'],
    ['tg://proxy?server=mt.example&port=443&secret=ee0123456789abcdef0123456789abcdef', { kind: 'mtproxy', host: 'mt.example', port: 443 }, 'tg://proxy?server=mt.example&port=443'],
    ['https://t.me/proxy?server=mt.example&port=8443&secret=dd0123456789abcdef0123456789abcdef', { kind: 'mtproxy', port: 8443 }, 'tg://proxy?server=mt.example&port=8443'],
    ['tg://socks?server=1.2.3.4&port=1080&user=a&pass=b', { kind: 'socks', version: 5, user: 'a', password: 'b' }, 'socks5://a:***@1.2.3.4:1080'],
  ])('%s', (url, spec, label) => {
    const p = parseProxyUrl(url);
    expect(p.ok).toBe(true);
    if (p.ok) {
      expect(p.spec).toMatchObject(spec);
      expect(p.label).toBe(label);
      expect(p.label).not.toMatch(/p%40ss|p@ss|secret/);
    }
  });

  it.each([
    ['ftp://h:21', /unknown proxy scheme "ftp"/],
    ['socks5://host', /explicit port/],
    ['socks5://host:99999', /not a URL/],
    ['not a url', /not a URL/],
    ['tg://proxy?server=h&port=443', /secret/],
    ['tg://unknown?x=1', /unknown proxy link/],
  ])('refuses %s', (url, problem) => {
    const p = parseProxyUrl(url);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.problem).toMatch(problem);
  });
  it.each([
    ['socks5://me:hunter2@:1', 'socks5://***@:1'],
    ['socks5://me:hun/ter2@h:1', 'socks5://***@h:1'],
    ['//me:hunter2@h:1', '//***@h:1'],
    ['tg://pr oxy?server=h&port=1&secret=hunter2', 'tg://pr oxy?server=h&port=1&secret=***'],
  ])('never echoes the password or secret of an unreadable URL (%s)', (url, shown) => {
    const p = parseProxyUrl(url);
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.problem).toContain(`"${shown}" is not a URL`);
      expect(p.problem).not.toContain('hunter2');
    }
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
