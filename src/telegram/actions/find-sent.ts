import type { TelegramClient } from '@mtcute/node';
import { TelegramFailure } from '../../core/failures.ts';

/** Not implemented yet (issue: actions); the session classifies the failure like any other. */
export function findSent(_client: TelegramClient, _username: string, _text: string, _sinceMs: number): Promise<boolean> {
  return Promise.reject(new TelegramFailure({ kind: 'unknown', code: 'NOT_IMPLEMENTED', message: 'findSent is not implemented yet' }));
}
