import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { BIN } from './cli.ts';
import type { SimPanel } from './sim-panel.ts';

/**
 * Enrols every simulated account through the real executable (`accounts add <phone>`, the code
 * typed with spaces and the password on stdin), as an operator would before `start`; fails the
 * test on a non-zero exit. Returns each enrolment's stderr, in the order of the panel's accounts.
 */
export function enrolThroughBin(panel: SimPanel, timeout = 60_000): string[] {
  return panel.summary.accounts.map((a) => {
    // spawnSync blocks this process, so the test's own timeout cannot fire: `timeout` ends a hung login.
    const r = spawnSync(process.execPath, [BIN, 'accounts', 'add', a.phone], {
      env: { ...process.env, ...panel.env },
      input: `${a.code.split('').join(' ')}\n${a.password ?? ''}\n`,
      encoding: 'utf8',
      timeout,
    });
    expect(r.status, r.stderr).toBe(0);
    return r.stderr;
  });
}
