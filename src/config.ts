import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { InputError } from './core/errors.ts';
import type { PacingConfig } from './core/pacing.ts';
import { parseProxyUrl, PROXY_FORMS } from './core/proxy-url.ts';
import { decodeSecretKey } from './core/secret-key.ts';
import { quoteInput } from './core/text.ts';

/**
 * What a command needs from the configuration; each command asks only for its part. `telegram`
 * and `bot` require their credentials; `forward` (the monitor's channel posts) and `pacing` only
 * check what is set. A malformed variable outside what a command needs does not stop it.
 */
export type ConfigNeed = 'telegram' | 'bot' | 'forward' | 'pacing' | 'web' | 'metrics';

/** Who reads a variable; every command reads the `core` ones. */
type ConfigPart = 'core' | 'telegram' | 'bot' | 'admins' | 'channel' | 'pacing' | 'web' | 'metrics';

const PART_OF: Readonly<Record<string, ConfigPart>> = {
  API_ID: 'telegram',
  API_HASH: 'telegram',
  PROXY_URL: 'telegram',
  BOT_TOKEN: 'bot',
  BOT_API_ROOT: 'bot',
  ADMIN_IDS: 'admins',
  ADMIN_ID: 'admins',
  CHANNEL_ID: 'channel',
  ACTION_DELAY: 'pacing',
  ACTION_CONCURRENCY: 'pacing',
  CAMPAIGN_DELAY: 'pacing',
  CAMPAIGN_PER_ACCOUNT: 'pacing',
  CAMPAIGN_DAILY_CAP: 'pacing',
  WEB_ADDR: 'web',
  WEB_ORIGIN: 'web',
  METRICS_ADDR: 'metrics',
};

/** Commands that connect accounts also act with them, so they read the pacing. */
const PARTS_OF_NEED: Readonly<Record<ConfigNeed, readonly ConfigPart[]>> = {
  telegram: ['telegram', 'pacing'],
  bot: ['bot', 'admins', 'channel'],
  forward: ['bot', 'channel'],
  pacing: ['pacing'],
  web: ['web'],
  metrics: ['metrics'],
};

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];


export interface Config {
  apiId: number | undefined;
  apiHash: string | undefined;
  botToken: string | undefined;
  /** Bot API server; a self-hosted one (or a test double) instead of api.telegram.org. */
  botApiRoot: string | undefined;
  adminIds: number[];
  /** `-100…` numeric id or `@channel`; forwarding is off without it. */
  channelId: string | undefined;
  dataDir: string;
  /** DATABASE_URL: PostgreSQL instead of the SQLite file (several workers share it). */
  databaseUrl: string | undefined;
  /** WORKER_TTL_MS / WORKER_HEARTBEAT_MS: every fleet's lease timings (unset: the fleet's 60 s / 20 s). */
  workers: { leaseTtlMs?: number; heartbeatMs?: number };
  panelSecret: string | undefined;
  logLevel: LogLevel;
  /** LOG_FORMAT; unset means JSON unless the logs go to a terminal. */
  logFormat: LogFormat | undefined;
  proxyUrl: string | undefined;
  /** Path of a simulator world; when set every account talks to it instead of Telegram. */
  simWorld: string | undefined;
  pacing: PacingConfig;
  web: WebConfig;
  /** METRICS_ADDR: where `start --no-web` serves /healthz and /metrics; unset: nowhere. */
  metrics: { host: string; port: number } | undefined;
}

/** Where the web dashboard listens, and the origin browsers reach it by. */
export interface WebConfig {
  host: string;
  /** 0 picks a free port (tests); the bound address is logged. */
  port: number;
  /** WEB_ORIGIN: the public https origin behind a reverse proxy; needed to bind beyond loopback. */
  origin: string | undefined;
}

/** Addresses only this machine can reach; binding anything else needs WEB_ORIGIN. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `host:port`, `[v6]:port`; undefined when malformed. */
export function parseWebAddr(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65_535) return undefined;
  return { host: (m[1] ?? m[2])!, port };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Every variable the panel reads, for `.env.example`, the README and error messages. */
interface VariableSpec {
  secret: boolean;
  form: string;
  where?: string;
}

export const VARIABLES: Record<string, VariableSpec> = {
  API_ID: { secret: false, form: 'a positive whole number, e.g. 1234567', where: 'https://my.telegram.org -> API development tools' },
  API_HASH: { secret: true, form: '32 hexadecimal characters', where: 'https://my.telegram.org -> API development tools' },
  BOT_TOKEN: { secret: true, form: '<bot id>:<secret>, e.g. 123456789:AA...', where: '@BotFather -> /newbot or /token' },
  BOT_API_ROOT: { secret: false, form: 'http(s) URL of a self-hosted Bot API server (optional; default https://api.telegram.org)' },
  ADMIN_IDS: { secret: false, form: 'numeric Telegram user ids separated by commas, e.g. 11111111,22222222', where: '@userinfobot (send it any message)' },
  ADMIN_ID: { secret: false, form: 'one numeric Telegram user id (older name of ADMIN_IDS)', where: '@userinfobot (send it any message)' },
  CHANNEL_ID: { secret: false, form: 'a channel id like -1001234567890 or a public @channelname (optional)', where: '@userinfobot (forward it a post of the channel)' },
  DATA_DIR: { secret: false, form: 'a writable folder (default ./data)' },
  WORKER_TTL_MS: { secret: false, form: 'milliseconds a worker\'s heartbeat and its account leases count, from 100 (default 60000)' },
  WORKER_HEARTBEAT_MS: { secret: false, form: 'milliseconds between a worker\'s heartbeats, at most half of WORKER_TTL_MS (default 20000)' },
  DATABASE_URL: {
    secret: true,
    form: 'postgres://user:password@host:5432/database (optional): every store in that PostgreSQL database instead of DATA_DIR/panel.db, shared by every worker',
  },
  PANEL_SECRET: { secret: true, form: '32 bytes as base64 (44 characters) or hex (64 characters); optional', where: 'the command: openssl rand -base64 32' },
  LOG_LEVEL: { secret: false, form: LOG_LEVELS.join(', ') + ' (default info)' },
  LOG_FORMAT: { secret: false, form: 'json or pretty (default: pretty on a terminal, json otherwise)' },
  PROXY_URL: { secret: true, form: `${PROXY_FORMS} (optional)` },
  TELEGRAM_SIM: { secret: false, form: 'path of a simulator world made by `telegram-panel sim create` (optional)' },
  ACTION_DELAY: { secret: false, form: 'seconds between one account\'s actions as min-max, e.g. 8-15 (default 8-15)' },
  ACTION_CONCURRENCY: { secret: false, form: 'accounts acting at once, 1-50 (default 4)' },
  CAMPAIGN_DELAY: { secret: false, form: 'seconds between one account\'s campaign messages as min-max (default 60-180)' },
  CAMPAIGN_PER_ACCOUNT: { secret: false, form: 'messages per account per campaign, 1-1000 (default 4)' },
  CAMPAIGN_DAILY_CAP: { secret: false, form: 'messages per account per day over all campaigns, 1-10000 (default 20)' },
  WEB_ADDR: { secret: false, form: 'host:port the web dashboard listens on, e.g. 127.0.0.1:8080 (default); port 0 picks a free one' },
  WEB_ORIGIN: { secret: false, form: 'the public https:// origin of the dashboard behind a reverse proxy, e.g. https://panel.example.com; needed when WEB_ADDR is not a loopback address' },
  METRICS_ADDR: {
    secret: false,
    form: 'host:port where start --no-web serves /healthz and /metrics, e.g. 127.0.0.1:9464 (optional; with the dashboard they are on WEB_ADDR); any address may be bound, they hold no secret',
  },
};

/** Bad input like any other (exit 2), with every problem listed so the operator fixes them in one go. */
export class ConfigError extends InputError {
  readonly summary: string;

  constructor(readonly problems: string[]) {
    const summary =
      `The configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'} ` + `(set them in the environment or in .env; see .env.example)`;
    super(`${summary}:\n` + problems.map((p) => `  - ${p}`).join('\n'));
    this.summary = summary;
    this.name = 'ConfigError';
  }
}

const RANGE = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/;

function describe(name: string, what: string, value: string | undefined): string {
  const spec = VARIABLES[name];
  const shown = spec && !spec.secret && value !== undefined ? ` (got ${quoteInput(value, 80)})` : '';
  const where = spec?.where ? `; get it from ${spec.where}` : '';
  return `${name} ${what}${shown}: expected ${spec?.form ?? 'a valid value'}${where}`;
}

/** Reads `.env` in the working folder (when present) under the real environment, which wins. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, envFile = resolve('.env')): Record<string, string | undefined> {
  if (!existsSync(envFile)) return { ...env };
  const fromFile = parseEnv(readFileSync(envFile, 'utf8'));
  return { ...fromFile, ...env };
}

/** Validates the environment for the given needs (see checkConfig) and returns the configuration. */
export function loadConfig(env: Record<string, string | undefined>, needs: readonly ConfigNeed[] = []): Config {
  return checkConfig(env, needs).config;
}

/**
 * Validates the environment for the given needs. Every problem in what the command needs is
 * collected so the operator fixes them in one go; a malformed variable it does not need reads as
 * unset and comes back in `ignored`. Secret values never appear in a message.
 */
export function checkConfig(env: Record<string, string | undefined>, needs: readonly ConfigNeed[] = []): { config: Config; ignored: string[] } {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };
  // A simulated world needs no API credentials.
  const simulated = get('TELEGRAM_SIM') !== undefined;
  const required = (name: string, need: ConfigNeed): string | undefined => {
    const v = get(name);
    if (v === undefined && needs.includes(need) && !(need === 'telegram' && simulated)) problems.push(describe(name, 'is missing', undefined));
    return v;
  };

  let apiId: number | undefined;
  const apiIdRaw = required('API_ID', 'telegram');
  if (apiIdRaw !== undefined) {
    const n = Number(apiIdRaw);
    if (/^\d+$/.test(apiIdRaw) && Number.isSafeInteger(n) && n > 0) apiId = n;
    else problems.push(describe('API_ID', 'is not a positive whole number', apiIdRaw));
  }

  const apiHash = required('API_HASH', 'telegram');
  if (apiHash !== undefined && !/^[0-9a-f]{32}$/i.test(apiHash)) problems.push(describe('API_HASH', 'is malformed', apiHash));

  const botToken = required('BOT_TOKEN', 'bot');
  if (botToken !== undefined && !/^\d{5,}:[A-Za-z0-9_-]{30,}$/.test(botToken)) problems.push(describe('BOT_TOKEN', 'is malformed', botToken));

  const botApiRoot = get('BOT_API_ROOT');
  if (botApiRoot !== undefined && !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(botApiRoot)) problems.push(describe('BOT_API_ROOT', 'is not an http(s) URL', botApiRoot));

  const adminName = get('ADMIN_IDS') !== undefined ? 'ADMIN_IDS' : 'ADMIN_ID';
  const adminRaw = get(adminName);
  let adminIds: number[] = [];
  if (adminRaw === undefined) {
    if (needs.includes('bot')) problems.push(describe('ADMIN_IDS', 'is missing', undefined));
  } else {
    const parts = adminRaw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const bad = parts.filter((p) => !/^\d{1,16}$/.test(p) || Number(p) <= 0);
    if (parts.length === 0 || bad.length > 0) problems.push(describe(adminName, 'has a value that is not a numeric user id', adminRaw));
    else adminIds = [...new Set(parts.map(Number))];
  }

  const channelId = get('CHANNEL_ID');
  if (channelId !== undefined && !/^(-100\d{5,}|-\d{5,}|@[A-Za-z][A-Za-z0-9_]{3,31})$/.test(channelId)) {
    problems.push(describe('CHANNEL_ID', 'is malformed', channelId));
  }

  const databaseUrl = get('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(?:ql)?:\/\/[^\s]+$/.test(databaseUrl)) {
    problems.push(describe('DATABASE_URL', 'is not a postgres:// URL', databaseUrl));
  }

  const millis = (name: string): number | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    if (!/^\d{1,9}$/.test(v) || Number(v) < 100) {
      problems.push(describe(name, 'is not a number of milliseconds from 100', v));
      return undefined;
    }
    return Number(v);
  };
  const leaseTtlMs = millis('WORKER_TTL_MS');
  const heartbeatMs = millis('WORKER_HEARTBEAT_MS');
  if ((heartbeatMs ?? 20_000) * 2 > (leaseTtlMs ?? 60_000)) {
    problems.push(describe('WORKER_HEARTBEAT_MS', 'is more than half of WORKER_TTL_MS, so leases would lapse between beats', String(heartbeatMs ?? 20_000)));
  }

  const panelSecret = get('PANEL_SECRET');
  if (panelSecret !== undefined && decodeSecretKey(panelSecret) === undefined) {
    problems.push(describe('PANEL_SECRET', 'is not 32 bytes of base64 or hex', panelSecret));
  }

  const logLevelRaw = get('LOG_LEVEL') ?? 'info';
  const logLevel = (LOG_LEVELS as readonly string[]).includes(logLevelRaw.toLowerCase()) ? (logLevelRaw.toLowerCase() as LogLevel) : undefined;
  if (logLevel === undefined) problems.push(describe('LOG_LEVEL', 'is not a known level', logLevelRaw));

  const proxyUrl = get('PROXY_URL');
  if (proxyUrl !== undefined) {
    // The parser that connects, so what passes here connects; its problems never hold a secret.
    const parsed = parseProxyUrl(proxyUrl, { echo: false });
    if (!parsed.ok) problems.push(describe('PROXY_URL', `cannot be used (${parsed.problem.replace(`; expected ${PROXY_FORMS}`, '')})`, proxyUrl));
  }

  const range = (name: string, def: { min: number; max: number }): { min: number; max: number } => {
    const raw = get(name);
    if (raw === undefined) return def;
    const m = RANGE.exec(raw);
    const min = m ? Number(m[1]) : NaN;
    const max = m ? Number(m[2]) : NaN;
    if (!m || min > max || max > 86_400) {
      problems.push(describe(name, 'is not a range min-max', raw));
      return def;
    }
    return { min, max };
  };
  const int = (name: string, def: number, lo: number, hi: number): number => {
    const raw = get(name);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < lo || n > hi) {
      problems.push(describe(name, `is not a whole number from ${lo} to ${hi}`, raw));
      return def;
    }
    return n;
  };
  const pacing: PacingConfig = {
    actionDelay: range('ACTION_DELAY', { min: 8, max: 15 }),
    actionConcurrency: int('ACTION_CONCURRENCY', 4, 1, 50),
    campaignDelay: range('CAMPAIGN_DELAY', { min: 60, max: 180 }),
    campaignPerAccount: int('CAMPAIGN_PER_ACCOUNT', 4, 1, 1000),
    campaignDailyCap: int('CAMPAIGN_DAILY_CAP', 20, 1, 10_000),
  };

  const webAddrRaw = get('WEB_ADDR') ?? '127.0.0.1:8080';
  const webAddr = parseWebAddr(webAddrRaw);
  if (!webAddr) problems.push(describe('WEB_ADDR', 'is not host:port', webAddrRaw));
  const webOriginRaw = get('WEB_ORIGIN');
  let webOrigin: string | undefined;
  if (webOriginRaw !== undefined) {
    if (/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/.test(webOriginRaw)) webOrigin = webOriginRaw.replace(/\/$/, '').toLowerCase();
    else problems.push(describe('WEB_ORIGIN', 'is not an https origin (scheme, host and optional port; no path)', webOriginRaw));
  }
  if (webAddr && !isLoopbackHost(webAddr.host) && webOriginRaw === undefined) {
    problems.push(`WEB_ADDR ${webAddrRaw} lets other machines reach the dashboard: set WEB_ORIGIN to its public https:// origin (behind a reverse proxy that terminates TLS), or listen on 127.0.0.1`);
  }

  // Unlike the dashboard, these endpoints hold nothing secret, so any address may be bound.
  const metricsAddrRaw = get('METRICS_ADDR');
  const metricsAddr = metricsAddrRaw === undefined ? undefined : parseWebAddr(metricsAddrRaw);
  if (metricsAddrRaw !== undefined && !metricsAddr) problems.push(describe('METRICS_ADDR', 'is not host:port', metricsAddrRaw));

  const logFormatRaw = get('LOG_FORMAT')?.toLowerCase();
  const logFormat = (LOG_FORMATS as readonly string[]).includes(logFormatRaw ?? '') ? (logFormatRaw as LogFormat) : undefined;
  if (logFormatRaw !== undefined && logFormat === undefined) problems.push(describe('LOG_FORMAT', 'is not json or pretty', logFormatRaw));

  // Every problem starts with its variable's name (see describe).
  const checked = new Set<ConfigPart>(['core', ...needs.flatMap((n) => PARTS_OF_NEED[n])]);
  const partOf = (problem: string): ConfigPart => PART_OF[problem.split(' ', 1)[0] ?? ''] ?? 'core';
  const fatal = problems.filter((p) => checked.has(partOf(p)));
  if (fatal.length > 0) throw new ConfigError(fatal);
  const ignored = problems.filter((p) => !checked.has(partOf(p)));
  const malformed = new Set(ignored.map((p) => p.split(' ', 1)[0]));
  const unlessMalformed = <T>(name: string, value: T): T | undefined => (malformed.has(name) ? undefined : value);
  const config: Config = {
    apiId,
    apiHash: unlessMalformed('API_HASH', apiHash),
    botToken: unlessMalformed('BOT_TOKEN', botToken),
    botApiRoot: unlessMalformed('BOT_API_ROOT', botApiRoot?.replace(/\/+$/, '')),
    adminIds,
    channelId: unlessMalformed('CHANNEL_ID', channelId),
    dataDir: resolve(get('DATA_DIR') ?? './data'),
    databaseUrl,
    workers: { ...(leaseTtlMs !== undefined ? { leaseTtlMs } : {}), ...(heartbeatMs !== undefined ? { heartbeatMs } : {}) },
    panelSecret,
    logLevel: logLevel ?? 'info',
    logFormat,
    proxyUrl: unlessMalformed('PROXY_URL', proxyUrl),
    simWorld: get('TELEGRAM_SIM'),
    pacing,
    web: { host: webAddr?.host ?? '127.0.0.1', port: webAddr?.port ?? 8080, origin: unlessMalformed('WEB_ORIGIN', webOrigin) },
    metrics: metricsAddr,
  };
  return { config, ignored };
}

export type { PacingConfig } from './core/pacing.ts';
export { decodeSecretKey } from './core/secret-key.ts';
