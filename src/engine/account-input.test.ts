import { describe, expect, it } from 'vitest';
import { poolAccount } from './memory-pool.ts';
import { findAccount, parseLoginCode, parsePhone } from './account-input.ts';

describe('parsePhone', () => {
  it.each([
    ['+1 (555) 000-1234', '+15550001234'],
    ['0015550001234', '+15550001234'],
    ['15550001234', '+15550001234'],
    [' +44 20 7946 0958 ', '+442079460958'],
    ['+7.912.345.67.89', '+79123456789'],
  ])('%s -> %s', (input, phone) => {
    expect(parsePhone(input)).toEqual({ ok: true, value: phone });
  });

  it.each([
    ['', /empty/],
    ['12ab', /not a phone number/],
    ['+1 23', /has 3 digits/],
    ['+1234567890123456', /has 16 digits/],
    ['0555123456', /country code/],
  ])('refuses %j', (input, problem) => {
    const r = parsePhone(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });
});

describe('parseLoginCode', () => {
  it.each(['12345', '1 2 3 4 5', '1-2-3-4-5', '1.2.3.4.5', ' 12 345 ', '1_2_3_4_5', '1, 2, 3, 4, 5'])('accepts %j as 12345', (input) => {
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

describe('findAccount', () => {
  const accounts = [
    poolAccount(1, { phone: '+15550001', username: 'alice_acc' }),
    poolAccount(2, { phone: '+15550002', username: 'bob_acc' }),
    poolAccount(12, { phone: '+15550012', username: null }),
  ];
  it.each([
    ['1', 1],
    ['#2', 2],
    ['12', 12],
    ['+1 555 0002', 2],
    ['15550012', 12],
    ['@Alice_Acc', 1],
    ['bob_acc', 2],
  ])('%s -> #%i', (ref, id) => {
    const r = findAccount(accounts, ref);
    expect(r.ok && r.value.id).toBe(id);
  });

  it.each([
    ['7', /no account #7/],
    ['+15559999', /no account has the phone/],
    ['@nobody_here', /no account is @nobody_here/],
    ['', /name an account/],
  ])('refuses %j', (ref, problem) => {
    const r = findAccount(accounts, ref);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });
});
