import type { TelegramClient } from '@mtcute/node';
import { TelegramFailure } from '../../core/failures.ts';
import type { ActionOutcome, LeaveTarget } from '../../core/session.ts';

/** Not implemented yet (issue: actions); the session classifies the failure like any other. */
export function leave(_client: TelegramClient, _target: LeaveTarget): Promise<ActionOutcome> {
  return Promise.reject(new TelegramFailure({ kind: 'unknown', code: 'NOT_IMPLEMENTED', message: 'leave is not implemented yet' }));
}
