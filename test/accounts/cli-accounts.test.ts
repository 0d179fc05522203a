import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { runCli } from '../../src/interfaces/cli/main.ts';
import { silentLogger } from '../../src/log.ts';
import { simConnection } from '../../src/sim/connection.ts';
import { createWorld } from '../../src/sim/create.ts';
import { openSqlite } from '../../src/store/db.ts';
import { tempDir } from '../support/tmp.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'telegram-panel.mjs');

/** Runs the real executable as an operator's script would: stdin piped, not a terminal. */
function cli(args: string[], env: Record<string, string>, input = ''): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    input,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI in this process (same code path after argument parsing), capturing its output. */
async function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = new Writable({ write: (c: Buffer, _e, cb) => ((stdout += c.toString()), cb()) });
  const err = new Writable({ write: (c: Buffer, _e, cb) => ((stderr += c.toString()), cb()) });
  const saved = { ...process.env };
  Object.assign(process.env, { LOG_LEVEL: 'silent', ...env });
  try {
    const code = await runCli(args, out, err);
    return { code, stdout, stderr };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

function accountRows(dir: string): number {
  const db = openSqlite(join(dir, 'data', 'panel.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n + (db.prepare('SELECT count(*) AS n FROM session_auth_keys').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('accounts commands (simulated Telegram)', () => {
  it('enrols accounts from stdin through the real executable, and refuses bad input with exit 2 storing nothing', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const worldPath = join(dir, 'world.db');
    const world = createWorld(worldPath, { accounts: 3, seed: 3 });
    const env = { DATA_DIR: join(dir, 'data'), TELEGRAM_SIM: worldPath, PANEL_SECRET: randomBytes(32).toString('hex') };
    const plain = world.accounts.find((a) => a.password === null)!;
    const twoFa = world.accounts.find((a) => a.password !== null)!;

    // Bad input: nothing may be stored by any of these.
    const badPhone = await run(['accounts', 'add', '12ab'], env);
    expect(badPhone.code).toBe(2);
    expect(badPhone.stderr).toMatch(/not a phone number/);
    const badCode = cli(['accounts', 'add', plain.phone], env, 'one two three\n');
    expect(badCode.code).toBe(2);
    expect(badCode.stderr).toMatch(/only digits/);
    const notSession = await run(['accounts', 'import', 'certainly-not-a-session'], env);
    expect(notSession.code).toBe(2);
    expect(notSession.stderr).toMatch(/tried mtcute .*gramjs .*telethon .*pyrogram .*mtkruto/);
    expect(accountRows(dir)).toBe(0);

    // A code typed with separators on stdin, then a 2FA account with the password on the second line.
    const added = cli(['--json', 'accounts', 'add', plain.phone], env, plain.code.split('').join(' ') + '\n');
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ id: 1, phone: plain.phone, username: plain.username, status: 'active' });
    const second = cli(['accounts', 'add', twoFa.phone], env, `${twoFa.code.split('').join('-')}\n${twoFa.password}\n`);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`added account #2 ${twoFa.phone}`);

    const list = await run(['accounts', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/id\s+phone\s+username\s+status\s+reason\s+proxy\s+groups\s+last used/);
    expect(list.stdout).toContain(`@${plain.username}`);
  });

  it('checks, lists groups, sets proxies, disables and removes by id, phone or username', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const worldPath = join(dir, 'world.db');
    const world = createWorld(worldPath, { accounts: 3, seed: 3 });
    const env = { DATA_DIR: join(dir, 'data'), TELEGRAM_SIM: worldPath, PANEL_SECRET: randomBytes(32).toString('hex') };
    const [a, b] = world.accounts;
    const panel = openApp(loadConfig(env), { log: silentLogger, connection: simConnection(worldPath).connection });
    for (const acc of [a!, b!]) {
      const s = await panel.logins.start(acc.phone);
      if (s.step !== 'code') throw new Error(JSON.stringify(s));
      let step = await panel.logins.code(s.loginId, acc.code);
      if (step.step === 'password') step = await panel.logins.password(step.loginId, acc.password!);
      expect(step.step).toBe('done');
    }
    await panel.close();

    const check = await run(['--json', 'accounts', 'check'], env);
    expect(check.code, check.stderr).toBe(0);
    expect((JSON.parse(check.stdout) as Array<{ ok: boolean }>).map((r) => r.ok)).toEqual([true, true]);
    const groups = await run(['--json', 'accounts', 'groups', `@${a!.username}`, '--refresh'], env);
    expect(groups.code, groups.stderr).toBe(0);
    expect(JSON.parse(groups.stdout)).toMatchObject({ accountId: 1, chats: expect.any(Array) });

    expect((await run(['accounts', 'disable', '9'], env)).code).toBe(2);
    expect((await run(['accounts', 'proxy', '1', 'ftp://h:21'], env)).code).toBe(2);
    const proxied = await run(['accounts', 'proxy', a!.phone, 'socks5://me:hunter2@127.0.0.1:1080'], env);
    expect(proxied.code, proxied.stderr).toBe(0);
    expect(proxied.stdout).toContain('socks5://me:***@127.0.0.1:1080');
    expect((await run(['accounts', 'disable', `@${b!.username}`], env)).code).toBe(0);
    const after = JSON.parse((await run(['--json', 'accounts', 'list'], env)).stdout) as Array<{ status: string; enabled: boolean; proxyUrl: string | null }>;
    expect(after[0]!.proxyUrl).toBe('socks5://me:***@127.0.0.1:1080');
    expect(after[1]).toMatchObject({ status: 'disabled', enabled: false });
    expect(readFileSync(join(dir, 'data', 'panel.db')).includes(Buffer.from('hunter2'))).toBe(false);

    const noConfirm = await run(['accounts', 'remove', '2'], env);
    expect(noConfirm.code).toBe(2);
    expect(noConfirm.stderr).toMatch(/--yes/);
    expect((await run(['accounts', 'remove', '2', '--yes'], env)).code).toBe(0);
    expect((JSON.parse((await run(['--json', 'accounts', 'list'], env)).stdout) as unknown[]).length).toBe(1);
  });
});
