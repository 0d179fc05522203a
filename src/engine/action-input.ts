import type { ActionKind, ActionSpec } from '../core/actions.ts';
import { InputError } from '../core/errors.ts';
import { isTelegramFailure, type Failure, type FailureKind } from '../core/failures.ts';
import { pollChoiceProblem } from '../core/polls.ts';
import { reason, type Reason, type ReasonParams } from '../core/reasons.ts';
import { failureReason } from '../core/stored-reasons.ts';
import type { JoinTarget, LeaveTarget, MessageTarget } from '../core/session.ts';
import { quoteInput } from '../core/text.ts';
import { normalizeUsername, usernameProblem, usernameRule } from '../core/usernames.ts';
import type { Logger } from '../log.ts';
import type { AccountPool } from './ports.ts';

/** Telegram's limit for one message or comment, in UTF-16 code units like Telegram counts. */
export const MAX_TEXT_LENGTH = 4096;

// `v`-flag regexes are built at run time: the TypeScript target predates them, Node 20 has them.
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
// Telegram's own reaction list uses some text-presentation code points without U+FE0F (❤).
const PICTOGRAPH = /^\p{Extended_Pictographic}\uFE0F?$/u;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Exactly one emoji (skin tones, flags, keycaps and ZWJ sequences count as one). */
export function isSingleEmoji(text: string): boolean {
  let n = 0;
  for (const _ of graphemes.segment(text)) if (++n > 1) return false;
  // The pictograph test is cheap; the RGI set (flags, keycaps, ZWJ sequences) is a large one.
  return n === 1 && (PICTOGRAPH.test(text) || RGI_EMOJI.test(text));
}

function positiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}

/** One thing wrong with an action: the CLI's English and the code other languages word. */
interface Problem {
  message: string;
  reason: Reason;
}

const problem = (message: string, code: Parameters<typeof reason>[0], params: ReasonParams = {}): Problem => ({ message, reason: reason(code, params) });

function idProblem(field: 'channel' | 'message' | 'topic' | 'comment'): Problem {
  return problem(`the ${field} id must be a positive whole number`, 'action_bad_id', { field });
}

function usernameIssue(name: string, prefix = ''): Problem | undefined {
  const p = usernameProblem(name);
  return p ? problem(`${prefix}${p}`, 'action_bad_username', { value: name, rule: usernameRule(name) ?? 'chars' }) : undefined;
}

function checkMessageTarget(t: MessageTarget, problems: Problem[]): void {
  if ('username' in t.chat) {
    const p = usernameIssue(t.chat.username, 'chat ');
    if (p) problems.push(p);
  } else if (!positiveInt(t.chat.channelId)) problems.push(idProblem('channel'));
  if (!positiveInt(t.messageId)) problems.push(idProblem('message'));
  if (t.topicId !== undefined && !positiveInt(t.topicId)) problems.push(idProblem('topic'));
  if (t.commentId !== undefined && !positiveInt(t.commentId)) problems.push(idProblem('comment'));
}

function checkJoinTarget(t: JoinTarget, problems: Problem[]): void {
  if (t.kind === 'public') {
    const p = usernameIssue(t.username);
    if (p) problems.push(p);
  } else if (!/^[A-Za-z0-9_-]{4,64}$/.test(t.hash)) problems.push(problem('the invite hash is malformed', 'action_bad_invite'));
}

function checkLeaveTarget(t: LeaveTarget, problems: Problem[]): void {
  if ('inviteHash' in t) checkJoinTarget({ kind: 'invite', hash: t.inviteHash }, problems);
  else if ('username' in t) checkJoinTarget({ kind: 'public', username: t.username }, problems);
  else if (!positiveInt(t.channelId)) problems.push(idProblem('channel'));
}

function checkUsername(name: string, problems: Problem[]): void {
  const p = usernameIssue(name);
  if (p) problems.push(p);
  else if (name !== normalizeUsername(name)) problems.push(problem(`${quoteInput(name)} must be given lowercase without @`, 'action_username_form', { value: name }));
}

function checkText(text: string, problems: Problem[]): void {
  if (text.trim() === '') problems.push(problem('the text is empty', 'action_text_empty'));
  else if (text.length > MAX_TEXT_LENGTH) problems.push(problem(`the text has ${text.length} characters; Telegram allows ${MAX_TEXT_LENGTH}`, 'action_text_too_long', { length: text.length, max: MAX_TEXT_LENGTH }));
}

/**
 * Everything about an action that can be checked without asking Telegram; throws `InputError`
 * with every problem in English and the first one's reason (the one other languages word).
 */
export function validateActionSpec(spec: ActionSpec): void {
  const problems: Problem[] = [];
  switch (spec.kind) {
    case 'reaction':
      checkMessageTarget(spec.target, problems);
      if (!isSingleEmoji(spec.emoji)) problems.push(problem(`${quoteInput(spec.emoji, 20)} is not a single emoji`, 'action_not_emoji', { value: spec.emoji }));
      break;
    case 'vote':
      checkMessageTarget(spec.target, problems);
      if (spec.options.length === 0) problems.push(problem('give at least one option number', 'poll_option_missing'));
      else if (!spec.options.every(positiveInt)) problems.push(problem('option numbers are whole numbers from 1', 'vote_bad_option'));
      else if (new Set(spec.options).size !== spec.options.length) problems.push(problem('an option number is given twice', 'vote_option_twice'));
      break;
    case 'join':
      checkJoinTarget(spec.target, problems);
      break;
    case 'leave':
      checkLeaveTarget(spec.target, problems);
      break;
    case 'block':
      checkUsername(spec.username, problems);
      break;
    case 'pm':
      checkUsername(spec.username, problems);
      checkText(spec.text, problems);
      break;
    case 'comment':
      checkMessageTarget(spec.target, problems);
      checkText(spec.text, problems);
      break;
    default:
      problems.push(problem(`unknown action ${(spec as { kind: string }).kind}`, 'action_unknown', { kind: (spec as { kind: string }).kind }));
  }
  if (problems.length > 0) throw new InputError(`${spec.kind}: ${problems.map((p) => p.message).join('; ')}`, problems[0]!.reason);
}

/** What reading the target needs: the accounts, and where a failure met on the way is reported. */
export interface TargetReader {
  pool: Pick<AccountPool, 'session'>;
  noteFailure(accountId: number, kind: ActionKind, failure: Failure): void;
  log?: Logger | undefined;
}

/** Failures of a read that say the input is wrong, whichever account reads it. */
const INPUT_KINDS: ReadonlySet<FailureKind> = new Set(['bad_request', 'not_found', 'not_allowed']);

/**
 * What only Telegram can tell about the input, asked with one of the accounts that would act
 * (the first), read-only: a vote's options against the poll under the message. Throws
 * `InputError` with the poll's options when they do not fit, or when there is no poll to vote
 * in. A read that fails for the account's own reasons (a flood wait, no connection) is reported
 * for that account and leaves the check to each account's own attempt.
 */
export async function checkAgainstTarget(spec: ActionSpec, accountIds: readonly number[], reader: TargetReader): Promise<void> {
  if (spec.kind !== 'vote') return;
  const accountId = accountIds[0];
  if (accountId === undefined) return;
  let problem: { message: string; reason: Reason } | undefined;
  try {
    const info = await (await reader.pool.session(accountId)).poll(spec.target);
    problem = pollChoiceProblem(info, spec.options);
  } catch (e) {
    if (!isTelegramFailure(e)) throw e;
    if (INPUT_KINDS.has(e.failure.kind)) problem = { message: e.failure.message, reason: failureReason(e.failure) };
    else {
      reader.noteFailure(accountId, spec.kind, e.failure);
      reader.log?.info({ accountId, failure: e.failure.code }, 'could not read the poll before voting; each account checks it itself');
    }
  }
  if (problem !== undefined) throw new InputError(`vote: ${problem.message}`, problem.reason);
}
