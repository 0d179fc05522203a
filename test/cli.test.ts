import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.ts';
import { tempDir } from './support/tmp.ts';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_';
const HASH = '0123456789abcdef0123456789abcdef';

describe('telegram-panel command line', () => {
  it('prints usage with --help and exits 0, listing every command group', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: telegram-panel');
    expect(r.stdout).toContain('--data-dir');
    for (const group of ['config', 'accounts', 'link <input>', 'act', 'operations', 'campaign', 'monitor', 'sim', 'demo [options]', 'start [options]']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${group.replace(/[[\]]/g, '\\$&')}\\s`, 'm'));
    }
  });

  it('shows a group with its subcommands however it is asked for', async () => {
    for (const args of [['accounts', '--help'], ['help', 'accounts'], ['--data-dir', '/nonexistent', 'accounts', '--help'], ['--json', 'help', 'accounts']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toContain('Usage: telegram-panel accounts');
      expect(r.stdout, args.join(' ')).toMatch(/^\s+list\s/m);
    }
  });

  it('finds the command after global options in either form', async () => {
    const dir = tempDir();
    for (const args of [['--data-dir', dir, '--json', 'accounts', 'list'], [`--data-dir=${dir}`, 'accounts', 'list', '--json']]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
    }
  });

  it('exits 2 with usage on an unknown command or option', async () => {
    const a = await cli(['frobnicate']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("unknown command 'frobnicate'");
    const b = await cli(['config', 'check', '--bogus']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("unknown option '--bogus'");
  });

  it('reports every configuration problem at once, exit 2, no stack trace, no secret', async () => {
    const r = await cli(['config', 'check'], { API_ID: 'abc', BOT_TOKEN: 'SECRET-TOKEN' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/4 problems/);
    for (const name of ['API_ID', 'API_HASH', 'BOT_TOKEN', 'ADMIN_IDS']) expect(r.stderr).toContain(`- ${name}`);
    expect(r.stderr).not.toContain('SECRET-TOKEN');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reads .env from the working folder, under the real environment', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), [`API_ID=1`, `API_HASH=${HASH}`, `BOT_TOKEN=${TOKEN}`, 'ADMIN_IDS=5,6', 'CHANNEL_ID=-1001234567890'].join('\n'));
    const r = await cli(['--json', 'config', 'check'], { CHANNEL_ID: '@override_channel' }, { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ admins: 2, channel: '@override_channel' });
  });
});

describe('a malformed variable a command does not use does not stop it', () => {
  const malformed = { BOT_TOKEN: 'not-a-token', ADMIN_IDS: 'me', CHANNEL_ID: 'my channel', API_ID: 'abc', PROXY_URL: 'ftp://x:1' };

  it('reads the store with the bot, admin, channel, API and proxy variables malformed, warning once for each', async () => {
    const r = await cli(['--data-dir', tempDir(), 'accounts', 'list'], malformed);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('no accounts yet');
    for (const name of Object.keys(malformed)) expect(r.stderr.match(new RegExp(`^warning: ${name} `, 'gm'))).toHaveLength(1);
    expect(r.stderr).toContain('`config check` lists every problem');
    expect(r.stderr).not.toContain('not-a-token');
  });

  it('connects with a malformed BOT_TOKEN, which only the bot uses', async () => {
    // `monitor groups refresh` connects every account (none here), needing the Telegram part only.
    const r = await cli(['--data-dir', tempDir(), 'monitor', 'groups', 'refresh'], { API_ID: '1', API_HASH: HASH, BOT_TOKEN: 'not-a-token' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: BOT_TOKEN is malformed/m);
  });

  it('still fails a command on a malformed variable it uses, and config check on every one', async () => {
    const used = await cli(['--data-dir', tempDir(), 'monitor', 'groups', 'refresh'], { API_ID: 'abc', API_HASH: HASH });
    expect(used.code).toBe(2);
    expect(used.stderr).toMatch(/- API_ID is not a positive whole number/);
    const check = await cli(['config', 'check'], { ...malformed, API_ID: '1', API_HASH: HASH, ADMIN_IDS: '5' });
    expect(check.code).toBe(2);
    for (const name of ['BOT_TOKEN', 'CHANNEL_ID', 'PROXY_URL']) expect(check.stderr).toContain(`- ${name}`);
  });
});

describe('--json errors', () => {
  const lines = (text: string): unknown[] =>
    text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);

  it('a usage error is one JSON line on stderr, exit 2', async () => {
    for (const args of [['--json', 'frobnicate'], ['config', 'check', '--bogus', '--json'], ['--json', 'link']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      const [line, ...rest] = lines(r.stderr);
      expect(rest).toEqual([]);
      expect(line).toMatchObject({ error: expect.any(String) as string, problems: [] });
    }
  });

  it('configuration problems are listed one by one, exit 2', async () => {
    const r = await cli(['--json', 'config', 'check'], { API_ID: 'abc' });
    expect(r.code).toBe(2);
    const [line, ...rest] = lines(r.stderr) as Array<{ error: string; problems: string[] }>;
    expect(rest).toEqual([]);
    expect(line!.error).toMatch(/^The configuration has 4 problems/);
    expect(line!.problems.map((p) => p.split(' ')[0])).toEqual(['API_ID', 'API_HASH', 'BOT_TOKEN', 'ADMIN_IDS']);
  });

  it('the exit code is the one without --json', async () => {
    const dir = tempDir();
    for (const args of [['link', 'not a link!'], ['--data-dir', dir, 'campaign', 'status', 'nope'], ['--data-dir', dir, 'act', 'join', '@somewhere', '--accounts', '1']]) {
      const plain = await cli(args, { API_ID: '1', API_HASH: HASH });
      const json = await cli(['--json', ...args], { API_ID: '1', API_HASH: HASH });
      expect(plain.code, args.join(' ')).not.toBe(0);
      expect(json.code, args.join(' ')).toBe(plain.code);
      expect(lines(json.stderr), args.join(' ')).toEqual([{ error: plain.stderr.trim().replace(/^error: /, ''), problems: [] }]);
    }
  });

  it('warnings are JSON lines too', async () => {
    const r = await cli(['--json', '--data-dir', tempDir(), 'accounts', 'list'], { BOT_TOKEN: 'bad' });
    expect(r.code).toBe(0);
    expect(lines(r.stderr)).toEqual([{ warning: expect.stringMatching(/^BOT_TOKEN is malformed/) as string }]);
  });
});
