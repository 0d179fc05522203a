/**
 * Telegram's username rules: 4-32 characters (4 only for collectible names), Latin letters,
 * digits and underscores, starting with a letter, no trailing or doubled underscore.
 * Case does not matter to Telegram; the panel keeps them lowercase.
 */
const USERNAME = /^[a-z](?:[a-z0-9]|_(?!_)){3,31}$/;

export function normalizeUsername(input: string): string {
  return input.trim().replace(/^@/, '').toLowerCase();
}

/** Why `name` (already normalized) is not a username, or undefined when it is one. */
export function usernameProblem(name: string): string | undefined {
  if (name.length < 4) return `"${name}" is too short: a username has 5 to 32 characters (4 for collectible names)`;
  if (name.length > 32) return `"${name.slice(0, 40)}" is too long: a username has at most 32 characters`;
  if (!/^[a-z]/.test(name)) return `"${name}" must start with a Latin letter`;
  if (!/^[a-z0-9_]+$/.test(name)) return `"${name}" may hold only Latin letters, digits and underscores`;
  if (name.endsWith('_')) return `"${name}" must not end with an underscore`;
  if (name.includes('__')) return `"${name}" must not hold two underscores in a row`;
  return USERNAME.test(name) ? undefined : `"${name}" is not a valid username`;
}

export function isUsername(name: string): boolean {
  return usernameProblem(name) === undefined;
}
