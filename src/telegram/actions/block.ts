import type { TelegramClient } from '@mtcute/node';
import { TelegramFailure } from '../../core/failures.ts';
import type { ActionOutcome } from '../../core/session.ts';

/** Not implemented yet (issue: actions); the session classifies the failure like any other. */
export function block(_client: TelegramClient, _username: string): Promise<ActionOutcome> {
  return Promise.reject(new TelegramFailure({ kind: 'unknown', code: 'NOT_IMPLEMENTED', message: 'block is not implemented yet' }));
}
