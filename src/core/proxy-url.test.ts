import { describe, expect, it } from 'vitest';
import { mtproxySecretProblem, parseProxyUrl } from './proxy-url.ts';

const HEX16 = '0123456789abcdef0123456789abcdef';

describe('parseProxyUrl', () => {
  it.each([
    ['socks5://user:p%40ss@10.0.0.1:1080', { kind: 'socks', version: 5, host: '10.0.0.1', port: 1080, user: 'user', password: 'p@ss' }, 'socks5://user:***@10.0.0.1:1080'],
    ['socks4://10.0.0.1:1080', { kind: 'socks', version: 4 }, 'socks4://10.0.0.1:1080'],
    ['http://proxy.example:3128', { kind: 'http', tls: false, host: 'proxy.example', port: 3128 }, 'http://proxy.example:3128'],
    ['https://u:p@proxy.example:443', { kind: 'http', tls: true, user: 'u', password: 'p' }, 'https://u:***@proxy.example:443'],
    // A fake-TLS secret: ee, 16 bytes, then the domain (here example.com).
    ['tg://proxy?server=mt.example&port=443&secret=ee0123456789abcdef0123456789abcdef6578616d706c652e636f6d', { kind: 'mtproxy', host: 'mt.example', port: 443 }, 'tg://proxy?server=mt.example&port=443'],
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

describe('MTProxy secrets', () => {
  it.each([
    [HEX16, undefined],
    ['dd' + HEX16, undefined],
    ['ee' + HEX16 + Buffer.from('example.com').toString('hex'), undefined],
    [Buffer.from('ee' + HEX16 + Buffer.from('example.com').toString('hex'), 'hex').toString('base64url'), undefined],
    [Buffer.from(HEX16, 'hex').toString('base64'), undefined],
    ['ee', /1 bytes/],
    ['ee00', /2 bytes/],
    [HEX16 + 'a', /neither hex nor base64/],
    ['aa' + HEX16, /17 bytes long and starts with aa/],
    ['ee' + HEX16 + 'ab'.repeat(183), /longer than 182/],
    ['not a secret!', /neither hex nor base64/],
  ])('%s', (secret, problem) => {
    const p = mtproxySecretProblem(secret);
    if (problem === undefined) expect(p).toBeUndefined();
    else expect(p).toMatch(problem);
  });

  it('refuses a link with an unusable secret without repeating it', () => {
    const secret = 'ee0123456789abcdef';
    const p = parseProxyUrl(`tg://proxy?server=mt.example&port=443&secret=${secret}`);
    expect(p).toMatchObject({ ok: false, problem: expect.stringMatching(/MTProxy secret is 9 bytes long/) });
    expect(JSON.stringify(p)).not.toContain(secret);
  });
});

describe('proxy links in other forms', () => {
  it('reads t.me/socks like tg://socks', () => {
    expect(parseProxyUrl('https://t.me/socks?server=1.2.3.4&port=1080')).toMatchObject({ ok: true, spec: { kind: 'socks', version: 5, host: '1.2.3.4', port: 1080 } });
  });

  it.each([
    ['tg://socks?server=bad host&port=1080', /server "bad host" is not a host name/],
    ['tg://socks?port=1080', /has no server/],
    ['tg://socks?server=h&port=0', /no valid port/],
    ['tg://proxy?server=h\u001b&port=1&secret=' + HEX16, /\\u001b/],
  ])('refuses %s', (url, problem) => {
    const p = parseProxyUrl(url);
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.problem).toMatch(problem);
      expect(p.problem).not.toMatch(/\p{Cc}/u);
    }
  });
});
