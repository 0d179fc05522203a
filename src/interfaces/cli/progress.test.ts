import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressBar, progressLine } from './progress.ts';

describe('the command line progress bar', () => {
  it('draws done/total, the counts in order and a note', () => {
    expect(progressLine({ done: 6, total: 24, counts: [['ok', 5], ['failed', 1]], note: '#3 waits' })).toBe(`[${'#'.repeat(6)}${'-'.repeat(18)}] 6/24  ok 5  failed 1  #3 waits`);
    expect(progressLine({ done: 0, total: 0, counts: [['sent', 0]] })).toBe(`[${'-'.repeat(24)}] 0/0  sent 0`);
    expect(progressLine({ done: 9, total: 4, counts: [] })).toBe(`[${'#'.repeat(24)}] 4/4`);
  });

  it('redraws in place on a terminal only, and never with --json', () => {
    let out = '';
    const tty = Object.assign(new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) }), { isTTY: true }) as unknown as NodeJS.WriteStream;
    const bar = progressBar(tty, false)!;
    bar.draw({ done: 1, total: 2, counts: [['sent', 1]] });
    bar.clear();
    expect(out).toBe(`\r[${'#'.repeat(12)}${'-'.repeat(12)}] 1/2  sent 1\x1b[K\r\x1b[K`);
    expect(progressBar(tty, true)).toBeUndefined();
    expect(progressBar(Object.assign(tty, { isTTY: false }), false)).toBeUndefined();
  });
});
