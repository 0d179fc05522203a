/**
 * Keyword rules and the matcher. Plain and whole-word rules go into one Aho-Corasick automaton
 * over folded text (text-normalize.ts), so ten thousand keywords cost one pass over the message.
 * Regular-expression rules run on the compiler the caller passes in: the engine gives RE2
 * (engine/keyword-regex.ts), whose matching time is linear in the text whatever the pattern, so no
 * rule can hang the monitor or a test command and no shape has to be guessed dangerous up front.
 * The same compile serves checking and matching; core stays free of the engine's library.
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
/**
 * Largest `{n,m}` count a regular expression may use: RE2 unrolls counted repeats, so large
 * counts make big programs (a{1,1000} takes ~50 ms to compile) without being useful for keywords.
 */
export const MAX_REGEX_REPEAT = 100;
/** Regular expressions see at most this much folded text (Telegram's own message limit). */
export const REGEX_TEXT_LIMIT = 4096;

/** Why a keyword is refused, as a code the interfaces render in the admin's language. */
export type KeywordProblem = 'empty' | 'invisible_only' | 'too_long' | 'bad_regex';

export type KeywordCheck =
  | { ok: true; normalized: string }
  | { ok: false; reason: string; problem: KeywordProblem; length?: number; max?: number };

/**
 * Whether `pattern` can be a rule of `mode`; on success the form stored to spot duplicates
 * (folded text for plain/word rules, the folded source for regexes).
 */
export function checkKeyword(pattern: string, mode: KeywordMode, compile: RegexCompiler): KeywordCheck {
  if (pattern.trim() === '') return { ok: false, reason: 'the keyword is empty', problem: 'empty' };
  if (mode === 'regex') {
    const reason = regexProblem(pattern, compile);
    return reason === undefined ? { ok: true, normalized: foldRegexSource(pattern) } : { ok: false, reason, problem: 'bad_regex' };
  }
  const normalized = normalizeKeyword(pattern);
  if (normalized === '') return { ok: false, reason: 'the keyword holds only marks or invisible characters', problem: 'invisible_only' };
  const length = [...normalized].length;
  if (length > MAX_KEYWORD_LENGTH) {
    return { ok: false, reason: `the keyword is too long (${length} characters; at most ${MAX_KEYWORD_LENGTH})`, problem: 'too_long', length, max: MAX_KEYWORD_LENGTH };
  }
  return { ok: true, normalized };
}

/** A compiled regex rule: matches folded text in time linear in the text. */
export interface CompiledRegex {
  test(text: string): boolean;
}

/**
 * Compiles a rule's source the one way it is ever run (folded like messages with
 * `foldRegexSource`, case-insensitive); throws on what the engine refuses.
 */
export type RegexCompiler = (source: string) => CompiledRegex;

/**
 * Why a regular expression is refused, or undefined when it is acceptable. Refused: what RE2
 * cannot compile (invalid syntax, backreferences, lookaround), too long, counts above
 * MAX_REGEX_REPEAT, and patterns that match empty or blank text (they would match every message).
 */
export function regexProblem(source: string, compile: RegexCompiler): string | undefined {
  if (source.length > MAX_REGEX_LENGTH) return `the regular expression is too long (${source.length} characters; at most ${MAX_REGEX_LENGTH})`;
  const count = largestCount(source);
  if (count > MAX_REGEX_REPEAT) return `counts above ${MAX_REGEX_REPEAT} ({n,m}) are not allowed in keyword rules`;
  // Checked on the source: translating JavaScript syntax would read `\k<n>` as a plain `k<n>`.
  if (BACKREFERENCE.test(source)) return 'backreferences (\\1, \\k<name>) are not allowed in keyword rules';
  let re: CompiledRegex;
  try {
    re = compile(source);
  } catch (e) {
    const detail = (e instanceof Error ? e.message : String(e)).replace(/^error parsing regexp: /, '');
    if (/\(\?<?[=!]/.test(source)) return 'lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not allowed in keyword rules';
    return `invalid regular expression: ${detail}`;
  }
  if (re.test('') || re.test(' ')) return 'the regular expression matches empty or blank text, so it would match every message';
  return undefined;
}

/** `\1`..`\9` or `\k<`, preceded by an even number of backslashes (so not `\\1`). */
const BACKREFERENCE = /(?:^|[^\\])(?:\\\\)*\\(?:[1-9]|k<)/;

/** The largest `{n}`, `{n,}` or `{n,m}` count in a source, skipping escapes and character classes. */
function largestCount(src: string): number {
  let largest = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      if (src[i + 1] === '^') i++;
      if (src[i + 1] === ']') i++;
      continue;
    }
    if (ch !== '{') continue;
    const m = /^\{(\d+)(?:,(\d*))?\}/.exec(src.slice(i));
    if (!m) continue;
    largest = Math.max(largest, Number(m[1]), m[2] ? Number(m[2]) : 0);
    i += m[0].length - 1;
  }
  return largest;
}

export interface MatchResult {
  /** The rules that matched, in the order given to the matcher. */
  rules: KeywordRule[];
}

export interface MatcherOptions {
  /**
   * A full transition table (fast) while it stays under this many cells; above it the automaton
   * follows failure links instead. Tests force the sparse form with 0.
   */
  maxDenseCells?: number;
  /** How regex rules are compiled (the engine's linear-time compiler). */
  compile: RegexCompiler;
}

const DEFAULT_DENSE_CELLS = 4_000_000;

/**
 * One automaton for many rules; build once per rule set, then `match` each message. The work per
 * message is the scan plus the rules that matched: nothing is allocated or swept per rule.
 * Not re-entrant (one message at a time), which JavaScript's single thread guarantees.
 */
export class KeywordMatcher {
  readonly rules: readonly KeywordRule[];
  /** Rules that could not be compiled (should not happen for rules that passed `checkKeyword`). */
  readonly broken: KeywordRule[] = [];
  /** Position in `rules` of each literal rule, by literal index. */
  private readonly literalPos: number[] = [];
  private readonly literalLengths: number[] = [];
  private readonly literalWord: boolean[] = [];
  private readonly regexPos: number[] = [];
  private readonly regexes: CompiledRegex[] = [];
  private readonly automaton: Automaton;
  /** Per literal rule, the number of the last message it matched in (so nothing is reset per message). */
  private readonly lastSeen: Uint32Array;
  private messageNo = 0;

  constructor(rules: readonly KeywordRule[], opts: MatcherOptions) {
    this.rules = rules;
    const patterns: string[] = [];
    rules.forEach((rule, pos) => {
      if (rule.mode === 'regex') {
        try {
          this.regexes.push(opts.compile(rule.pattern));
          this.regexPos.push(pos);
        } catch {
          this.broken.push(rule);
        }
        return;
      }
      const normalized = normalizeKeyword(rule.pattern);
      if (normalized === '') {
        this.broken.push(rule);
        return;
      }
      this.literalPos.push(pos);
      this.literalLengths.push(normalized.length);
      this.literalWord.push(rule.mode === 'word');
      patterns.push(normalized);
    });
    this.lastSeen = new Uint32Array(patterns.length);
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
    if (this.messageNo === 0xffffffff) {
      this.lastSeen.fill(0);
      this.messageNo = 0;
    }
    const no = ++this.messageNo;
    const seen = this.lastSeen;
    const total = seen.length;
    const positions: number[] = [];
    let found = 0;
    if (total > 0) {
      this.automaton.scan(text, (end, ruleIndexes) => {
        for (const r of ruleIndexes) {
          if (seen[r] === no) continue;
          if (this.literalWord[r]) {
            const start = end - this.literalLengths[r]!;
            if (wordCharBefore(text, start) && wordCharAt(text, start)) continue;
            if (wordCharBefore(text, end) && wordCharAt(text, end)) continue;
          }
          seen[r] = no;
          positions.push(this.literalPos[r]!);
          found++;
        }
        return found === total;
      });
    }
    if (this.regexes.length > 0) {
      const slice = text.length > REGEX_TEXT_LIMIT ? cutUnits(text, REGEX_TEXT_LIMIT) : text;
      for (let i = 0; i < this.regexes.length; i++) if (this.regexes[i]!.test(slice)) positions.push(this.regexPos[i]!);
    }
    if (positions.length > 1) positions.sort((a, b) => a - b);
    return { rules: positions.map((p) => this.rules[p]!) };
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
