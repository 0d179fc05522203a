import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggedInClient } from '../../../sim/client.ts';
import { openWorld } from '../../../sim/world.ts';
import { runCli } from '../main.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (onChunk: (s: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        onChunk(chunk.toString());
        cb();
      },
    });
  const code = await runCli(args, sink((s) => (stdout += s)), sink((s) => (stderr += s)));
  return { code, stdout, stderr };
}

describe('telegram-panel sim', () => {
  it('create prints the world as JSON in the agreed shape, the same for the same seed', async () => {
    const a = await cli('sim', 'create', join(dir, 'a.db'), '--accounts', '3', '--users', '20', '--groups', '8', '--seed', '9');
    expect(a.code).toBe(0);
    const summary = JSON.parse(a.stdout) as Record<string, unknown>;
    expect(Object.keys(summary).sort()).toEqual(['accounts', 'groups', 'missingUsernames', 'posts', 'usernames']);
    const accounts = summary.accounts as Array<Record<string, unknown>>;
    expect(accounts).toHaveLength(3);
    for (const acc of accounts) {
      expect(Object.keys(acc).sort()).toEqual(['code', 'password', 'phone', 'username']);
      expect(acc.phone).toMatch(/^\+\d+$/);
      expect(acc.code).toMatch(/^\d{5}$/);
    }
    for (const g of summary.groups as Array<Record<string, unknown>>) expect(Object.keys(g).sort()).toEqual(['link', 'title']);
    for (const p of summary.posts as Array<Record<string, unknown>>) {
      expect(Object.keys(p).sort()).toEqual(['hasComments', 'link', 'poll']);
      if (p.poll !== null) expect(Object.keys(p.poll as object).sort()).toEqual(['multiple', 'options']);
    }
    const b = await cli('sim', 'create', join(dir, 'b.db'), '--accounts', '3', '--users', '20', '--groups', '8', '--seed', '9');
    expect(b.stdout).toBe(a.stdout);
  });

  it('refuses bad options and existing or foreign files with exit 2, changing nothing', async () => {
    expect((await cli('sim', 'create', join(dir, 'x.db'), '--faults', 'lots')).code).toBe(2);
    expect((await cli('sim', 'create', join(dir, 'x.db'), '--accounts', 'many')).code).toBe(2);
    const foreign = join(dir, 'notes.txt');
    writeFileSync(foreign, 'hello');
    const r = await cli('sim', 'show', foreign);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a simulator world/);
    expect((await cli('sim', 'create', foreign)).code).toBe(2);
    expect(readFileSync(foreign, 'utf8')).toBe('hello');
  });

  it('refuses a folder where a world file should be, and a world in a folder that does not exist, with exit 2', async () => {
    for (const args of [['sim', 'show', dir], ['sim', 'create', dir], ['--data-dir', join(dir, 'data'), '--sim', dir, 'accounts', 'check']]) {
      const r = await cli(...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${dir} is a folder; give the world file`);
    }
    const r = await cli('sim', 'create', join(dir, 'no', 'such', 'w.db'));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`the folder ${join(dir, 'no', 'such')} does not exist`);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });

  it('deliveries --json lists what accounts sent; post pushes a message; unknown chats exit 2', async () => {
    const path = join(dir, 'a.db');
    expect(JSON.parse((await cli('sim', 'deliveries', path, '--json')).stdout)).toEqual([]);
    const world = openWorld(path);
    const acc = world.accounts()[0]!;
    const to = world.summary().usernames.find((u) => (world.db.prepare('SELECT privacy FROM users WHERE username = ?').get(u) as { privacy: string }).privacy === 'everybody')!;
    const c = await loggedInClient(world, acc.phone);
    await c.client.sendText(to, 'from the test');
    await c.close();
    world.close();
    const rows = JSON.parse((await cli('--json', 'sim', 'deliveries', path)).stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).sort()).toEqual(['at', 'from', 'text', 'to']);
    expect(rows[0]).toMatchObject({ from: acc.phone, to, text: 'from the test' });
    expect(Number.isNaN(Date.parse(rows[0]!.at as string))).toBe(false);

    const group = (JSON.parse((await cli('sim', 'show', path, '--json')).stdout) as { groups: Array<{ link: string }> }).groups[0]!;
    const posted = await cli('sim', 'post', path, group.link, 'hello monitor', '--json');
    expect(posted.code).toBe(0);
    expect((JSON.parse(posted.stdout) as { messageId: number }).messageId).toBeGreaterThan(0);
    const bad = await cli('sim', 'post', path, '@no_such_chat_here', 'x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no chat/);
  });

  it('fault sets and clears faults; time moves the world clock', async () => {
    const path = join(dir, 'a.db');
    const phone = (JSON.parse((await cli('sim', 'show', path, '--json')).stdout) as { accounts: Array<{ phone: string }> }).accounts[0]!.phone;
    const set = await cli('sim', 'fault', path, phone, 'flood:60', '--json');
    expect(set.code).toBe(0);
    expect((JSON.parse(set.stdout) as { faults: string[] }).faults).toEqual(['flood:60']);
    expect((await cli('sim', 'fault', path, phone, 'sneeze')).code).toBe(2);
    expect((await cli('sim', 'fault', path, '+1000000', 'banned')).code).toBe(2);
    const cleared = await cli('sim', 'fault', path, phone, '--clear', '--json');
    expect((JSON.parse(cleared.stdout) as { faults: string[] }).faults).toEqual([]);

    const fixed = await cli('sim', 'time', path, '2027-03-01T10:00:00Z', '--json');
    expect(JSON.parse(fixed.stdout)).toEqual({ clock: 'fixed', now: '2027-03-01T10:00:00.000Z' });
    const later = await cli('sim', 'time', path, '+2h', '--json');
    expect((JSON.parse(later.stdout) as { now: string }).now).toBe('2027-03-01T12:00:00.000Z');
    expect((JSON.parse((await cli('sim', 'time', path, 'wall', '--json')).stdout) as { clock: string }).clock).toBe('wall');
  });

  it('fault revoked says what it did to the current sessions instead of "no faults"', async () => {
    const path = join(dir, 'a.db');
    const world = openWorld(path);
    const phone = world.accounts()[1]!.phone;
    const c = await loggedInClient(world, phone);
    await c.close();
    world.close();
    const r = await cli('sim', 'fault', path, phone, 'revoked');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('revoked: 1 current session now answers AUTH_KEY_UNREGISTERED');
    const again = JSON.parse((await cli('sim', 'fault', path, phone, 'revoked', '--json')).stdout) as Record<string, unknown>;
    expect(again).toMatchObject({ sessions: 0, faults: [], applied: expect.stringContaining('no current session') });
  });

  it('demo --world-only creates a temporary world and shows it', async () => {
    const r = await cli('demo', '--world-only', '--json');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as { world: string; accounts: unknown[]; groups: unknown[]; posts: unknown[] };
    expect(data.accounts.length).toBeGreaterThan(0);
    expect(data.groups.length).toBeGreaterThan(0);
    expect(data.posts.length).toBeGreaterThan(0);
    openWorld(data.world).close();
    rmSync(join(data.world, '..'), { recursive: true, force: true });
  });
});
