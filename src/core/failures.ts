/**
 * What can go wrong when an account talks to Telegram, classified once at the adapter boundary
 * (src/telegram) so everything above handles kinds, never error text.
 */
export type FailureKind =
  /** FLOOD_WAIT_X / SLOWMODE_WAIT_X: this method is closed for `seconds` on this account. */
  | 'flood_wait'
  /** PEER_FLOOD: the account may not message strangers for now (no timer). */
  | 'peer_flood'
  /** AUTH_KEY_UNREGISTERED, SESSION_REVOKED, SESSION_EXPIRED: the session is gone. */
  | 'revoked'
  /** USER_DEACTIVATED(_BAN), PHONE_NUMBER_BANNED: the account is banned or deleted. */
  | 'banned'
  /** FROZEN_METHOD_INVALID and friends: the account is frozen and may only appeal. */
  | 'frozen'
  /** AUTH_KEY_DUPLICATED: the session was used over two connections at once. */
  | 'duplicate_session'
  /** The username, user, chat or message does not exist (or is a bot where a person was wanted). */
  | 'not_found'
  /** USER_PRIVACY_RESTRICTED and similar: the person's settings forbid this. */
  | 'privacy_restricted'
  /** Not possible here: reaction not allowed, poll closed, no comments, banned in chat, … */
  | 'not_allowed'
  /** The input is wrong for this target (bad option number, not a poll, …). */
  | 'bad_request'
  /** A chat or channel the account cannot see (private, left, kicked). */
  | 'no_access'
  /** Connection dropped, timeout, proxy failure, 5xx: worth retrying later. */
  | 'network'
  /** The account's proxy could not be used; never fall back to a direct connection. */
  | 'proxy'
  /** Anything else; carries the RPC code for the operator. */
  | 'unknown'
  /** Not from Telegram: another panel process holds the account's connection lease. */
  | 'lease_held'
  /** Not from Telegram: the operator disabled the account. */
  | 'disabled'
  /** Not from Telegram: there is no such account (removed meanwhile). */
  | 'no_account';

export const FAILURE_KINDS: readonly FailureKind[] = [
  'flood_wait',
  'peer_flood',
  'revoked',
  'banned',
  'frozen',
  'duplicate_session',
  'not_found',
  'privacy_restricted',
  'not_allowed',
  'bad_request',
  'no_access',
  'network',
  'proxy',
  'unknown',
  'lease_held',
  'disabled',
  'no_account',
];

export interface Failure {
  kind: FailureKind;
  /** The RPC error code (e.g. `FLOOD_WAIT_X`, `USER_PRIVACY_RESTRICTED`) or an internal code. */
  code: string;
  /** A sentence for the operator. Never contains secrets. */
  message: string;
  /** For `flood_wait`: how long the method is closed. */
  seconds?: number;
  /** For `lease_held`: the process that holds the account (`host/pid/random`). */
  holder?: string;
}

/** Thrown by an `AccountSession` when Telegram refuses; the engine reads `failure.kind`. */
export class TelegramFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
    this.name = 'TelegramFailure';
  }
}

export function isTelegramFailure(e: unknown): e is TelegramFailure {
  return e instanceof TelegramFailure;
}
