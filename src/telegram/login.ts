import { MemoryStorage, MtUnsupportedError, type SentCode, type TelegramClient, type User } from '@mtcute/node';
import type { SelfInfo } from '../core/session.ts';
import type { Logger } from '../log.ts';
import type { SessionSnapshot } from '../store/sessions.ts';
import { buildClient, type BuiltClient, type ConnectionOverrideFactory } from './client.ts';
import { classify, classifyLogin, isPasswordNeeded, type LoginRefusal } from './errors.ts';
import type { Failure } from '../core/failures.ts';
import type { ProxySpec } from '../core/proxy-url.ts';
import { selfInfo } from './session.ts';
import { snapshotOf } from './storage.ts';

export interface TelegramApi {
  apiId: number;
  apiHash: string;
  log: Logger;
  override?: ConnectionOverrideFactory;
}

/** A login or import that produced a working session, not stored yet. */
export interface VerifiedSession {
  self: SelfInfo;
  snapshot: SessionSnapshot;
  /** Ends this new authorization at Telegram (used when the account is refused after all). */
  logOut(): Promise<void>;
  /** Closes the connection; the session stays valid at Telegram. */
  close(): Promise<void>;
}

export type CodeDelivery = 'app' | 'sms' | 'call' | 'flash_call' | 'missed_call' | 'email' | 'fragment' | 'other';

export type SendCodeResult =
  | { kind: 'code_sent'; delivery: CodeDelivery; codeLength: number | null; timeoutSec: number | null }
  | { kind: 'refused'; refusal: LoginRefusal }
  | { kind: 'failed'; failure: Failure };

export type SignInResult =
  | { kind: 'signed_in'; session: VerifiedSession }
  | { kind: 'password_needed'; hint: string | null }
  | { kind: 'refused'; refusal: LoginRefusal }
  | { kind: 'failed'; failure: Failure };

function delivery(code: SentCode): CodeDelivery {
  switch (code.type) {
    case 'app':
    case 'sms':
    case 'call':
    case 'email':
    case 'fragment':
      return code.type;
    case 'flash_call':
      return 'flash_call';
    case 'missed_call':
      return 'missed_call';
    default:
      return 'other';
  }
}

/**
 * The stored layout of an exported session. exportSession carries the DC options mtcute only
 * writes when the DC changed; a throwaway client that imports it (without connecting) lays the
 * session out exactly as a stored one.
 */
export async function layOut(api: TelegramApi, exported: string): Promise<SessionSnapshot> {
  const mem = new MemoryStorage();
  const tmp = buildClient({ apiId: api.apiId, apiHash: api.apiHash, storage: mem, log: api.log, disableUpdates: true });
  try {
    await tmp.client.importSession(exported, true);
    return snapshotOf(mem);
  } finally {
    await tmp.destroy();
  }
}

export function verifiedFrom(built: BuiltClient, user: User, snapshot: SessionSnapshot): VerifiedSession {
  return {
    self: selfInfo(user),
    snapshot,
    async logOut() {
      try {
        await built.client.logOut();
      } finally {
        await built.destroy();
      }
    },
    close: () => built.destroy(),
  };
}

/**
 * One phone login against Telegram, held in memory only: nothing reaches panel.db until the
 * engine stores the verified session. `cancel()` leaves nothing behind.
 */
export class LoginAttempt {
  private readonly built: BuiltClient;
  private phone = '';
  private phoneCodeHash = '';
  private done = false;

  /** The client for login calls: never sleeps on FLOOD_WAIT, gives up on a dead network or proxy. */
  private readonly c: TelegramClient;

  constructor(
    private readonly api: TelegramApi,
    proxy: ProxySpec | null,
    timeoutMs = 30_000,
  ) {
    this.built = buildClient({ apiId: api.apiId, apiHash: api.apiHash, storage: new MemoryStorage(), log: api.log, proxy, override: api.override, disableUpdates: true });
    this.c = this.built.client.withParams({ floodSleepThreshold: 0, timeout: timeoutMs });
  }

  private failure(e: unknown): Failure {
    return classify(e, { viaProxy: this.built.viaProxy });
  }

  async sendCode(phone: string): Promise<SendCodeResult> {
    this.phone = phone;
    try {
      await this.built.client.connect();
      const res = await this.c.sendCode({ phone });
      if (!('phoneCodeHash' in res)) {
        // Telegram logged in without a code (future auth token): nothing to ask.
        return { kind: 'failed', failure: { kind: 'unknown', code: 'UNEXPECTED_LOGIN', message: 'Telegram signed in without a code; try again' } };
      }
      this.phoneCodeHash = res.phoneCodeHash;
      return { kind: 'code_sent', delivery: delivery(res), codeLength: res.length > 0 ? res.length : null, timeoutSec: res.timeout > 0 ? res.timeout : null };
    } catch (e) {
      const refusal = classifyLogin(e);
      return refusal ? { kind: 'refused', refusal } : { kind: 'failed', failure: this.failure(e) };
    }
  }

  private async signedIn(user: User): Promise<SignInResult> {
    this.done = true;
    const snapshot = await layOut(this.api, await this.built.client.exportSession());
    return { kind: 'signed_in', session: verifiedFrom(this.built, user, snapshot) };
  }

  private async passwordHint(): Promise<string | null> {
    try {
      return await this.c.getPasswordHint();
    } catch {
      return null;
    }
  }

  async signIn(code: string): Promise<SignInResult> {
    try {
      const user = await this.c.signIn({ phone: this.phone, phoneCodeHash: this.phoneCodeHash, phoneCode: code });
      return await this.signedIn(user);
    } catch (e) {
      if (isPasswordNeeded(e)) return { kind: 'password_needed', hint: await this.passwordHint() };
      if (e instanceof MtUnsupportedError) return { kind: 'refused', refusal: { kind: 'not_registered' } };
      const refusal = classifyLogin(e);
      return refusal ? { kind: 'refused', refusal } : { kind: 'failed', failure: this.failure(e) };
    }
  }

  async checkPassword(password: string): Promise<SignInResult> {
    try {
      const user = await this.c.checkPassword(password);
      return await this.signedIn(user);
    } catch (e) {
      const refusal = classifyLogin(e);
      return refusal ? { kind: 'refused', refusal } : { kind: 'failed', failure: this.failure(e) };
    }
  }

  /** Drops the attempt. Before sign-in nothing exists anywhere; after, the caller owns the session. */
  async cancel(): Promise<void> {
    if (this.done) return;
    await this.built.destroy();
  }
}
