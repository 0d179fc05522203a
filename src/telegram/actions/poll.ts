import type { TelegramClient, tl } from '@mtcute/node';
import type { MessageTarget, PollInfo } from '../../core/session.ts';
import { getMessage, plainText, refuse, resolveMessage, type ResolvedMessage } from './common.ts';

export interface LoadedPoll {
  at: ResolvedMessage;
  poll: tl.RawPoll;
  results: tl.TypePollResults;
  info: PollInfo;
}

/** The poll under the target message as this account sees it; `bad_request` when there is none. */
export async function loadPoll(client: TelegramClient, target: MessageTarget): Promise<LoadedPoll> {
  const at = await resolveMessage(client, target);
  const msg = await getMessage(client, at.peer, at.msgId);
  if (!msg) refuse('not_found', 'MESSAGE_NOT_FOUND', `${at.label} does not exist or this account cannot see it`);
  const media = msg._ === 'message' ? msg.media : undefined;
  if (media?._ !== 'messageMediaPoll') refuse('bad_request', 'NOT_A_POLL', `${at.label} is not a poll`);
  const p = media.poll;
  const info: PollInfo = {
    question: plainText(p.question),
    options: p.answers.map((a) => plainText(a.text)),
    multiple: p.multipleChoice === true,
    // Telegram sets `closed` itself once a timed poll's close date passes.
    closed: p.closed === true,
  };
  return { at, poll: p, results: media.results, info };
}

export async function poll(client: TelegramClient, target: MessageTarget): Promise<PollInfo> {
  return (await loadPoll(client, target)).info;
}
