import type { Db } from '../world-file.ts';
import type { ChatRow, UserRow } from '../rows.ts';

/** Telegram's refusal, thrown by handlers and turned into an `mt_rpc_error` answer. */
export class RpcFail extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
    /** Commit what the handler changed before refusing (e.g. a join request that was filed). */
    readonly keep = false,
  ) {
    super(`${code} ${text}`);
    this.name = 'RpcFail';
  }

  kept(): RpcFail {
    return new RpcFail(this.code, this.text, true);
  }
}

export const fail = {
  badRequest: (text: string): RpcFail => new RpcFail(400, text),
  unauthorized: (text: string): RpcFail => new RpcFail(401, text),
  forbidden: (text: string): RpcFail => new RpcFail(403, text),
  flood: (text: string): RpcFail => new RpcFail(420, text),
  notAcceptable: (text: string): RpcFail => new RpcFail(406, text),
  internal: (text: string): RpcFail => new RpcFail(500, text),
};

export interface AuthRow {
  key_id: string;
  user_id: number | null;
  state: 'anonymous' | 'password' | 'active' | 'logged_out' | 'revoked' | 'duplicated';
  error: string | null;
  created_at: number;
  updated_at: number;
}

/** Everything a handler needs for one call; handlers run inside one SQLite transaction. */
export interface CallContext {
  db: Db;
  /** World time, epoch ms. */
  now: number;
  /** Secret that access hashes are derived from. */
  secret: string;
  auth: AuthRow;
  /** The logged-in account, for methods that need one. */
  me: UserRow;
}

/** For auth methods, which run before anyone is logged in. */
export type AnonContext = Omit<CallContext, 'me'> & { me: UserRow | null };

export const sec = (ms: number): number => Math.floor(ms / 1000);

export type { ChatRow, UserRow };
