import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.ts';
import { tempDir } from './support/tmp.ts';

function expectRefused(r: { code: number; stderr: string }, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('a data folder, database or key that cannot be used is refused with exit 2', () => {
  it('refuses --data-dir naming a file, a folder where panel.db should be, and an empty --data-dir or --sim', async () => {
    const dir = tempDir();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expectRefused(await cli(['--data-dir', file, 'accounts', 'list']), /DATA_DIR .*a-file cannot be used \(it is a file, not a folder\)/);

    const withFolder = join(dir, 'data');
    mkdirSync(join(withFolder, 'panel.db'), { recursive: true });
    expectRefused(await cli(['--data-dir', withFolder, 'accounts', 'list']), /panel\.db is a folder, not a database file/);

    const cwd = tempDir();
    expectRefused(await cli(['--data-dir', '', 'accounts', 'list'], {}, { cwd }), /--data-dir is empty/);
    expectRefused(await cli(['--sim', ' ', 'accounts', 'list'], { DATA_DIR: join(dir, 'd2') }, { cwd }), /--sim is empty/);
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it('refuses a corrupt panel.db and leaves it byte for byte', async () => {
    const dir = tempDir();
    const junk = randomBytes(4096);
    writeFileSync(join(dir, 'panel.db'), junk);
    expectRefused(await cli(['--data-dir', dir, 'campaign', 'list']), /panel\.db is not a SQLite database .*left untouched/);
    expect(readFileSync(join(dir, 'panel.db')).equals(junk)).toBe(true);
  });

  it('refuses a PANEL_SECRET other than the one the data was stored with, says what is right, changes nothing and never echoes a key', async () => {
    const dataDir = join(tempDir(), 'data');
    const right = randomBytes(32).toString('hex');
    const wrong = randomBytes(32).toString('base64');
    expect((await cli(['monitor', 'keywords', 'list'], { DATA_DIR: dataDir, PANEL_SECRET: right })).code).toBe(0);

    const r = await cli(['monitor', 'keywords', 'add', 'bitcoin'], { DATA_DIR: dataDir, PANEL_SECRET: wrong });
    expectRefused(r, /not the one these accounts were stored with; set PANEL_SECRET to that value/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(r.stdout + r.stderr).not.toContain(right);

    const list = await cli(['--json', 'monitor', 'keywords', 'list'], { DATA_DIR: dataDir, PANEL_SECRET: right });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).not.toContain('bitcoin');
  });
});
