import { quoteInput, stripInvisible } from './text.ts';

/**
 * Account tags: short lowercase labels the operator puts on accounts to select them together.
 * One tag has a meaning of its own: `reserve` keeps an account out of every automatic pick
 * (`--accounts N`, a campaign's default account set) until it is named or selected by that tag.
 */
export const RESERVE_TAG = 'reserve';

export const MAX_TAG_LENGTH = 32;

/** Letters of any script, digits, `_` and `-`, starting with a letter or digit. */
const TAG = /^[\p{L}\p{N}][\p{L}\p{N}_-]*$/u;

export type TagProblem = 'empty' | 'too_long' | 'chars';

/** "#VIP " -> "vip": case and a leading `#` do not make another tag. */
export function normalizeTag(input: string): string {
  return stripInvisible(input).trim().replace(/^#/, '').toLowerCase();
}

/** Which rule a normalized tag breaks, or undefined when it is a tag. */
export function tagRule(tag: string): TagProblem | undefined {
  if (tag === '') return 'empty';
  if ([...tag].length > MAX_TAG_LENGTH) return 'too_long';
  if (!TAG.test(tag)) return 'chars';
  return undefined;
}

/** The sentence for a tag that breaks a rule (English; interfaces word the rule themselves). */
export function tagProblem(tag: string): string | undefined {
  switch (tagRule(tag)) {
    case 'empty':
      return 'the tag is empty';
    case 'too_long':
      return `${quoteInput(tag, 40)} is too long: a tag has at most ${MAX_TAG_LENGTH} characters`;
    case 'chars':
      return `${quoteInput(tag, 40)} is not a tag: use letters, digits, _ and -, starting with a letter or digit`;
    default:
      return undefined;
  }
}

export type ParsedTag = { ok: true; tag: string } | { ok: false; problem: string; rule: TagProblem };

export function parseTag(input: string): ParsedTag {
  const tag = normalizeTag(input);
  const rule = tagRule(tag);
  return rule === undefined ? { ok: true, tag } : { ok: false, problem: tagProblem(tag)!, rule };
}

export function hasTag(a: { tags?: readonly string[] | undefined }, tag: string): boolean {
  return a.tags?.includes(tag) === true;
}

/**
 * The accounts an automatic pick may choose from: those carrying `tag` when one is given (a
 * `reserve` tag given on purpose selects the reserve), otherwise every account but the reserve.
 */
export function pickable<A extends { tags?: readonly string[] | undefined }>(accounts: readonly A[], tag?: string): A[] {
  return tag !== undefined ? accounts.filter((a) => hasTag(a, tag)) : accounts.filter((a) => !hasTag(a, RESERVE_TAG));
}
