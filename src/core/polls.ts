import type { FailureKind } from './failures.ts';
import type { Reason } from './reasons.ts';
import type { PollInfo } from './session.ts';
import { escapeInvisible } from './text.ts';

/**
 * Whether a choice of options fits a poll. The engine asks before any account votes (refusing the
 * operator's input) and each account's vote asks again with the poll as it sees it; both read
 * this one rule.
 */

export interface PollChoiceProblem {
  kind: Extract<FailureKind, 'bad_request' | 'not_allowed'>;
  code: 'POLL_CLOSED' | 'OPTION_MISSING' | 'OPTION_OUT_OF_RANGE' | 'SINGLE_CHOICE_POLL';
  message: string;
  /** The same, for interfaces that word it in another language; `options` lists the poll's options. */
  reason: Reason;
}

/** "1. Yes, 2. No", so the operator can pick again; option texts come from strangers, so escaped. */
export function listOptions(info: PollInfo): string {
  return info.options.map((o, i) => `${i + 1}. ${escapeInvisible(o)}`).join(', ');
}

/** Why `options` (1-based) cannot be voted in this poll, or undefined when they can. */
export function pollChoiceProblem(info: PollInfo, options: readonly number[]): PollChoiceProblem | undefined {
  const choices = [...new Set(options)];
  const n = info.options.length;
  const listedOptions = listOptions(info);
  const listed = `the options are ${listedOptions}`;
  if (info.closed) return { kind: 'not_allowed', code: 'POLL_CLOSED', message: `the poll is closed; ${listed}`, reason: { code: 'poll_closed', params: { options: listedOptions } } };
  if (choices.length === 0) return { kind: 'bad_request', code: 'OPTION_MISSING', message: `choose an option: ${listed}`, reason: { code: 'poll_option_missing', params: { options: listedOptions } } };
  const bad = choices.filter((o) => !Number.isInteger(o) || o < 1 || o > n);
  if (bad.length > 0) {
    return {
      kind: 'bad_request',
      code: 'OPTION_OUT_OF_RANGE',
      message: `option ${bad.join(', ')} is not in the poll (it has ${n}): ${listed}`,
      reason: { code: 'poll_option_out_of_range', params: { value: bad.join(', '), count: n, options: listedOptions } },
    };
  }
  if (choices.length > 1 && !info.multiple) {
    return {
      kind: 'bad_request',
      code: 'SINGLE_CHOICE_POLL',
      message: `this poll takes one option, not ${choices.length}: ${listed}`,
      reason: { code: 'poll_single_choice', params: { count: choices.length, options: listedOptions } },
    };
  }
  return undefined;
}
