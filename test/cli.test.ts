import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/tmp.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'telegram-panel.mjs');

/** Runs the real executable the way an operator does, with a clean environment. */
function cli(args: string[], env: Record<string, string> = {}, cwd = tempDir()): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('telegram-panel executable', () => {
  it('prints usage with --help and exits 0', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: telegram-panel');
    expect(r.stdout).toContain('--data-dir');
  });

  it('exits 2 with usage on an unknown command or option', () => {
    const a = cli(['frobnicate']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("unknown command 'frobnicate'");
    const b = cli(['config', 'check', '--bogus']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("unknown option '--bogus'");
  });

  it('reports every configuration problem at once, exit 2, no stack trace, no secret', () => {
    const r = cli(['config', 'check'], { API_ID: 'abc', BOT_TOKEN: 'SECRET-TOKEN' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/4 problems/);
    for (const name of ['API_ID', 'API_HASH', 'BOT_TOKEN', 'ADMIN_IDS']) expect(r.stderr).toContain(`- ${name}`);
    expect(r.stderr).not.toContain('SECRET-TOKEN');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reads .env from the working folder, under the real environment', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, '.env'),
      [
        'API_ID=1',
        'API_HASH=0123456789abcdef0123456789abcdef',
        'BOT_TOKEN=123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_',
        'ADMIN_IDS=5,6',
        'CHANNEL_ID=-1001234567890',
      ].join('\n'),
    );
    const r = cli(['--json', 'config', 'check'], { CHANNEL_ID: '@override_channel' }, dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ admins: 2, channel: '@override_channel' });
  });
});
