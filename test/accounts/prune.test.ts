import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';

let panel: SimPanel | undefined;
afterEach(async () => {
  await panel?.close();
  panel = undefined;
});

async function accountsJson(env: Record<string, string>): Promise<Array<{ id: number; phone: string; status: string }>> {
  const r = await cli(['--json', 'accounts', 'list'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Array<{ id: number; phone: string; status: string }>;
}

describe('accounts prune (simulated Telegram through mtcute)', () => {
  it('check --all finds the dead accounts; prune lists them, writes their phones and reasons, and removes them only when confirmed', { timeout: 120_000 }, async () => {
    panel = simPanel({ accounts: 3, users: 4, groups: 1, seed: 9 });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    await app.close();
    const [revoked, banned, alive] = panel.summary.accounts.map((a) => a.phone) as [string, string, string];
    panel.world.setFault(revoked, 'revoked');
    panel.world.setFault(banned, 'banned');
    const env = panel.env;
    const cwd = panel.dir;

    const check = await cli(['--json', 'accounts', 'check', '--all'], env, { cwd });
    expect(check.code, check.stderr).toBe(0);
    expect((JSON.parse(check.stdout) as Array<{ phone: string; status: string }>).map((r) => [r.phone, r.status])).toEqual([
      [revoked, 'revoked'],
      [banned, 'banned'],
      [alive, 'active'],
    ]);
    const both = await cli(['accounts', 'check', '--all', '1'], env, { cwd });
    expect(both.code).toBe(2);

    // Without a terminal and without --yes: refused before anything is written or removed.
    const unconfirmed = await cli(['accounts', 'prune', '--out', 'dead.csv'], env, { cwd });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/would remove 2 account\(s\).*--yes/);
    expect(existsSync(join(cwd, 'dead.csv'))).toBe(false);
    // Working statuses are never prunable; the panel's own files are never written.
    expect((await cli(['accounts', 'prune', '--status', 'active,revoked', '--yes'], env, { cwd })).stderr).toMatch(/never pruned/);
    expect((await cli(['accounts', 'prune', '--yes', '--force', '--out', join(env.DATA_DIR!, 'panel.db')], env, { cwd })).stderr).toMatch(/panel's database/);
    writeFileSync(join(cwd, 'taken.csv'), 'keep me\n');
    const taken = await cli(['accounts', 'prune', '--yes', '--out', 'taken.csv'], env, { cwd });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/already exists; add --force/);
    expect(readFileSync(join(cwd, 'taken.csv'), 'utf8')).toBe('keep me\n');
    expect(await accountsJson(env)).toHaveLength(3);

    const pruned = await cli(['--json', 'accounts', 'prune', '--yes', '--out', 'dead.csv'], env, { cwd });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(JSON.parse(pruned.stdout)).toMatchObject({
      removed: [
        { phone: revoked, status: 'revoked' },
        { phone: banned, status: 'banned' },
      ],
      file: join(cwd, 'dead.csv'),
      statuses: ['revoked', 'banned'],
    });
    const csv = readFileSync(join(cwd, 'dead.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('id,phone,username,status,reason,status_since');
    expect(csv.slice(1).map((l) => l.split(',').slice(1, 2)[0])).toEqual([revoked, banned]);
    // Each row says why the account was dead (a non-empty reason).
    expect(csv[1]).toMatch(/,revoked,[^,]+,\d{4}-/);
    expect(csv[2]).toMatch(/,banned,[^,]+,\d{4}-/);
    expect((await accountsJson(env)).map((a) => a.phone)).toEqual([alive]);

    const again = await cli(['accounts', 'prune', '--yes'], env, { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/no revoked or banned accounts to prune/);
  });
});
