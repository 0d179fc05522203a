/**
 * One simulated TCP connection to "Telegram": it speaks the intermediate framing, performs the
 * key exchange (handshake.ts) and the encrypted MTProto 2.0 service layer (pongs, acks, answers
 * to the few RPCs mtcute sends straight over the wire, such as `updates.getState`). Ordinary RPCs
 * never arrive here: the simulator's network middleware answers them before mtcute serializes
 * anything. Keeping the connection healthy matters anyway: a connection that never answers
 * makes mtcute reconnect every few seconds and log warnings.
 */
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { ConnectionClosedError } from '@fuman/net';
import type { Long, mtp, tl } from '@mtcute/core';
import { createAesIgeForMessage, TlBinaryReader, TlBinaryWriter, __tlReaderMap, __tlWriterMap, type ICryptoProvider } from '@mtcute/core/utils.js';
import { concat, ServerHandshake, type ServerKey } from './handshake.ts';

const TAG_INTERMEDIATE = 0xeeeeeeee;
const ID = {
  msgContainer: 0x73f1f8dc,
  gzipPacked: 0x3072cfa1,
  rpcResult: 0xf35c6d01,
  invokeWithLayer: 0xda9b0d0d,
  initConnection: 0xc1cd5ea9,
  invokeWithoutUpdates: 0xbf9459b7,
  invokeAfterMsg: 0xcb9f372d,
  getState: 0xedd4882a,
} as const;

/** An RPC error as the wire (and mtcute's middleware chain) carries it. */
export interface WireRpcError {
  _: 'mt_rpc_error';
  errorCode: number;
  errorMessage: string;
}

/** What a connection needs from the simulated server behind it. */
export interface WireServer {
  /** The key clients encrypt their part of the key exchange with. */
  serverKey(): ServerKey;
  /** The auth key with this id, when the server (or the bound client's storage) knows it. */
  findKey(authKeyId: Uint8Array): Promise<Uint8Array | null>;
  /** A key exchange on this connection finished. */
  onAuthKey(authKey: Uint8Array): void;
  /** Answers an RPC that mtcute sent over the wire rather than through the middleware chain. */
  answer(request: tl.RpcMethod, authKeyId: Uint8Array): Promise<unknown>;
}

export function authKeyIdOf(authKey: Uint8Array): Uint8Array {
  return createHash('sha1').update(authKey).digest().subarray(12, 20);
}

export class SimConnection {
  private rx: Uint8Array[] = [];
  private outbox: Uint8Array[] = [];
  private rxWaiter: (() => void) | undefined;
  private txBuf: Uint8Array = new Uint8Array(0);
  private tagSeen = false;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  private handshake: ServerHandshake | undefined;
  private key: { bytes: Uint8Array; id: Uint8Array } | undefined;
  private sessionId: Uint8Array | undefined;
  private lastMsgId = 0n;
  private seq = 0;

  constructor(
    readonly address: unknown,
    private readonly crypto: ICryptoProvider,
    private readonly server: WireServer,
    private readonly onClose: (c: SimConnection) => void,
  ) {}

  get localAddress(): unknown {
    return this.address;
  }

  get remoteAddress(): unknown {
    return this.address;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async read(into: Uint8Array): Promise<number> {
    while (this.rx.length === 0) {
      if (this.closed) throw new ConnectionClosedError();
      await new Promise<void>((resolve) => (this.rxWaiter = resolve));
    }
    if (this.closed) throw new ConnectionClosedError();
    const head = this.rx[0]!;
    const n = Math.min(head.length, into.length);
    into.set(head.subarray(0, n));
    if (n === head.length) this.rx.shift();
    else this.rx[0] = head.subarray(n);
    return n;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new ConnectionClosedError());
    this.txBuf = concat(this.txBuf, bytes);
    if (!this.tagSeen) {
      if (this.txBuf.length < 4) return Promise.resolve();
      const tag = new DataView(this.txBuf.buffer, this.txBuf.byteOffset, 4).getUint32(0, true);
      if (tag !== TAG_INTERMEDIATE) {
        this.close();
        return Promise.reject(new Error('the simulator speaks only the intermediate transport'));
      }
      this.tagSeen = true;
      this.txBuf = this.txBuf.subarray(4);
    }
    while (this.txBuf.length >= 4) {
      const len = new DataView(this.txBuf.buffer, this.txBuf.byteOffset, 4).getUint32(0, true);
      if (this.txBuf.length < 4 + len) break;
      const frame = Uint8Array.from(this.txBuf.subarray(4, 4 + len));
      this.txBuf = this.txBuf.subarray(4 + len);
      // Frames are handled in order, one at a time, off the writer's stack.
      this.queue = this.queue.then(() => this.handleFrame(frame)).catch(() => this.close());
    }
    return Promise.resolve();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rxWaiter?.();
    this.onClose(this);
  }

  /** Sends an update the way Telegram does: an unsolicited encrypted message. */
  pushUpdate(update: tl.TypeUpdates): boolean {
    if (this.closed || !this.key || !this.sessionId) return false;
    this.sendEncrypted(serialize(update), false);
    return true;
  }

  /**
   * Queues a frame for the client. Delivery waits for the next turn of the event loop, as a
   * network would: the client registers what it waits for only after its write resolved, and a
   * same-tick answer could beat that (mtcute drops a plain message nobody waits for).
   */
  private pushFrame(data: Uint8Array): void {
    if (this.closed) return;
    const frame = new Uint8Array(4 + data.length);
    new DataView(frame.buffer).setUint32(0, data.length, true);
    frame.set(data, 4);
    this.outbox.push(frame);
    if (this.outbox.length > 1) return;
    setImmediate(() => {
      const frames = this.outbox;
      this.outbox = [];
      if (this.closed) return;
      this.rx.push(...frames);
      const w = this.rxWaiter;
      this.rxWaiter = undefined;
      w?.();
    });
  }

  private async handleFrame(frame: Uint8Array): Promise<void> {
    if (frame.length < 8) return;
    const keyId = frame.subarray(0, 8);
    if (keyId.every((b) => b === 0)) return this.handlePlain(frame);
    if (!this.key || !equalBytes(this.key.id, keyId)) {
      const bytes = await this.server.findKey(keyId);
      if (!bytes) {
        // Telegram answers an unknown key with transport error -404.
        this.pushRaw(Int32Array.of(-404));
        return;
      }
      this.key = { bytes, id: Uint8Array.from(keyId) };
    }
    await this.handleEncrypted(frame);
  }

  private pushRaw(words: Int32Array): void {
    this.pushFrame(new Uint8Array(words.buffer));
  }

  private handlePlain(frame: Uint8Array): void {
    const msg = TlBinaryReader.deserializeObject<mtp.TlObject>(__tlReaderMap, frame, 20);
    if (msg._ === 'mt_req_pq_multi') this.handshake = new ServerHandshake(this.crypto, this.server.serverKey());
    if (!this.handshake) return;
    const { reply, authKey } = this.handshake.handle(msg);
    const body = serialize(reply);
    const out = new Uint8Array(20 + body.length);
    const dv = new DataView(out.buffer);
    const msgId = this.nextMsgId(true);
    dv.setBigUint64(8, msgId, true);
    dv.setUint32(16, body.length, true);
    out.set(body, 20);
    this.pushFrame(out);
    if (authKey) {
      this.handshake = undefined;
      this.key = { bytes: authKey, id: authKeyIdOf(authKey) };
      this.server.onAuthKey(authKey);
    }
  }

  private async handleEncrypted(frame: Uint8Array): Promise<void> {
    const key = this.key!;
    const msgKey = frame.subarray(8, 24);
    let data = frame.subarray(24);
    data = data.subarray(0, data.length - (data.length % 16));
    const plain = createAesIgeForMessage(this.crypto, key.bytes, msgKey, true).decrypt(data);
    const expected = createHash('sha256').update(key.bytes.subarray(88, 120)).update(plain).digest().subarray(8, 24);
    if (!equalBytes(expected, msgKey)) return;
    this.sessionId = Uint8Array.from(plain.subarray(8, 16));
    const reader = new TlBinaryReader(__tlReaderMap, plain, 16);
    const msgId = reader.long();
    reader.uint(); // seq_no
    const length = reader.uint();
    await this.handleMessage(msgId, plain.subarray(32, 32 + length));
  }

  private async handleMessage(msgId: Long, body: Uint8Array): Promise<void> {
    const reader = new TlBinaryReader(__tlReaderMap, body, 0);
    const id = reader.peekUint();
    if (id === ID.msgContainer) {
      reader.uint();
      const count = reader.uint();
      const inner: Array<[Long, Uint8Array]> = [];
      for (let i = 0; i < count; i++) {
        const innerId = reader.long();
        reader.uint();
        const len = reader.uint();
        inner.push([innerId, reader.raw(len)]);
      }
      for (const [innerId, innerBody] of inner) await this.handleMessage(innerId, innerBody);
      return;
    }
    if (id === ID.gzipPacked) {
      reader.uint();
      return this.handleMessage(msgId, gunzipSync(reader.bytes()));
    }
    const query = unwrapQuery(reader);
    if (query === null) {
      // An MTProto service message.
      const obj = reader.object() as mtp.TlObject;
      this.handleService(msgId, obj);
      return;
    }
    let result: unknown;
    if (query === ID.getState) {
      result = await this.server.answer({ _: 'updates.getState' }, this.key!.id);
    } else {
      result = { _: 'mt_rpc_error', errorCode: 400, errorMessage: 'METHOD_NOT_SIMULATED' } satisfies WireRpcError;
    }
    this.sendRpcResult(msgId, result);
  }

  private handleService(msgId: Long, obj: mtp.TlObject): void {
    switch (obj._) {
      case 'mt_ping':
        this.sendEncrypted(serialize({ _: 'mt_pong', msgId, pingId: obj.pingId }), true);
        return;
      case 'mt_ping_delay_disconnect':
        this.sendEncrypted(serialize({ _: 'mt_pong', msgId, pingId: obj.pingId }), true);
        return;
      case 'mt_get_future_salts': {
        // Written by hand: mtcute's writer cannot serialize a vector of bare future_salt.
        const now = Math.floor(Date.now() / 1000);
        // salts is a bare vector<future_salt>: a count, then the items without constructor ids.
        const body = new Uint8Array(20 + obj.num * 16);
        const dv = new DataView(body.buffer);
        dv.setUint32(0, 0xae500895, true);
        dv.setInt32(4, msgId.low, true);
        dv.setInt32(8, msgId.high, true);
        dv.setInt32(12, now, true);
        dv.setInt32(16, obj.num, true);
        for (let i = 0; i < obj.num; i++) {
          dv.setInt32(20 + i * 16, now + i * 3600, true);
          dv.setInt32(24 + i * 16, now + (i + 1) * 3600, true);
          body.set(randomBytes(8), 28 + i * 16);
        }
        this.sendEncrypted(body, true);
        return;
      }
      case 'mt_destroy_session':
        this.sendEncrypted(serialize({ _: 'mt_destroy_session_ok', sessionId: obj.sessionId }), true);
        return;
      default:
        // Acks, http_wait, state requests: nothing to answer.
        return;
    }
  }

  private sendRpcResult(reqMsgId: Long, result: unknown): void {
    const inner = serialize(result as tl.TlObject);
    const body = new Uint8Array(12 + inner.length);
    const dv = new DataView(body.buffer);
    dv.setUint32(0, ID.rpcResult, true);
    dv.setInt32(4, reqMsgId.low, true);
    dv.setInt32(8, reqMsgId.high, true);
    body.set(inner, 12);
    this.sendEncrypted(body, true);
  }

  private sendEncrypted(body: Uint8Array, isResponse: boolean): void {
    const key = this.key;
    if (!key || !this.sessionId || this.closed) return;
    let padding = (32 + body.length + 12) % 16;
    padding = 12 + (padding ? 16 - padding : 0);
    const plain = new Uint8Array(32 + body.length + padding);
    const dv = new DataView(plain.buffer);
    plain.set(randomBytes(8), 0); // salt: mtcute does not check the server's
    plain.set(this.sessionId, 8);
    dv.setBigUint64(16, this.nextMsgId(isResponse), true);
    this.seq += 2;
    dv.setUint32(24, this.seq - 1, true);
    dv.setUint32(28, body.length, true);
    plain.set(body, 32);
    plain.set(randomBytes(padding), 32 + body.length);
    const msgKey = createHash('sha256').update(key.bytes.subarray(96, 128)).update(plain).digest().subarray(8, 24);
    const encrypted = createAesIgeForMessage(this.crypto, key.bytes, msgKey, false).encrypt(plain);
    this.pushFrame(concat(key.id, msgKey, encrypted));
  }

  /** Server message ids: time-based, strictly increasing, 1 mod 4 for answers and 3 otherwise. */
  private nextMsgId(isResponse: boolean): bigint {
    let id = (BigInt(Math.floor(Date.now() / 1000)) << 32n) | (isResponse ? 1n : 3n);
    while (id <= this.lastMsgId) id += 4n;
    this.lastMsgId = id;
    return id;
  }
}

/**
 * Skips the invoke wrappers mtcute puts around the first RPC of a session and returns the
 * constructor id of the method inside, or null when the message is not an RPC.
 */
function unwrapQuery(reader: TlBinaryReader): number | null {
  for (;;) {
    const id = reader.peekUint();
    switch (id) {
      case ID.invokeWithLayer:
        reader.uint();
        reader.int();
        continue;
      case ID.invokeWithoutUpdates:
        reader.uint();
        continue;
      case ID.invokeAfterMsg:
        reader.uint();
        reader.long();
        continue;
      case ID.initConnection: {
        reader.uint();
        const flags = reader.uint();
        reader.int();
        for (let i = 0; i < 6; i++) reader.string();
        if (flags & 1) reader.object();
        if (flags & 2) reader.object();
        continue;
      }
      case ID.getState:
        reader.uint();
        return ID.getState;
      default:
        return id in __tlReaderMap ? null : id;
    }
  }
}

function serialize(obj: mtp.TlObject | tl.TlObject): Uint8Array {
  return TlBinaryWriter.serializeObject(__tlWriterMap, obj);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
