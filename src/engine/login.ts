import { randomBytes } from 'node:crypto';
import type { AccountSummary } from '../core/accounts.ts';
import type { Clock } from '../core/clock.ts';
import type { Failure } from '../core/failures.ts';
import type { Logger } from '../log.ts';
import { AccountExistsError, type AccountStore } from '../store/accounts.ts';
import type { LoginRefusal } from '../telegram/errors.ts';
import { LoginAttempt, type CodeDelivery, type SignInResult, type TelegramApi, type VerifiedSession } from '../telegram/login.ts';
import { parseProxyUrl, type ProxySpec } from '../core/proxy-url.ts';
import { parsePhone } from '../core/account-refs.ts';
import { parseLoginCode } from './account-input.ts';

export type { CodeDelivery } from '../telegram/login.ts';

/** Why a login step did not go through; each has its own wording for the operator. */
export type LoginError =
  | { kind: 'invalid_phone'; message: string }
  | { kind: 'bad_code'; message: string }
  | { kind: 'wrong_code'; message: string }
  | { kind: 'expired_code'; message: string }
  | { kind: 'wrong_password'; message: string }
  | { kind: 'too_many_attempts'; seconds: number | null; message: string }
  | { kind: 'banned_number'; message: string }
  | { kind: 'not_registered'; message: string }
  | { kind: 'already_exists'; accountId: number; message: string }
  | { kind: 'bad_proxy'; message: string }
  | { kind: 'no_login'; message: string }
  | { kind: 'failed'; failure: Failure; message: string };

/**
 * Where a login stands after each call. `failed` with `retry` keeps the login open for another
 * try of that step; without it the login is over and nothing of it remains.
 */
export type LoginStep =
  | { step: 'code'; loginId: string; phone: string; delivery: CodeDelivery; codeLength: number | null }
  | { step: 'password'; loginId: string; hint: string | null }
  | { step: 'done'; account: AccountSummary }
  | { step: 'failed'; error: LoginError; retry?: { loginId: string; step: 'code' | 'password' } };

export interface LoginServiceOptions {
  api: TelegramApi;
  store: AccountStore;
  clock: Clock;
  log: Logger;
  /** PROXY_URL: the login goes through it (never around it). */
  defaultProxyUrl?: string | undefined;
  /** An unfinished login is dropped after this long (default 15 minutes). */
  ttlMs?: number;
  /** Called with each newly stored account (the fleet may connect it). */
  onStored?: (account: AccountSummary) => void;
}

interface Pending {
  attempt: LoginAttempt;
  phone: string;
  stage: 'code' | 'password';
  codeLength: number | null;
  startedAt: number;
  proxy: { url: string; label: string } | null;
}

function refusalError(r: LoginRefusal): LoginError {
  switch (r.kind) {
    case 'invalid_phone':
      return { kind: 'invalid_phone', message: 'Telegram says this phone number is not valid' };
    case 'wrong_code':
      return { kind: 'wrong_code', message: 'the code is wrong; check it and send it again (with spaces or dashes between digits)' };
    case 'expired_code':
      return { kind: 'expired_code', message: 'the code has expired; start the login again to get a new one' };
    case 'wrong_password':
      return { kind: 'wrong_password', message: 'the two-step verification password is wrong' };
    case 'too_many_attempts':
      return {
        kind: 'too_many_attempts',
        seconds: r.seconds,
        message: r.seconds !== null ? `too many attempts: Telegram asks to wait ${formatWait(r.seconds)}` : 'too many attempts: Telegram asks to wait before trying again',
      };
    case 'banned_number':
      return { kind: 'banned_number', message: 'Telegram has banned this phone number' };
    case 'not_registered':
      return { kind: 'not_registered', message: 'this number has no Telegram account; sign up in an official app first' };
  }
}

export function formatWait(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.ceil(seconds / 60)} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}

/**
 * Phone -> code -> 2FA password -> stored account, for the CLI and the bot alike. Logins live in
 * memory only; nothing reaches the database until Telegram accepted the login and the account is
 * known to be new. An abandoned login simply expires.
 */
export class LoginService {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly o: LoginServiceOptions) {}

  /** Logins waiting for a code or password. */
  get open(): number {
    return this.pending.size;
  }

  private async sweep(): Promise<void> {
    const now = this.o.clock.now();
    const ttl = this.o.ttlMs ?? 15 * 60_000;
    for (const [id, p] of this.pending) {
      if (p.startedAt + ttl <= now) {
        this.pending.delete(id);
        await p.attempt.cancel();
      }
    }
  }

  async start(phoneInput: string, opts: { proxyUrl?: string } = {}): Promise<LoginStep> {
    await this.sweep();
    const phone = parsePhone(phoneInput);
    if (!phone.ok) return { step: 'failed', error: { kind: 'invalid_phone', message: phone.problem } };
    const existing = this.o.store.byPhone(phone.value);
    if (existing !== undefined) {
      return { step: 'failed', error: { kind: 'already_exists', accountId: existing, message: `${phone.value} is already stored as account #${existing}` } };
    }
    let proxy: (NonNullable<Pending['proxy']> & { spec: ProxySpec }) | null = null;
    const proxyUrl = opts.proxyUrl ?? this.o.defaultProxyUrl;
    if (proxyUrl) {
      const p = parseProxyUrl(proxyUrl);
      if (!p.ok) return { step: 'failed', error: { kind: 'bad_proxy', message: p.problem } };
      proxy = { url: proxyUrl.trim(), label: p.label, spec: p.spec };
    }
    const attempt = new LoginAttempt(this.o.api, proxy?.spec ?? null);
    const sent = await attempt.sendCode(phone.value);
    if (sent.kind !== 'code_sent') {
      await attempt.cancel();
      if (sent.kind === 'refused') return { step: 'failed', error: refusalError(sent.refusal) };
      return { step: 'failed', error: { kind: 'failed', failure: sent.failure, message: sent.failure.message } };
    }
    const loginId = randomBytes(9).toString('base64url');
    // Only an explicitly chosen proxy becomes the account's own; PROXY_URL stays a default.
    this.pending.set(loginId, {
      attempt,
      phone: phone.value,
      stage: 'code',
      codeLength: sent.codeLength,
      startedAt: this.o.clock.now(),
      proxy: opts.proxyUrl && proxy ? { url: proxy.url, label: proxy.label } : null,
    });
    this.o.log.info({ phone: phone.value, delivery: sent.delivery }, 'login code sent');
    return { step: 'code', loginId, phone: phone.value, delivery: sent.delivery, codeLength: sent.codeLength };
  }

  async code(loginId: string, input: string): Promise<LoginStep> {
    await this.sweep();
    const p = this.pending.get(loginId);
    if (!p || p.stage !== 'code') return { step: 'failed', error: { kind: 'no_login', message: 'this login is not waiting for a code (expired or finished); start again' } };
    const code = parseLoginCode(input, p.codeLength);
    if (!code.ok) return { step: 'failed', error: { kind: 'bad_code', message: code.problem }, retry: { loginId, step: 'code' } };
    return this.after(loginId, p, await p.attempt.signIn(code.value));
  }

  async password(loginId: string, password: string): Promise<LoginStep> {
    await this.sweep();
    const p = this.pending.get(loginId);
    if (!p || p.stage !== 'password') return { step: 'failed', error: { kind: 'no_login', message: 'this login is not waiting for a password (expired or finished); start again' } };
    if (password === '') return { step: 'failed', error: { kind: 'wrong_password', message: 'the password is empty' }, retry: { loginId, step: 'password' } };
    return this.after(loginId, p, await p.attempt.checkPassword(password));
  }

  /** Drops a login; nothing of it remains. */
  async cancel(loginId: string): Promise<void> {
    const p = this.pending.get(loginId);
    this.pending.delete(loginId);
    await p?.attempt.cancel();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pending.keys()].map((id) => this.cancel(id)));
  }

  private async after(loginId: string, p: Pending, res: SignInResult): Promise<LoginStep> {
    switch (res.kind) {
      case 'password_needed':
        p.stage = 'password';
        return { step: 'password', loginId, hint: res.hint };
      case 'signed_in':
        this.pending.delete(loginId);
        return this.store(p, res.session);
      case 'refused': {
        const error = refusalError(res.refusal);
        if (error.kind === 'wrong_code' && p.stage === 'code') return { step: 'failed', error, retry: { loginId, step: 'code' } };
        if (error.kind === 'wrong_password' && p.stage === 'password') return { step: 'failed', error, retry: { loginId, step: 'password' } };
        await this.cancel(loginId);
        return { step: 'failed', error };
      }
      case 'failed':
        await this.cancel(loginId);
        return { step: 'failed', error: { kind: 'failed', failure: res.failure, message: res.failure.message } };
    }
  }

  private async store(p: Pending, session: VerifiedSession): Promise<LoginStep> {
    const now = this.o.clock.now();
    try {
      const id = this.o.store.create(
        { phone: p.phone, userId: session.self.userId, username: session.self.username, firstName: session.self.firstName, proxy: p.proxy },
        session.snapshot,
        now,
      );
      await session.close();
      const account = this.o.store.get(id, now)!;
      this.o.log.info({ accountId: id }, 'account added');
      this.o.onStored?.(account);
      return { step: 'done', account };
    } catch (e) {
      if (e instanceof AccountExistsError) {
        // The new authorization would be left dangling at Telegram: end it.
        await session.logOut().catch((err: unknown) => this.o.log.warn({ err }, 'could not log out the refused duplicate session'));
        return { step: 'failed', error: { kind: 'already_exists', accountId: e.existingId, message: e.message } };
      }
      await session.close();
      throw e;
    }
  }
}
