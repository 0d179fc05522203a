import { randomBytes } from 'node:crypto';
import { Long, type tl } from '@mtcute/core';
import type { UserRow } from '../rows.ts';
import { SRP_G, SRP_P, startCheck, verifyCheck } from '../srp.ts';
import { emailPattern, pendingPassword, postLoginCode } from './account.ts';
import { fail, type AnonContext } from './context.ts';
import { getUser, userTl } from './tl.ts';

/** How long a login code stays valid, in world time. */
export const CODE_TTL_MS = 10 * 60_000;

const digits = (phone: string): string => phone.replace(/\D/g, '');

function userByPhone(ctx: AnonContext, phone: string): UserRow | undefined {
  return ctx.db.prepare("SELECT * FROM users WHERE replace(phone, '+', '') = ? AND deleted = 0").get(digits(phone)) as UserRow | undefined;
}

function setAuth(ctx: AnonContext, state: AnonContext['auth']['state'], userId: number | null): void {
  ctx.db.prepare('UPDATE authorizations SET state = ?, user_id = ?, error = NULL, updated_at = ? WHERE key_id = ?').run(state, userId, ctx.now, ctx.auth.key_id);
  ctx.auth.state = state;
  ctx.auth.user_id = userId;
}

function authorization(ctx: AnonContext, user: UserRow): tl.auth.RawAuthorization {
  setAuth(ctx, 'active', user.id);
  return { _: 'auth.authorization', user: userTl({ ...ctx, me: user }, user) };
}

export function sendCode(ctx: AnonContext, req: tl.auth.RawSendCodeRequest): tl.auth.TypeSentCode {
  if (digits(req.phoneNumber).length < 5) throw fail.badRequest('PHONE_NUMBER_INVALID');
  const user = userByPhone(ctx, req.phoneNumber);
  if (user?.state === 'banned') throw fail.badRequest('PHONE_NUMBER_BANNED');
  const hash = randomBytes(9).toString('hex');
  ctx.db
    .prepare('INSERT INTO login_codes (hash, key_id, phone, expires_at) VALUES (?, ?, ?, ?)')
    .run(hash, ctx.auth.key_id, digits(req.phoneNumber), ctx.now + CODE_TTL_MS);
  if (user) postLoginCode(ctx.db, user, ctx.now);
  return { _: 'auth.sentCode', type: { _: 'auth.sentCodeTypeApp', length: 5 }, phoneCodeHash: hash, timeout: 60 };
}

export function signIn(ctx: AnonContext, req: tl.auth.RawSignInRequest): tl.auth.TypeAuthorization {
  if (!req.phoneCodeHash) throw fail.badRequest('PHONE_CODE_HASH_EMPTY');
  if (!req.phoneCode) throw fail.badRequest('PHONE_CODE_EMPTY');
  const code = ctx.db.prepare('SELECT * FROM login_codes WHERE hash = ?').get(req.phoneCodeHash) as
    | { hash: string; key_id: string; phone: string; expires_at: number; used: number }
    | undefined;
  if (!code || code.key_id !== ctx.auth.key_id || code.phone !== digits(req.phoneNumber)) throw fail.badRequest('PHONE_CODE_EXPIRED');
  if (code.used || ctx.now > code.expires_at) throw fail.badRequest('PHONE_CODE_EXPIRED');
  const user = userByPhone(ctx, req.phoneNumber);
  if (!user) throw fail.badRequest('PHONE_NUMBER_UNOCCUPIED');
  if (user.state === 'banned') throw fail.badRequest('PHONE_NUMBER_BANNED');
  if (req.phoneCode !== user.login_code) throw fail.badRequest('PHONE_CODE_INVALID');
  ctx.db.prepare('UPDATE login_codes SET used = 1 WHERE hash = ?').run(code.hash);
  if (user.srp_v) {
    setAuth(ctx, 'password', user.id);
    throw fail.unauthorized('SESSION_PASSWORD_NEEDED').kept();
  }
  return authorization(ctx, user);
}

function pendingUser(ctx: AnonContext): UserRow {
  if ((ctx.auth.state !== 'password' && ctx.auth.state !== 'active') || ctx.auth.user_id === null) throw fail.unauthorized('AUTH_KEY_UNREGISTERED');
  const user = getUser(ctx, ctx.auth.user_id);
  if (!user) throw fail.unauthorized('AUTH_KEY_UNREGISTERED');
  return user;
}

export function getPassword(ctx: AnonContext): tl.account.RawPassword {
  const user = pendingUser(ctx);
  const newAlgo: tl.RawPasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow = {
    _: 'passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow',
    salt1: randomBytes(8),
    salt2: randomBytes(16),
    g: SRP_G,
    p: SRP_P,
  };
  const pending = pendingPassword(ctx.db, user.id);
  const base: tl.account.RawPassword = {
    _: 'account.password',
    hasRecovery: user.recovery_email !== null,
    emailUnconfirmedPattern: pending ? emailPattern(pending.email) : undefined,
    newAlgo,
    newSecureAlgo: { _: 'securePasswordKdfAlgoSHA512', salt: randomBytes(8) },
    secureRandom: randomBytes(32),
  };
  if (!user.srp_v || !user.srp_salt1 || !user.srp_salt2) return base;
  const { b, gB } = startCheck(user.srp_v);
  const srpId = Long.fromBits(randomBytes(4).readInt32LE(), randomBytes(4).readInt32LE());
  ctx.db.prepare('INSERT INTO srp_sessions (srp_id, user_id, b, gb, created_at) VALUES (?, ?, ?, ?, ?)').run(srpId.toString(), user.id, b, gB, ctx.now);
  return {
    ...base,
    hasPassword: true,
    currentAlgo: { ...newAlgo, salt1: user.srp_salt1, salt2: user.srp_salt2 },
    srpB: gB,
    srpId,
    hint: user.password_hint ?? undefined,
  };
}

export function checkPassword(ctx: AnonContext, req: tl.auth.RawCheckPasswordRequest): tl.auth.TypeAuthorization {
  const user = pendingUser(ctx);
  if (req.password._ !== 'inputCheckPasswordSRP') throw fail.badRequest('PASSWORD_HASH_INVALID');
  const session = ctx.db.prepare('SELECT * FROM srp_sessions WHERE srp_id = ? AND user_id = ?').get(req.password.srpId.toString(), user.id) as
    | { b: Buffer; gb: Buffer }
    | undefined;
  if (!session || !user.srp_v || !user.srp_salt1 || !user.srp_salt2) throw fail.badRequest('SRP_ID_INVALID');
  ctx.db.prepare('DELETE FROM srp_sessions WHERE srp_id = ?').run(req.password.srpId.toString());
  const ok = verifyCheck({ v: user.srp_v, b: session.b, gB: session.gb, salt1: user.srp_salt1, salt2: user.srp_salt2, A: req.password.A, M1: req.password.M1 });
  if (!ok) throw fail.badRequest('PASSWORD_HASH_INVALID');
  return authorization(ctx, user);
}

export function logOut(ctx: AnonContext): tl.auth.RawLoggedOut {
  setAuth(ctx, 'logged_out', ctx.auth.user_id);
  return { _: 'auth.loggedOut' };
}

/** A new code for the same login (the account's code does not change in the simulator). */
export function resendCode(ctx: AnonContext, req: tl.auth.RawResendCodeRequest): tl.auth.TypeSentCode {
  const code = ctx.db.prepare('SELECT * FROM login_codes WHERE hash = ? AND key_id = ?').get(req.phoneCodeHash, ctx.auth.key_id) as { used: number } | undefined;
  if (!code || code.used) throw fail.badRequest('PHONE_CODE_EXPIRED');
  ctx.db.prepare('UPDATE login_codes SET expires_at = ? WHERE hash = ?').run(ctx.now + CODE_TTL_MS, req.phoneCodeHash);
  return { _: 'auth.sentCode', type: { _: 'auth.sentCodeTypeSms', length: 5 }, phoneCodeHash: req.phoneCodeHash, timeout: 60 };
}

export function cancelCode(ctx: AnonContext, req: tl.auth.RawCancelCodeRequest): boolean {
  ctx.db.prepare('UPDATE login_codes SET used = 1 WHERE hash = ? AND key_id = ?').run(req.phoneCodeHash, ctx.auth.key_id);
  return true;
}
