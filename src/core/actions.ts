import type { Failure } from './failures.ts';
import type { ProfileEdit } from './profile.ts';
import type { ActionOutcome, JoinTarget, LeaveTarget, MessageTarget } from './session.ts';

/** One thing an account can be asked to do. Pacing and FLOOD_WAIT parking are per `kind`. */
export type ActionSpec =
  | { kind: 'reaction'; target: MessageTarget; emoji: string }
  | { kind: 'vote'; target: MessageTarget; options: number[] }
  | { kind: 'join'; target: JoinTarget }
  | { kind: 'leave'; target: LeaveTarget }
  | { kind: 'block'; username: string }
  | { kind: 'pm'; username: string; text: string }
  | { kind: 'comment'; target: MessageTarget; text: string };

export type ActionKind = ActionSpec['kind'];

export const ACTION_KINDS: readonly ActionKind[] = ['reaction', 'vote', 'join', 'leave', 'block', 'pm', 'comment'];

/** An edit of each account's own profile (core/profile.ts), run and paced like an action. */
export type ProfileSpec = { kind: 'profile'; edit: ProfileEdit };

/** Everything the operations engine runs: the actions, and profile edits. */
export type OperationSpec = ActionSpec | ProfileSpec;

export type OperationKind = OperationSpec['kind'];

export const OPERATION_KINDS: readonly OperationKind[] = [...ACTION_KINDS, 'profile'];

/**
 * A kind of call a FLOOD_WAIT closes on one account: an action kind, or `check`, the health
 * check's getMe. A wait on one kind leaves the others open.
 */
export type CallKind = OperationKind | 'check';

/** The result of one account's attempt, as stored in an operation record. */
export type ActionResult =
  | { accountId: number; status: ActionOutcome; at: number; detail?: string }
  | { accountId: number; status: 'failed'; at: number; failure: Failure };
