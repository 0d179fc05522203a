import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, FakeBotApi, TOKEN } from './support/fake-bot-api.ts';
import { enrolThroughBin } from './support/bin-enrol.ts';
import { simPanel, type SimPanel } from './support/sim-panel.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'telegram-panel.mjs');
const ADMIN = { id: 5001, first_name: 'Admin' };
const STRANGER = { id: 666, first_name: 'Stranger' };
const CHANNEL = -1009999999999;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function cli(panel: SimPanel, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...panel.env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('telegram-panel start', () => {
  it('runs the fleet, the monitor and the admin bot together and stops cleanly on SIGTERM', async () => {
    const panel = simPanel({ accounts: 2, users: 10, groups: 4, seed: 11 }, { ACTION_DELAY: '0-0' });
    const api = new FakeBotApi();
    const apiRoot = await api.listen();
    try {
      // Enrol both simulated accounts through the real login path.
      const enrolled = enrolThroughBin(panel);
      panel.summary.accounts.forEach((a, i) => expect(enrolled[i]).not.toContain(a.code));
      expect(cli(panel, ['monitor', 'keywords', 'add', 'giveaway']).code).toBe(0);
      const group = panel.summary.groups.find((g) => /^https:\/\/t\.me\/[a-z]/i.test(g.link))!;
      const join = cli(panel, ['act', 'join', group.link, '--accounts', '2']);
      expect(join.code, join.stderr).toBe(0);

      const env = { ...process.env, ...panel.env, BOT_TOKEN: TOKEN, ADMIN_IDS: String(ADMIN.id), BOT_API_ROOT: apiRoot, CHANNEL_ID: String(CHANNEL), LOG_LEVEL: 'info' };
      const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

      await eventually(() => api.callsOf('getUpdates').length > 0, 'the bot to poll', 30_000);

      // The admin gets the main menu; a stranger gets one short refusal.
      api.push(api.textUpdate(ADMIN, '/start'));
      const menu = await eventually(() => api.lastBotMessage(ADMIN.id), 'the admin menu', 15_000);
      expect(api.buttons(menu).length).toBeGreaterThan(2);
      api.push(api.textUpdate(STRANGER, '/start'));
      await eventually(() => api.lastBotMessage(STRANGER.id), 'the refusal', 15_000);
      expect(api.buttons(api.lastBotMessage(STRANGER.id))).toEqual([]);

      // A keyword hit in a group an account is in is forwarded to the channel.
      for (const a of panel.world.accounts()) expect(panel.world.isMember(group.link, a.userId)).toBe(true);
      await eventually(() => /fleet: 2 connected/.test(stderr) || undefined, 'the fleet to connect', 30_000);
      panel.world.post(group.link, 'Big GIVEAWAY tonight');
      const forward = await eventually(
        () => api.calls.find((c) => c.method === 'sendMessage' && Number(c.payload.chat_id) === CHANNEL),
        'the forward to the channel',
        30_000,
      );
      expect(String(forward.payload.text)).toContain('GIVEAWAY');

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('SIGTERM: stopping');
      expect(stderr).not.toContain(TOKEN);
      expect(stderr).not.toContain(panel.env.PANEL_SECRET);
      // The leases were released: a new process may use the accounts at once.
      const list = cli(panel, ['--json', 'accounts', 'list']);
      expect(list.code).toBe(0);
      expect((JSON.parse(list.stdout) as unknown[]).length).toBe(2);
    } finally {
      await api.close();
      await panel.close();
    }
  }, 120_000);
});

/** Every process below `pid` (children, their children, ...), from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // The command name is in parentheses and may hold spaces; the parent id follows it.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, pp] of parent) {
      if (pp !== p) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    // A zombie has exited; only its parent has not collected it yet.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe.runIf(existsSync('/proc/self/stat'))('npm start under a supervisor that signals only the main process', () => {
  it.each([
    // `npm start` runs the script through `sh -c`; the script execs node so npm's child is the panel.
    { how: 'npm start', args: ['start', '--silent', '--', '--no-bot'], says: 'SIGTERM: stopping' },
    // `npx telegram-panel start` (npm exec) keeps the shell between npm and node: the panel notices its launcher is gone.
    { how: 'npx', args: ['exec', '--', 'node', BIN, 'start', '--no-bot'], says: 'parent exited: stopping' },
  ])('SIGTERM to npm ($how) stops the panel: node is not left running behind a shell', async ({ args, says }) => {
    const panel = simPanel({ accounts: 1, users: 4, groups: 1, seed: 12 });
    try {
      // Docker and `systemctl kill --kill-whom=main` signal only npm.
      const npm = spawn('npm', args, { cwd: ROOT, env: { ...process.env, ...panel.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(npm);
      let out = '';
      npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
      npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<void>((resolve) => npm.on('exit', () => resolve()));
      await eventually(() => /telegram-panel is running/.test(out) || undefined, 'the panel to start', 60_000).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${out}`);
      });
      const below = descendants(npm.pid!);
      expect(below.length).toBeGreaterThan(0);
      npm.kill('SIGTERM');
      await exited;
      // Far longer than the panel's 10 s deadline: only a process nobody signalled is still there.
      const left = await eventually(() => below.every((p) => !alive(p)) || undefined, 'the panel to exit', 30_000).catch(() => below.filter(alive));
      if (left !== true) for (const p of left) process.kill(p, 'SIGKILL');
      expect(left, `still running: ${String(left)}\n${out}`).toBe(true);
      expect(out).toContain(says);
    } finally {
      await panel.close();
    }
  }, 120_000);
});

