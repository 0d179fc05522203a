import { InputError, PanelError } from '../../core/errors.ts';
import type { Reason } from '../../core/reasons.ts';
import { englishReason } from '../../core/stored-reasons.ts';
import { isTelegramFailure } from '../../core/failures.ts';
import type { Messages } from './i18n/index.ts';

/**
 * What the admin reads when a service refuses or fails. Failures from Telegram are told by kind
 * in the admin's language; the engine's own refusals carry their reason (never a secret).
 */
export function describeError(t: Messages, e: unknown): { text: string; expected: boolean } {
  if (isTelegramFailure(e)) return { text: t.failure(e.failure.kind, e.failure.code, e.failure.seconds), expected: true };
  if (e instanceof InputError) return { text: t.inputRefused(refusal(t, e)), expected: true };
  if (e instanceof PanelError) return { text: t.panelRefused(refusal(t, e)), expected: true };
  return { text: t.unexpected, expected: false };
}

/** The engine's refusal in the admin's language: worded from its code, the English sentence without one. */
export function refusal(t: Messages, e: InputError | PanelError): string {
  return e.reason ? t.reason(e.reason, e.message) : e.message;
}

/** A reason kept with a record, in the admin's language: worded from its code, the stored English without one (older rows). */
export function storedReason(t: Messages, coded: Reason | null, english: string | null): string | null {
  return coded ? t.reason(coded, englishReason(coded)) : english;
}
