import { describe, expect, it } from 'vitest';
import { parseLoginCode } from './account-input.ts';

describe('parseLoginCode', () => {
  it.each(['12345', '\u200f1 2 3 4 5\u200e', '1 2 3 4 5', '1-2-3-4-5', '1.2.3.4.5', ' 12 345 ', '1_2_3_4_5', '1, 2, 3, 4, 5'])('accepts %j as 12345', (input) => {
    expect(parseLoginCode(input)).toEqual({ ok: true, value: '12345' });
  });

  it.each([
    ['', /empty/],
    ['12a45', /only digits/],
    ['one two', /only digits/],
    ['123', /has 3/],
    ['123456789', /has 9/],
  ])('refuses %j', (input, problem) => {
    const r = parseLoginCode(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });

  it('checks the length Telegram announced', () => {
    expect(parseLoginCode('1234', 5)).toMatchObject({ ok: false, problem: expect.stringMatching(/5-digit code/) });
    expect(parseLoginCode('123456', 6)).toEqual({ ok: true, value: '123456' });
  });
});
