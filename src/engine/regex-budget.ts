/**
 * Runs regex rules with a time budget. JavaScript cannot interrupt a running regular expression,
 * but V8 can stop a script run by `node:vm` with a timeout, regex included; so every message's
 * regex rules run in one such script, and when it times out each rule is retried alone to find
 * the slow one (the others still match).
 */
import { createContext, Script, type Context } from 'node:vm';
import { REGEX_FLAGS, REGEX_TEXT_LIMIT, type RegexRunner } from '../core/keywords.ts';
import { foldRegexSource } from '../core/text-normalize.ts';

/** Per message, for all regex rules together; a rule that needs more is skipped for that message. */
export const DEFAULT_REGEX_BUDGET_MS = 50;

const ALL = new Script('patterns.map((p) => p.test(text))');
const ONE = new Script('pattern.test(text)');

function isTimeout(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

export class BudgetedRegexRunner implements RegexRunner {
  private readonly context: Context = createContext({});

  constructor(readonly budgetMs = DEFAULT_REGEX_BUDGET_MS) {}

  test(patterns: readonly RegExp[], text: string): Array<boolean | 'timeout'> {
    if (patterns.length === 0) return [];
    const ctx = this.context as { patterns?: readonly RegExp[]; pattern?: RegExp; text?: string };
    ctx.patterns = patterns;
    ctx.text = text;
    try {
      return ALL.runInContext(this.context, { timeout: this.budgetMs }) as boolean[];
    } catch (e) {
      if (!isTimeout(e)) throw e;
    }
    return patterns.map((p) => {
      ctx.pattern = p;
      try {
        return ONE.runInContext(this.context, { timeout: this.budgetMs }) as boolean;
      } catch (e) {
        if (isTimeout(e)) return 'timeout';
        throw e;
      } finally {
        p.lastIndex = 0;
      }
    });
  }
}

/** Inputs that make backtracking regexes slow: long runs of one class, then a mismatch. */
const PROBES: readonly string[] = [
  'a'.repeat(REGEX_TEXT_LIMIT - 1) + '!',
  '1'.repeat(REGEX_TEXT_LIMIT - 1) + '!',
  ' '.repeat(REGEX_TEXT_LIMIT - 1) + '!',
  'ab'.repeat(REGEX_TEXT_LIMIT / 2 - 1) + '!',
  'س'.repeat(REGEX_TEXT_LIMIT - 1) + '!',
  'a1 '.repeat(REGEX_TEXT_LIMIT / 3 - 1) + '!',
];

/**
 * Tries a regex rule (already accepted by `regexProblem`) against adversarial texts of the size
 * it will meet; returns why it is refused when one of them runs past the budget.
 */
export function probeRegex(source: string, budgetMs = DEFAULT_REGEX_BUDGET_MS): string | undefined {
  const re = new RegExp(foldRegexSource(source), REGEX_FLAGS);
  const runner = new BudgetedRegexRunner(budgetMs);
  for (const probe of PROBES) {
    if (runner.test([re], probe)[0] === 'timeout') {
      return `the regular expression takes too long on some messages (over ${budgetMs} ms on a ${probe.length}-character text): simplify it`;
    }
  }
  return undefined;
}
