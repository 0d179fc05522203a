/**
 * Pure rules of account care: reading a login code out of Telegram's service message, and what
 * a two-step password request must hold before any account is touched.
 */

/** Persian and Arabic-Indic digits, as Telegram writes them in those languages. */
function asciiDigits(text: string): string {
  return text.replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0)).replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660));
}

/**
 * The login code in a message from 777000 ("Login code: 12345. Do not give this code to
 * anyone…", in any language): the first group of 5 or 6 digits standing alone. Null for the
 * service's other notices (new login alerts, terms of service).
 */
export function loginCodeIn(text: string): string | null {
  const m = /(?<![\d.:/])(\d{5,6})(?![\d:/])/.exec(asciiDigits(text));
  return m ? m[1]! : null;
}

export type TwoFactorAction = 'set' | 'change' | 'remove';
export const TWO_FACTOR_ACTIONS: readonly TwoFactorAction[] = ['set', 'change', 'remove'];

export interface TwoFactorInput {
  action: TwoFactorAction;
  /** The current password (change, remove). */
  current: string | null;
  /** The new password (set, change). */
  next: string | null;
  /** The new password typed a second time, where it was asked for. */
  repeat?: string | null;
  hint?: string;
  email?: string;
}

export const HINT_MAX = 128;
export const PASSWORD_MAX = 256;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function isEmailAddress(text: string): boolean {
  return EMAIL.test(text);
}

/** Which rule a two-step request breaks, so an interface can word it and ask for the right answer again. */
export type TwoFactorIssue =
  | 'action'
  | 'current_empty'
  | 'next_empty'
  | 'next_too_long'
  | 'repeat_differs'
  | 'same_as_current'
  | 'hint_too_long'
  | 'hint_is_password'
  | 'email_invalid'
  | 'remove_extras';

/**
 * The first rule the request breaks, with its English sentence, or undefined. The sentences never
 * contain the passwords; a hint equal to the new password is refused, since Telegram shows the hint
 * to anyone logging in.
 */
export function twoFactorIssue(input: TwoFactorInput): { issue: TwoFactorIssue; english: string } | undefined {
  const { action, current, next } = input;
  const no = (issue: TwoFactorIssue, english: string): { issue: TwoFactorIssue; english: string } => ({ issue, english });
  if (!TWO_FACTOR_ACTIONS.includes(action)) return no('action', `unknown action ${String(action)}: set, change or remove`);
  if (action !== 'set' && (current === null || current === '')) return no('current_empty', 'the current password is empty');
  if (action !== 'remove') {
    if (next === null || next === '') return no('next_empty', 'the new password is empty');
    if (next.length > PASSWORD_MAX) return no('next_too_long', `the new password is longer than ${PASSWORD_MAX} characters`);
    if (input.repeat !== undefined && input.repeat !== next) return no('repeat_differs', 'the two new passwords differ');
    if (action === 'change' && next === current) return no('same_as_current', 'the new password is the same as the current one');
    if (input.hint !== undefined && input.hint.length > HINT_MAX) return no('hint_too_long', `the hint is longer than ${HINT_MAX} characters`);
    if (input.hint !== undefined && input.hint.trim() !== '' && input.hint.trim() === next.trim()) return no('hint_is_password', 'the hint may not be the password itself');
    if (input.email !== undefined && !EMAIL.test(input.email)) return no('email_invalid', `${input.email} is not an email address`);
  } else if (input.hint !== undefined || input.email !== undefined) {
    return no('remove_extras', '--hint and --email go with set or change, not remove');
  }
  return undefined;
}

/** Why the request cannot be sent, in English, or undefined. */
export function twoFactorProblem(input: TwoFactorInput): string | undefined {
  return twoFactorIssue(input)?.english;
}
