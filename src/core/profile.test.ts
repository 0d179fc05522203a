import { describe, expect, it } from 'vitest';
import { checkPhoto, fillProfile, profileProblems, unknownPlaceholders } from './profile.ts';

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

  it('reads a photo by its content: type, size and sides', () => {
    expect(checkPhoto(jpeg(640, 480))).toEqual({ ok: true, info: { mime: 'image/jpeg', width: 640, height: 480, size: jpeg(640, 480).length } });
    expect(checkPhoto(jpeg(8, 480))).toMatchObject({ ok: false, problem: expect.stringMatching(/at least 16 pixels/) });
    expect(checkPhoto(jpeg(6000, 6000))).toMatchObject({ ok: false, problem: expect.stringMatching(/width \+ height up to 10000/) });
    expect(checkPhoto(new TextEncoder().encode('GIF89a......'))).toMatchObject({ ok: false, problem: expect.stringMatching(/JPEG or PNG/) });
    expect(checkPhoto(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toMatchObject({ ok: false, problem: expect.stringMatching(/damaged/) });
  });
});
