/**
 * Keyword rules and the matcher. Plain and whole-word rules go into one Aho-Corasick automaton
 * over folded text (text-normalize.ts), so a thousand keywords cost one pass over the message.
 * Regular-expression rules are checked when added (syntax, length, shapes that backtrack
 * catastrophically) and run through a `RegexRunner`, which the engine gives a time budget.
 */
import { foldRegexSource, normalizeKeyword, normalizeText, wordCharAt, wordCharBefore } from './text-normalize.ts';

export type KeywordMode = 'plain' | 'word' | 'regex';

export const KEYWORD_MODES: readonly KeywordMode[] = ['plain', 'word', 'regex'];

export interface KeywordRule {
  id: number;
  /** As the operator typed it. */
  pattern: string;
  mode: KeywordMode;
}

/** Longest plain or whole-word keyword, in characters after folding. */
export const MAX_KEYWORD_LENGTH = 128;
/** Longest regular expression source. */
export const MAX_REGEX_LENGTH = 200;
/** Largest `{n,m}` count a regular expression may use. */
export const MAX_REGEX_REPEAT = 100;
/** Regular expressions see at most this much folded text (Telegram's own message limit). */
export const REGEX_TEXT_LIMIT = 4096;
/** Flags every regex rule runs with: the text is already lowercase; `u` for code points. */
export const REGEX_FLAGS = 'iu';

export type KeywordCheck = { ok: true; normalized: string } | { ok: false; reason: string };

/**
 * Whether `pattern` can be a rule of `mode`; on success the form stored to spot duplicates
 * (folded text for plain/word rules, the folded source for regexes).
 */
export function checkKeyword(pattern: string, mode: KeywordMode): KeywordCheck {
  if (pattern.trim() === '') return { ok: false, reason: 'the keyword is empty' };
  if (mode === 'regex') {
    const reason = regexProblem(pattern);
    return reason === undefined ? { ok: true, normalized: foldRegexSource(pattern) } : { ok: false, reason };
  }
  const normalized = normalizeKeyword(pattern);
  if (normalized === '') return { ok: false, reason: 'the keyword holds only marks or invisible characters' };
  const length = [...normalized].length;
  if (length > MAX_KEYWORD_LENGTH) return { ok: false, reason: `the keyword is too long (${length} characters; at most ${MAX_KEYWORD_LENGTH})` };
  return { ok: true, normalized };
}

interface GroupFrame {
  /** Any quantifier inside the group (at any depth). */
  quantified: boolean;
  alternation: boolean;
}

/**
 * Why a regular expression is refused, or undefined when it is acceptable. Refused: invalid
 * syntax, too long, backreferences (they defeat every linear-time argument), a repeated group that
 * holds a quantifier or an alternation (`(a+)+`, `(\w|\d)*`: the exponential shapes), huge
 * counts, and patterns that match the empty string (they would match every message).
 */
export function regexProblem(source: string): string | undefined {
  if (source.length > MAX_REGEX_LENGTH) return `the regular expression is too long (${source.length} characters; at most ${MAX_REGEX_LENGTH})`;
  let re: RegExp;
  try {
    re = new RegExp(foldRegexSource(source), REGEX_FLAGS);
  } catch (e) {
    return `invalid regular expression: ${e instanceof Error ? e.message : String(e)}`;
  }
  const shape = shapeProblem(source);
  if (shape !== undefined) return shape;
  if (re.test('') || re.test(' ')) return 'the regular expression matches empty or blank text, so it would match every message';
  return undefined;
}

/** Scans the source once, tracking groups, to find the backtracking shapes described above. */
function shapeProblem(src: string): string | undefined {
  const stack: GroupFrame[] = [{ quantified: false, alternation: false }];
  // What the next quantifier would apply to: a group just closed (with its contents) or an atom.
  let last: { group: GroupFrame | null } | null = null;
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '\\') {
      const next = src[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreferences (\\1, \\k<name>) are not allowed in keyword rules';
      if ((next === 'p' || next === 'P' || next === 'u') && src[i + 2] === '{') {
        const close = src.indexOf('}', i + 3);
        i = close < 0 ? src.length : close + 1;
      } else if (next === 'x') i += 4;
      else if (next === 'u') i += 6;
      else if (next === 'c') i += 3;
      else i += 2;
      last = { group: null };
      continue;
    }
    if (ch === '[') {
      i++;
      if (src[i] === '^') i++;
      if (src[i] === ']') i++;
      while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1;
      i++;
      last = { group: null };
      continue;
    }
    if (ch === '(') {
      stack.push({ quantified: false, alternation: false });
      if (src[i + 1] === '?') {
        // (?: (?= (?! (?<= (?<! (?<name>
        if (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!') {
          const close = src.indexOf('>', i + 3);
          i = close < 0 ? src.length : close + 1;
        } else i += src[i + 2] === '<' ? 4 : 3;
      } else i++;
      last = null;
      continue;
    }
    if (ch === ')') {
      const frame = stack.length > 1 ? stack.pop()! : stack[0]!;
      const parent = stack[stack.length - 1]!;
      parent.quantified ||= frame.quantified;
      last = { group: frame };
      i++;
      continue;
    }
    if (ch === '|') {
      stack[stack.length - 1]!.alternation = true;
      last = null;
      i++;
      continue;
    }
    const q = readQuantifier(src, i);
    if (q !== undefined) {
      if (q.max !== Infinity && q.max > MAX_REGEX_REPEAT) return `counts above ${MAX_REGEX_REPEAT} ({n,m}) are not allowed in keyword rules`;
      if (q.min > MAX_REGEX_REPEAT) return `counts above ${MAX_REGEX_REPEAT} ({n,m}) are not allowed in keyword rules`;
      const group = last?.group ?? null;
      if (group !== null && q.max > 1 && (group.quantified || group.alternation)) {
        return 'a repeated group that holds a quantifier or an alternation, like (a+)+ or (a|b)*, can take forever on some messages: rewrite it without nesting';
      }
      stack[stack.length - 1]!.quantified = true;
      i = q.end;
      if (src[i] === '?') i++; // lazy
      last = null;
      continue;
    }
    last = { group: null };
    i++;
  }
  return undefined;
}

function readQuantifier(src: string, i: number): { min: number; max: number; end: number } | undefined {
  const ch = src[i];
  if (ch === '*') return { min: 0, max: Infinity, end: i + 1 };
  if (ch === '+') return { min: 1, max: Infinity, end: i + 1 };
  if (ch === '?') return { min: 0, max: 1, end: i + 1 };
  if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    return { min, max, end: i + m[0].length };
  }
  return undefined;
}

/** Runs regex rules over folded text; `timeout` when one ran past the runner's budget. */
export interface RegexRunner {
  test(patterns: readonly RegExp[], text: string): Array<boolean | 'timeout'>;
}

/** No time budget: for code paths that only hold rules already checked by `regexProblem`. */
export const directRegexRunner: RegexRunner = {
  test: (patterns, text) => patterns.map((p) => p.test(text)),
};

export interface MatchResult {
  /** The rules that matched, in the order given to the matcher. */
  rules: KeywordRule[];
  /** Regex rules skipped for this text because they ran past the time budget. */
  timedOut: KeywordRule[];
}

export interface MatcherOptions {
  regexRunner?: RegexRunner;
  /**
   * A full transition table (fast) while it stays under this many cells; above it the automaton
   * follows failure links instead. Tests force the sparse form with 0.
   */
  maxDenseCells?: number;
}

const DEFAULT_DENSE_CELLS = 4_000_000;

/** One automaton for many rules; build once per rule set, then `match` each message. */
export class KeywordMatcher {
  readonly rules: readonly KeywordRule[];
  /** Rules that could not be compiled (should not happen for rules that passed `checkKeyword`). */
  readonly broken: KeywordRule[] = [];
  private readonly literalRules: KeywordRule[] = [];
  private readonly literalLengths: number[] = [];
  private readonly literalWord: boolean[] = [];
  private readonly regexRules: KeywordRule[] = [];
  private readonly regexes: RegExp[] = [];
  private readonly runner: RegexRunner;
  private readonly order: Map<KeywordRule, number>;
  private readonly automaton: Automaton;

  constructor(rules: readonly KeywordRule[], opts: MatcherOptions = {}) {
    this.rules = rules;
    this.runner = opts.regexRunner ?? directRegexRunner;
    this.order = new Map(rules.map((r, i) => [r, i]));
    const patterns: string[] = [];
    for (const rule of rules) {
      if (rule.mode === 'regex') {
        try {
          this.regexes.push(new RegExp(foldRegexSource(rule.pattern), REGEX_FLAGS));
          this.regexRules.push(rule);
        } catch {
          this.broken.push(rule);
        }
        continue;
      }
      const normalized = normalizeKeyword(rule.pattern);
      if (normalized === '') {
        this.broken.push(rule);
        continue;
      }
      this.literalRules.push(rule);
      this.literalLengths.push(normalized.length);
      this.literalWord.push(rule.mode === 'word');
      patterns.push(normalized);
    }
    this.automaton = buildAutomaton(patterns, opts.maxDenseCells ?? DEFAULT_DENSE_CELLS);
  }

  get size(): number {
    return this.rules.length;
  }

  /** Which rules `text` matches (folded first). */
  match(text: string): MatchResult {
    return this.matchNormalized(normalizeText(text));
  }

  /** Like `match` for text already passed through `normalizeText`. */
  matchNormalized(text: string): MatchResult {
    const found = new Uint8Array(this.literalRules.length);
    let count = 0;
    this.automaton.scan(text, (end, ruleIndexes) => {
      for (const r of ruleIndexes) {
        if (found[r] === 1) continue;
        if (this.literalWord[r]) {
          const start = end - this.literalLengths[r]!;
          if (wordCharBefore(text, start) && wordCharAt(text, start)) continue;
          if (wordCharBefore(text, end) && wordCharAt(text, end)) continue;
        }
        found[r] = 1;
        count++;
      }
      return count === found.length;
    });
    const matched: KeywordRule[] = [];
    for (let i = 0; i < found.length; i++) if (found[i] === 1) matched.push(this.literalRules[i]!);
    const timedOut: KeywordRule[] = [];
    if (this.regexes.length > 0) {
      const slice = text.length > REGEX_TEXT_LIMIT ? cutUnits(text, REGEX_TEXT_LIMIT) : text;
      const results = this.runner.test(this.regexes, slice);
      results.forEach((r, i) => {
        if (r === true) matched.push(this.regexRules[i]!);
        else if (r === 'timeout') timedOut.push(this.regexRules[i]!);
      });
      matched.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    }
    return { rules: matched, timedOut };
  }
}

/** At most `n` code units, never splitting a surrogate pair. */
function cutUnits(text: string, n: number): string {
  const c = text.charCodeAt(n - 1);
  return text.slice(0, c >= 0xd800 && c <= 0xdbff ? n - 1 : n);
}

/** Calls `onHit(endIndex, ruleIndexes)` for every position where patterns end; stops when it returns true. */
interface Automaton {
  scan(text: string, onHit: (end: number, rules: readonly number[]) => boolean): void;
}

/**
 * Aho-Corasick over UTF-16 code units of folded text. The alphabet is only the code units the
 * patterns use, so a dense table (state × symbol) stays small; any other code unit sends the
 * automaton back to the root.
 */
function buildAutomaton(patterns: readonly string[], maxDenseCells: number): Automaton {
  const symbolOf = new Int32Array(0x10000).fill(-1);
  let symbols = 0;
  for (const p of patterns) {
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (symbolOf[c] === -1) symbolOf[c] = symbols++;
    }
  }
  // Trie.
  const children: Array<Map<number, number>> = [new Map<number, number>()];
  const own: number[][] = [[]];
  patterns.forEach((p, index) => {
    let s = 0;
    for (let i = 0; i < p.length; i++) {
      const a = symbolOf[p.charCodeAt(i)]!;
      let next = children[s]!.get(a);
      if (next === undefined) {
        next = children.length;
        children.push(new Map<number, number>());
        own.push([]);
        children[s]!.set(a, next);
      }
      s = next;
    }
    own[s]!.push(index);
  });
  const states = children.length;
  // Failure links breadth-first; outputs include those of the failure chain.
  const fail = new Int32Array(states);
  const outputs: Array<readonly number[] | null> = new Array<readonly number[] | null>(states).fill(null);
  const queue: number[] = [];
  for (const child of children[0]!.values()) {
    fail[child] = 0;
    queue.push(child);
  }
  outputs[0] = own[0]!.length > 0 ? own[0]! : null;
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q]!;
    const inherited = outputs[fail[s]!];
    const mine = own[s]!;
    outputs[s] = mine.length === 0 ? (inherited ?? null) : inherited ? [...mine, ...inherited] : mine;
    for (const [a, child] of children[s]!) {
      let f = fail[s]!;
      while (f !== 0 && !children[f]!.has(a)) f = fail[f]!;
      const target = children[f]!.get(a);
      fail[child] = target !== undefined && target !== child ? target : 0;
      queue.push(child);
    }
  }

  if (states * symbols <= maxDenseCells) {
    // Full DFA: every (state, symbol) resolved once, so scanning is one table read per code unit.
    // States are renumbered breadth-first so the shallow ones, where scanning spends most of its
    // time, share cache lines; 16-bit cells while state numbers fit.
    const order = [0, ...queue];
    const renum = new Int32Array(states);
    order.forEach((old, i) => (renum[old] = i));
    const delta = states < 0x10000 ? new Uint16Array(states * symbols) : new Int32Array(states * symbols);
    const out: Array<readonly number[] | null> = order.map((old) => outputs[old] ?? null);
    for (const old of order) {
      const row = renum[old]! * symbols;
      const failRow = renum[fail[old]!]! * symbols;
      for (let a = 0; a < symbols; a++) {
        const child = children[old]!.get(a);
        delta[row + a] = child !== undefined ? renum[child]! : old === 0 ? 0 : delta[failRow + a]!;
      }
    }
    return {
      scan(text, onHit) {
        let s = 0;
        for (let i = 0; i < text.length; i++) {
          const a = symbolOf[text.charCodeAt(i)]!;
          s = a < 0 ? 0 : delta[s * symbols + a]!;
          const o = out[s];
          if (o !== null && o !== undefined && onHit(i + 1, o)) return;
        }
      },
    };
  }
  return {
    scan(text, onHit) {
      let s = 0;
      for (let i = 0; i < text.length; i++) {
        const a = symbolOf[text.charCodeAt(i)]!;
        if (a < 0) {
          s = 0;
          continue;
        }
        let next = children[s]!.get(a);
        while (next === undefined && s !== 0) {
          s = fail[s]!;
          next = children[s]!.get(a);
        }
        s = next ?? 0;
        const out = outputs[s];
        if (out !== null && out !== undefined && onHit(i + 1, out)) return;
      }
    },
  };
}
