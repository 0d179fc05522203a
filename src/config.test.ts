import { describe, expect, it } from 'vitest';
import { checkConfig, ConfigError, decodeSecretKey, loadConfig, VARIABLES } from './config.ts';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_';
const HASH = '0123456789abcdef0123456789abcdef';
const valid = { API_ID: '12345', API_HASH: HASH, BOT_TOKEN: TOKEN, ADMIN_IDS: '111,222' };

function problems(env: Record<string, string | undefined>, needs: Parameters<typeof loadConfig>[1] = ['telegram', 'bot']): string[] {
  try {
    loadConfig(env, needs);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  return [];
}

describe('loadConfig', () => {
  it('accepts a complete configuration and applies defaults', () => {
    const c = loadConfig(valid, ['telegram', 'bot']);
    expect(c.apiId).toBe(12345);
    expect(c.adminIds).toEqual([111, 222]);
    expect(c.channelId).toBeUndefined();
    expect(c.logLevel).toBe('info');
    expect(c.dataDir).toMatch(/data$/);
    expect(c.pacing.campaignPerAccount).toBe(4);
    expect(c.pacing.actionDelay).toEqual({ min: 8, max: 15 });
  });

  it('lists every missing variable in one error', () => {
    const p = problems({});
    expect(p.map((x) => x.split(' ')[0])).toEqual(['API_ID', 'API_HASH', 'BOT_TOKEN', 'ADMIN_IDS']);
    expect(p[0]).toContain('my.telegram.org');
    expect(p[2]).toContain('@BotFather');
    expect(p[3]).toContain('@userinfobot');
  });

  it('asks only for what the command needs', () => {
    expect(problems({}, [])).toEqual([]);
    expect(problems({}, ['telegram'])).toHaveLength(2);
    expect(problems({}, ['bot'])).toHaveLength(2);
  });

  it('reads the workers\' lease timings for every command and refuses a heartbeat too slow for its TTL', () => {
    expect(loadConfig({ ...valid }, []).workers).toEqual({});
    expect(loadConfig({ ...valid, WORKER_TTL_MS: '5000', WORKER_HEARTBEAT_MS: '500' }, []).workers).toEqual({ leaseTtlMs: 5000, heartbeatMs: 500 });
    expect(() => loadConfig({ ...valid, WORKER_TTL_MS: '2000' }, [])).toThrow(/WORKER_HEARTBEAT_MS is more than half of WORKER_TTL_MS/);
    expect(() => loadConfig({ ...valid, WORKER_TTL_MS: '5s' }, [])).toThrow(/WORKER_TTL_MS is not a number of milliseconds/);
  });

  it('accepts the older ADMIN_ID', () => {
    expect(loadConfig({ ...valid, ADMIN_IDS: undefined, ADMIN_ID: '42' }, ['bot']).adminIds).toEqual([42]);
  });

  const malformed: Array<[string, string]> = [
    ['API_ID', 'abc'],
    ['API_ID', '-5'],
    ['API_HASH', 'nothex'],
    ['BOT_TOKEN', 'token-without-colon'],
    ['ADMIN_IDS', '12,abc'],
    ['ADMIN_ID', 'me'],
    ['CHANNEL_ID', 'my channel'],
    ['PANEL_SECRET', 'too-short'],
    ['LOG_LEVEL', 'loud'],
    ['PROXY_URL', 'ftp://host:21'],
    ['ACTION_DELAY', '15-8'],
    ['ACTION_CONCURRENCY', '0'],
    ['CAMPAIGN_DELAY', 'soon'],
    ['CAMPAIGN_PER_ACCOUNT', '1.5'],
    ['CAMPAIGN_DAILY_CAP', '999999'],
  ];
  it.each(malformed)('reports a malformed %s', (name, value) => {
    const env = name === 'ADMIN_ID' ? { ...valid, ADMIN_IDS: undefined, [name]: value } : { ...valid, [name]: value };
    const p = problems(env);
    expect(p).toHaveLength(1);
    expect(p[0]!.startsWith(name + ' ')).toBe(true);
    expect(p[0]).toContain('expected');
  });

  it('collects several malformed values at once', () => {
    const p = problems({ ...valid, API_ID: 'x', LOG_LEVEL: 'loud', CAMPAIGN_DELAY: 'soon' });
    expect(p).toHaveLength(3);
  });

  it('never echoes a secret value, but shows non-secret ones', () => {
    const secretValues = { API_HASH: 'SECRET-HASH-VALUE', BOT_TOKEN: 'SECRET-TOKEN-VALUE', PANEL_SECRET: 'SECRET-PANEL', PROXY_URL: 'SECRET-PROXY' };
    let message = '';
    try {
      loadConfig({ ...valid, ...secretValues, API_ID: 'abc' }, ['telegram', 'bot']);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('(got "abc")');
    for (const v of Object.values(secretValues)) expect(message).not.toContain(v);
    for (const name of Object.keys(secretValues)) expect(VARIABLES[name]?.secret).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(problems({ ...valid, API_ID: '  ' }, ['telegram'])).toEqual([expect.stringMatching(/^API_ID is missing/)]);
  });
});

describe('decodeSecretKey', () => {
  it('reads 32 bytes from hex or base64 and nothing else', () => {
    const key = Buffer.alloc(32, 7);
    expect(decodeSecretKey(key.toString('hex'))?.equals(key)).toBe(true);
    expect(decodeSecretKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(decodeSecretKey(Buffer.alloc(16).toString('base64'))).toBeUndefined();
    expect(decodeSecretKey('zz'.repeat(32))).toBeUndefined();
  });
});

describe('PROXY_URL', () => {
  const env = (url: string): Record<string, string> => ({ DATA_DIR: '/tmp/x', API_ID: '12345', API_HASH: 'fedcba9876543210fedcba9876543210', PROXY_URL: url });
  it.each([
    'socks5://user:pass@127.0.0.1:1080',
    'http://proxy.local:8080',
    'https://proxy.local:443',
    'tg://proxy?server=1.2.3.4&port=443&secret=0123456789abcdef0123456789abcdef',
    'https://t.me/proxy?server=1.2.3.4&port=443&secret=dd0123456789abcdef0123456789abcdef',
    // Refused here before, though the connection accepted it.
    'tg://socks?server=1.2.3.4&port=1080&user=u&pass=p',
  ])('accepts %s, as the connection does', (url) => {
    expect(loadConfig(env(url), ['telegram']).proxyUrl).toBe(url);
  });

  it.each([
    ['socks5://host', /explicit port/],
    ['ftp://host:21', /unknown proxy scheme "ftp"/],
    ['tg://proxy?server=1.2.3.4', /no valid port/],
    ['not a url', /is not a URL/],
    // Accepted here before and refused only when an account connected.
    ['tg://proxy?server=1.2.3.4&port=443&secret=ee00hunter2hunter2', /MTProxy secret/],
    ['tg://proxy?server=1.2.3.4&port=443&secret=ee0123456789abcdef0123456789abcdef', /MTProxy secret is 17 bytes/],
  ])('refuses %s with the reason, never the secret', (url, problem) => {
    let error: unknown;
    try {
      loadConfig(env(url), ['telegram']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    expect(text).toMatch(problem);
    expect(text).not.toMatch(/hunter2|0123456789abcdef0123|not a url/);
  });
});

describe('a command checks what it needs', () => {
  it('a malformed variable of a part the command does not need reads as unset and is returned as ignored', () => {
    const { config, ignored } = checkConfig({ ...valid, BOT_TOKEN: 'oops', CHANNEL_ID: 'my channel', ADMIN_IDS: 'me' }, ['telegram']);
    expect(config.botToken).toBeUndefined();
    expect(config.channelId).toBeUndefined();
    expect(config.adminIds).toEqual([]);
    expect(config.apiId).toBe(12345);
    expect(ignored.map((p) => p.split(' ')[0])).toEqual(['BOT_TOKEN', 'ADMIN_IDS', 'CHANNEL_ID']);
    expect(ignored.join('\n')).not.toContain('oops');
  });

  it('what a need covers is fatal: pacing for commands that connect, the bot and channel for forwarding', () => {
    expect(problems({ ...valid, ACTION_DELAY: '9-1' }, ['telegram'])).toHaveLength(1);
    expect(problems({ ...valid, ACTION_DELAY: '9-1' }, [])).toEqual([]);
    expect(problems({ BOT_TOKEN: 'oops', CHANNEL_ID: '@mychannel' }, ['forward'])).toHaveLength(1);
    expect(problems({ CHANNEL_ID: '@mychannel' }, ['forward'])).toEqual([]);
    // Every command reads these.
    for (const [name, value] of [['LOG_LEVEL', 'loud'], ['PANEL_SECRET', 'short'], ['LOG_FORMAT', 'xml']]) expect(problems({ [name!]: value }, [])).toHaveLength(1);
  });

  it('a simulated world needs no API credentials, but malformed ones are still reported', () => {
    expect(problems({ TELEGRAM_SIM: '/w.db' }, ['telegram'])).toEqual([]);
    expect(problems({ TELEGRAM_SIM: '/w.db', API_ID: 'x' }, ['telegram'])).toHaveLength(1);
  });
});
