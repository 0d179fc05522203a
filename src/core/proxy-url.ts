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

/** Which part of a URL or link a problem is about. */
export type ProxyPart = 'url' | 'mtproxy' | 'socks';

/**
 * Why a proxy URL cannot be used, as a code an interface words in its language:
 * not_a_url (value: the masked text, absent with `echo: false`), unknown_link (value),
 * unknown_scheme (value), no_host (part), bad_host (part, value), no_port (part), no_secret,
 * secret_not_encoded, secret_domain_too_long (max), secret_bad_length (bytes; first, in hex, past 16).
 */
export type ProxyProblemCode =
  | 'not_a_url'
  | 'unknown_link'
  | 'unknown_scheme'
  | 'no_host'
  | 'bad_host'
  | 'no_port'
  | 'no_secret'
  | 'secret_not_encoded'
  | 'secret_domain_too_long'
  | 'secret_bad_length';

/** A problem's code and values, with its English sentence for the command line and logs. */
export interface ProxyProblem {
  code: ProxyProblemCode;
  params: Readonly<Record<string, string | number>>;
  problem: string;
}

export type ParsedProxy = { ok: true; spec: ProxySpec; label: string } | ({ ok: false } & ProxyProblem);

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

function no(code: ProxyProblemCode, problem: string, params: ProxyProblem['params'] = {}): { ok: false } & ProxyProblem {
  return { ok: false, code, params, problem };
}

/** Why an MTProxy secret cannot be used (without repeating it) as a code and its sentence; undefined when it can. */
export function mtproxySecretIssue(secret: string): ProxyProblem | undefined {
  const bytes = secretBytes(secret);
  const forms = 'expected 32 hex digits, dd + 32 hex digits, ee + 32 hex digits + the domain in hex, or the same in base64';
  if (bytes === undefined) return no('secret_not_encoded', `the MTProxy secret is neither hex nor base64: ${forms}`);
  const n = bytes.length;
  if (n === 16) return undefined;
  if (n === 17 && bytes[0] === 0xdd) return undefined;
  if (n >= 18 && bytes[0] === 0xee) {
    if (n - 17 > MAX_FAKE_TLS_DOMAIN) return no('secret_domain_too_long', `the MTProxy secret's domain is longer than ${MAX_FAKE_TLS_DOMAIN} bytes`, { max: MAX_FAKE_TLS_DOMAIN });
    return undefined;
  }
  const first = n > 16 ? bytes[0]!.toString(16).padStart(2, '0') : undefined;
  return no('secret_bad_length', `the MTProxy secret is ${n} bytes long${first !== undefined ? ` and starts with ${first}` : ''}: ${forms}`, first !== undefined ? { bytes: n, first } : { bytes: n });
}

/** Why an MTProxy secret cannot be used, in English, without repeating it; undefined when it can. */
export function mtproxySecretProblem(secret: string): string | undefined {
  return mtproxySecretIssue(secret)?.problem;
}

const PART_EN: Record<ProxyPart, string> = { url: 'proxy URL', mtproxy: 'MTProxy link', socks: 'SOCKS link' };

function hostProblem(host: string | null, part: ProxyPart): ({ ok: false } & ProxyProblem) | undefined {
  if (!host) return no('no_host', `the ${PART_EN[part]} has no server`, { part });
  if (!HOST.test(host)) return no('bad_host', `the ${PART_EN[part]}'s server ${quoteInput(host)} is not a host name or IP address`, { part, value: host });
  return undefined;
}

function mtproxyFrom(q: URLSearchParams): ParsedProxy {
  const host = q.get('server');
  const p = port(q.get('port'));
  const secret = q.get('secret');
  const bad = hostProblem(host, 'mtproxy');
  if (bad) return bad;
  if (p === undefined) return no('no_port', 'the MTProxy link has no valid port (1-65535)', { part: 'mtproxy' });
  if (!secret) return no('no_secret', 'the MTProxy link has no secret');
  const secretBad = mtproxySecretIssue(secret);
  if (secretBad) return { ok: false, ...secretBad };
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
    if (opts.echo === false) return no('not_a_url', `the proxy URL is not a URL; expected ${PROXY_FORMS}`);
    const masked = withoutCredentials(raw);
    return no('not_a_url', `${quoteInput(masked, 60)} is not a URL; expected ${PROXY_FORMS}`, { value: Array.from(masked).slice(0, 60).join('') });
  }
  const internal = u.protocol === 'tg:' || u.protocol === 'mtproxy:';
  if (internal) {
    // tg://proxy?… parses with "proxy" as the host.
    const path = (u.host || u.pathname.replace(/^\/+/, '')).toLowerCase();
    if (path === 'proxy' || u.protocol === 'mtproxy:') return mtproxyFrom(u.searchParams);
    if (path === 'socks') {
      const host = u.searchParams.get('server');
      const p = port(u.searchParams.get('port'));
      const bad = hostProblem(host, 'socks');
      if (bad) return bad;
      if (p === undefined) return no('no_port', 'the SOCKS link has no valid port (1-65535)', { part: 'socks' });
      const spec: ProxySpec = { kind: 'socks', version: 5, host: host!, port: p };
      const user = u.searchParams.get('user');
      const pass = u.searchParams.get('pass');
      if (user) spec.user = user;
      if (pass) spec.password = pass;
      return { ok: true, spec, label: `socks5://${user ? user + ':***@' : ''}${host}:${p}` };
    }
    return no('unknown_link', `unknown proxy link ${quoteInput(`${u.protocol}//${path}`)}; expected ${PROXY_FORMS}`, { value: `${u.protocol}//${path}` });
  }
  if ((u.hostname === 't.me' || u.hostname === 'telegram.me') && u.pathname.replace(/\/+$/, '') === '/proxy') return mtproxyFrom(u.searchParams);
  if ((u.hostname === 't.me' || u.hostname === 'telegram.me') && u.pathname.replace(/\/+$/, '') === '/socks') {
    return parseProxyUrl(`tg://socks${u.search}`);
  }
  const scheme = u.protocol.slice(0, -1);
  if (!['socks4', 'socks5', 'socks5h', 'http', 'https'].includes(scheme)) return no('unknown_scheme', `unknown proxy scheme ${quoteInput(scheme)}; expected ${PROXY_FORMS}`, { value: scheme });
  if (u.hostname === '') return no('no_host', 'the proxy URL has no host', { part: 'url' });
  // URL drops a scheme's default port (https://h:443 -> port ""): put it back for http(s).
  const p = port(u.port !== '' ? u.port : scheme === 'https' ? '443' : scheme === 'http' ? '80' : null);
  if (p === undefined) return no('no_port', 'the proxy URL needs an explicit port (1-65535)', { part: 'url' });
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
