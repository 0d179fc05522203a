import { escapeInvisible, quoteInput } from './text.ts';
import { normalizeUsername, usernameProblem } from './usernames.ts';

/** One entry of a pasted list that is not a username, with the reason. */
export interface InvalidTarget {
  /** The entry as it can be shown: clipped, invisible characters escaped. */
  input: string;
  problem: string;
}

export interface ParsedTargets {
  /** Valid usernames, lowercase, without `@`, first occurrence order, each once. */
  usernames: string[];
  /** Entries that were not usernames: how many, and the first few with their reason. */
  invalid: { count: number; examples: InvalidTarget[] };
  /** Entries dropped because the same username came earlier in the list. */
  duplicates: number;
}

/** Separators operators use when pasting lists: newlines, any whitespace, commas, semicolons. */
const SEPARATORS = /[\s,;]+/u;

/**
 * Reads a pasted list of people to message. Entries may carry `@` and any letter case; every
 * entry that is not a username is reported back (count and examples), never silently dropped.
 */
export function parseTargets(text: string, maxExamples = 5): ParsedTargets {
  const seen = new Set<string>();
  const usernames: string[] = [];
  const examples: InvalidTarget[] = [];
  let invalidCount = 0;
  let duplicates = 0;
  for (const raw of text.split(SEPARATORS)) {
    if (raw === '') continue;
    const name = normalizeUsername(raw);
    const problem = name === '' ? `${quoteInput(raw)} holds no username` : usernameProblem(name);
    if (problem !== undefined) {
      invalidCount++;
      if (examples.length < maxExamples) examples.push({ input: escapeInvisible(raw.length > 40 ? raw.slice(0, 40) + '…' : raw), problem });
      continue;
    }
    if (seen.has(name)) {
      duplicates++;
      continue;
    }
    seen.add(name);
    usernames.push(name);
  }
  return { usernames, invalid: { count: invalidCount, examples }, duplicates };
}

/** A one-paragraph account of what parsing kept and dropped, for the operator. */
export function describeTargets(p: ParsedTargets): string {
  const parts = [`${p.usernames.length} username${p.usernames.length === 1 ? '' : 's'}`];
  if (p.duplicates > 0) parts.push(`${p.duplicates} duplicate${p.duplicates === 1 ? '' : 's'} collapsed`);
  if (p.invalid.count > 0) {
    const shown = p.invalid.examples.map((e) => e.problem).join('; ');
    parts.push(`${p.invalid.count} invalid entr${p.invalid.count === 1 ? 'y' : 'ies'} left out (${shown}${p.invalid.count > p.invalid.examples.length ? '; …' : ''})`);
  }
  return parts.join(', ');
}
