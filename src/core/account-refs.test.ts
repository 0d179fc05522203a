import { describe, expect, it } from 'vitest';
import { findAccount, parseAccountRef, parsePhone, resolveAccountRefs } from './account-refs.ts';

describe('parsePhone', () => {
  it.each([
    ['+1 (555) 000-1234', '+15550001234'],
    ['0015550001234', '+15550001234'],
    ['15550001234', '+15550001234'],
    [' +44 20 7946 0958 ', '+442079460958'],
    ['+7.912.345.67.89', '+79123456789'],
    // Copied from a right-to-left chat: direction marks around the number.
    ['\u202a+98 912 345 6789\u202c', '+989123456789'],
    ['\u200e+15550001234\u200f', '+15550001234'],
  ])('%j -> %s', (input, phone) => {
    expect(parsePhone(input)).toEqual({ ok: true, value: phone });
  });

  it.each([
    ['', /empty/],
    ['\u200f', /empty/],
    ['12ab', /not a phone number/],
    ['+1 23', /has 3 digits/],
    ['+1234567890123456', /has 16 digits/],
    ['0555123456', /country code/],
    ['12\u0007ab', /"12\\u0007ab" is not a phone number/],
  ])('refuses %j', (input, problem) => {
    const r = parsePhone(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });
});

describe('parseAccountRef', () => {
  it.each([
    ['3', { kind: 'id', id: 3 }],
    ['#3', { kind: 'id', id: 3 }],
    ['999999', { kind: 'id', id: 999999 }],
    // Seven digits and more are a phone number, whichever interface reads them.
    ['1234567', { kind: 'phone', phone: '+1234567' }],
    ['#1234567', { kind: 'id', id: 1234567 }],
    ['+1 555 000 1234', { kind: 'phone', phone: '+15550001234' }],
    ['@Alice_Acc', { kind: 'username', username: 'alice_acc' }],
    ['alice_acc', { kind: 'username', username: 'alice_acc' }],
    ['\u200f@alice_acc\u200e', { kind: 'username', username: 'alice_acc' }],
    ['\u200b12', { kind: 'id', id: 12 }],
  ])('%j -> %j', (input, ref) => {
    expect(parseAccountRef(input)).toEqual({ ok: true, value: ref });
  });

  it.each([
    ['', /name an account/],
    ['0', /ids start at 1/],
    ['#0', /ids start at 1/],
    ['@a-b', /"@a-b" is not an account id, phone or @username/],
    ['bad\u001b[2Jname', /"bad\\u001b\[2Jname" is not/],
  ])('refuses %j', (input, problem) => {
    const r = parseAccountRef(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem).toMatch(problem);
      expect(r.problem).not.toMatch(/\p{Cc}/u);
    }
  });
});

describe('findAccount', () => {
  const accounts = [
    { id: 1, phone: '+15550001', username: 'alice_acc' },
    { id: 2, phone: '+15550002', username: 'Bob_Acc' },
    { id: 12, phone: '+15550012', username: null },
  ];
  it.each([
    ['1', 1],
    ['#2', 2],
    ['12', 12],
    ['+1 555 0002', 2],
    ['15550012', 12],
    ['@Alice_Acc', 1],
    ['bob_acc', 2],
    ['\u200f@bob_acc', 2],
  ])('%j -> #%i', (ref, id) => {
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

  it('asks for the id when two accounts share a username', () => {
    const r = findAccount([...accounts, { id: 3, phone: '+15550003', username: 'alice_acc' }], '@alice_acc');
    expect(r).toEqual({ ok: false, problem: expect.stringMatching(/several accounts are @alice_acc: use the id/) });
  });
});

describe('resolveAccountRefs', () => {
  const accounts = [
    { id: 1, phone: '+15550001', username: 'alice_acc' },
    { id: 2, phone: '+15550002', username: 'bob_acc' },
  ];
  it('reads lists separated by commas, keeps each account once in the order given', () => {
    expect(resolveAccountRefs(accounts, ['2, @alice_acc', '+15550002', '#1'])).toEqual({ ok: true, value: [2, 1] });
  });

  it('reports every reference that names no account', () => {
    const r = resolveAccountRefs(accounts, ['1', '9', '@nobody_here']);
    expect(r).toEqual({ ok: false, problem: expect.stringMatching(/no account #9.*; no account is @nobody_here/) });
  });

  it('refuses an empty list', () => {
    expect(resolveAccountRefs(accounts, [' , '])).toMatchObject({ ok: false, problem: expect.stringMatching(/name at least one account/) });
  });
});
