import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';

/**
 * The HTTP agent that sends the bot's Bot API calls through `PROXY_URL`. MTProxy only carries
 * MTProto, so a `tg://proxy` URL cannot serve the bot: undefined, and the caller says so.
 */
export function botProxyAgent(proxyUrl: string | undefined): Agent | undefined {
  if (proxyUrl === undefined) return undefined;
  const u = new URL(proxyUrl);
  if (u.protocol === 'socks5:' || u.protocol === 'socks5h:' || u.protocol === 'socks4:') {
    // socks5h resolves api.telegram.org at the proxy, which is what a blocked network needs.
    if (u.protocol === 'socks5:') u.protocol = 'socks5h:';
    return new SocksProxyAgent(u.toString());
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') return new HttpsProxyAgent(u.toString());
  return undefined;
}
