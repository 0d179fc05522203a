import { quoteInput, stripInvisible } from './text.ts';

/**
 * Telegram's username rules: 4-32 characters (4 only for collectible names), Latin letters,
 * digits and underscores, starting with a letter, no trailing or doubled underscore.
 * Case does not matter to Telegram; the panel keeps them lowercase.
 */
const USERNAME = /^[a-z](?:[a-z0-9]|_(?!_)){3,31}$/;

/** Names pasted from Telegram may carry invisible direction marks: they are not part of the name. */
export function normalizeUsername(input: string): string {
  return stripInvisible(input).trim().replace(/^@/, '').toLowerCase();
}

/** Why `name` (already normalized) is not a username, or undefined when it is one. */
export function usernameProblem(name: string): string | undefined {
  const q = quoteInput(name);
  if (name.length < 4) return `${q} is too short: a username has 5 to 32 characters (4 for collectible names)`;
  if (name.length > 32) return `${q} is too long: a username has at most 32 characters`;
  if (!/^[a-z]/.test(name)) return `${q} must start with a Latin letter`;
  if (!/^[a-z0-9_]+$/.test(name)) return `${q} may hold only Latin letters, digits and underscores`;
  if (name.endsWith('_')) return `${q} must not end with an underscore`;
  if (name.includes('__')) return `${q} must not hold two underscores in a row`;
  return USERNAME.test(name) ? undefined : `${q} is not a valid username`;
}

export function isUsername(name: string): boolean {
  return usernameProblem(name) === undefined;
}

/** Which username rule `name` (already normalized) breaks, for reasons worded in other languages. */
export type UsernameRule = 'too_short' | 'too_long' | 'first_char' | 'chars' | 'trailing_underscore' | 'double_underscore';

/** The rule `usernameProblem` words, in the same order; undefined when `name` is a username. */
export function usernameRule(name: string): UsernameRule | undefined {
  if (name.length < 4) return 'too_short';
  if (name.length > 32) return 'too_long';
  if (!/^[a-z]/.test(name)) return 'first_char';
  if (!/^[a-z0-9_]+$/.test(name)) return 'chars';
  if (name.endsWith('_')) return 'trailing_underscore';
  if (name.includes('__')) return 'double_underscore';
  return USERNAME.test(name) ? undefined : 'chars';
}
