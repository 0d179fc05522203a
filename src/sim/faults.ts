/**
 * Faults the simulator injects on demand, per account. `revoked`, `session_revoked` and
 * `duplicated` act once on the account's current sessions (a fresh login works again); the rest
 * stay until cleared (`flood` also lifts when the world clock passes its end).
 */
export type SimFault =
  /** Current sessions answer 401 AUTH_KEY_UNREGISTERED. */
  | { kind: 'revoked' }
  /** Current sessions answer 401 SESSION_REVOKED. */
  | { kind: 'session_revoked' }
  /** Current sessions answer 406 AUTH_KEY_DUPLICATED. */
  | { kind: 'duplicated' }
  /** Every method answers 401 USER_DEACTIVATED_BAN; logins answer PHONE_NUMBER_BANNED. */
  | { kind: 'banned' }
  /** Write methods answer 420 FROZEN_METHOD_INVALID. */
  | { kind: 'frozen' }
  /** `method` (or every method) answers 420 FLOOD_WAIT_X for `seconds` of world time. */
  | { kind: 'flood'; seconds: number; method?: string }
  /** Private messages to strangers answer 400 PEER_FLOOD. */
  | { kind: 'peer_flood' }
  /** Answers (to `method`, or all) come `ms` late in real time. */
  | { kind: 'slow'; ms: number; method?: string }
  /** Each request drops the account's connections; the answer comes after the reconnect, `ms` later. */
  | { kind: 'drop'; ms: number };

export type SimFaultKind = SimFault['kind'];

export const FAULT_KINDS: readonly SimFaultKind[] = ['revoked', 'session_revoked', 'duplicated', 'banned', 'frozen', 'flood', 'peer_flood', 'slow', 'drop'];

export const FAULT_SYNTAX =
  'revoked | session-revoked | duplicated | banned | frozen | flood:SECONDS[:METHOD] | peer-flood | slow:MS[:METHOD] | drop[:MS]';

export class FaultSyntaxError extends Error {}

/** What a one-shot fault answers the sessions it ends with. */
const ONE_SHOT_ERRORS: Partial<Record<SimFaultKind, string>> = {
  revoked: 'AUTH_KEY_UNREGISTERED',
  session_revoked: 'SESSION_REVOKED',
  duplicated: 'AUTH_KEY_DUPLICATED',
};

/** Faults that act once on the account's current sessions and leave nothing to list or clear. */
export function isOneShot(kind: SimFaultKind): boolean {
  return ONE_SHOT_ERRORS[kind] !== undefined;
}

/**
 * What applying `fault` did, for the operator. A one-shot fault is not among the account's
 * lasting faults afterwards, so the listing alone would wrongly read as "nothing happened".
 */
export function describeApplied(fault: SimFault, sessions: number): string {
  const name = fault.kind.replace(/_/g, '-');
  const error = ONE_SHOT_ERRORS[fault.kind];
  if (error === undefined) return `${name} set`;
  if (sessions === 0) return `${name}: the account has no current session, nothing changed`;
  return `${name}: ${sessions} current session${sessions === 1 ? '' : 's'} now answer${sessions === 1 ? 's' : ''} ${error} (a fresh login works again)`;
}

/** Parses the command-line form (`flood:300:contacts.resolveUsername`, `peer-flood`, …). */
export function parseFault(text: string): SimFault {
  const [rawKind = '', a, b] = text.trim().split(':');
  const kind = rawKind.toLowerCase().replace(/-/g, '_');
  const num = (v: string | undefined, what: string): number => {
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isInteger(n) || n <= 0) throw new FaultSyntaxError(`${rawKind} needs ${what} as a positive whole number, e.g. ${rawKind}:30`);
    return n;
  };
  switch (kind) {
    case 'revoked':
    case 'session_revoked':
    case 'duplicated':
    case 'banned':
    case 'frozen':
    case 'peer_flood':
      if (a !== undefined) throw new FaultSyntaxError(`${rawKind} takes no value`);
      return { kind };
    case 'flood':
      return b ? { kind, seconds: num(a, 'seconds'), method: b } : { kind, seconds: num(a, 'seconds') };
    case 'slow':
      return b ? { kind, ms: num(a, 'milliseconds'), method: b } : { kind, ms: num(a, 'milliseconds') };
    case 'drop':
      return { kind, ms: a === undefined ? 1000 : num(a, 'milliseconds') };
    default:
      throw new FaultSyntaxError(`unknown fault "${text}"; use one of: ${FAULT_SYNTAX}`);
  }
}

/** Rule budgets a world created with `faults: 'default'` starts with (per account). */
export const DEFAULT_BUDGETS: ReadonlyArray<{ method: string; max: number; windowMs: number }> = [
  { method: 'contacts.resolveUsername', max: 200, windowMs: 24 * 3600_000 },
  { method: 'channels.joinChannel', max: 50, windowMs: 3600_000 },
  { method: 'messages.importChatInvite', max: 50, windowMs: 3600_000 },
  { method: 'messages.sendReaction', max: 300, windowMs: 3600_000 },
  /** Private messages to strangers before PEER_FLOOD. */
  { method: 'peer_flood', max: 30, windowMs: 24 * 3600_000 },
];
