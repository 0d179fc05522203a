import { GrammyError } from 'grammy';

/**
 * What a Bot API refusal means for the menus. The Bot API reports these only as description
 * text, so this is the one place that reads it; everything else switches on the kind.
 */
export type BotApiProblem =
  /** The edit would not change the message: nothing to do. */
  | 'not_modified'
  /** The message to edit or delete is gone (deleted, too old): send a new one instead. */
  | 'message_gone'
  /** The user blocked the bot or never started it. */
  | 'unreachable'
  | 'other';

const PREFIXES: ReadonlyArray<[string, BotApiProblem]> = [
  ['Bad Request: message is not modified', 'not_modified'],
  ['Bad Request: message to edit not found', 'message_gone'],
  ['Bad Request: message to delete not found', 'message_gone'],
  ["Bad Request: message can't be edited", 'message_gone'],
  ["Bad Request: message can't be deleted", 'message_gone'],
  ['Bad Request: MESSAGE_ID_INVALID', 'message_gone'],
  ['Forbidden: bot was blocked by the user', 'unreachable'],
  ["Forbidden: bot can't initiate conversation with a user", 'unreachable'],
  ['Bad Request: chat not found', 'unreachable'],
];

export function botApiProblem(e: unknown): BotApiProblem | undefined {
  if (!(e instanceof GrammyError)) return undefined;
  for (const [prefix, kind] of PREFIXES) if (e.description.startsWith(prefix)) return kind;
  return 'other';
}
