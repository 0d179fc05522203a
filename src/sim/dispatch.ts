/**
 * Answering one RPC: who the caller is (its auth key's authorization), the account's faults and
 * limits, then the method's handler, all in one SQLite transaction that commits before the answer
 * goes back, so a killed panel never loses what "Telegram" did.
 */
import { MtTimeoutError, type tl } from '@mtcute/core';
import type { SimAttachmentImpl } from './attachment.ts';
import type { ConnectionRegistry } from './connections.ts';
import { fail, RpcFail, type AnonContext, type AuthRow, type CallContext } from './rpc/context.ts';
import { noteDevice, type DeviceInfo } from './rpc/account.ts';
import { methodSpec } from './rpc/index.ts';
import { chargeBudget, floodFault } from './rpc/limits.ts';
import { getUser } from './rpc/tl.ts';
import type { Db } from './world-file.ts';

export interface CallOptions {
  timeout?: number;
  abortSignal?: AbortSignal;
  /** What the client said about itself in initConnection (shown in the account's device list). */
  device?: DeviceInfo;
}

/** What answering needs from the world. */
export interface DispatchWorld {
  readonly db: Db;
  readonly secret: string;
  readonly connections: ConnectionRegistry;
  now(): number;
}

interface RpcErrorAnswer {
  _: 'mt_rpc_error';
  errorCode: number;
  errorMessage: string;
}

/** The kinds of refusal a handler may end with; everything else is a simulator bug. */
function toAnswer(e: RpcFail): RpcErrorAnswer {
  return { _: 'mt_rpc_error', errorCode: e.code, errorMessage: e.text };
}

/** Answers one RPC from the client holding auth key `keyId`: a TL object or an `mt_rpc_error`. */
export async function answerCall(world: DispatchWorld, att: SimAttachmentImpl, keyId: string, request: tl.RpcMethod, opts: CallOptions = {}): Promise<unknown> {
  await delayFor(world, att, keyId, request._, opts);
  const row = att.connectionRow(keyId);
  const { db } = world;
  const eventsBefore = (db.prepare('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id;
  const run = db.transaction((): unknown => {
    try {
      const result = dispatch(world, row, keyId, request, opts.device);
      // Events this call wrote are not pushed back to the client that caused them.
      db.prepare('UPDATE events SET actor = ? WHERE id > ? AND actor IS NULL').run(keyId, eventsBefore);
      return result;
    } catch (e) {
      if (e instanceof RpcFail && e.keep) return toAnswer(e);
      throw e;
    }
  });
  try {
    return run.immediate();
  } catch (e) {
    if (e instanceof RpcFail) return toAnswer(e);
    throw e;
  }
}

function dispatch(world: DispatchWorld, row: number, keyId: string, request: tl.RpcMethod, device?: DeviceInfo): unknown {
  const { db } = world;
  const now = world.now();
  let auth = db.prepare('SELECT * FROM authorizations WHERE key_id = ?').get(keyId) as AuthRow | undefined;
  if (!auth) {
    db.prepare("INSERT INTO authorizations (key_id, state, created_at, updated_at) VALUES (?, 'anonymous', ?, ?)").run(keyId, now, now);
    auth = { key_id: keyId, user_id: null, state: 'anonymous', error: null, created_at: now, updated_at: now };
  }
  if (auth.state !== 'duplicated' && world.connections.duplicateLive(keyId, row)) {
    db.prepare("UPDATE authorizations SET state = 'duplicated', error = 'AUTH_KEY_DUPLICATED', updated_at = ? WHERE key_id = ?").run(now, keyId);
    throw fail.notAcceptable('AUTH_KEY_DUPLICATED').kept();
  }
  if (auth.state === 'duplicated') throw fail.notAcceptable('AUTH_KEY_DUPLICATED');
  const spec = methodSpec(request._);
  if (!spec) throw fail.badRequest('METHOD_NOT_SIMULATED');
  const me = auth.user_id !== null ? getUser({ db }, auth.user_id) : undefined;
  if (spec.anon) {
    const ctx: AnonContext = { db, now, secret: world.secret, auth, me: auth.state === 'active' && me ? me : null };
    const result = spec.fn(ctx, request);
    // A login makes the key a device of the account at once, as on Telegram.
    if (ctx.auth.state === 'active' && ctx.auth.user_id !== null) noteDevice(db, keyId, ctx.auth.user_id, device, now);
    return result;
  }
  if (auth.state === 'password') throw fail.unauthorized('SESSION_PASSWORD_NEEDED');
  if (auth.state === 'revoked') throw fail.unauthorized(auth.error ?? 'AUTH_KEY_UNREGISTERED');
  if (auth.state !== 'active' || !me) throw fail.unauthorized('AUTH_KEY_UNREGISTERED');
  if (me.state === 'banned') throw fail.unauthorized('USER_DEACTIVATED_BAN');
  if (me.state === 'frozen' && spec.write) throw fail.flood('FROZEN_METHOD_INVALID');
  const ctx: CallContext = { db, now, secret: world.secret, auth, me };
  noteDevice(db, keyId, me.id, device, now);
  floodFault(ctx, request._);
  chargeBudget(ctx, request._);
  return spec.fn(ctx, request);
}

/** Slow answers and dropped connections, in real time (the caller's timeout still applies). */
async function delayFor(world: DispatchWorld, att: SimAttachmentImpl, keyId: string, method: string, opts: CallOptions): Promise<void> {
  const rows = world.db
    .prepare(
      `SELECT f.kind, f.method, f.value FROM faults f JOIN authorizations a ON a.user_id = f.user_id
       WHERE a.key_id = ? AND a.state = 'active' AND f.kind IN ('slow', 'drop')`,
    )
    .all(keyId) as Array<{ kind: 'slow' | 'drop'; method: string; value: number }>;
  let ms = 0;
  for (const r of rows) {
    if (r.kind === 'drop') {
      att.dropConnections();
      ms = Math.max(ms, r.value);
    } else if (r.method === '' || r.method === method) {
      ms = Math.max(ms, r.value);
    }
  }
  if (ms > 0) await sleep(ms, opts);
}

function sleep(ms: number, opts: CallOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const limit = opts.timeout !== undefined && opts.timeout < ms ? opts.timeout : ms;
    const timer = setTimeout(() => {
      opts.abortSignal?.removeEventListener('abort', onAbort);
      if (limit < ms) reject(new MtTimeoutError(opts.timeout));
      else resolve();
    }, limit);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(opts.abortSignal?.reason as Error);
    };
    opts.abortSignal?.addEventListener('abort', onAbort, { once: true });
  });
}
