import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldRegexSource, normalizeKeyword, normalizeText } from './text-normalize.ts';

describe('normalizeText', () => {
  it('folds Arabic letter variants to the Persian ones', () => {
    expect(normalizeText('علي')).toBe(normalizeText('علی')); // ي / ی
    expect(normalizeText('موسى')).toBe(normalizeText('موسی')); // ى / ی
    expect(normalizeText('كتاب')).toBe(normalizeText('کتاب')); // ك / ک
    expect(normalizeText('مدرسة')).toBe(normalizeText('مدرسه')); // ة / ه
    for (const alef of ['أ', 'إ', 'آ', 'ٱ']) expect(normalizeText(`${alef}مید`)).toBe('امید');
    expect(normalizeText('مسئله')).toBe(normalizeText('مسیله'));
  });

  it('drops diacritics, tatweel, zero-width characters and direction marks', () => {
    expect(normalizeText('مُحَمَّد')).toBe('محمد');
    expect(normalizeText('ســــلام')).toBe('سلام');
    expect(normalizeText('می\u200cخواهم')).toBe('میخواهم');
    expect(normalizeText('\u200fسلام\u200e\u200b')).toBe('سلام');
    expect(normalizeText('Café')).toBe('cafe');
  });

  it('folds Persian and Arabic digits to ASCII', () => {
    expect(normalizeText('۱۲۳۴۵۶۷۸۹۰')).toBe('1234567890');
    expect(normalizeText('١٢٣٤٥٦٧٨٩٠')).toBe('1234567890');
  });

  it('lowercases, applies compatibility forms and collapses whitespace', () => {
    expect(normalizeText('HeLLo  \t\n World')).toBe('hello world');
    expect(normalizeText('ＵＳＤＴ')).toBe('usdt');
    expect(normalizeText('\ufee9')).toBe('ه'); // presentation form
    expect(normalizeText('ﻻ')).toBe('لا');
    expect(normalizeText('a\u00a0b')).toBe('a b');
  });

  it('makes lone surrogates well-formed', () => {
    expect(normalizeText('a\ud800b')).toBe('a\ufffdb');
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const once = normalizeText(s);
        expect(normalizeText(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});

describe('normalizeKeyword / foldRegexSource', () => {
  it('trims keywords', () => {
    expect(normalizeKeyword('  Bitcoin ')).toBe('bitcoin');
  });

  it('folds letters in a regex but keeps its syntax', () => {
    expect(foldRegexSource('\\bكتاب\\s+\\D{2}')).toBe('\\bکتاب\\s+\\D{2}');
  });
});
