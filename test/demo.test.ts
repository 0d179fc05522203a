import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'telegram-panel.mjs');

describe('npm run demo', () => {
  it('runs the whole tour against a fresh simulated world: logins, actions, monitor, a killed and resumed campaign', () => {
    const r = spawnSync(process.execPath, [BIN, 'demo', '--seed', 'ci'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn' },
      timeout: 180_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    // Five accounts logged in through the real login path and active.
    expect(out.match(/^\d+\s+\+\d+\s+@\S+\s+active$/gm)).toHaveLength(5);
    // Every bulk action succeeded for every account asked.
    expect(out).toMatch(/operation #\d+ reaction: 5 done, 0 already, 0 requested, 0 failed/);
    expect(out).toMatch(/operation #\d+ vote: 3 done/);
    expect(out).toMatch(/operation #\d+ comment: 1 done/);
    // Two hits (one English, one Persian spelled with Arabic letters), each queued once.
    expect(out).toMatch(/duplicates dropped, 2 hits queued/);
    expect(out).toContain('Keywords: فروش ویژه');
    // The campaign survived a SIGKILL and nobody got the message twice.
    expect(out).toMatch(/killed the sender \(SIGKILL\) after \d+ deliveries/);
    expect(out).toMatch(/resumed in this process: .*\(state: done\)/);
    expect(out).toMatch(/\d+ people got the message, 0 of them more than once/);
  }, 200_000);
});
