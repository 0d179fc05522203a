import type { TelegramClient } from '@mtcute/node';
import { TelegramFailure } from '../../core/failures.ts';
import type { MessageTarget } from '../../core/session.ts';

/** Not implemented yet (issue: actions); the session classifies the failure like any other. */
export function comment(_client: TelegramClient, _target: MessageTarget, _text: string): Promise<{ messageId: number }> {
  return Promise.reject(new TelegramFailure({ kind: 'unknown', code: 'NOT_IMPLEMENTED', message: 'comment is not implemented yet' }));
}
