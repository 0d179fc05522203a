/**
 * Account care over mtcute: the account's authorizations (devices), its cloud password and the
 * notices from Telegram's service account. The password travels only into mtcute's SRP
 * computation; nothing here keeps or logs it.
 */
import { Long, tl, type Message, type TelegramClient } from '@mtcute/node';
import { TelegramFailure } from '../core/failures.ts';
import type { CloudPasswordChange, CloudPasswordState, DeviceSession, ServiceNotice } from '../core/session.ts';
import { classify } from './errors.ts';

/** Telegram's service notifications account (login codes, new-login alerts). */
export const SERVICE_USER_ID = 777000;

export function deviceSession(a: tl.RawAuthorization): DeviceSession {
  return {
    id: a.hash.toString(),
    current: a.current === true,
    device: a.deviceModel,
    platform: a.platform,
    system: a.systemVersion,
    app: a.appName,
    appVersion: a.appVersion,
    official: a.officialApp === true,
    ip: a.ip,
    country: a.country,
    region: a.region,
    createdAt: a.dateCreated * 1000,
    activeAt: a.dateActive * 1000,
  };
}

export async function sessions(c: TelegramClient): Promise<DeviceSession[]> {
  const res = await c.call({ _: 'account.getAuthorizations' });
  return res.authorizations.map(deviceSession);
}

/** Telegram refuses to end other sessions from a session younger than a day. */
function resetRefusal(e: unknown): never {
  if (tl.RpcError.is(e, 'FRESH_RESET_AUTHORISATION_FORBIDDEN')) {
    throw new TelegramFailure({
      kind: 'not_allowed',
      code: 'FRESH_RESET_AUTHORISATION_FORBIDDEN',
      message: "Telegram lets a session end others only once it is a day old; try again later (FRESH_RESET_AUTHORISATION_FORBIDDEN)",
    });
  }
  if (tl.RpcError.is(e, 'HASH_INVALID')) throw new TelegramFailure({ kind: 'not_found', code: 'HASH_INVALID', message: 'no such session (it may have ended already)' });
  throw e;
}

export async function endSession(c: TelegramClient, id: string): Promise<void> {
  if (!/^-?\d+$/.test(id)) throw new TelegramFailure({ kind: 'bad_request', code: 'HASH_INVALID', message: `${id} is not a session id` });
  await c.call({ _: 'account.resetAuthorization', hash: Long.fromString(id) }).catch(resetRefusal);
}

export async function endOtherSessions(c: TelegramClient): Promise<void> {
  await c.call({ _: 'auth.resetAuthorizations' }).catch(resetRefusal);
}

export async function cloudPassword(c: TelegramClient): Promise<CloudPasswordState> {
  const p = await c.call({ _: 'account.getPassword' });
  return { enabled: p.hasPassword === true, hint: p.hint ?? null, hasRecoveryEmail: p.hasRecovery === true, emailPending: p.emailUnconfirmedPattern ?? null };
}

function refuse(code: string, message: string): never {
  throw new TelegramFailure({ kind: 'bad_request', code, message });
}

/**
 * One call of account.updatePasswordSettings, proving the current password with SRP. A wrong
 * current password is PASSWORD_HASH_INVALID; a new password with a recovery email waits for
 * the emailed code (EMAIL_UNCONFIRMED_X), which is not a failure.
 */
export async function changeCloudPassword(c: TelegramClient, change: CloudPasswordChange): Promise<{ emailCodeLength: number | null }> {
  const pwd = await c.call({ _: 'account.getPassword' });
  if (pwd.hasPassword && change.current === null) refuse('PASSWORD_ALREADY_SET', 'the account already has a two-step password; change it instead');
  if (!pwd.hasPassword && change.current !== null) refuse('PASSWORD_NOT_SET', 'the account has no two-step password');
  const check: tl.TypeInputCheckPasswordSRP = pwd.hasPassword ? await c.computeSrpParams(pwd, change.current!) : { _: 'inputCheckPasswordEmpty' };
  let newSettings: tl.account.RawPasswordInputSettings;
  if (change.next === null) {
    newSettings = { _: 'account.passwordInputSettings', newAlgo: { _: 'passwordKdfAlgoUnknown' }, newPasswordHash: new Uint8Array(0), hint: '' };
  } else {
    const algo = pwd.newAlgo;
    const newPasswordHash = await c.computeNewPasswordHash(algo, change.next);
    newSettings = { _: 'account.passwordInputSettings', newAlgo: algo, newPasswordHash, hint: change.hint ?? '', ...(change.email ? { email: change.email } : {}) };
  }
  try {
    await c.call({ _: 'account.updatePasswordSettings', password: check, newSettings });
    return { emailCodeLength: null };
  } catch (e) {
    if (tl.RpcError.is(e, 'EMAIL_UNCONFIRMED_%d')) return { emailCodeLength: (e as tl.RpcError & { codeLength?: number }).codeLength ?? 6 };
    if (tl.RpcError.is(e, 'PASSWORD_HASH_INVALID')) refuse('PASSWORD_HASH_INVALID', 'the current two-step password is wrong');
    if (tl.RpcError.is(e, 'EMAIL_INVALID')) refuse('EMAIL_INVALID', 'Telegram refused the recovery email address');
    if (tl.RpcError.is(e, 'PASSWORD_HINT_INVALID')) refuse('PASSWORD_HINT_INVALID', 'Telegram refused the hint (it may not contain the password)');
    throw e;
  }
}

export async function confirmPasswordEmail(c: TelegramClient, code: string): Promise<void> {
  try {
    await c.call({ _: 'account.confirmPasswordEmail', code: code.replace(/[\s-]/g, '') });
  } catch (e) {
    if (tl.RpcError.is(e, 'CODE_INVALID')) refuse('CODE_INVALID', 'the emailed code is wrong');
    if (tl.RpcError.is(e, 'EMAIL_HASH_EXPIRED')) refuse('EMAIL_HASH_EXPIRED', 'no recovery email is waiting for a code (it expired or was confirmed)');
    throw e;
  }
}

export function serviceNotice(m: Message): ServiceNotice {
  return { messageId: m.id, date: m.date.getTime(), text: m.text };
}

/**
 * The latest messages from 777000. Its access hash comes with the account's dialogs, where the
 * service chat sits, when the client has not met it in an update yet.
 */
export async function serviceNotices(c: TelegramClient, limit: number): Promise<ServiceNotice[]> {
  let history: Message[];
  try {
    history = await c.getHistory(SERVICE_USER_ID, { limit });
  } catch (e) {
    if (classify(e).kind !== 'not_found') throw e;
    let found = false;
    for await (const d of c.iterDialogs({ limit: 500, archived: 'keep' })) {
      if (d.peer.id === SERVICE_USER_ID) {
        found = true;
        break;
      }
    }
    if (!found) return [];
    history = await c.getHistory(SERVICE_USER_ID, { limit });
  }
  return history.filter((m) => !m.isOutgoing && m.sender.id === SERVICE_USER_ID).map(serviceNotice);
}
