import { get as httpGet, type Agent } from 'node:http';
import { get as httpsGet } from 'node:https';
import { Bot, type ApiClientOptions } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { accessGate } from './access.ts';
import { apiLimits, type ApiLimitOptions } from './api-limits.ts';
import type { BotDeps } from './deps.ts';
import { dispatcher } from './dispatch.ts';
import { messages } from './i18n/index.ts';
import { Jobs } from './jobs.ts';
import { homeView, registerHome } from './menus/home.ts';
import { registerMenus } from './menus/index.ts';
import { botProxyAgent } from './proxy.ts';
import { Registry, type Runtime } from './runtime.ts';

export interface CreateBotOptions {
  token: string;
  adminIds: readonly number[];
  /** Bot API server root without a trailing slash (tests point it at a loopback fake). */
  apiRoot?: string;
  /** A fetch implementation (tests pass a fake; production uses grammY's node-fetch). */
  fetch?: FetchLike;
  /** Skips getMe at start (tests). */
  botInfo?: UserFromGetMe;
  /** PROXY_URL: SOCKS5 or HTTP(S) for the Bot API. */
  proxyUrl?: string;
  /** Long-polling timeout in seconds. */
  pollTimeoutSeconds?: number;
  limits?: Omit<ApiLimitOptions, 'clock' | 'log'>;
}

export interface PanelBot {
  readonly bot: Bot;
  readonly runtime: Runtime;
  /** Handles one update as long polling would (tests call it directly). */
  handleUpdate(update: Update): Promise<void>;
  /** Starts long polling; resolves once the first getUpdates is under way. */
  start(): Promise<void>;
  /** Stops polling, aborts background reporters and waits for them; safe to call twice. */
  stop(): Promise<void>;
  /** Resolves when no background job is running. */
  idle(): Promise<void>;
}

/** The part of `fetch` grammY and the file download use. */
export type FetchLike = (
  url: string,
  init?: { body?: unknown; headers?: Record<string, string>; method?: string; signal?: unknown },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown>; arrayBuffer(): Promise<ArrayBuffer> }>;

const MAX_DOWNLOAD = 20 * 1024 * 1024;

export function createBot(deps: BotDeps, opts: CreateBotOptions): PanelBot {
  const agent = botProxyAgent(opts.proxyUrl);
  if (opts.proxyUrl !== undefined && agent === undefined) {
    deps.log.warn('PROXY_URL is an MTProxy, which cannot carry Bot API calls: the bot connects directly');
  }
  const apiRoot = opts.apiRoot ?? 'https://api.telegram.org';
  const client: ApiClientOptions = { apiRoot };
  // grammY types its fetch as node-fetch's; ours is the subset it calls.
  if (opts.fetch) Object.assign(client, { fetch: opts.fetch });
  if (agent) client.baseFetchConfig = { agent, compress: true };
  const bot = new Bot(opts.token, opts.botInfo ? { botInfo: opts.botInfo, client } : { client });
  bot.api.config.use(apiLimits({ clock: deps.clock, log: deps.log, ...opts.limits }));

  const registry = new Registry();
  registerHome(registry);
  registerMenus(registry);

  const runtime: Runtime = {
    deps,
    store: deps.state,
    api: bot.api,
    adminIds: new Set(opts.adminIds),
    registry,
    jobs: new Jobs(deps.log),
    rendered: new Map(),
    memory: new Map(),
    home: homeView,
    download: async (fileId, maxBytes) => {
      const file = await bot.api.getFile(fileId);
      if (file.file_path === undefined) throw new Error('the Bot API gave no path for the file');
      if (file.file_size !== undefined && file.file_size > Math.min(maxBytes, MAX_DOWNLOAD)) throw new FileTooLarge(file.file_size);
      const url = `${apiRoot}/file/bot${opts.token}/${file.file_path}`;
      return opts.fetch ? fetchBytes(opts.fetch, url, maxBytes) : getBytes(url, agent, maxBytes);
    },
  };

  // Updates being handled now: stopping waits for them, not for grammY's polling loop, which
  // may sleep out a retry (3 s, or a 429's retry_after) before it notices the stop.
  let handling = 0;
  const drained: Array<() => void> = [];
  bot.use(async (_ctx, next) => {
    handling++;
    try {
      await next();
    } finally {
      if (--handling === 0) for (const d of drained.splice(0)) d();
    }
  });
  bot.use(accessGate(runtime));
  bot.use(dispatcher(runtime));
  bot.catch((err) => {
    deps.log.error({ err: err.error, updateId: err.ctx.update.update_id }, 'bot update failed');
  });

  let polling: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  return {
    bot,
    runtime,
    handleUpdate: (update) => bot.handleUpdate(update),
    async start() {
      if (polling) return;
      await new Promise<void>((resolve, reject) => {
        polling = bot
          .start({
            timeout: opts.pollTimeoutSeconds ?? 30,
            allowed_updates: ['message', 'callback_query', 'inline_query'],
            onStart: async (me) => {
              deps.log.info({ bot: me.username }, 'admin bot started');
              await setCommands(bot).catch((e: unknown) => deps.log.warn({ err: e }, 'could not set the bot commands'));
              resolve();
            },
          })
          .catch((e: unknown) => {
            deps.log.error({ err: e }, 'admin bot stopped polling');
            reject(e instanceof Error ? e : new Error(String(e)));
          });
      });
    },
    stop() {
      stopping ??= (async () => {
        // grammY's stop confirms the last update with one more getUpdates, which fails when the
        // Bot API cannot be reached: that must not keep the jobs or the polling loop running.
        const confirm = bot.isRunning() ? bot.stop() : Promise.resolve();
        const [confirmed] = await Promise.allSettled([confirm, runtime.jobs.stop()]);
        if (handling > 0) await new Promise<void>((resolve) => drained.push(resolve));
        if (confirmed.status === 'rejected') {
          const why = confirmed.reason instanceof Error ? confirmed.reason.message : String(confirmed.reason);
          throw new Error(`polling stopped, but the last updates could not be confirmed to the Bot API (${why}); they will arrive again at the next start`);
        }
      })();
      return stopping;
    },
    idle: () => runtime.jobs.idle(),
  };
}

export class FileTooLarge extends Error {
  constructor(readonly size: number) {
    super(`the file is too large (${size} bytes)`);
    this.name = 'FileTooLarge';
  }
}

async function setCommands(bot: Bot): Promise<void> {
  for (const lang of ['en', 'fa'] as const) {
    const t = messages(lang);
    const commands = [
      { command: 'start', description: t.cmdStart },
      { command: 'cancel', description: t.cmdCancel },
      { command: 'web', description: t.cmdWeb },
    ];
    await bot.api.setMyCommands(commands, lang === 'en' ? {} : { language_code: lang });
  }
}

async function fetchBytes(fetchFn: FetchLike, url: string, maxBytes: number): Promise<Buffer> {
  const res = await fetchFn(url);
  if (!res.ok) throw new Error(`file download failed with HTTP ${res.status}`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > maxBytes) throw new FileTooLarge(buf.length);
  return buf;
}

function getBytes(url: string, agent: Agent | undefined, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(url, agent ? { agent } : {}, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`file download failed with HTTP ${res.statusCode ?? 0}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          req.destroy(new FileTooLarge(size));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
