import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';

/** `accounts sessions`, `accounts 2fa` and `accounts codes` through the CLI, against a simulated world. */
let panel: SimPanel;
afterEach(async () => {
  await panel.close();
});

const DAY = 24 * 3600_000;

async function enrolled(world: Parameters<typeof simPanel>[0]): Promise<{ accounts: SimPanel['summary']['accounts']; ids: number[] }> {
  panel = simPanel(world);
  const app = panel.open();
  const ids: number[] = [];
  for (const a of panel.summary.accounts) ids.push(await enrol(app, a));
  await app.close();
  return { accounts: panel.summary.accounts, ids };
}

describe('accounts sessions', () => {
  it('lists the devices of an account, refuses to end them without a terminal or --yes, and ends them with --yes', { timeout: 120_000 }, async () => {
    const { accounts } = await enrolled({ accounts: 3, seed: 21 });
    const withDevices = accounts.filter((a) => panel.world.devices(a.phone).length > 1);
    expect(withDevices.length).toBeGreaterThan(0);
    const acc = withDevices[0]!;
    const others = panel.world.devices(acc.phone).length - 1;

    const listed = await cli(['--json', 'accounts', 'sessions', acc.phone], panel.env);
    expect(listed.code, listed.stderr).toBe(0);
    const report = JSON.parse(listed.stdout) as { others: number; sessions: Array<{ current: boolean; device: string; ip: string }> };
    expect(report.others).toBe(others);
    expect(report.sessions.filter((s) => s.current)).toHaveLength(1);
    const human = await cli(['accounts', 'sessions', acc.phone], panel.env);
    expect(human.stdout).toContain('this panel');
    expect(human.stdout).toContain(`${others} other session`);

    // Bad input: exit 2 before any account acts.
    expect((await cli(['accounts', 'sessions', '#99'], panel.env)).code).toBe(2);
    const unconfirmed = await cli(['accounts', 'sessions', ...accounts.map((a) => a.phone), '--end-others'], panel.env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    expect(panel.world.devices(acc.phone)).toHaveLength(others + 1);

    panel.world.setTime(Date.now() + DAY + 60_000);
    const ended = await cli(['--json', 'accounts', 'sessions', ...accounts.map((a) => a.phone), '--end-others', '--yes'], panel.env);
    expect(ended.code, ended.stderr).toBe(0);
    const results = JSON.parse(ended.stdout) as Array<{ ok: boolean; ended: number }>;
    expect(results).toHaveLength(accounts.length);
    expect(results.every((r) => r.ok)).toBe(true);
    for (const a of accounts) expect(panel.world.devices(a.phone)).toHaveLength(1);

    // The count of other sessions is kept with the account's health and shown by `accounts list`.
    const list = JSON.parse((await cli(['--json', 'accounts', 'list'], panel.env)).stdout) as Array<{ otherSessions: number | null }>;
    expect(list.map((a) => a.otherSessions)).toEqual(accounts.map(() => 0));
  });
});

describe('accounts 2fa', () => {
  it('sets, then changes with one current password: a wrong one fails that account only; never prints a password', { timeout: 120_000 }, async () => {
    const { accounts } = await enrolled({ accounts: 3, seed: 22 });
    const plain = accounts.filter((a) => a.password === null);
    const withPw = accounts.find((a) => a.password !== null)!;

    const set = await cli(['--json', 'accounts', '2fa', plain[0]!.phone, plain[1]!.phone, 'set', '--hint', 'usual'], panel.env, { input: 'alpha secret\n' });
    expect(set.code, set.stderr).toBe(0);
    expect((JSON.parse(set.stdout) as Array<{ outcome: string }>).map((r) => r.outcome)).toEqual(['set', 'set']);
    expect(panel.world.checkPassword(plain[1]!.phone, 'alpha secret')).toBe(true);
    expect(panel.world.passwordState(plain[1]!.phone).hint).toBe('usual');

    const change = await cli(['accounts', '2fa', plain[0]!.phone, withPw.phone, 'change'], panel.env, { input: 'alpha secret\nbeta secret\n' });
    expect(change.code).toBe(1);
    expect(change.stdout).toMatch(/changed/);
    expect(change.stdout).toMatch(/current two-step password is wrong/);
    expect(change.stderr).toMatch(/1 of 2 accounts were not changed/);
    expect(change.stdout + change.stderr).not.toMatch(/alpha|beta/);
    expect(panel.world.checkPassword(plain[0]!.phone, 'beta secret')).toBe(true);
    expect(panel.world.checkPassword(withPw.phone, withPw.password!)).toBe(true);

    const removed = await cli(['accounts', '2fa', 'remove', plain[0]!.phone], panel.env, { input: 'beta secret\n' });
    expect(removed.code, removed.stderr).toBe(0);
    expect(panel.world.passwordState(plain[0]!.phone).enabled).toBe(false);
  });

  it('refuses bad input with exit 2 before any account acts', { timeout: 60_000 }, async () => {
    const { accounts } = await enrolled({ accounts: 2, seed: 23 });
    const acc = accounts.find((a) => a.password === null)!;
    const cases: Array<[string[], string, RegExp]> = [
      [['accounts', '2fa', acc.phone], '', /set, change or remove/],
      [['accounts', '2fa', acc.phone, 'set', 'change'], '', /set, change or remove/],
      [['accounts', '2fa', '#42', 'set'], 'pw\n', /#42/],
      [['accounts', '2fa', acc.phone, 'change'], 'only-current\n', /stdin ended before the new password/],
      [['accounts', '2fa', acc.phone, 'set', '--hint', 'same pw'], 'same pw\n', /hint/],
      [['accounts', '2fa', acc.phone, 'set', '--email', 'not-an-address'], 'pw\n', /not an email address/],
      [['accounts', '2fa', acc.phone, 'remove', '--hint', 'x'], 'pw\n', /--hint and --email go with set or change/],
    ];
    for (const [args, input, message] of cases) {
      const r = await cli(args, panel.env, { input });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toContain('same pw');
    }
    expect(panel.world.passwordState(acc.phone).enabled).toBe(false);
  });

  it('confirms a recovery email with the code read after the password', { timeout: 60_000 }, async () => {
    const { accounts } = await enrolled({ accounts: 2, seed: 24 });
    const acc = accounts.find((a) => a.password === null)!;
    const code = panel.world.passwordEmailCode(acc.phone, 'me@example.org');
    const r = await cli(['accounts', '2fa', acc.phone, 'set', '--email', 'me@example.org'], panel.env, { input: `gamma pass\n${code}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(panel.world.passwordState(acc.phone)).toEqual({ enabled: true, hint: null, email: 'me@example.org' });
    const missing = accounts.find((a) => a.password !== null)!;
    const pending = await cli(['accounts', '2fa', missing.phone, 'change', '--email', 'x@example.org'], panel.env, { input: `${missing.password}\ndelta pass\n` });
    expect(pending.code).toBe(1);
    expect(pending.stdout).toMatch(/waits for the emailed code/);
    expect(panel.world.checkPassword(missing.phone, missing.password!)).toBe(true);
  });
});

describe('accounts codes', () => {
  it('shows the login codes Telegram sent to the account', { timeout: 60_000 }, async () => {
    const { accounts } = await enrolled({ accounts: 1, seed: 25 });
    const acc = accounts[0]!;
    // Logging the account into the panel made Telegram post a code to it: the same one.
    const r = await cli(['--json', 'accounts', 'codes', acc.phone], panel.env);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { codes: Array<{ code: string }>; fresh: null };
    expect(report.codes.map((c) => c.code)).toContain(acc.code);
    const human = await cli(['accounts', 'codes', acc.phone], panel.env);
    expect(human.stdout).toContain(acc.code);
    expect((await cli(['accounts', 'codes', '@nobody_here'], panel.env)).code).toBe(2);
  });
});
