// Parsing only, without mtcute: the configuration check and the fleet read proxy URLs in commands
// that never connect (the transports live in client.ts).
export type ProxySpec =
  | { kind: 'socks'; version: 4 | 5; host: string; port: number; user?: string; password?: string }
  | { kind: 'http'; tls: boolean; host: string; port: number; user?: string; password?: string }
  | { kind: 'mtproxy'; host: string; port: number; secret: string };

export type ParsedProxy = { ok: true; spec: ProxySpec; label: string } | { ok: false; problem: string };

const FORMS = 'socks5://[user:pass@]host:port, socks4://host:port, http(s)://[user:pass@]host:port, or tg://proxy?server=..&port=..&secret=.. (MTProxy)';

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

function mtproxyFrom(q: URLSearchParams): ParsedProxy {
  const host = q.get('server');
  const p = port(q.get('port'));
  const secret = q.get('secret');
  if (!host) return { ok: false, problem: 'the MTProxy link has no server' };
  if (p === undefined) return { ok: false, problem: 'the MTProxy link has no valid port (1-65535)' };
  if (!secret || !/^[0-9a-fA-F]{32,}$|^[A-Za-z0-9_=+/-]{22,}$/.test(secret)) return { ok: false, problem: 'the MTProxy link has no valid secret' };
  return { ok: true, spec: { kind: 'mtproxy', host, port: p, secret }, label: `tg://proxy?server=${host}&port=${p}` };
}

/** The text as typed, with anything that may be a password or secret replaced by ***. */
function withoutCredentials(raw: string): string {
  const at = raw.lastIndexOf('@');
  const scheme = raw.indexOf('//');
  const shown = at === -1 ? raw : (scheme !== -1 && scheme < at ? raw.slice(0, scheme + 2) : '') + '***' + raw.slice(at);
  return shown.replace(/([?&](?:pass|password|secret)=)[^&]*/gi, '$1***');
}

/** Parses a proxy URL the operator typed; the label shows it without password or secret. */
export function parseProxyUrl(text: string): ParsedProxy {
  const raw = text.trim();
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, problem: `"${withoutCredentials(raw).slice(0, 60)}" is not a URL; expected ${FORMS}` };
  }
  const internal = u.protocol === 'tg:' || u.protocol === 'mtproxy:';
  if (internal) {
    // tg://proxy?… parses with "proxy" as the host.
    const path = (u.host || u.pathname.replace(/^\/+/, '')).toLowerCase();
    if (path === 'proxy' || u.protocol === 'mtproxy:') return mtproxyFrom(u.searchParams);
    if (path === 'socks') {
      const host = u.searchParams.get('server');
      const p = port(u.searchParams.get('port'));
      if (!host || p === undefined) return { ok: false, problem: 'the SOCKS link needs server and port' };
      const spec: ProxySpec = { kind: 'socks', version: 5, host, port: p };
      const user = u.searchParams.get('user');
      const pass = u.searchParams.get('pass');
      if (user) spec.user = user;
      if (pass) spec.password = pass;
      return { ok: true, spec, label: `socks5://${user ? user + ':***@' : ''}${host}:${p}` };
    }
    return { ok: false, problem: `unknown proxy link ${u.protocol}//${path}; expected ${FORMS}` };
  }
  if ((u.hostname === 't.me' || u.hostname === 'telegram.me') && u.pathname.replace(/\/+$/, '') === '/proxy') return mtproxyFrom(u.searchParams);
  const scheme = u.protocol.slice(0, -1);
  if (!['socks4', 'socks5', 'socks5h', 'http', 'https'].includes(scheme)) return { ok: false, problem: `unknown proxy scheme "${scheme}"; expected ${FORMS}` };
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
