import {
  HttpProxyConnectionError,
  MtInvalidPeerTypeError,
  MtMessageNotFoundError,
  MtPeerNotFoundError,
  MtTimeoutError,
  SocksProxyConnectionError,
  tl,
} from '@mtcute/node';
import { TelegramFailure, type Failure, type FailureKind } from '../core/failures.ts';

/**
 * The one place that reads Telegram's errors. Everything above src/telegram sees `Failure` kinds.
 * Codes are compared whole (or through mtcute's parsed `FLOOD_WAIT_%d` forms), never by substring.
 */

interface Rule {
  kind: FailureKind;
  message: string;
}

const RULES: Record<string, Rule> = {};
function rule(kind: FailureKind, message: string, codes: string[]): void {
  for (const c of codes) RULES[c] = { kind, message };
}

rule('peer_flood', 'Telegram limits this account from messaging people it has no chat with (PEER_FLOOD)', ['PEER_FLOOD']);
rule('revoked', 'the session was ended (logged out elsewhere or revoked); log in again', [
  'AUTH_KEY_UNREGISTERED',
  'AUTH_KEY_INVALID',
  'AUTH_KEY_PERM_EMPTY',
  'SESSION_REVOKED',
  'SESSION_EXPIRED',
]);
rule('banned', 'the account is banned or deleted by Telegram', ['USER_DEACTIVATED', 'USER_DEACTIVATED_BAN', 'PHONE_NUMBER_BANNED']);
rule('frozen', 'the account is frozen by Telegram and may only appeal', ['FROZEN_METHOD_INVALID', 'FROZEN_PARTICIPANT_MISSING']);
rule('duplicate_session', 'the session was used over two connections at once and Telegram ended it (AUTH_KEY_DUPLICATED)', ['AUTH_KEY_DUPLICATED']);
rule('not_found', 'no such user, chat or message', [
  'USERNAME_NOT_OCCUPIED',
  'USERNAME_INVALID',
  'PEER_ID_INVALID',
  'USER_ID_INVALID',
  'MSG_ID_INVALID',
  'MESSAGE_ID_INVALID',
  'MESSAGE_IDS_EMPTY',
  'INVITE_HASH_INVALID',
  'INVITE_HASH_EXPIRED',
  'INVITE_HASH_EMPTY',
  'CHANNEL_INVALID',
  'CHAT_ID_INVALID',
  'INPUT_USER_DEACTIVATED',
  'REPLY_MESSAGE_ID_INVALID',
  'CONTACT_ID_INVALID',
  'TOPIC_ID_INVALID',
]);
rule('privacy_restricted', "the person's privacy settings forbid this", [
  'USER_PRIVACY_RESTRICTED',
  'PRIVACY_PREMIUM_REQUIRED',
  'USER_IS_BLOCKED',
  'YOU_BLOCKED_USER',
  'USER_NOT_MUTUAL_CONTACT',
  'ALLOW_PAYMENT_REQUIRED',
]);
rule('not_allowed', 'Telegram does not allow this here', [
  'REACTION_INVALID',
  'REACTION_EMPTY',
  'REACTIONS_TOO_MANY',
  'MESSAGE_POLL_CLOSED',
  'POLL_VOTE_REQUIRED',
  'REVOTE_NOT_ALLOWED',
  'CHAT_WRITE_FORBIDDEN',
  'CHAT_SEND_PLAIN_FORBIDDEN',
  'CHAT_GUEST_SEND_FORBIDDEN',
  'CHAT_ADMIN_REQUIRED',
  'CHAT_RESTRICTED',
  'USER_BANNED_IN_CHANNEL',
  'CHANNELS_TOO_MUCH',
  'USER_CHANNELS_TOO_MUCH',
  'USERS_TOO_MUCH',
  'PREMIUM_ACCOUNT_REQUIRED',
  'BOT_METHOD_INVALID',
  'USER_KICKED',
  'MSG_ID_NOT_DISCUSSION',
  'TOPIC_CLOSED',
  'TOPIC_DELETED',
  'USERNAME_OCCUPIED',
  'USERNAME_PURCHASE_AVAILABLE',
]);
rule('bad_request', 'Telegram refused the request as malformed', [
  'OPTION_INVALID',
  'OPTIONS_TOO_MUCH',
  'MESSAGE_EMPTY',
  'MESSAGE_TOO_LONG',
  'ENTITY_BOUNDS_INVALID',
  'RANDOM_ID_DUPLICATE',
  'MEDIA_INVALID',
  'FIRSTNAME_INVALID',
  'LASTNAME_INVALID',
  'ABOUT_TOO_LONG',
  'IMAGE_PROCESS_FAILED',
  'PHOTO_FILE_TOO_BIG',
  'PHOTO_EXT_INVALID',
  'PHOTO_CROP_SIZE_SMALL',
]);
rule('no_access', 'the account cannot see this chat (private, left or removed)', [
  'CHANNEL_PRIVATE',
  'CHANNEL_PUBLIC_GROUP_NA',
  'CHAT_FORBIDDEN',
  'USER_NOT_PARTICIPANT',
]);
rule('network', 'Telegram had an internal problem; try again later', [
  'RPC_CALL_FAIL',
  'RPC_MCGET_FAIL',
  'INTERDC_%d_CALL_ERROR',
  'INTERDC_%d_CALL_RICH_ERROR',
  'TIMEOUT',
  'Timeout',
  'Timedout',
  'WORKER_BUSY_TOO_LONG_RETRY',
  'NEED_MEMBER_INVALID',
]);

/** Error codes of sockets that could not reach the other side. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** Errors the networking layer raises by class name (not exported by mtcute itself). */
const CONNECTION_ERROR_NAMES = new Set(['ConnectionClosedError', 'WebSocketConnectionClosedError']);

const FLOOD_WAIT_FORMS = ['FLOOD_WAIT_%d', 'SLOWMODE_WAIT_%d', 'FLOOD_TEST_PHONE_WAIT_%d'] as const;
/** mtcute does not parse this one, so its text arrives whole: match it as an exact pattern. */
const FLOOD_PREMIUM_WAIT = /^FLOOD_PREMIUM_WAIT_(\d+)$/;

export interface ClassifyContext {
  /** The account talks through a proxy: connection failures are the proxy's. */
  viaProxy?: boolean;
}

function floodWait(code: string, seconds: number): Failure {
  return { kind: 'flood_wait', code, seconds, message: `Telegram asks to wait ${seconds} s before doing this again (${code})` };
}

/** The operator-facing form of a code that comes with an argument (`FLOOD_WAIT_%d` -> `FLOOD_WAIT_X`). */
function displayCode(text: string): string {
  return text.replace('%d', 'X');
}

function fromRpc(e: tl.RpcError): Failure {
  for (const form of FLOOD_WAIT_FORMS) {
    if (tl.RpcError.is(e, form)) return floodWait(displayCode(form), e.seconds);
  }
  const premium = FLOOD_PREMIUM_WAIT.exec(e.text);
  if (premium) return floodWait('FLOOD_PREMIUM_WAIT_X', Number(premium[1]));
  const known = RULES[e.text];
  const code = displayCode(e.text);
  if (known) return { kind: known.kind, code, message: `${known.message} (${code})` };
  if (e.code === 500 || e.code === -500 || e.code === -503) return { kind: 'network', code, message: `Telegram had an internal problem (${code}); try again later` };
  if (e.code === 420) return { kind: 'flood_wait', code, seconds: 60, message: `Telegram asks to slow down (${code})` };
  return { kind: 'unknown', code, message: `Telegram refused: ${code}` };
}

/** Maps anything mtcute, the transport or a proxy threw to a `Failure`. */
export function classify(e: unknown, ctx: ClassifyContext = {}): Failure {
  if (e instanceof TelegramFailure) return e.failure;
  if (typeof e !== 'object' || e === null) return { kind: 'unknown', code: 'UNKNOWN', message: `unexpected error: ${String(e)}` };
  if (tl.RpcError.is(e)) return fromRpc(e);
  if (e instanceof MtPeerNotFoundError) return { kind: 'not_found', code: 'PEER_NOT_FOUND', message: 'no such user or chat' };
  if (e instanceof MtMessageNotFoundError) return { kind: 'not_found', code: 'MESSAGE_NOT_FOUND', message: 'no such message' };
  if (e instanceof MtInvalidPeerTypeError) return { kind: 'bad_request', code: 'PEER_TYPE_INVALID', message: 'the target is not the right kind of chat or user' };
  if (e instanceof SocksProxyConnectionError || e instanceof HttpProxyConnectionError) {
    return { kind: 'proxy', code: 'PROXY_FAILED', message: `the proxy refused the connection: ${(e as Error).message}` };
  }
  const sys = (e as { code?: unknown }).code;
  const isSocket = typeof sys === 'string' && SOCKET_CODES.has(sys);
  const isClosed = e instanceof Error && CONNECTION_ERROR_NAMES.has(e.name);
  if (e instanceof MtTimeoutError || isSocket || isClosed) {
    const what = isSocket ? String(sys) : isClosed ? 'connection closed' : 'timed out';
    if (ctx.viaProxy) return { kind: 'proxy', code: 'PROXY_FAILED', message: `the proxy could not be used (${what})` };
    return { kind: 'network', code: isSocket ? String(sys) : isClosed ? 'CONNECTION_CLOSED' : 'TIMEOUT', message: `could not reach Telegram (${what})` };
  }
  if (e instanceof Error) return { kind: 'unknown', code: 'UNKNOWN', message: `unexpected ${e.name}: ${e.message}` };
  return { kind: 'unknown', code: 'UNKNOWN', message: 'unexpected error' };
}

export function toFailure(e: unknown, ctx?: ClassifyContext): TelegramFailure {
  return e instanceof TelegramFailure ? e : new TelegramFailure(classify(e, ctx));
}

/** Runs `fn`, rethrowing anything as a classified `TelegramFailure`. */
export async function classified<T>(fn: () => Promise<T>, ctx?: ClassifyContext): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toFailure(e, ctx);
  }
}

/** Whether `e` is the RPC error `code` exactly (for the few places that branch on one code). */
export function isRpcError(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && tl.RpcError.is(e) && e.text === code;
}

// Login has its own vocabulary: the operator is typing a phone, code or password.
export type LoginRefusal =
  | { kind: 'invalid_phone' }
  | { kind: 'wrong_code' }
  | { kind: 'expired_code' }
  | { kind: 'wrong_password' }
  | { kind: 'too_many_attempts'; seconds: number | null }
  | { kind: 'banned_number' }
  | { kind: 'not_registered' };

const LOGIN_CODES: Record<string, LoginRefusal> = {
  PHONE_NUMBER_INVALID: { kind: 'invalid_phone' },
  PHONE_NUMBER_FLOOD: { kind: 'too_many_attempts', seconds: null },
  PHONE_PASSWORD_FLOOD: { kind: 'too_many_attempts', seconds: null },
  PHONE_CODE_INVALID: { kind: 'wrong_code' },
  PHONE_CODE_EMPTY: { kind: 'wrong_code' },
  PHONE_CODE_EXPIRED: { kind: 'expired_code' },
  PASSWORD_HASH_INVALID: { kind: 'wrong_password' },
  PHONE_NUMBER_BANNED: { kind: 'banned_number' },
  USER_DEACTIVATED_BAN: { kind: 'banned_number' },
  PHONE_NUMBER_UNOCCUPIED: { kind: 'not_registered' },
};

/** The login meaning of an error, or undefined when it is not a login refusal (network, …). */
export function classifyLogin(e: unknown): LoginRefusal | undefined {
  if (typeof e !== 'object' || e === null || !tl.RpcError.is(e)) return undefined;
  for (const form of FLOOD_WAIT_FORMS) {
    if (tl.RpcError.is(e, form)) return { kind: 'too_many_attempts', seconds: e.seconds };
  }
  const premium = FLOOD_PREMIUM_WAIT.exec(e.text);
  if (premium) return { kind: 'too_many_attempts', seconds: Number(premium[1]) };
  return LOGIN_CODES[e.text];
}

export function isPasswordNeeded(e: unknown): boolean {
  return isRpcError(e, 'SESSION_PASSWORD_NEEDED');
}
