import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { parseLink, toMessageTarget } from '../../src/core/links.ts';
import { enrol, failureOf, simPanel, type SimPanel } from '../support/sim-panel.ts';

const CHILD = fileURLToPath(new URL('./lease-child.ts', import.meta.url));

const children: ChildProcess[] = [];
let panel: SimPanel;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await panel.close();
});

function startChild(env: Record<string, string>, id: number | string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(env), String(id)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('one live connection per account across processes', () => {
  it('a second process is refused an account the first holds, by name, and takes over once the first is gone', async () => {
    panel = simPanel({ accounts: 2 });
    const app = panel.open();
    const id = await enrol(app, panel.summary.accounts[0]!);

    const first = startChild(panel.env, id);
    await vi.waitFor(() => expect(first.output()).toMatch(/held \d+/), { timeout: 20_000, interval: 25 });
    const pid = Number(/held (\d+)/.exec(first.output())![1]);

    const refused = await failureOf(app.fleet.session(id));
    expect(refused.code).toBe('LEASE_HELD');
    expect(refused.message).toContain(`#${id} ${panel.summary.accounts[0]!.phone}`);
    expect(refused.message).toContain(`process ${pid}`);

    // A third process is refused too, and says so.
    const third = startChild(panel.env, id);
    expect(await third.exited).toBe(3);
    expect(third.output()).toContain(`process ${pid}`);

    // The holder crashes: its lease is known dead at once, so this process connects.
    first.child.kill('SIGKILL');
    await first.exited;
    const s = await app.fleet.session(id);
    expect((await s.me()).phone).toBe(panel.summary.accounts[0]!.phone);
    expect(app.accounts.get(id, app.clock.now())?.status).toBe('active');
  });

  it('an action with --accounts N when another process holds the accounts is refused up front, naming it, and records nothing', async () => {
    panel = simPanel({ accounts: 2, groups: 2 });
    const app = panel.open();
    const a = await enrol(app, panel.summary.accounts[0]!);
    const b = await enrol(app, panel.summary.accounts[1]!);
    const holder = startChild(panel.env, `${a},${b}`);
    await vi.waitFor(() => expect(holder.output()).toMatch(/held \d+/), { timeout: 20_000, interval: 25 });
    const pid = Number(/held (\d+)/.exec(holder.output())![1]);
    const post = panel.summary.posts[0]!;
    const link = parseLink(post.link);
    if (!link.ok) throw new Error(link.error);
    const target = toMessageTarget(link.link);
    if ('error' in target) throw new Error(target.error);
    const spec = { kind: 'reaction' as const, target, emoji: '👍' };

    const refused = await app.operations.runOperation(spec, { accounts: 1 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as Error).message).toMatch(new RegExp(`only 0 can do reactions.*2 connected by another telegram-panel \\(process ${pid} on [^)]+\\)`));
    const named = await app.operations.runOperation(spec, { accountIds: [a] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(named).toBeInstanceOf(InputError);
    expect((named as Error).message).toContain(`process ${pid}`);
    expect(app.operationStore.list({ limit: 10 })).toEqual([]);
  });
});
