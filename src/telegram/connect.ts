import { tl } from '@mtcute/node';
import type { Clock } from '../core/clock.ts';
import { policyOf } from '../core/failure-policy.ts';
import type { Failure } from '../core/failures.ts';
import type { AccountSession, SelfInfo } from '../core/session.ts';
import type { SessionStore } from '../store/sessions.ts';
import { buildClient } from './client.ts';
import { classify } from './errors.ts';
import type { TelegramApi } from './login.ts';
import type { ProxySpec } from '../core/proxy-url.ts';
import { MtcuteAccountSession, selfInfo } from './session.ts';
import { PanelStorage } from './storage.ts';

export interface ConnectRequest {
  accountId: number;
  proxy: { spec: ProxySpec; label: string } | null;
  /** Every failure of the live session, and account-ending errors seen on any call (updates too). */
  onFailure: (failure: Failure) => void;
  /** The session was closed (by anyone). */
  onClose: () => void;
}

export type ConnectOutcome = { ok: true; session: AccountSession; self: SelfInfo | null; checkFailure?: Failure } | { ok: false; failure: Failure };


/**
 * Turns a stored account into a live session: connect, then getMe as the health check. Never
 * `start()`: on a revoked key it would log out and try a phone login. The stored auth key is
 * protected: whatever mtcute decides, only an explicit remove deletes it.
 */
export class TelegramConnector {
  constructor(
    private readonly api: TelegramApi,
    private readonly sessions: SessionStore,
    private readonly clock: Clock,
    private readonly connectTimeoutMs = 20_000,
  ) {}

  async connect(req: ConnectRequest): Promise<ConnectOutcome> {
    const { accountId } = req;
    if (this.sessions.authKeyDcs(accountId).length === 0) {
      return { ok: false, failure: { kind: 'revoked', code: 'NO_SESSION', message: 'no session is stored for this account; log in again' } };
    }
    let keyDropped = false;
    const storage = new PanelStorage(this.sessions, accountId, {
      protectKeys: true,
      onKeyDropped: () => {
        keyDropped = true;
      },
    });
    let ended = false;
    const built = buildClient({
      apiId: this.api.apiId,
      apiHash: this.api.apiHash,
      storage,
      log: this.api.log.child({ accountId }),
      proxy: req.proxy?.spec ?? null,
      override: this.api.override,
      onRpcError: (code, text) => {
        const failure = classify(tl.RpcError.fromTl({ errorCode: code, errorMessage: text }));
        // Errors that end the session whatever call they come back on (updates too).
        if (policyOf(failure.kind).endsSession && !ended) {
          ended = true;
          req.onFailure(failure);
        }
      },
    });
    const session = new MtcuteAccountSession({ accountId, built, clock: this.clock, log: this.api.log, onFailure: req.onFailure, onClose: req.onClose });
    try {
      await built.client.connect();
      const user = await built.client.withParams({ floodSleepThreshold: 0, timeout: this.connectTimeoutMs }).getMe();
      return { ok: true, session, self: selfInfo(user) };
    } catch (e) {
      let failure = classify(e, { viaProxy: built.viaProxy });
      // Telegram answered, so the connection and the key work: a FLOOD_WAIT closes getMe only.
      if (failure.kind === 'flood_wait' && !keyDropped) return { ok: true, session, self: null, checkFailure: failure };
      if (keyDropped && failure.kind !== 'banned' && failure.kind !== 'frozen') {
        failure = { kind: 'revoked', code: 'AUTH_KEY_UNKNOWN', message: 'Telegram no longer knows this session (the key was kept); log in again' };
      } else if (failure.kind === 'network' || failure.kind === 'proxy' || failure.code === 'TIMEOUT') {
        failure = this.connectionFailure(failure, built.lastConnectError(), req.proxy?.label ?? null);
      }
      ended = true;
      await session.close();
      return { ok: false, failure };
    }
  }

  /** Names what failed: the proxy (never bypassed) or the way to Telegram. */
  private connectionFailure(failure: Failure, last: unknown, proxyLabel: string | null): Failure {
    const cause = last === undefined ? null : classify(last, { viaProxy: proxyLabel !== null });
    const detail = last instanceof Error ? last.message.replace(/\s+/g, ' ').slice(0, 160) : null;
    if (proxyLabel !== null) {
      return {
        kind: 'proxy',
        code: cause?.code === 'PROXY_FAILED' || cause === null ? 'PROXY_FAILED' : cause.code,
        message: `proxy ${proxyLabel} failed${detail ? `: ${detail}` : ': no answer through it'} (not connecting directly)`,
      };
    }
    if (cause && detail) return { kind: 'network', code: cause.code, message: `could not reach Telegram: ${detail}` };
    return failure;
  }
}
