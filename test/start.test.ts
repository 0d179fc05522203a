import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, FakeBotApi, TOKEN } from './support/fake-bot-api.ts';
import { simPanel, type SimPanel } from './support/sim-panel.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'telegram-panel.mjs');
const ADMIN = { id: 5001, first_name: 'Admin' };
const STRANGER = { id: 666, first_name: 'Stranger' };
const CHANNEL = -1009999999999;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function cli(panel: SimPanel, args: string[], input = ''): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...panel.env }, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('telegram-panel start', () => {
  it('runs the fleet, the monitor and the admin bot together and stops cleanly on SIGTERM', async () => {
    const panel = simPanel({ accounts: 2, users: 10, groups: 4, seed: 11 }, { ACTION_DELAY: '0-0' });
    const api = new FakeBotApi();
    const apiRoot = await api.listen();
    try {
      // Enrol both simulated accounts through the real login path.
      for (const a of panel.summary.accounts) {
        const r = cli(panel, ['accounts', 'add', a.phone], `${a.code.split('').join(' ')}\n${a.password ?? ''}\n`);
        expect(r.stderr).not.toContain(a.code);
        expect(r.code, r.stderr).toBe(0);
      }
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
