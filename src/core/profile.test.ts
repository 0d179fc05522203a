import { describe, expect, it } from 'vitest';
import { checkPhoto, fillProfile, profileIssues, profileProblems, unknownPlaceholders } from './profile.ts';

/** A JPEG's start: SOI, an APP0 segment, then a baseline frame header of `w` x `h`. */
function jpeg(w: number, h: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...Array<number>(14).fill(0)];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 255, w >> 8, w & 255, 0x03, ...Array<number>(9).fill(0)];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof, 0xff, 0xd9]);
}

describe('profile edits', () => {
  it('fills {phone4} and {n} per account and refuses unknown placeholders', () => {
    expect(unknownPlaceholders('a {n} {phone4} {name} {}')).toEqual(['{name}', '{}']);
    expect(fillProfile({ firstName: ' Sara {n} ', username: '@Sara_{phone4}' }, { phone: '+1 555 000 1234' }, 3)).toEqual({ firstName: 'Sara 3', username: 'sara_1234' });
  });

  it('checks every account before any acts', () => {
    const accounts = [
      { id: 1, phone: '+15550001111' },
      { id: 2, phone: '+15550002222' },
    ];
    expect(profileProblems({}, accounts)).toEqual([expect.stringMatching(/say what to change/)]);
    expect(profileProblems({ username: 'sara_{n}' }, accounts)).toEqual([]);
    expect(profileProblems({ username: 'sara' }, accounts).join()).toMatch(/#1 and #2 would both be @sara/);
    expect(profileProblems({ firstName: '{n}'.repeat(0) }, accounts).join()).toMatch(/first name is empty/);
    expect(profileProblems({ lastName: 'x'.repeat(65) }, accounts.slice(0, 1))).toEqual(['the last name has 65 characters; Telegram allows 64']);
  });

  it('names the rule each problem breaks, with its values, for other languages', () => {
    const accounts = [
      { id: 1, phone: '+15550001111' },
      { id: 2, phone: '+15550002222' },
    ];
    expect(profileIssues({ bio: 'x'.repeat(71) }, accounts.slice(0, 1)).map((i) => i.params)).toEqual([{ rule: 'too_long', field: 'bio', length: 71, max: 70 }]);
    expect(profileIssues({ username: 'ab_{n}' }, accounts).map((i) => i.params)).toEqual([]);
    expect(profileIssues({ username: '1ab{n}' }, accounts).map((i) => i.params)).toEqual([
      { rule: 'username', value: '1ab1', username_rule: 'first_char', account: 1 },
      { rule: 'username', value: '1ab2', username_rule: 'first_char', account: 2 },
    ]);
    expect(profileIssues({ username: 'sara' }, accounts).map((i) => i.params)).toEqual([{ rule: 'username_shared', value: 'sara', accounts: '#1, #2' }]);
    expect(profileIssues({ firstName: 'A {x}' }, accounts).map((i) => i.params)).toEqual([{ rule: 'placeholder', field: 'first_name', placeholders: '{x}' }]);
  });

  it('reads a photo by its content: type, size and sides', () => {
    expect(checkPhoto(jpeg(640, 480))).toEqual({ ok: true, info: { mime: 'image/jpeg', width: 640, height: 480, size: jpeg(640, 480).length } });
    expect(checkPhoto(jpeg(8, 480))).toMatchObject({ ok: false, problem: expect.stringMatching(/at least 16 pixels/) });
    expect(checkPhoto(jpeg(6000, 6000))).toMatchObject({ ok: false, problem: expect.stringMatching(/width \+ height up to 10000/) });
    expect(checkPhoto(new TextEncoder().encode('GIF89a......'))).toMatchObject({ ok: false, problem: expect.stringMatching(/JPEG or PNG/) });
    expect(checkPhoto(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toMatchObject({ ok: false, problem: expect.stringMatching(/damaged/) });
  });
});
