import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './support/cli.ts';
import { enrol, simPanel, type SimPanel } from './support/sim-panel.ts';

let panel: SimPanel | undefined;
afterEach(async () => {
  await panel?.close();
  panel = undefined;
});

/** A data folder with the world's accounts enrolled (through the real login path) and one campaign. */
async function setup(): Promise<{ env: Record<string, string>; phones: string[] }> {
  panel = simPanel({ accounts: 2, users: 6, groups: 2, seed: 3 });
  const app = panel.open();
  for (const acc of panel.summary.accounts) await enrol(app, acc);
  await app.close();
  const targets = join(panel.dir, 'targets.txt');
  writeFileSync(targets, panel.summary.usernames.slice(0, 2).join('\n'));
  const created = await cli(['campaign', 'create', 'spring', '--message', 'hello', '--targets', targets], panel.env);
  expect(created.code, created.stderr).toBe(0);
  return { env: panel.env, phones: panel.summary.accounts.map((a) => a.phone) };
}

async function schedules(env: Record<string, string>): Promise<Array<Record<string, unknown>>> {
  const r = await cli(['--json', 'schedule', 'list'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
}

describe('schedule (CLI)', () => {
  it('refuses, with exit 2 and nothing stored, a command it may not run or one the CLI would refuse', async () => {
    const { env } = await setup();
    const cases: Array<[string[], RegExp]> = [
      [['+1h', '--', 'campaign', 'list'], /only act …, campaign run <name> and accounts check … can be scheduled/],
      [['+1h', '--', 'accounts', 'remove', '1', '--yes'], /can be scheduled/],
      [['+1h', '--', 'monitor', 'status'], /can be scheduled/],
      [['+1h', '--', 'act', 'join', 'https://example.com/x', '--accounts', '1'], /error: /],
      [['+1h', '--', 'act', 'reaction', 'https://t.me/chan/5', 'not-an-emoji', '--accounts', '1'], /not a single emoji/],
      [['+1h', '--', 'act', 'join', '@somechat'], /--accounts N/],
      [['+1h', '--', 'act', 'join', '@somechat', '--accounts', '1', '--json'], /the command to schedule: unknown option '--json'/],
      [['+1h', '--', 'act', 'join', '@somechat', '--account', '+15550000000'], /no account/],
      [['+1h', '--', 'campaign', 'run', 'autumn'], /no campaign named "autumn"/],
      [['+1h', '--', 'accounts', 'check', '#99'], /no account/],
      [['yesterday', '--', 'accounts', 'check'], /cannot read "yesterday" as a time/],
      [['2020-01-01T09:00', '--', 'accounts', 'check'], /in the past/],
      [['0 9 * * *', '--tz', 'Mars/Olympus', '--', 'accounts', 'check'], /unknown time zone/],
    ];
    for (const [args, words] of cases) {
      const r = await cli(['schedule', 'add', ...args], env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(words);
    }
    const tz = await cli(['schedule', 'add', '0 9 * * *', '--', 'accounts', 'check'], { ...env, TZ: 'Nowhere/Land' });
    expect(tz.code).toBe(2);
    expect(tz.stderr).toMatch(/TZ="Nowhere\/Land" is not a time zone name/);
    expect(await schedules(env)).toEqual([]);
  });

  it('stores each schedulable command as parsed work, and lists, pauses, resumes and removes schedules', async () => {
    const { env, phones } = await setup();
    const act = await cli(['--json', 'schedule', 'add', '+2h', '--', 'act', 'reaction', 'https://t.me/chan/5', '👍', '--account', phones[1]!], env);
    expect(act.code, act.stderr).toBe(0);
    expect(JSON.parse(act.stdout)).toMatchObject({
      id: 1,
      kind: 'once',
      state: 'active',
      job: { kind: 'act', spec: { kind: 'reaction', emoji: '👍', target: { chat: { username: 'chan' }, messageId: 5 } }, selection: { accountIds: [2] } },
      command: `act reaction https://t.me/chan/5 '👍' --account ${phones[1]}`,
    });
    const cron = await cli(['schedule', 'add', '30 9 * * 1-5', '--tz', 'Asia/Tehran', '--', 'campaign', 'run', 'spring'], env);
    expect(cron.code, cron.stderr).toBe(0);
    expect(cron.stdout).toMatch(/added schedule #2 \(cron 30 9 \* \* 1-5, Asia\/Tehran\): next run \d{4}-\d\d-\d\d 09:30/);
    const check = await cli(['schedule', 'add', '@daily', '--', 'accounts', 'check', '--spam'], { ...env, TZ: 'Europe/Berlin' });
    expect(check.code, check.stderr).toBe(0);

    const list = await schedules(env);
    expect(list.map((s) => [s.id, s.kind, s.tz, s.job])).toEqual([
      [1, 'once', expect.any(String), expect.objectContaining({ kind: 'act' })],
      [2, 'cron', 'Asia/Tehran', { kind: 'campaign-run', name: 'spring' }],
      [3, 'cron', 'Europe/Berlin', { kind: 'accounts-check', ids: null, spam: true }],
    ]);
    const human = await cli(['schedule', 'list'], env);
    expect(human.stdout).toMatch(/campaign run spring/);

    expect((await cli(['schedule', 'pause', '2'], env)).stdout).toMatch(/paused schedule #2/);
    expect((await schedules(env))[1]).toMatchObject({ state: 'paused' });
    expect((await cli(['schedule', 'resume', '#2'], env)).code).toBe(0);
    expect((await schedules(env))[1]).toMatchObject({ state: 'active' });
    expect((await cli(['schedule', 'remove', '1'], env)).stdout).toMatch(/removed schedule #1/);
    expect((await schedules(env)).map((s) => s.id)).toEqual([2, 3]);
    const gone = await cli(['schedule', 'remove', '1'], env);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/no schedule #1/);
    const runs = await cli(['--json', 'schedule', 'runs'], env);
    expect(JSON.parse(runs.stdout)).toEqual([]);
  });
});
