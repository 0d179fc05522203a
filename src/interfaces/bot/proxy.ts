import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { parseProxyUrl } from '../../core/proxy-url.ts';

/**
 * The HTTP agent that sends the bot's Bot API calls through `PROXY_URL`, read by the same parser
 * as the accounts' connections (so `tg://socks?…` works here too). MTProxy only carries MTProto,
 * so a `tg://proxy` URL cannot serve the bot: undefined, and the caller says so.
 */
export function botProxyAgent(proxyUrl: string | undefined): Agent | undefined {
  if (proxyUrl === undefined) return undefined;
  const parsed = parseProxyUrl(proxyUrl);
  if (!parsed.ok || parsed.spec.kind === 'mtproxy') return undefined;
  const s = parsed.spec;
  const auth = s.user !== undefined ? `${encodeURIComponent(s.user)}${s.password !== undefined ? ':' + encodeURIComponent(s.password) : ''}@` : '';
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  // socks5h resolves api.telegram.org at the proxy, which is what a blocked network needs.
  if (s.kind === 'socks') return new SocksProxyAgent(`${s.version === 4 ? 'socks4' : 'socks5h'}://${auth}${host}:${s.port}`);
  return new HttpsProxyAgent(`${s.tls ? 'https' : 'http'}://${auth}${host}:${s.port}`);
}
