import { format } from 'node:util';
import {
  HttpProxyTcpTransport,
  MtProxyTcpTransport,
  networkMiddlewares,
  SocksProxyTcpTransport,
  TcpTransport,
  TelegramClient,
  type ITelegramStorageProvider,
  type RpcCallMiddleware,
  type TelegramTransport,
  type tl,
} from '@mtcute/node';
import { NodeCryptoProvider } from '@mtcute/node/utils.js';
import type { Logger } from '../log.ts';
import type { ProxySpec } from '../core/proxy-url.ts';

/** What `bind` receives: the client, whose storage manager exposes its provider at run time. */
export type BindTarget = TelegramClient & { storage: { provider: ITelegramStorageProvider } };

/**
 * A replacement for the network under mtcute (the simulator provides one). Defined here by
 * shape so src/telegram never imports src/sim: the composition root passes it in.
 */
export interface ConnectionOverride {
  transport: TelegramTransport;
  /** Appended as the last network middleware, after mtcute's basic ones. */
  middleware: RpcCallMiddleware;
  /** Called once the client exists (the simulator pushes updates through it). */
  bind(client: BindTarget): void;
  close(): void | Promise<void>;
}

/** Makes one override per client (each client is its own connection). */
export type ConnectionOverrideFactory = () => ConnectionOverride;

export interface ClientParams {
  apiId: number;
  apiHash: string;
  storage: ITelegramStorageProvider;
  log: Logger;
  proxy?: ProxySpec | null;
  override?: ConnectionOverrideFactory;
  /** Watches every RPC error of this client (revocations arrive here first). */
  onRpcError?: (code: number, text: string) => void;
  /** Request timeout for connecting calls (ms). */
  disableUpdates?: boolean;
}

/**
 * Telegram said a gap in this account's updates is too long to fetch (after a long outage): the
 * client jumped ahead and the updates in between are gone. `channelId` is null for the account's
 * own message box (private chats and basic groups), else the bare id of the channel or supergroup.
 */
export interface UpdateGap {
  channelId: number | null;
}

/** This account joined a chat (Telegram's chat object) or left one (its marked id). */
export type MembershipChange = { joined: tl.TypeChat } | { left: number };

export interface BuiltClient {
  client: TelegramClient;
  /** Whether connections go through a proxy (connection failures are then the proxy's). */
  viaProxy: boolean;
  /** Why the last connection attempt failed, when it did (mtcute only logs it and retries). */
  lastConnectError(): unknown;
  /** Listeners told of every update gap Telegram refused to fill (see `UpdateGap`). */
  readonly onUpdateGap: Set<(gap: UpdateGap) => void>;
  /** Listeners told of every join and leave made through this client, whoever asked for it. */
  readonly onMembership: Set<(change: MembershipChange) => void>;
  /** Destroys the client and its simulated connection, if any. Safe to call twice. */
  destroy(): Promise<void>;
}

/**
 * One crypto provider for every client of the process. mtcute initialises the provider of each
 * client it prepares, and Node's provider then reads its WebAssembly file from disk again (about
 * a millisecond of CPU per account at start); the provider itself holds no per-client state.
 */
class SharedCryptoProvider extends NodeCryptoProvider {
  private ready: Promise<void> | undefined;

  override initialize(): Promise<void> {
    this.ready ??= super.initialize();
    return this.ready;
  }
}

let sharedCrypto: SharedCryptoProvider | undefined;

/** mtcute's LogManager levels (not exported by @mtcute/node). */
const LogManager = { ERROR: 1, WARN: 2, DEBUG: 4 } as const;

/** mtcute's log levels from ours: mtcute's warnings are routine (reconnects), so they go to debug. */
function mtcuteLevel(log: Logger): number {
  if (log.isLevelEnabled('trace')) return LogManager.DEBUG;
  if (log.isLevelEnabled('debug')) return LogManager.WARN;
  return LogManager.ERROR;
}

/**
 * Builds a TelegramClient that never sleeps on FLOOD_WAIT (the engine parks the account and
 * other accounts keep working), logs through our logger (mtcute would print to stdout), and
 * talks through the account's proxy or the simulator; never directly when a proxy is set.
 */
/** Remembers the last connect failure of a transport, so a dead proxy can be named as the reason. */
class RecordingTransport implements TelegramTransport {
  lastError: unknown;

  constructor(private readonly inner: TelegramTransport) {}

  setup(...args: Parameters<NonNullable<TelegramTransport['setup']>>): void {
    this.inner.setup?.(...args);
  }

  async connect(dc: Parameters<TelegramTransport['connect']>[0]): ReturnType<TelegramTransport['connect']> {
    try {
      const conn = await this.inner.connect(dc);
      this.lastError = undefined;
      return conn;
    } catch (e) {
      this.lastError = e;
      throw e;
    }
  }

  packetCodec(dc: Parameters<TelegramTransport['packetCodec']>[0]): ReturnType<TelegramTransport['packetCodec']> {
    return this.inner.packetCodec(dc);
  }
}

export function buildClient(p: ClientParams): BuiltClient {
  const override = p.override?.();
  const transport = new RecordingTransport(override?.transport ?? (p.proxy ? proxyTransport(p.proxy) : new TcpTransport()));
  const middlewares: RpcCallMiddleware[] = [
    ...networkMiddlewares.basic({ floodWaiter: { maxWait: 0, store: false }, internalErrors: { maxRetries: 3, exceptErrors: ['RANDOM_ID_DUPLICATE'] } }),
  ];
  if (p.onRpcError) {
    const watch = p.onRpcError;
    middlewares.push(
      networkMiddlewares.onRpcError((_ctx, err) => {
        watch(err.errorCode, err.errorMessage);
      }),
    );
  }
  const onUpdateGap = new Set<(gap: UpdateGap) => void>();
  middlewares.push(updateGapWatcher(onUpdateGap));
  const onMembership = new Set<(change: MembershipChange) => void>();
  middlewares.push(membershipWatcher(onMembership));
  if (override) middlewares.push(override.middleware);
  const client = new TelegramClient({
    apiId: p.apiId,
    apiHash: p.apiHash,
    storage: p.storage,
    transport,
    crypto: (sharedCrypto ??= new SharedCryptoProvider()),
    network: { middlewares },
    disableUpdates: p.disableUpdates ?? false,
    // Fetch what was missed while the panel was down from the update state stored in panel.db
    // (without it every start takes a fresh state and skips the gap). A replay after an unclean
    // stop is expected: the monitor de-duplicates by (chat, message).
    updates: { catchUp: true },
    logLevel: mtcuteLevel(p.log),
    // Our storage writes through; mtcute's exit hook would only race our own shutdown.
    storageOptions: { cleanup: false },
  });
  const mgr = client.log.mgr;
  mgr.handler = (_color: number, level: number, tag: string, fmt: string, args: unknown[]) => {
    const text = `[mtcute ${tag}] ${format(fmt, ...args)}`;
    if (level <= LogManager.ERROR) p.log.warn(text);
    else if (level <= LogManager.WARN) p.log.debug(text);
    else p.log.trace(text);
  };
  // Background errors (updates loop, reconnects) surface in the calls that need them; keep them
  // out of stdout and out of unhandled rejections.
  client.onError.add((err) => p.log.debug({ err }, 'mtcute background error'));
  override?.bind(client as BindTarget);
  let destroyed = false;
  return {
    client,
    viaProxy: !override && Boolean(p.proxy),
    lastConnectError: () => transport.lastError,
    onUpdateGap,
    onMembership,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        await client.destroy();
      } finally {
        await override?.close();
      }
    },
  };
}

/** The mtcute transport that connects through this proxy (and only through it). */
export function proxyTransport(spec: ProxySpec): TelegramTransport {
  switch (spec.kind) {
    case 'socks':
      return new SocksProxyTcpTransport({ version: spec.version, host: spec.host, port: spec.port, user: spec.user, password: spec.password });
    case 'http':
      return new HttpProxyTcpTransport({ tls: spec.tls, host: spec.host, port: spec.port, user: spec.user, password: spec.password });
    case 'mtproxy':
      return new MtProxyTcpTransport({ host: spec.host, port: spec.port, secret: spec.secret });
  }
}

/** mtcute handles a too-long gap by jumping ahead quietly; this middleware tells the session. */
function updateGapWatcher(listeners: Set<(gap: UpdateGap) => void>): RpcCallMiddleware {
  return async (ctx, next) => {
    const result = (await next(ctx)) as { _?: string } | null;
    const request = ctx.request;
    let gap: UpdateGap | undefined;
    if (request._ === 'updates.getDifference' && result?._ === 'updates.differenceTooLong') gap = { channelId: null };
    else if (request._ === 'updates.getChannelDifference' && result?._ === 'updates.channelDifferenceTooLong') {
      gap = { channelId: request.channel._ === 'inputChannel' || request.channel._ === 'inputChannelFromMessage' ? request.channel.channelId : 0 };
    }
    if (gap) for (const listener of listeners) listener(gap);
    return result;
  };
}

/**
 * Watches the calls that change which chats the account is in, so every way of joining or
 * leaving (bulk actions, the bot, campaigns) keeps the stored chat list right without each
 * caller remembering to.
 */
function membershipWatcher(listeners: Set<(change: MembershipChange) => void>): RpcCallMiddleware {
  return async (ctx, next) => {
    const result = (await next(ctx)) as { _?: string } | null;
    if (listeners.size === 0 || result === null || result._ === 'mt_rpc_error') return result;
    const request = ctx.request;
    let change: MembershipChange | undefined;
    if (request._ === 'channels.joinChannel' || request._ === 'messages.importChatInvite') {
      const res = result as tl.messages.TypeChatInviteJoinResult | tl.TypeUpdates;
      const updates = res._ === 'messages.chatInviteJoinResultOk' ? res.updates : res;
      const chats = 'chats' in updates ? updates.chats : [];
      const wanted = request._ === 'channels.joinChannel' && request.channel._ === 'inputChannel' ? request.channel.channelId : undefined;
      const chat = chats.find((c) => (wanted === undefined || c.id === wanted) && (c._ === 'channel' ? c.left !== true : c._ === 'chat'));
      if (chat) change = { joined: chat };
    } else if (request._ === 'channels.leaveChannel' && request.channel._ === 'inputChannel') {
      change = { left: -1_000_000_000_000 - request.channel.channelId };
    } else if (request._ === 'messages.deleteChatUser' && request.userId._ === 'inputUserSelf') {
      change = { left: -request.chatId };
    }
    if (change) for (const listener of listeners) listener(change);
    return result;
  };
}
