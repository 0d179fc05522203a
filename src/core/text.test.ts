import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAccountRef, parsePhone } from './account-refs.ts';
import { parseLink } from './links.ts';
import { parseTargets } from './targets.ts';
import { escapeInvisible, forTerminal, quoteInput, stripInvisible } from './text.ts';

describe('stripInvisible', () => {
  it('removes direction marks, zero-width characters and the byte order mark', () => {
    expect(stripInvisible('\u200f@name\u200e')).toBe('@name');
    expect(stripInvisible('\u202bt.me/\u200bchan\u2069nel\ufeff')).toBe('t.me/channel');
    expect(stripInvisible('\u00adsoft')).toBe('soft');
  });

  it('keeps every visible character (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), (s) => {
        expect(stripInvisible(s)).toBe(Array.from(s).filter((c) => !/\p{Cf}/u.test(c)).join(''));
      }),
    );
  });
});

// Any code point, lone surrogates included (fast-check's own binary strings are slow to make).
const codePoints = fc.array(fc.oneof(fc.integer({ min: 0, max: 0x20ff }), fc.integer({ min: 0, max: 0x10ffff })), { maxLength: 64 }).map((cps) => String.fromCodePoint(...cps));

describe('escapeInvisible', () => {
  it.each([
    ['\u200fname', '\\u200fname'],
    ['a\u001b[31mred', 'a\\u001b[31mred'],
    ['line\nnext\ttab\r', 'line\\nnext\\ttab\\r'],
    ['no\u00a0break', 'no\\u00a0break'],
    ['tag\u{e0041}', 'tag\\u{e0041}'],
    ['lone \ud800 surrogate', 'lone \\ud800 surrogate'],
    ['سلام 👋 name', 'سلام 👋 name'],
  ])('%j -> %s', (input, shown) => {
    expect(escapeInvisible(input)).toBe(shown);
  });

  it('leaves nothing a terminal would act on or hide (property)', () => {
    fc.assert(
      fc.property(codePoints, (s) => {
        expect(escapeInvisible(s)).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u);
      }),
    );
  });
});

describe('forTerminal', () => {
  it('escapes as escapeInvisible but keeps line breaks', () => {
    expect(forTerminal('error: bad\u001b[2J\n  - next\u200f\tline')).toBe('error: bad\\u001b[2J\n  - next\\u200f\\tline');
  });
});

describe('quoteInput', () => {
  it('quotes, escapes and clips on whole characters', () => {
    expect(quoteInput('\u200fbad')).toBe('"\\u200fbad"');
    expect(quoteInput('😀'.repeat(50), 3)).toBe('"😀😀😀…"');
  });
});

describe('every parser of pasted identifiers', () => {
  const marks = (s: string): string => `\u200f${s}\u200e\u200b`;
  it('reads links, names, phones and account references through direction marks', () => {
    expect(parseLink(marks('https://t.me/durov/12'))).toEqual({ ok: true, link: { kind: 'message', chat: { username: 'durov' }, messageId: 12 } });
    expect(parseLink(`\u202b@Durov\u202c`)).toEqual({ ok: true, link: { kind: 'peer', username: 'durov' } });
    expect(parseTargets(marks('@durov')).usernames).toEqual(['durov']);
    expect(parsePhone(marks('+1 555 000 1234'))).toEqual({ ok: true, value: '+15550001234' });
    expect(parseAccountRef(marks('@durov'))).toEqual({ ok: true, value: { kind: 'username', username: 'durov' } });
  });

  it('echoes refused input with control characters escaped', () => {
    const r = parseLink('t.me/\u001b[2Jx/1');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).not.toMatch(/\p{Cc}/u);
      expect(r.error).toContain('\\u001b');
    }
  });
});
