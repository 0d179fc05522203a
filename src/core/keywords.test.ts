import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRegex, keywordMatcher } from '../engine/keyword-regex.ts';
import { checkKeyword, MAX_KEYWORD_LENGTH, REGEX_TEXT_LIMIT, regexProblem, type KeywordRule } from './keywords.ts';
import { normalizeKeyword, normalizeText, wordCharAt, wordCharBefore } from './text-normalize.ts';

const rule = (id: number, pattern: string, mode: KeywordRule['mode'] = 'plain'): KeywordRule => ({ id, pattern, mode });
const ids = (m: ReturnType<typeof keywordMatcher>, text: string): number[] => m.match(text).rules.map((r) => r.id);

describe('KeywordMatcher', () => {
  it('matches Persian variants both ways', () => {
    const m = keywordMatcher([rule(1, 'علي'), rule(2, 'کتابخانه'), rule(3, 'آموزش'), rule(4, '۱۲۳'), rule(5, 'مدرسة')]);
    expect(ids(m, 'سلام علی جان')).toEqual([1]);
    expect(ids(m, 'كتابخانة مركزي')).toEqual([2]);
    expect(ids(m, 'اموزش رایگان')).toEqual([3]);
    expect(ids(m, 'أموزش')).toEqual([3]);
    expect(ids(m, 'کد 123 است')).toEqual([4]);
    expect(ids(m, 'کد ١٢٣ است')).toEqual([4]);
    expect(ids(m, 'مدرسه')).toEqual([5]);
    expect(ids(m, 'کتــابخانه')).toEqual([2]); // tatweel
    expect(ids(m, 'کتاب\u200cخانه')).toEqual([2]); // ZWNJ
    expect(ids(m, 'عَلِیّ')).toEqual([1]); // diacritics
  });

  it('is case-insensitive for English and reports every matched rule once, in rule order', () => {
    const m = keywordMatcher([rule(1, 'USDT'), rule(2, 'buy'), rule(3, 'sell')]);
    expect(ids(m, 'Sell usdt, SELL usdt, buy!')).toEqual([1, 2, 3]);
    expect(ids(m, 'nothing here')).toEqual([]);
  });

  it('whole-word rules need a word boundary on word edges', () => {
    const m = keywordMatcher([rule(1, 'cat', 'word'), rule(2, 'کتاب', 'word'), rule(3, '#tag', 'word'), rule(4, 'cat')]);
    expect(ids(m, 'concatenate')).toEqual([4]);
    expect(ids(m, 'a cat.')).toEqual([1, 4]);
    expect(ids(m, 'cats cat')).toEqual([1, 4]);
    expect(ids(m, 'کتابها')).toEqual([]);
    expect(ids(m, 'این کتاب خوب است')).toEqual([2]);
    expect(ids(m, 'x#tag')).toEqual([3]); // the edge '#' is not a word character
    expect(ids(m, '#tags')).toEqual([]);
  });

  it('runs regex rules over folded text', () => {
    const m = keywordMatcher([rule(1, '\\bprice\\s*\\d+', 'regex'), rule(2, 'قیمت\\s+\\d+', 'regex')]);
    expect(ids(m, 'PRICE 100')).toEqual([1]);
    expect(ids(m, 'قيمت ۱۰۰ تومان')).toEqual([2]);
  });

  it('runs regex rules with nested unbounded repeats in linear time (RE2), so a long text cannot hang a match', () => {
    // Each of these takes a backtracking engine (JavaScript's own) exponential or high-polynomial
    // time on the texts below; RE2 answers at once. A hang would show as this test never ending.
    const nested = ['\\w*'.repeat(12) + 'x', '(a+)+$', '(\\w+\\s?)+$', '(a|aa)+b', '\\d+\\d+\\d+\\d+x'];
    expect(nested.map((src) => regexProblem(src, compileRegex))).toEqual(nested.map(() => undefined));
    const m = keywordMatcher([...nested.map((src, i) => rule(i + 1, src, 'regex')), rule(99, 'usdt')]);
    for (const text of ['a'.repeat(REGEX_TEXT_LIMIT - 1) + '!', '1'.repeat(REGEX_TEXT_LIMIT - 1) + '!', 'a1 '.repeat(1365) + '!']) {
      expect(ids(m, text)).toEqual([]);
    }
    expect(ids(m, 'aaab usdt 1234x')).toEqual([1, 3, 4, 5, 99]);
  });

  it('keeps per-message work independent of the rule count: the same matcher answers message after message', () => {
    const rules = Array.from({ length: 3000 }, (_, i) => rule(i + 1, `kw${i}x`, i % 2 === 0 ? 'word' : 'plain'));
    const m = keywordMatcher([...rules, rule(5000, 'kw1\\d+y', 'regex')]);
    expect(ids(m, 'kw1x and kw2x')).toEqual([2, 3]);
    expect(ids(m, 'kw2x kw2x')).toEqual([3]);
    expect(ids(m, 'nothing')).toEqual([]);
    expect(ids(m, 'kw2999x kw1x kw17y')).toEqual([2, 3000, 5000]);
  });

  const alphabet = ['a', 'b', 'A', ' ', '.', 'ي', 'ی', 'ك', 'ک', 'ة', 'ه', 'أ', 'ا', 'آ', '\u064e', '\u0640', '\u200c', '۱', '1', '١', '😀', 'é', 'e\u0301', 'ß'];
  const piece = fc.constantFrom(...alphabet);
  const text = fc.array(piece, { maxLength: 30 }).map((a) => a.join(''));
  const keyword = fc.array(piece, { minLength: 1, maxLength: 4 }).map((a) => a.join('')).filter((k) => normalizeKeyword(k) !== '');

  function oracleWord(t: string, k: string): boolean {
    for (let i = t.indexOf(k); i >= 0; i = t.indexOf(k, i + 1)) {
      const end = i + k.length;
      const startOk = !(wordCharBefore(t, i) && wordCharAt(t, i));
      const endOk = !(wordCharBefore(t, end) && wordCharAt(t, end));
      if (startOk && endOk) return true;
    }
    return false;
  }

  for (const dense of [true, false]) {
    it(`equals a naive normalized-substring oracle (${dense ? 'dense table' : 'failure links'})`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(keyword, fc.boolean()), { minLength: 1, maxLength: 12 }), fc.array(text, { minLength: 1, maxLength: 5 }), (kws, texts) => {
          const rules = kws.map(([k, word], i) => rule(i + 1, k, word ? 'word' : 'plain'));
          const m = keywordMatcher(rules, dense ? {} : { maxDenseCells: 0 });
          for (const t of texts) {
            const nt = normalizeText(t);
            const expected = rules.filter((r) => (r.mode === 'word' ? oracleWord(nt, normalizeKeyword(r.pattern)) : nt.includes(normalizeKeyword(r.pattern)))).map((r) => r.id);
            expect(ids(m, t)).toEqual(expected);
          }
        }),
        { numRuns: 400 },
      );
    });
  }

  it('a keyword typed inside a message is always found', () => {
    fc.assert(
      fc.property(text, keyword, text, (before, k, after) => {
        // A space on each side keeps NFC from composing the keyword's edges with its neighbours.
        const m = keywordMatcher([rule(1, k)]);
        expect(ids(m, `${before} ${k} ${after}`)).toEqual([1]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('checkKeyword', () => {
  it('refuses empty, invisible-only and too long keywords', () => {
    expect(checkKeyword('   ', 'plain', compileRegex)).toMatchObject({ ok: false, reason: expect.stringContaining('empty') });
    expect(checkKeyword('\u200c\u064e', 'word', compileRegex)).toMatchObject({ ok: false });
    expect(checkKeyword('x'.repeat(MAX_KEYWORD_LENGTH + 1), 'plain', compileRegex)).toMatchObject({ ok: false, reason: expect.stringContaining('too long') });
    expect(checkKeyword('  Bitcoin ', 'plain', compileRegex)).toEqual({ ok: true, normalized: 'bitcoin' });
  });

  it('accepts ordinary regular expressions, in JavaScript or RE2 spelling', () => {
    for (const src of ['\\bprice\\s*\\d+', '(buy|sell) usdt', '[a-z]{2,5}@x', '(?:ab)+c', 'a{1,3}b', '\\p{L}+ی', '(?<y>20\\d\\d)', '[\\u0600-\\u06ff]+x', '(a+)+b']) {
      expect(regexProblem(src, compileRegex), src).toBeUndefined();
    }
  });

  it('refuses what RE2 cannot run, huge counts and match-everything regular expressions', () => {
    const cases: Array<[string, string]> = [
      ['(a)\\1', 'backreferences'],
      ['(?<n>a)\\k<n>', 'backreferences'],
      ['a(?=b)', 'lookahead'],
      ['(?<!x)a', 'lookahead'],
      ['a{1,5000}', 'counts above'],
      ['(a{50}){101}', 'counts above'],
      ['(abc', 'invalid'],
      ['x'.repeat(201), 'too long'],
      ['a*', 'every message'],
      ['\\s*', 'every message'],
    ];
    for (const [src, reason] of cases) {
      expect(regexProblem(src, compileRegex), src).toContain(reason);
      expect(checkKeyword(src, 'regex', compileRegex).ok).toBe(false);
    }
    // Braces that are not counts do not count.
    expect(regexProblem('[{]1000}x', compileRegex)).toBeUndefined();
    expect(regexProblem('\\{1000\\}', compileRegex)).toBeUndefined();
  });
});
