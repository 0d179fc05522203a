import { quoteInput } from './text.ts';

/**
 * Proxy URLs as operators give them (PROXY_URL, an account's --proxy, the bot). One parser serves
 * `config check` and the connection, so a URL the check accepts is one the panel can connect
 * through. Pure; passwords and MTProxy secrets never appear in a problem or a label.
 */

export type ProxySpec =
  | { kind: 'socks'; version: 4 | 5; host: string; port: number; user?: string; password?: string }
  | { kind: 'http'; tls: boolean; host: string; port: number; user?: string; password?: string }
  | { kind: 'mtproxy'; host: string; port: number; secret: string };

export type ParsedProxy = { ok: true; spec: ProxySpec; label: string } | { ok: false; problem: string };

export const PROXY_FORMS =
  'socks5://[user:pass@]host:port, socks4://host:port, http(s)://[user:pass@]host:port, tg://socks?server=..&port=..[&user=..&pass=..], or tg://proxy?server=..&port=..&secret=.. (MTProxy)';

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?)+$|^\[?[0-9A-Fa-f:.]+\]?$/;

function port(raw: string | null): number | undefined {
  if (raw === null || !/^\d{1,5}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 && n <= 65535 ? n : undefined;
}

function decode(s: string): string | undefined {
  if (s === '') return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The secret's bytes as mtcute reads them (hex when it is all hex digits, else base64/base64url). */
function secretBytes(secret: string): number[] | undefined {
  if (/^[0-9a-fA-F]+$/.test(secret)) {
    if (secret.length % 2 !== 0) return undefined;
    const out: number[] = [];
    for (let i = 0; i < secret.length; i += 2) out.push(parseInt(secret.slice(i, i + 2), 16));
    return out;
  }
  const body = secret.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]+$/.test(body) || body.length % 4 === 1) return undefined;
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const c of body) {
    acc = (acc << 6) | B64.indexOf(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return out;
}

// mtcute's MtProxy transport: 16 bytes (plain), 0xdd + 16 (padded), 0xee + 16 + domain (fake TLS).
const MAX_FAKE_TLS_DOMAIN = 182;

/** Why an MTProxy secret cannot be used, without repeating it; undefined when it can. */
export function mtproxySecretProblem(secret: string): string | undefined {
  const bytes = secretBytes(secret);
  const forms = 'expected 32 hex digits, dd + 32 hex digits, ee + 32 hex digits + the domain in hex, or the same in base64';
  if (bytes === undefined) return `the MTProxy secret is neither hex nor base64: ${forms}`;
  const n = bytes.length;
  if (n === 16) return undefined;
  if (n === 17 && bytes[0] === 0xdd) return undefined;
  if (n >= 18 && bytes[0] === 0xee) {
    if (n - 17 > MAX_FAKE_TLS_DOMAIN) return `the MTProxy secret's domain is longer than ${MAX_FAKE_TLS_DOMAIN} bytes`;
    return undefined;
  }
  return `the MTProxy secret is ${n} bytes long${n > 16 ? ` and starts with ${bytes[0]!.toString(16).padStart(2, '0')}` : ''}: ${forms}`;
}

function hostProblem(host: string | null, what: string): string | undefined {
  if (!host) return `the ${what} has no server`;
  if (!HOST.test(host)) return `the ${what}'s server ${quoteInput(host)} is not a host name or IP address`;
  return undefined;
}

function mtproxyFrom(q: URLSearchParams): ParsedProxy {
  const host = q.get('server');
  const p = port(q.get('port'));
  const secret = q.get('secret');
  const bad = hostProblem(host, 'MTProxy link');
  if (bad) return { ok: false, problem: bad };
  if (p === undefined) return { ok: false, problem: 'the MTProxy link has no valid port (1-65535)' };
  if (!secret) return { ok: false, problem: 'the MTProxy link has no secret' };
  const secretBad = mtproxySecretProblem(secret);
  if (secretBad) return { ok: false, problem: secretBad };
  return { ok: true, spec: { kind: 'mtproxy', host: host!, port: p, secret }, label: `tg://proxy?server=${host}&port=${p}` };
}

/** The text as typed, with anything that may be a password or secret replaced by ***. */
function withoutCredentials(raw: string): string {
  const at = raw.lastIndexOf('@');
  const scheme = raw.indexOf('//');
  const shown = at === -1 ? raw : (scheme !== -1 && scheme < at ? raw.slice(0, scheme + 2) : '') + '***' + raw.slice(at);
  return shown.replace(/([?&](?:pass|password|secret)=)[^&]*/gi, '$1***');
}

/**
 * Parses a proxy URL the operator typed; the label shows it without password or secret.
 * `echo: false` keeps even the masked text out of problems (for a value kept secret as a whole).
 */
export function parseProxyUrl(text: string, opts: { echo?: boolean } = {}): ParsedProxy {
  const raw = text.trim();
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    const shown = opts.echo === false ? 'the proxy URL' : quoteInput(withoutCredentials(raw), 60);
    return { ok: false, problem: `${shown} is not a URL; expected ${PROXY_FORMS}` };
  }
  const internal = u.protocol === 'tg:' || u.protocol === 'mtproxy:';
  if (internal) {
    // tg://proxy?… parses with "proxy" as the host.
    const path = (u.host || u.pathname.replace(/^\/+/, '')).toLowerCase();
    if (path === 'proxy' || u.protocol === 'mtproxy:') return mtproxyFrom(u.searchParams);
    if (path === 'socks') {
      const host = u.searchParams.get('server');
      const p = port(u.searchParams.get('port'));
      const bad = hostProblem(host, 'SOCKS link');
      if (bad) return { ok: false, problem: bad };
      if (p === undefined) return { ok: false, problem: 'the SOCKS link has no valid port (1-65535)' };
      const spec: ProxySpec = { kind: 'socks', version: 5, host: host!, port: p };
      const user = u.searchParams.get('user');
      const pass = u.searchParams.get('pass');
      if (user) spec.user = user;
      if (pass) spec.password = pass;
      return { ok: true, spec, label: `socks5://${user ? user + ':***@' : ''}${host}:${p}` };
    }
    return { ok: false, problem: `unknown proxy link ${quoteInput(`${u.protocol}//${path}`)}; expected ${PROXY_FORMS}` };
  }
  if ((u.hostname === 't.me' || u.hostname === 'telegram.me') && u.pathname.replace(/\/+$/, '') === '/proxy') return mtproxyFrom(u.searchParams);
  if ((u.hostname === 't.me' || u.hostname === 'telegram.me') && u.pathname.replace(/\/+$/, '') === '/socks') {
    return parseProxyUrl(`tg://socks${u.search}`);
  }
  const scheme = u.protocol.slice(0, -1);
  if (!['socks4', 'socks5', 'socks5h', 'http', 'https'].includes(scheme)) return { ok: false, problem: `unknown proxy scheme ${quoteInput(scheme)}; expected ${PROXY_FORMS}` };
  if (u.hostname === '') return { ok: false, problem: 'the proxy URL has no host' };
  // URL drops a scheme's default port (https://h:443 -> port ""): put it back for http(s).
  const p = port(u.port !== '' ? u.port : scheme === 'https' ? '443' : scheme === 'http' ? '80' : null);
  if (p === undefined) return { ok: false, problem: 'the proxy URL needs an explicit port (1-65535)' };
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const user = decode(u.username);
  const password = decode(u.password);
  const base =
    scheme === 'http' || scheme === 'https'
      ? ({ kind: 'http', tls: scheme === 'https', host, port: p } as ProxySpec & { kind: 'http' })
      : ({ kind: 'socks', version: scheme === 'socks4' ? 4 : 5, host, port: p } as ProxySpec & { kind: 'socks' });
  if (user !== undefined) base.user = user;
  if (password !== undefined) base.password = password;
  return { ok: true, spec: base, label: `${scheme}://${user !== undefined ? user + (password !== undefined ? ':***' : '') + '@' : ''}${u.hostname}:${p}` };
}
