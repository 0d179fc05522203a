/**
 * The regular-expression engine keyword rules run on: RE2 (re2js, a pure-JavaScript port), whose
 * matching time is linear in the text whatever the pattern. Every path that runs a rule (add,
 * test, the monitor) compiles through this one function, so they all run under the same safety.
 */
import { RE2JS } from 're2js';
import { checkKeyword, KeywordMatcher, type CompiledRegex, type KeywordCheck, type KeywordMode, type KeywordRule } from '../core/keywords.ts';
import { foldRegexSource } from '../core/text-normalize.ts';

/** Folded like messages, JavaScript escapes (\u0600, named groups) translated to RE2 syntax, case-insensitive. */
export function compileRegex(source: string): CompiledRegex {
  return RE2JS.compile(RE2JS.translateRegExp(foldRegexSource(source)), RE2JS.CASE_INSENSITIVE);
}

export function checkRule(pattern: string, mode: KeywordMode): KeywordCheck {
  return checkKeyword(pattern, mode, compileRegex);
}

export function keywordMatcher(rules: readonly KeywordRule[], opts: { maxDenseCells?: number } = {}): KeywordMatcher {
  return new KeywordMatcher(rules, { ...opts, compile: compileRegex });
}
