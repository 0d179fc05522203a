import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqlite } from '../../src/store/db.ts';
import { MonitorStore } from '../../src/store/monitor.ts';
import { FakeBotApi } from '../support/fake-bot-api.ts';
import { tempDir } from '../support/tmp.ts';

const CHILD = fileURLToPath(new URL('./forward-child.ts', import.meta.url));
const CHANNEL_ID = -1009999999999;

const children: ChildProcess[] = [];
const apis: FakeBotApi[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const a of apis.splice(0)) await a.close();
});

function start(db: string, root: string): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, db, root], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

describe('monitor forwarding across a crash (real processes)', () => {
  it('a forward that met 429 when the process was killed is delivered exactly once after the restart', async () => {
    const api = new FakeBotApi();
    apis.push(api);
    const root = await api.listen();
    const db = join(tempDir('crash-'), 'panel.db');
    api.rateLimitNext('sendMessage', 1);

    const first = start(db, root);
    await vi.waitFor(() => expect(api.callsOf('sendMessage')).toHaveLength(1), { timeout: 20_000, interval: 20 });
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(api.chat(CHANNEL_ID)).toHaveLength(0);

    // The restarted process sees the same message again through every account, and resumes the outbox.
    const second = start(db, root);
    expect(await second.exited, second.output()).toBe(0);
    expect(second.output()).toContain('drained');
    expect(api.chat(CHANNEL_ID)).toHaveLength(1);

    // A third run has nothing left to send.
    const third = start(db, root);
    expect(await third.exited, third.output()).toBe(0);
    expect(api.callsOf('sendMessage')).toHaveLength(2);
    expect(api.chat(CHANNEL_ID)).toHaveLength(1);

    const check = openSqlite(db);
    const summary = new MonitorStore(check).outboxSummary();
    check.close();
    expect(summary).toMatchObject({ pending: 0, sent: 1 });
  });
});
