import type { TelegramClient } from '@mtcute/node';
import { TelegramFailure } from '../../core/failures.ts';
import type { ActionOutcome, JoinTarget } from '../../core/session.ts';

/** Not implemented yet (issue: actions); the session classifies the failure like any other. */
export function join(_client: TelegramClient, _target: JoinTarget): Promise<ActionOutcome> {
  return Promise.reject(new TelegramFailure({ kind: 'unknown', code: 'NOT_IMPLEMENTED', message: 'join is not implemented yet' }));
}
