import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestWorld, type TestWorld } from './test-support.ts';
import { openWorld } from './world.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./testdata/crash-child.ts', import.meta.url));

let t: TestWorld;
let targets: string[];
beforeAll(() => {
  t = makeTestWorld({ seed: 'crash', accounts: 1, users: 30, groups: 0, faults: 'none' });
  targets = (
    t.world.db.prepare("SELECT username FROM users WHERE kind = 'person' AND privacy = 'everybody' AND username IS NOT NULL ORDER BY id LIMIT 5").all() as Array<{
      username: string;
    }>
  ).map((r) => r.username);
  // The child must not share this process's handle: only the file survives the kill.
  t.world.close();
});
afterAll(() => t.cleanup());

describe('a killed panel process', () => {
  it('leaves the world file intact with every delivery it was told about', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, t.path, t.summary.accounts[0]!.phone, ...targets], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: Array<{ to: string; text: string }> = [];
    let stderr = '';
    let buffer = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killed = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.on('exit', () => reject(new Error(`the child exited before it was killed: ${stderr}`)));
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          const m = /^ACK (\S+) (.*)$/.exec(line);
          if (m) acked.push({ to: m[1]!, text: m[2]! });
        }
        // Kill it mid-run, while it is sending.
        if (acked.length >= 40) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await killed).toBe('SIGKILL');

    const world = openWorld(t.path);
    try {
      const delivered = world.deliveries().map((d) => `${d.to} ${d.text}`);
      const set = new Set(delivered);
      for (const a of acked) expect(set.has(`${a.to} ${a.text}`)).toBe(true);
      // Nothing was delivered twice, and at most the one send in flight went out unacknowledged.
      expect(set.size).toBe(delivered.length);
      expect(delivered.length - acked.length).toBeLessThanOrEqual(1);
      expect(world.db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      world.close();
    }
  });
});
