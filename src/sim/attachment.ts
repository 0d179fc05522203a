/**
 * What one production TelegramClient needs to run against a world: a transport that never
 * touches the network (it speaks MTProto's key exchange and service layer itself, see
 * mtproto/wire.ts) and a network middleware, appended after mtcute's own, that answers every
 * RPC from the world. `bind(client)` lets the world read which auth key the client holds and
 * push updates to it.
 */
import { ConnectionClosedError } from '@fuman/net';
import { IntermediatePacketCodec, type tl } from '@mtcute/core';
import type { TelegramTransport, RpcCallMiddleware } from '@mtcute/core';
import { readStringSession, type ICryptoProvider } from '@mtcute/core/utils.js';
import { authKeyIdOf, SimConnection, type WireServer } from './mtproto/wire.ts';
import type { ServerKey } from './mtproto/handshake.ts';
import type { DeviceInfo } from './rpc/account.ts';
import type { SimWorld } from './world.ts';

/** The parts of a TelegramClient the simulator uses (mtcute's TelegramClient has them all). */
export interface BindableClient {
  /** Read for the auth key it carries: that key is the client's identity in the world. */
  exportSession(): Promise<string>;
  onServerUpdate: { emit(update: tl.TypeUpdates): void };
}

export interface SimAttachment {
  /** Pass as `transport` in the TelegramClient options: never touches the network. */
  transport: TelegramTransport;
  /** Append as the LAST network middleware (after `networkMiddlewares.basic(...)`). */
  middleware: RpcCallMiddleware;
  /** Lets the world push updates to this client and read which auth key it holds. */
  bind(client: BindableClient): void;
  /** Detaches: the client's connection is gone (for AUTH_KEY_DUPLICATED tracking). */
  close(): void;
}

/** Unwraps invokeWithLayer, invokeWithoutUpdates and friends. */
function unwrap(request: tl.RpcMethod): tl.RpcMethod {
  let r: tl.RpcMethod = request;
  while (r._.startsWith('invoke') && 'query' in r) r = r.query as tl.RpcMethod;
  return r;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * What the client sends Telegram in initConnection. mtcute wraps it around the first request of
 * each connection below its middlewares, so the simulator reads the same parameters here.
 */
function deviceOf(manager: unknown): DeviceInfo | undefined {
  const init = (manager as { _initConnectionParams?: Partial<tl.RawInitConnectionRequest> } | undefined)?._initConnectionParams;
  if (!init?.deviceModel) return undefined;
  return { deviceModel: init.deviceModel, systemVersion: init.systemVersion ?? '', appVersion: init.appVersion ?? '', apiId: init.apiId ?? 0, langPack: init.langPack ?? '' };
}

export class SimAttachmentImpl implements SimAttachment {
  private client: BindableClient | undefined;
  private connections = new Set<SimConnection>();
  private rows = new Map<string, number>();
  private crypto: ICryptoProvider | undefined;
  private serverKey: ServerKey | undefined;
  private handshakeKey: Uint8Array | undefined;
  private handshakeWaiters: Array<() => void> = [];
  private lastKey: { bytes: Uint8Array; id: string } | undefined;
  private closed = false;

  readonly transport: TelegramTransport;
  readonly middleware: RpcCallMiddleware;

  constructor(private readonly world: SimWorld) {
    const server: WireServer = {
      // setup() runs before mtcute opens any connection.
      serverKey: () => this.serverKey!,
      findKey: async (id) => {
        const key = await this.storedKey();
        if (key && hex(authKeyIdOf(key)) === hex(id)) return key;
        if (this.handshakeKey && hex(authKeyIdOf(this.handshakeKey)) === hex(id)) return this.handshakeKey;
        return null;
      },
      onAuthKey: (key) => {
        this.handshakeKey = key;
        const waiters = this.handshakeWaiters;
        this.handshakeWaiters = [];
        waiters.forEach((w) => w());
      },
      answer: (request, authKeyId) => this.world.call(this, hex(authKeyId), request),
    };
    this.transport = {
      setup: (crypto) => {
        this.crypto = crypto;
        this.serverKey = this.world.serverKey(crypto);
      },
      connect: (dc) => {
        // A detached client sees a server that no longer accepts its connections.
        if (this.closed) return Promise.reject(new ConnectionClosedError('the simulator attachment is closed'));
        if (!this.crypto) return Promise.reject(new Error('the transport was not set up by mtcute'));
        const conn = new SimConnection(dc, this.crypto, server, (c) => this.connections.delete(c));
        this.connections.add(conn);
        return Promise.resolve(conn as unknown as Awaited<ReturnType<TelegramTransport['connect']>>);
      },
      packetCodec: () => new IntermediatePacketCodec(),
    };
    this.middleware = async (ctx) => {
      if (this.closed) throw new Error('the simulator attachment is closed');
      const request = unwrap(ctx.request);
      const keyId = await this.identify();
      return this.world.call(this, keyId, request, { timeout: ctx.params?.timeout, abortSignal: ctx.params?.abortSignal, device: deviceOf(ctx.manager) });
    };
  }

  bind(client: BindableClient): void {
    this.client = client;
    this.world.schedulePump();
  }

  get isBound(): boolean {
    return this.client !== undefined && !this.closed;
  }

  /** The key id of the client's current auth key, once known. */
  get boundKeyId(): string | undefined {
    return this.lastKey?.id;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.connections]) c.close();
    this.world.detach(this, [...this.rows.values()]);
  }

  /** @internal the world's row for this attachment's use of `keyId`, registered on first use. */
  connectionRow(keyId: string): number {
    let row = this.rows.get(keyId);
    if (row === undefined) {
      row = this.world.connections.open(keyId);
      this.rows.set(keyId, row);
    }
    return row;
  }

  /** @internal closes every live connection: mtcute reconnects on its own. */
  dropConnections(): void {
    for (const c of [...this.connections]) c.close();
  }

  /** @internal */
  push(update: tl.TypeUpdates): void {
    if (this.closed || !this.client) return;
    this.client.onServerUpdate.emit(update);
  }

  /** The auth key of the client's primary DC as its storage holds it (null before the first key exchange). */
  private async storedKey(): Promise<Uint8Array | null> {
    if (!this.client) return null;
    let session: string;
    try {
      session = await this.client.exportSession();
    } catch {
      // mtcute refuses to export before a key exists ("Auth key is not ready yet").
      return null;
    }
    return readStringSession(session).authKey;
  }

  /** Which auth key the client uses: from its storage, or the one the key exchange in progress produces. */
  private async identify(): Promise<string> {
    if (!this.client) throw new Error('call SimAttachment.bind(client) before the client makes requests');
    let key = await this.storedKey();
    if (!key) {
      if (!this.handshakeKey) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('the client never negotiated an auth key with the simulator')), 30_000);
          this.handshakeWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      // As with Telegram, nothing is answered before the client itself holds the key: it
      // stores it a moment after the server finished the exchange.
      const until = Date.now() + 10_000;
      while (!(key = await this.storedKey()) && Date.now() < until) await new Promise<void>((r) => setImmediate(r));
      key ??= this.handshakeKey!;
    }
    if (!this.lastKey || hex(this.lastKey.bytes) !== hex(key)) this.lastKey = { bytes: key, id: hex(authKeyIdOf(key)) };
    return this.lastKey.id;
  }
}
