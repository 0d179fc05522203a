import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binRun, cli } from './support/cli.ts';

describe('npm run demo', () => {
  it('runs the whole tour against a fresh simulated world, and the command it prints to try it works on what it left', { timeout: 200_000 }, async () => {
    // The operator's own PANEL_SECRET must neither open the demo's data nor be needed for it.
    const operatorSecret = randomBytes(32).toString('base64');
    const r = await cli(['demo', '--seed', 'ci'], { LOG_LEVEL: 'info', PANEL_SECRET: operatorSecret }, { tty: true });
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    // Five accounts logged in through the real login path and active.
    expect(out.match(/^\d+\s+\+\d+\s+@\S+\s+active$/gm)).toHaveLength(5);
    // Every bulk action succeeded for every account asked.
    expect(out).toMatch(/operation #\d+ reaction: 5 done, 0 already, 0 requested, 0 failed/);
    expect(out).toMatch(/operation #\d+ vote: 3 done/);
    expect(out).toMatch(/operation #\d+ comment: 1 done/);
    // Two hits (one English, one Persian spelled with Arabic letters), each queued once.
    expect(out).toMatch(/duplicates? dropped, 2 hits queued/);
    expect(out).toContain('Keywords: فروش ویژه');
    // The campaign survived a SIGKILL and nobody got the message twice.
    expect(out).toMatch(/killed the sender \(SIGKILL\) after \d+ deliveries/);
    expect(out).toMatch(/resumed in this process: .*\(state: done\)/);
    expect(out).toMatch(/\d+ people got the message, 0 of them more than once/);
    // On a terminal the logs are lines for people, never JSON.
    for (const line of r.stderr.split('\n').filter((l) => l.trim() !== '')) expect(() => JSON.parse(line) as unknown, line).toThrow();

    const tryIt = /Try it yourself on this world: +(PANEL_SECRET= )?npx telegram-panel (.+) <command>/.exec(out);
    expect(tryIt, out).not.toBeNull();
    expect(tryIt![1]).toBe('PANEL_SECRET= ');
    const list = binRun([...tryIt![2]!.split(' '), '--json', 'accounts', 'list'], { PANEL_SECRET: '' });
    expect(list.code, list.stderr).toBe(0);
    const accounts = JSON.parse(list.stdout) as Array<{ status: string }>;
    expect(accounts.map((a) => a.status)).toEqual(['active', 'active', 'active', 'active', 'active']);
    rmSync(/--data-dir (\S+)/.exec(tryIt![2]!)![1]!.replace(/\/data$/, ''), { recursive: true, force: true });
  });
});
