/**
 * Account care as Telegram answers it: the devices logged into an account (Settings > Devices),
 * ending them, the cloud (2FA) password with its recovery email, and the login codes Telegram
 * posts from its service account (777000) when someone starts a login for the account's phone.
 */
import { createHash } from 'node:crypto';
import { Long, type tl } from '@mtcute/core';
import type { Db } from '../world-file.ts';
import { verifyCheck } from '../srp.ts';
import { addBoxMessage } from '../write.ts';
import { fail, sec, type CallContext, type UserRow } from './context.ts';

/** Telegram's service notifications account: login codes come from it. */
export const SERVICE_USER_ID = 777000;

/** Telegram refuses to end other sessions from one younger than this. */
export const FRESH_SESSION_MS = 24 * 3600_000;

/** What a client tells Telegram about itself in initConnection. */
export interface DeviceInfo {
  deviceModel: string;
  systemVersion: string;
  appVersion: string;
  apiId: number;
  langPack?: string;
}

interface DeviceRow {
  hash: string;
  user_id: number;
  key_id: string | null;
  device_model: string;
  platform: string;
  system_version: string;
  app_name: string;
  app_version: string;
  api_id: number;
  ip: string;
  country: string;
  region: string;
  created_at: number;
  active_at: number;
  ended: number;
}

/** An authorization's id, stable for an auth key (signed 64-bit, as a decimal string). */
export function hashOfKey(keyId: string): string {
  return BigInt.asIntN(64, BigInt('0x' + createHash('sha256').update(`auth:${keyId}`).digest('hex').slice(0, 16))).toString();
}

/** A documentation-range address per key, so every session shows one of its own. */
function ipOfKey(keyId: string): string {
  const b = createHash('sha256').update(`ip:${keyId}`).digest();
  return `203.0.113.${1 + (b[0]! % 254)}`;
}

const ACTIVE_EVERY_MS = 60_000;

/**
 * Records (or refreshes) the device row of an active authorization from its client's
 * initConnection, at most once a minute per key.
 */
export function noteDevice(db: Db, keyId: string, userId: number, device: DeviceInfo | undefined, now: number): void {
  const row = db.prepare('SELECT active_at FROM devices WHERE key_id = ?').get(keyId) as { active_at: number } | undefined;
  if (row) {
    if (now - row.active_at >= ACTIVE_EVERY_MS) db.prepare('UPDATE devices SET active_at = ? WHERE key_id = ?').run(now, keyId);
    return;
  }
  const created = (db.prepare('SELECT created_at FROM authorizations WHERE key_id = ?').get(keyId) as { created_at: number } | undefined)?.created_at ?? now;
  db.prepare(
    `INSERT OR IGNORE INTO devices (hash, user_id, key_id, device_model, platform, system_version, app_name, app_version, api_id, ip, country, region, created_at, active_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Netherlands', 'North Holland', ?, ?)`,
  ).run(
    hashOfKey(keyId),
    userId,
    keyId,
    device?.deviceModel ?? 'unknown device',
    device?.langPack || 'mtcute',
    device?.systemVersion ?? '',
    'mtcute',
    device?.appVersion ?? '',
    device?.apiId ?? 0,
    ipOfKey(keyId),
    created,
    now,
  );
}

/** Other devices a fleet account is logged into when the world is made (phones, desktops, the web). */
export function seedDevices(db: Db, userId: number, count: number, pick: (n: number) => number, now: number): void {
  const kinds = [
    { model: 'Samsung Galaxy S23', platform: 'android', system: 'SDK 34', app: 'Telegram Android', version: '11.2.3', api: 6, country: 'Germany', region: 'Berlin' },
    { model: 'iPhone 15', platform: 'ios', system: 'iOS 17.5', app: 'Telegram iOS', version: '11.1', api: 8, country: 'Turkey', region: 'Istanbul' },
    { model: 'Desktop', platform: 'desktop', system: 'Windows 11', app: 'Telegram Desktop', version: '5.5.5 x64', api: 2040, country: 'Iran', region: 'Tehran' },
    { model: 'Chrome 128', platform: 'web', system: 'Linux', app: 'Telegram Web A', version: '10.9.6 A', api: 2496, country: 'United Arab Emirates', region: 'Dubai' },
  ];
  for (let i = 0; i < count; i++) {
    const k = kinds[pick(kinds.length)]!;
    const hash = BigInt.asIntN(64, (BigInt(userId) << 16n) + BigInt(i + 1) * 7919n).toString();
    const created = now - (2 + pick(300)) * 86_400_000;
    db.prepare(
      `INSERT INTO devices (hash, user_id, key_id, device_model, platform, system_version, app_name, app_version, api_id, ip, country, region, created_at, active_at)
       VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(hash, userId, k.model, k.platform, k.system, k.app, k.version, k.api, `198.51.100.${1 + pick(254)}`, k.country, k.region, created, now - pick(72) * 3600_000);
  }
}

/** The device rows standing for the account's live authorizations (real keys and seeded devices). */
function liveDevices(ctx: CallContext): DeviceRow[] {
  const real = ctx.db
    .prepare(
      `SELECT d.* FROM devices d JOIN authorizations a ON a.key_id = d.key_id
       WHERE a.user_id = ? AND a.state = 'active' AND d.user_id = a.user_id`,
    )
    .all(ctx.me.id) as DeviceRow[];
  const seeded = ctx.db.prepare('SELECT * FROM devices WHERE user_id = ? AND key_id IS NULL AND ended = 0').all(ctx.me.id) as DeviceRow[];
  return [...real, ...seeded];
}

export interface LiveDevice {
  hash: string;
  device: string;
  app: string;
  /** Null for a device seeded with the world (no auth key). */
  keyId: string | null;
}

export function liveDevicesOf(db: Db, userId: number): LiveDevice[] {
  const rows = [
    ...(db
      .prepare(
        `SELECT d.* FROM devices d JOIN authorizations a ON a.key_id = d.key_id WHERE a.user_id = ? AND a.state = 'active' AND d.user_id = a.user_id`,
      )
      .all(userId) as DeviceRow[]),
    ...(db.prepare('SELECT * FROM devices WHERE user_id = ? AND key_id IS NULL AND ended = 0').all(userId) as DeviceRow[]),
  ];
  return rows.map((d) => ({ hash: d.hash, device: d.device_model, app: d.app_name, keyId: d.key_id }));
}

function authorizationTl(d: DeviceRow, current: boolean): tl.RawAuthorization {
  return {
    _: 'authorization',
    current,
    officialApp: d.api_id !== 0 && d.api_id < 10_000,
    // Telegram names the current session with hash 0.
    hash: current ? Long.ZERO : Long.fromString(d.hash),
    deviceModel: d.device_model,
    platform: d.platform,
    systemVersion: d.system_version,
    apiId: d.api_id,
    appName: d.app_name,
    appVersion: d.app_version,
    dateCreated: sec(d.created_at),
    dateActive: sec(d.active_at),
    ip: d.ip,
    country: d.country,
    region: d.region,
  };
}

export function getAuthorizations(ctx: CallContext): tl.account.RawAuthorizations {
  const devices = liveDevices(ctx).sort((a, b) => (a.key_id === ctx.auth.key_id ? -1 : b.key_id === ctx.auth.key_id ? 1 : b.active_at - a.active_at));
  return { _: 'account.authorizations', authorizationTtlDays: 180, authorizations: devices.map((d) => authorizationTl(d, d.key_id === ctx.auth.key_id)) };
}

function refuseWhenFresh(ctx: CallContext): void {
  if (ctx.now - ctx.auth.created_at < FRESH_SESSION_MS) throw fail.notAcceptable('FRESH_RESET_AUTHORISATION_FORBIDDEN');
}

/** Ends one device: a seeded one is marked ended, a real key answers AUTH_KEY_UNREGISTERED from then on. */
function end(ctx: CallContext, d: DeviceRow): void {
  if (d.key_id === null) ctx.db.prepare('UPDATE devices SET ended = 1 WHERE hash = ?').run(d.hash);
  else ctx.db.prepare("UPDATE authorizations SET state = 'revoked', error = 'AUTH_KEY_UNREGISTERED', updated_at = ? WHERE key_id = ?").run(ctx.now, d.key_id);
}

export function resetAuthorization(ctx: CallContext, req: tl.account.RawResetAuthorizationRequest): boolean {
  if (req.hash.isZero()) throw fail.badRequest('HASH_INVALID');
  const d = liveDevices(ctx).find((x) => x.hash === req.hash.toString() && x.key_id !== ctx.auth.key_id);
  if (!d) throw fail.badRequest('HASH_INVALID');
  refuseWhenFresh(ctx);
  end(ctx, d);
  return true;
}

export function resetAuthorizations(ctx: CallContext): boolean {
  refuseWhenFresh(ctx);
  for (const d of liveDevices(ctx)) if (d.key_id !== ctx.auth.key_id) end(ctx, d);
  return true;
}

// ---- the cloud password ----

/** The code "emailed" to confirm a recovery address: fixed per world, account and address, so a script can know it. */
export function passwordEmailCode(secret: string, userId: number, email: string): string {
  const n = createHash('sha256').update(`email:${secret}:${userId}:${email.toLowerCase()}`).digest().readUInt32BE(0);
  return String(100_000 + (n % 900_000));
}

/** `a***@example.com`, the way Telegram shows an unconfirmed address. */
export function emailPattern(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

function checkCurrent(ctx: CallContext, input: tl.TypeInputCheckPasswordSRP): void {
  const user = ctx.me;
  if (!user.srp_v || !user.srp_salt1 || !user.srp_salt2) {
    if (input._ !== 'inputCheckPasswordEmpty') throw fail.badRequest('PASSWORD_HASH_INVALID');
    return;
  }
  if (input._ !== 'inputCheckPasswordSRP') throw fail.badRequest('PASSWORD_HASH_INVALID');
  const session = ctx.db.prepare('SELECT * FROM srp_sessions WHERE srp_id = ? AND user_id = ?').get(input.srpId.toString(), user.id) as { b: Buffer; gb: Buffer } | undefined;
  if (!session) throw fail.badRequest('SRP_ID_INVALID');
  ctx.db.prepare('DELETE FROM srp_sessions WHERE srp_id = ?').run(input.srpId.toString());
  const ok = verifyCheck({ v: user.srp_v, b: session.b, gB: session.gb, salt1: user.srp_salt1, salt2: user.srp_salt2, A: input.A, M1: input.M1 });
  // Kept: the used SRP session stays spent, as on Telegram.
  if (!ok) throw fail.badRequest('PASSWORD_HASH_INVALID').kept();
}

interface NewPassword {
  salt1: Buffer | null;
  salt2: Buffer | null;
  v: Buffer | null;
  hint: string | null;
  email: string | null;
}

function applyPassword(db: Db, userId: number, p: NewPassword): void {
  // The world no longer knows the password in clear once the account chose its own.
  db.prepare('UPDATE users SET password = NULL, srp_salt1 = ?, srp_salt2 = ?, srp_v = ?, password_hint = ?, recovery_email = ? WHERE id = ?').run(
    p.salt1,
    p.salt2,
    p.v,
    p.hint,
    p.email,
    userId,
  );
  db.prepare('DELETE FROM password_pending WHERE user_id = ?').run(userId);
}

export function updatePasswordSettings(ctx: CallContext, req: tl.account.RawUpdatePasswordSettingsRequest): boolean {
  checkCurrent(ctx, req.password);
  const s = req.newSettings;
  const algo = s.newAlgo;
  if (!algo || algo._ === 'passwordKdfAlgoUnknown' || !s.newPasswordHash || s.newPasswordHash.length === 0) {
    applyPassword(ctx.db, ctx.me.id, { salt1: null, salt2: null, v: null, hint: null, email: null });
    return true;
  }
  if (s.newPasswordHash.length !== 256) throw fail.badRequest('NEW_SALT_INVALID');
  const hint = s.hint?.trim() ? s.hint : null;
  if (hint !== null && hint.length > 128) throw fail.badRequest('PASSWORD_HINT_INVALID');
  const next: NewPassword = { salt1: Buffer.from(algo.salt1), salt2: Buffer.from(algo.salt2), v: Buffer.from(s.newPasswordHash), hint, email: ctx.me.recovery_email };
  if (s.email === undefined || s.email === '') {
    applyPassword(ctx.db, ctx.me.id, next);
    return true;
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s.email)) throw fail.badRequest('EMAIL_INVALID');
  const code = passwordEmailCode(ctx.secret, ctx.me.id, s.email);
  ctx.db
    .prepare(
      `INSERT INTO password_pending (user_id, srp_salt1, srp_salt2, srp_v, hint, email, code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET srp_salt1 = excluded.srp_salt1, srp_salt2 = excluded.srp_salt2, srp_v = excluded.srp_v,
         hint = excluded.hint, email = excluded.email, code = excluded.code, created_at = excluded.created_at`,
    )
    .run(ctx.me.id, next.salt1, next.salt2, next.v, next.hint, s.email, code, ctx.now);
  // Telegram keeps the new password waiting for the address to be confirmed.
  throw fail.badRequest(`EMAIL_UNCONFIRMED_${code.length}`).kept();
}

interface PendingRow {
  srp_salt1: Buffer | null;
  srp_salt2: Buffer | null;
  srp_v: Buffer | null;
  hint: string | null;
  email: string;
  code: string;
}

export function pendingPassword(db: Db, userId: number): PendingRow | undefined {
  return db.prepare('SELECT * FROM password_pending WHERE user_id = ?').get(userId) as PendingRow | undefined;
}

export function confirmPasswordEmail(ctx: CallContext, req: tl.account.RawConfirmPasswordEmailRequest): boolean {
  const p = pendingPassword(ctx.db, ctx.me.id);
  if (!p) throw fail.badRequest('EMAIL_HASH_EXPIRED');
  if (req.code.replace(/\D/g, '') !== p.code) throw fail.badRequest('CODE_INVALID');
  applyPassword(ctx.db, ctx.me.id, { salt1: p.srp_salt1, salt2: p.srp_salt2, v: p.srp_v, hint: p.hint, email: p.email });
  return true;
}

export function resendPasswordEmail(ctx: CallContext): boolean {
  if (!pendingPassword(ctx.db, ctx.me.id)) throw fail.badRequest('EMAIL_HASH_EXPIRED');
  return true;
}

export function cancelPasswordEmail(ctx: CallContext): boolean {
  ctx.db.prepare('DELETE FROM password_pending WHERE user_id = ?').run(ctx.me.id);
  return true;
}

// ---- login codes ----

/**
 * Posts the login code to the account from 777000, as Telegram does when a login for its phone
 * starts on another device; the account's live sessions get it as a new message.
 */
export function postLoginCode(db: Db, user: UserRow, now: number): void {
  if (!user.login_code || user.deleted || user.state === 'banned') return;
  db.prepare(
    "INSERT OR IGNORE INTO users (id, kind, first_name, phone, privacy, created_at) VALUES (?, 'person', 'Telegram', '42777', 'everybody', ?)",
  ).run(SERVICE_USER_ID, now);
  const text =
    `Login code: ${user.login_code}. Do not give this code to anyone, even if they say they are from Telegram!\n\n` +
    'This code can be used to log in to your Telegram account. We never ask it for anything else.\n\n' +
    "If you didn't request this code by trying to log in on another device, simply ignore this message.";
  addBoxMessage(db, now, { ownerId: user.id, peerKind: 'user', peerId: SERVICE_USER_ID, fromId: SERVICE_USER_ID, text });
}
