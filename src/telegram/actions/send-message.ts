import type { TelegramClient } from '@mtcute/node';
import { TelegramFailure } from '../../core/failures.ts';

/** Not implemented yet (issue: actions); the session classifies the failure like any other. */
export function sendMessage(_client: TelegramClient, _username: string, _text: string, _randomId: bigint): Promise<{ messageId: number }> {
  return Promise.reject(new TelegramFailure({ kind: 'unknown', code: 'NOT_IMPLEMENTED', message: 'sendMessage is not implemented yet' }));
}
