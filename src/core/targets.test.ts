import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeTargets, parseTargets } from './targets.ts';
import { stripInvisible } from './text.ts';
import { isUsername } from './usernames.ts';

describe('parseTargets', () => {
  it('splits on newlines, spaces, tabs and commas, strips @, lowercases and collapses duplicates', () => {
    const p = parseTargets('@Alice_1,bob_two\n  carol99\t@ALICE_1 ,, dave_smith\r\nbob_two');
    expect(p.usernames).toEqual(['alice_1', 'bob_two', 'carol99', 'dave_smith']);
    expect(p.duplicates).toBe(2);
    expect(p.invalid.count).toBe(0);
  });

  it('reports every invalid entry with a count and the first examples and their reasons', () => {
    const p = parseTargets('good_name 1abc ab bad__name trailing_ @ x-y good_name2 ' + 'a'.repeat(40), 3);
    expect(p.usernames).toEqual(['good_name', 'good_name2']);
    expect(p.invalid.count).toBe(7);
    expect(p.invalid.examples).toHaveLength(3);
    expect(p.invalid.examples[0]).toEqual({ input: '1abc', problem: expect.stringContaining('must start with a Latin letter') });
    expect(p.invalid.examples[1]!.problem).toContain('too short');
    expect(describeTargets(p)).toMatch(/2 usernames, 7 invalid entries left out \(.*; …\)/);
  });

  it('returns nothing for empty or separator-only text', () => {
    expect(parseTargets(' \n,,\t ')).toEqual({ usernames: [], invalid: { count: 0, examples: [] }, duplicates: 0 });
  });

  it('keeps exactly the valid, distinct names of any list (property)', () => {
    const entry = fc.oneof(
      fc.stringMatching(/^@?[A-Za-z][A-Za-z0-9_]{3,33}$/),
      fc.stringMatching(/^[^\s,;]{1,12}$/),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), fc.constantFrom(' ', '\n', ',', ', ', '\r\n'), (entries, sep) => {
        const p = parseTargets(entries.join(sep));
        const normalized = entries.map((e) => stripInvisible(e).trim().replace(/^@/, '').toLowerCase());
        const valid = normalized.filter(isUsername);
        expect(p.usernames).toEqual([...new Set(valid)]);
        expect(p.usernames.length + p.duplicates + p.invalid.count).toBe(entries.length);
        expect(p.usernames.every(isUsername)).toBe(true);
      }),
    );
  });
});

describe('targets pasted from right-to-left chats', () => {
  it('drops direction marks and zero-width characters before validating', () => {
    const p = parseTargets('\u200f@Alice_1\u200e\n\u202bbob_two\u202c, carol\u200b99, \ufeffdave_smith');
    expect(p.usernames).toEqual(['alice_1', 'bob_two', 'carol99', 'dave_smith']);
    expect(p.invalid.count).toBe(0);
  });

  it('shows what it refuses with invisible and control characters escaped', () => {
    const p = parseTargets('ab\u200f\u0007c-d\u001b[2J');
    expect(p.invalid.count).toBe(1);
    const [e] = p.invalid.examples;
    expect(e!.input).toBe('ab\\u200f\\u0007c-d\\u001b[2J');
    expect(e!.problem).toContain('"ab\\u0007c-d\\u001b[2j" may hold only');
    expect(e!.input + e!.problem).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });
});
