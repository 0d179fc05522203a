import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeTargets, parseTargets } from './targets.ts';
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
        const normalized = entries.map((e) => e.trim().replace(/^@/, '').toLowerCase());
        const valid = normalized.filter(isUsername);
        expect(p.usernames).toEqual([...new Set(valid)]);
        expect(p.usernames.length + p.duplicates + p.invalid.count).toBe(entries.length);
        expect(p.usernames.every(isUsername)).toBe(true);
      }),
    );
  });
});
