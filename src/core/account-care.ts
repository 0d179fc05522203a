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

const HINT_MAX = 128;
const PASSWORD_MAX = 256;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Why the request cannot be sent, or undefined. The messages never contain the passwords;
 * a hint equal to the new password is refused, since Telegram shows the hint to anyone logging in.
 */
export function twoFactorProblem(input: TwoFactorInput): string | undefined {
  const { action, current, next } = input;
  if (!TWO_FACTOR_ACTIONS.includes(action)) return `unknown action ${String(action)}: set, change or remove`;
  if (action !== 'set' && (current === null || current === '')) return 'the current password is empty';
  if (action !== 'remove') {
    if (next === null || next === '') return 'the new password is empty';
    if (next.length > PASSWORD_MAX) return `the new password is longer than ${PASSWORD_MAX} characters`;
    if (input.repeat !== undefined && input.repeat !== next) return 'the two new passwords differ';
    if (action === 'change' && next === current) return 'the new password is the same as the current one';
    if (input.hint !== undefined && input.hint.length > HINT_MAX) return `the hint is longer than ${HINT_MAX} characters`;
    if (input.hint !== undefined && input.hint.trim() !== '' && input.hint.trim() === next.trim()) return 'the hint may not be the password itself';
    if (input.email !== undefined && !EMAIL.test(input.email)) return `${input.email} is not an email address`;
  } else if (input.hint !== undefined || input.email !== undefined) {
    return '--hint and --email go with set or change, not remove';
  }
  return undefined;
}
