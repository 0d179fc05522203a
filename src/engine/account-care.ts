/**
 * Account care the CLI and the bot share: the devices logged into an account and ending them,
 * the cloud (two-step) password, and the login codes Telegram posts to the account. Passwords
 * and codes pass through to the session and back to the caller; none is logged or stored.
 */
import { HINT_MAX, loginCodeIn, PASSWORD_MAX, twoFactorIssue, type TwoFactorAction, type TwoFactorInput } from '../core/account-care.ts';
import type { Clock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import { isTelegramFailure, type FailureKind } from '../core/failures.ts';
import { reason, type Reason } from '../core/reasons.ts';
import type { AccountSession, DeviceSession, ServiceNotice } from '../core/session.ts';
import type { Logger } from '../log.ts';
import type { Fleet } from './fleet.ts';

/** How long `codes --wait` waits for a new code. */
export const CODE_WAIT_MS = 2 * 60_000;
/** Codes older than this are not "recent" (Telegram's expire within minutes). */
export const RECENT_CODES_MS = 24 * 3600_000;
/** How often a wait also reads the service chat, in case an update was lost. */
const CODE_RECHECK_MS = 15_000;

/** What account care needs from the fleet. */
export type CarePool = Pick<Fleet, 'session' | 'reportFailure'>;

/** Where the count of other sessions is kept with the account's health. */
export interface OtherSessionsSink {
  setOtherSessions(accountId: number, count: number, now: number): void;
}

export interface AccountCareOptions {
  pool: CarePool;
  clock: Clock;
  log: Logger;
  store?: OtherSessionsSink;
}

export type CareFailureKind = FailureKind | 'wrong_password' | 'no_password' | 'has_password' | 'email_code_wrong' | 'email_unconfirmed' | 'too_fresh' | 'unsupported';

export interface CareFailure {
  kind: CareFailureKind;
  code: string;
  message: string;
  /** Set where interfaces word the failure in their own language. */
  reason?: Reason;
}

export interface SessionsReport {
  accountId: number;
  sessions: DeviceSession[];
  /** Sessions other than the panel's own. */
  others: number;
}

export interface EndOthersResult {
  accountId: number;
  ok: boolean;
  /** How many sessions were ended. */
  ended: number;
  failure: CareFailure | null;
}

export interface TwoFactorResult {
  accountId: number;
  ok: boolean;
  /** `email_pending`: the new password waits for the code emailed to the recovery address. */
  outcome: 'set' | 'changed' | 'removed' | 'email_pending' | null;
  failure: CareFailure | null;
}

export interface LoginCode {
  code: string;
  /** Epoch ms. */
  date: number;
  messageId: number;
}

export interface CodesReport {
  accountId: number;
  /** Recent codes, newest first. */
  codes: LoginCode[];
  /** With `wait`: the code that arrived while waiting, or null when none came in time. */
  fresh: LoginCode | null;
}

/** Asks for the code Telegram emailed to confirm a recovery address; null gives up. */
export type EmailCodeAsker = (accountId: number, attempt: number, codeLength: number) => Promise<string | null>;

const OWN_CODES: Record<string, { kind: CareFailureKind; reason: Reason }> = {
  PASSWORD_HASH_INVALID: { kind: 'wrong_password', reason: reason('twofa_wrong_password') },
  PASSWORD_NOT_SET: { kind: 'no_password', reason: reason('twofa_not_set') },
  PASSWORD_ALREADY_SET: { kind: 'has_password', reason: reason('twofa_already_set') },
  CODE_INVALID: { kind: 'email_code_wrong', reason: reason('twofa_email_code_wrong') },
  FRESH_RESET_AUTHORISATION_FORBIDDEN: { kind: 'too_fresh', reason: reason('sessions_too_fresh') },
};

function careFailure(e: unknown): CareFailure {
  if (!isTelegramFailure(e)) return { kind: 'unknown', code: 'UNKNOWN', message: e instanceof Error ? e.message : String(e) };
  const f = e.failure;
  const own = OWN_CODES[f.code];
  return own ? { kind: own.kind, code: f.code, message: f.message, reason: own.reason } : { kind: f.kind, code: f.code, message: f.message };
}

function unsupported(what: string): CareFailure {
  return { kind: 'unsupported', code: 'UNSUPPORTED', message: `this connection cannot ${what}` };
}

function codeOf(n: ServiceNotice): LoginCode | null {
  const code = loginCodeIn(n.text);
  return code === null ? null : { code, date: n.date, messageId: n.messageId };
}

export class AccountCareService {
  constructor(private readonly deps: AccountCareOptions) {}

  private report(accountId: number, e: unknown): void {
    if (isTelegramFailure(e)) this.deps.pool.reportFailure(accountId, 'check', e.failure);
  }

  private remember(accountId: number, sessions: readonly DeviceSession[]): number {
    const others = sessions.filter((s) => !s.current).length;
    this.deps.store?.setOtherSessions(accountId, others, this.deps.clock.now());
    return others;
  }

  private async session(accountId: number): Promise<AccountSession> {
    try {
      return await this.deps.pool.session(accountId);
    } catch (e) {
      this.report(accountId, e);
      throw e;
    }
  }

  /** Every authorization of the account, the panel's own first; remembers how many others there are. */
  async sessions(accountId: number): Promise<SessionsReport> {
    const s = await this.session(accountId);
    if (!s.sessions) throw new InputError(unsupported('list sessions').message, reason('care_unsupported', { what: 'sessions' }));
    try {
      const sessions = await s.sessions();
      return { accountId, sessions, others: this.remember(accountId, sessions) };
    } catch (e) {
      this.report(accountId, e);
      throw e;
    }
  }

  /** Ends every session but the panel's own on each account; one account's refusal fails that account only. */
  async endOthers(accountIds: readonly number[]): Promise<EndOthersResult[]> {
    if (accountIds.length === 0) throw new InputError('name at least one account', reason('accounts_none_named'));
    const out: EndOthersResult[] = [];
    for (const accountId of accountIds) {
      try {
        const s = await this.session(accountId);
        if (!s.sessions || !s.endOtherSessions) {
          out.push({ accountId, ok: false, ended: 0, failure: unsupported('end sessions') });
          continue;
        }
        const before = (await s.sessions()).filter((x) => !x.current).length;
        if (before > 0) await s.endOtherSessions();
        const after = before > 0 ? this.remember(accountId, await s.sessions()) : this.remember(accountId, []);
        out.push({ accountId, ok: true, ended: before - after, failure: null });
      } catch (e) {
        this.report(accountId, e);
        out.push({ accountId, ok: false, ended: 0, failure: careFailure(e) });
      }
    }
    return out;
  }

  /**
   * Sets, changes or removes the cloud password on each account, one after another. The request
   * is checked before any account acts; a wrong current password fails that account only. With
   * an email, `askEmailCode` is asked for the code Telegram sent there (per account).
   */
  async twoFactor(accountIds: readonly number[], input: TwoFactorInput, askEmailCode?: EmailCodeAsker): Promise<TwoFactorResult[]> {
    if (accountIds.length === 0) throw new InputError('name at least one account', reason('accounts_none_named'));
    const problem = twoFactorIssue(input);
    if (problem) {
      const max: Record<string, number> = problem.issue === 'next_too_long' ? { max: PASSWORD_MAX } : problem.issue === 'hint_too_long' ? { max: HINT_MAX } : {};
      throw new InputError(problem.english, reason('twofa_input_invalid', { issue: problem.issue, ...max }));
    }
    const done: Record<TwoFactorAction, TwoFactorResult['outcome']> = { set: 'set', change: 'changed', remove: 'removed' };
    const out: TwoFactorResult[] = [];
    for (const accountId of accountIds) {
      try {
        const s = await this.session(accountId);
        if (!s.changeCloudPassword || !s.confirmPasswordEmail) {
          out.push({ accountId, ok: false, outcome: null, failure: unsupported('change the two-step password') });
          continue;
        }
        const res = await s.changeCloudPassword({
          current: input.action === 'set' ? null : input.current,
          next: input.action === 'remove' ? null : input.next,
          ...(input.hint !== undefined ? { hint: input.hint } : {}),
          ...(input.email !== undefined ? { email: input.email } : {}),
        });
        if (res.emailCodeLength === null) {
          out.push({ accountId, ok: true, outcome: done[input.action], failure: null });
          continue;
        }
        out.push(await this.confirmEmail(accountId, s, res.emailCodeLength, askEmailCode, done[input.action]));
      } catch (e) {
        this.report(accountId, e);
        out.push({ accountId, ok: false, outcome: null, failure: careFailure(e) });
      }
    }
    return out;
  }

  private async confirmEmail(accountId: number, s: AccountSession, length: number, ask: EmailCodeAsker | undefined, outcome: TwoFactorResult['outcome']): Promise<TwoFactorResult> {
    const pending: TwoFactorResult = {
      accountId,
      ok: false,
      outcome: 'email_pending',
      failure: { kind: 'email_unconfirmed', code: 'EMAIL_UNCONFIRMED', message: 'the new password waits for the code emailed to the recovery address', reason: reason('twofa_email_pending') },
    };
    let last: CareFailure | null = null;
    for (let attempt = 1; attempt <= 3 && ask; attempt++) {
      const code = await ask(accountId, attempt, length);
      if (code === null) break;
      try {
        await s.confirmPasswordEmail!(code);
        return { accountId, ok: true, outcome, failure: null };
      } catch (e) {
        last = careFailure(e);
        if (last.kind !== 'email_code_wrong') break;
      }
    }
    return last && last.kind !== 'email_code_wrong' ? { ...pending, failure: last } : pending;
  }

  /**
   * The account's recent login codes from Telegram's service messages, newest first. With
   * `wait`, also waits (up to two minutes of the engine's clock) for a new one, through the
   * account's live updates; `onWaiting` runs once the wait listens.
   */
  async codes(accountId: number, opts: { wait?: boolean; signal?: AbortSignal; onWaiting?: () => void; waitMs?: number } = {}): Promise<CodesReport> {
    const s = await this.session(accountId);
    if (!s.serviceNotices) throw new InputError(unsupported('read service messages').message, reason('care_unsupported', { what: 'service_messages' }));
    let fresh: LoginCode | null = null;
    let wake: (() => void) | undefined;
    const arrived = new Promise<void>((resolve) => (wake = resolve));
    let newest = 0;
    const consider = (n: ServiceNotice): void => {
      const c = codeOf(n);
      if (c && c.messageId > newest && (!fresh || c.messageId > fresh.messageId)) {
        fresh = c;
        wake?.();
      }
    };
    let unsubscribe: (() => void) | undefined;
    try {
      if (opts.wait) {
        // Listening starts before the history is read, so a code posted in between is not missed.
        unsubscribe = s.onServiceNotice?.(consider);
        await s.listen?.();
      }
      const now = this.deps.clock.now();
      const notices = await s.serviceNotices(30);
      newest = notices.reduce((m, n) => Math.max(m, n.messageId), 0);
      const recent = notices
        .map(codeOf)
        .filter((c): c is LoginCode => c !== null && now - c.date <= RECENT_CODES_MS)
        .sort((a, b) => b.messageId - a.messageId)
        .slice(0, 5);
      if (fresh && (fresh as LoginCode).messageId <= newest) fresh = null;
      if (!opts.wait) return { accountId, codes: recent, fresh: null };
      opts.onWaiting?.();
      const deadline = now + (opts.waitMs ?? CODE_WAIT_MS);
      while (!fresh && this.deps.clock.now() < deadline && !opts.signal?.aborted) {
        const ctl = new AbortController();
        const stop = (): void => ctl.abort();
        opts.signal?.addEventListener('abort', stop, { once: true });
        const nap = this.deps.clock.sleep(Math.min(CODE_RECHECK_MS, deadline - this.deps.clock.now()), ctl.signal).catch(() => undefined);
        await Promise.race([arrived, nap]);
        ctl.abort();
        opts.signal?.removeEventListener('abort', stop);
        if (fresh || opts.signal?.aborted) break;
        // An update can be lost; the service chat itself is the authority.
        for (const n of await s.serviceNotices(5)) consider(n);
      }
      const got = fresh as LoginCode | null;
      return { accountId, codes: got ? [got, ...recent.filter((c) => c.messageId !== got.messageId)] : recent, fresh: got };
    } catch (e) {
      this.report(accountId, e);
      throw e;
    } finally {
      unsubscribe?.();
    }
  }
}
