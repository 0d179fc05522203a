import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/tmp.ts';
import { InputError } from '../core/errors.ts';
import { campaignExport, exportFileName, protectedFileProblem, writeExportFile } from './campaign-export.ts';
import type { ExportRow } from './campaigns.ts';

const row = (over: Partial<ExportRow>): ExportRow => ({ username: 'a_user', outcome: 'sent', accountId: 2, account: '+15550002', time: '2026-01-02T03:04:05.000Z', error: null, ...over });

describe('campaign export encoding', () => {
  it('keeps validated phones, ids and times as they are and neutralises free text that a spreadsheet would run', () => {
    const { text, count } = campaignExport(
      [
        row({ outcome: 'failed', error: '=HYPERLINK("http://x","click"), more' }),
        row({ accountId: 3, account: '@fleet_three', error: '+1 more' }),
        row({ accountId: null, account: null, time: null, outcome: 'pending' }),
        row({ error: '-2+3' }),
        row({ error: '@SUM(A1)' }),
        row({ error: '\tTAB' }),
        row({ error: '\rCR' }),
        row({ error: 'ok: = inside is fine' }),
        row({ account: '+1 555 hacked' }),
      ],
      'csv',
    );
    expect(count).toBe(9);
    expect(text.split('\n')).toEqual([
      'username,outcome,account_id,account,time,error',
      `a_user,failed,2,+15550002,2026-01-02T03:04:05.000Z,"'=HYPERLINK(""http://x"",""click""), more"`,
      `a_user,sent,3,'@fleet_three,2026-01-02T03:04:05.000Z,'+1 more`,
      'a_user,pending,,,,',
      `a_user,sent,2,+15550002,2026-01-02T03:04:05.000Z,'-2+3`,
      `a_user,sent,2,+15550002,2026-01-02T03:04:05.000Z,'@SUM(A1)`,
      `a_user,sent,2,+15550002,2026-01-02T03:04:05.000Z,'\tTAB`,
      `a_user,sent,2,+15550002,2026-01-02T03:04:05.000Z,"'\rCR"`,
      'a_user,sent,2,+15550002,2026-01-02T03:04:05.000Z,ok: = inside is fine',
      // Not the stored phone form: free text, so neutralised.
      `a_user,sent,2,'+1 555 hacked,2026-01-02T03:04:05.000Z,`,
      '',
    ]);
  });

  it('writes JSON rows unchanged (no spreadsheet reads them as formulas)', () => {
    const rows = [row({ error: '=1+1' })];
    const { text } = campaignExport(rows, 'json');
    expect(JSON.parse(text)).toEqual(rows);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('names the file after the campaign with only safe characters', () => {
    expect(exportFileName('Run me / now', 'csv')).toBe('campaign-Run_me_now.csv');
    expect(exportFileName('کمپین', 'json')).toBe('campaign-کمپین.json');
  });
});

describe('writing an export file', () => {
  function dataDir(): { root: string; data: string } {
    const root = tempDir();
    const data = join(root, 'data');
    mkdirSync(data);
    for (const f of ['panel.db', 'panel.db-wal', 'panel.db-shm', 'secret.key']) writeFileSync(join(data, f), `original ${f}`);
    return { root, data };
  }

  it('never writes over the database, its WAL or the key, even with --force, by any path that reaches them', () => {
    const { root, data } = dataDir();
    symlinkSync(join(data, 'panel.db'), join(root, 'innocent.csv'));
    symlinkSync(data, join(root, 'data-link'));
    const cwdRelative = relative(process.cwd(), join(data, 'secret.key'));
    const paths = [
      join(data, 'panel.db'),
      join(data, 'panel.db-wal'),
      join(data, 'panel.db-shm'),
      join(data, 'panel.db-journal'),
      join(data, 'secret.key'),
      join(data, '..', 'data', 'panel.db'),
      join(root, 'innocent.csv'),
      join(root, 'data-link', 'secret.key'),
      cwdRelative,
    ];
    for (const p of paths) {
      for (const force of [false, true]) {
        expect(() => writeExportFile(p, 'x', { force, dataDir: data }), p).toThrow(InputError);
        expect(() => writeExportFile(p, 'x', { force, dataDir: data }), p).toThrow(/an export never writes there/);
      }
    }
    // Also when the data folder itself is named through a symlink.
    expect(protectedFileProblem(join(data, 'panel.db'), join(root, 'data-link'))).toMatch(/the panel's database/);
    for (const f of ['panel.db', 'panel.db-wal', 'panel.db-shm', 'secret.key']) expect(readFileSync(join(data, f), 'utf8')).toBe(`original ${f}`);
    expect(existsSync(join(data, 'panel.db-journal'))).toBe(false);
    expect(readdirSync(data).sort()).toEqual(['panel.db', 'panel.db-shm', 'panel.db-wal', 'secret.key']);
  });

  it('refuses an existing file without --force, replaces it with --force, and leaves no temporary file', () => {
    const { root, data } = dataDir();
    const out = join(root, 'out.csv');
    writeExportFile(out, 'first\n', { force: false, dataDir: data });
    expect(readFileSync(out, 'utf8')).toBe('first\n');
    expect(() => writeExportFile(out, 'second\n', { force: false, dataDir: data })).toThrow(/out\.csv already exists; add --force/);
    expect(readFileSync(out, 'utf8')).toBe('first\n');
    writeExportFile(out, 'second\n', { force: true, dataDir: data });
    expect(readFileSync(out, 'utf8')).toBe('second\n');
    expect(readdirSync(root).sort()).toEqual(['data', 'out.csv']);
  });

  it('replaces a symlink with the file instead of writing through it', () => {
    const { root, data } = dataDir();
    const elsewhere = join(root, 'elsewhere.txt');
    writeFileSync(elsewhere, 'keep me');
    symlinkSync(elsewhere, join(root, 'link.csv'));
    expect(() => writeExportFile(join(root, 'link.csv'), 'x', { force: false, dataDir: data })).toThrow(/already exists/);
    writeExportFile(join(root, 'link.csv'), 'export\n', { force: true, dataDir: data });
    expect(readFileSync(elsewhere, 'utf8')).toBe('keep me');
    expect(readFileSync(join(root, 'link.csv'), 'utf8')).toBe('export\n');
  });

  it('refuses a folder and a missing folder', () => {
    const { root, data } = dataDir();
    expect(() => writeExportFile(root, 'x', { force: true, dataDir: data })).toThrow(/is a folder/);
    expect(() => writeExportFile(join(root, 'nope', 'x.csv'), 'x', { force: false, dataDir: data })).toThrow(/does not exist; create it first/);
  });
});
