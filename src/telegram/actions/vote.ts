import type { TelegramClient } from '@mtcute/node';
import type { ActionOutcome, MessageTarget } from '../../core/session.ts';
import { absorbUpdates, refuse } from './common.ts';
import { listOptions, loadPoll } from './poll.ts';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Votes for the 1-based `options`; several only in a multiple-choice poll. */
export async function vote(client: TelegramClient, target: MessageTarget, options: number[]): Promise<ActionOutcome> {
  const { at, poll, results, info } = await loadPoll(client, target);
  const choices = [...new Set(options)].sort((a, b) => a - b);
  const n = info.options.length;
  if (info.closed) refuse('not_allowed', 'POLL_CLOSED', `the poll in ${at.label} is closed; its options were: ${listOptions(info)}`);
  if (choices.length === 0) refuse('bad_request', 'OPTION_MISSING', `choose an option: ${listOptions(info)}`);
  const bad = choices.filter((o) => !Number.isInteger(o) || o < 1 || o > n);
  if (bad.length) refuse('bad_request', 'OPTION_OUT_OF_RANGE', `option ${bad.join(', ')} is not in the poll (1-${n}): ${listOptions(info)}`);
  if (choices.length > 1 && !info.multiple) refuse('bad_request', 'SINGLE_CHOICE_POLL', `this poll takes one option, not ${choices.length}: ${listOptions(info)}`);

  const bytes = choices.map((o) => {
    const answer = poll.answers[o - 1]!;
    // Polls Telegram sends always carry the option bytes; the input form never arrives here.
    if (answer._ !== 'pollAnswer') refuse('bad_request', 'NOT_A_POLL', `${at.label} has an unreadable poll`);
    return answer.option;
  });
  const chosen = (results.results ?? []).filter((r) => r.chosen).map((r) => r.option);
  if (chosen.length === bytes.length && bytes.every((b) => chosen.some((c) => sameBytes(b, c)))) return 'already';

  const res = await client.call({ _: 'messages.sendVote', peer: at.peer, msgId: at.msgId, options: bytes });
  absorbUpdates(client, res);
  return 'done';
}
