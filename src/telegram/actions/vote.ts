import type { TelegramClient } from '@mtcute/node';
import { pollChoiceProblem } from '../../core/polls.ts';
import type { ActionOutcome, MessageTarget } from '../../core/session.ts';
import { absorbUpdates, refuse } from './common.ts';
import { loadPoll } from './poll.ts';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Votes for the 1-based `options`; several only in a multiple-choice poll. */
export async function vote(client: TelegramClient, target: MessageTarget, options: number[]): Promise<ActionOutcome> {
  const { at, poll, results, info } = await loadPoll(client, target);
  const problem = pollChoiceProblem(info, options);
  if (problem) refuse(problem.kind, problem.code, `${at.label}: ${problem.message}`);
  const choices = [...new Set(options)].sort((a, b) => a - b);

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
