import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/tmp.ts';
import { openSqlite } from '../../../store/db.ts';
import { runCli } from '../main.ts';
import { parseDelay, readMessage } from './campaign.ts';

function sink(): { stream: Writable; text: () => string } {
  let buf = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      buf += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => buf };
}

async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  process.env.LOG_LEVEL = 'silent';
  const code = await runCli(['--data-dir', dataDir, ...args], out.stream, err.stream);
  return { code, out: out.text(), err: err.text() };
}

describe('campaign command line', () => {
  it('creates from a file, reports invalid entries, and prints the status --json contract', async () => {
    const dir = tempDir('tp-cli-campaign-');
    const data = join(dir, 'data');
    writeFileSync(join(dir, 'targets.txt'), '@Alice_one, bob_two\nbob_two 9lives\n');
    writeFileSync(join(dir, 'message.txt'), 'Hello,\nsecond line');
    const c = await cli(data, 'campaign', 'create', 'spring', '--message', `@${join(dir, 'message.txt')}`, '--targets', join(dir, 'targets.txt'), '--max-per-account', '3', '--delay', '1-2');
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/created campaign "spring"/);
    expect(c.out).toMatch(/2 usernames, 1 duplicate collapsed, 1 invalid entry left out \("9lives" must start with a Latin letter\)/);
    const s = await cli(data, 'campaign', 'status', 'spring', '--json');
    expect(s.code).toBe(0);
    const json = JSON.parse(s.out) as Record<string, unknown>;
    expect(json).toMatchObject({
      name: 'spring',
      state: 'ready',
      counts: { pending: 2, claimed: 0, sent: 0, not_found: 0, privacy_restricted: 0, failed: 0, uncertain: 0, skipped: 0 },
    });
    expect(Object.keys(json).slice(0, 3)).toEqual(['name', 'state', 'counts']);
    const csv = await cli(data, 'campaign', 'export', 'spring');
    expect(csv.out).toBe('username,outcome,account_id,account,time,error\nalice_one,pending,,,,\nbob_two,pending,,,,\n');
    const list = await cli(data, '--json', 'campaign', 'list');
    expect(JSON.parse(list.out)).toMatchObject([{ name: 'spring', state: 'ready', total: 2 }]);
  });

  it('exits 2 and creates nothing on bad input', async () => {
    const dir = tempDir('tp-cli-campaign-');
    const data = join(dir, 'data');
    writeFileSync(join(dir, 't.txt'), 'alice_one');
    writeFileSync(join(dir, 'bad.txt'), '1x 2y');
    const cases: Array<[string[], RegExp]> = [
      [['--message', '', '--targets', join(dir, 't.txt')], /message is empty/],
      [['--message', 'x'.repeat(5000), '--targets', join(dir, 't.txt')], /5000 characters/],
      [['--message', 'hi', '--targets', join(dir, 'bad.txt')], /no valid username.*2 invalid entries/],
      [['--message', 'hi', '--targets', join(dir, 'missing.txt')], /cannot read the targets file/],
      [['--message', '@' + join(dir, 'nope.txt'), '--targets', join(dir, 't.txt')], /cannot read the message file/],
      [['--message', 'hi', '--targets', join(dir, 't.txt'), '--delay', 'soon'], /--delay takes/],
      [['--message', 'hi', '--targets', join(dir, 't.txt'), '--daily-cap', 'many'], /--daily-cap takes a whole number/],
      [['--message', 'hi', '--targets', join(dir, 't.txt'), '--accounts', '7', '@nobody'], /no account #7 .*; no account is @nobody .*\(the fleet has 0 enabled accounts/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli(data, 'campaign', 'create', 'x', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
    }
    await cli(data, 'campaign', 'create', 'x', '--message', 'hi', '--targets', join(dir, 't.txt'));
    const clash = await cli(data, 'campaign', 'create', 'x', '--message', 'other', '--targets', join(dir, 't.txt'));
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(/already exists with a different message; run `campaign run x` to resume it, or pick a new name/);
    expect((await cli(data, 'campaign', 'status', 'nope')).code).toBe(2);
    expect((await cli(data, 'campaign', 'settle', 'x', '--uncertain', 'maybe')).code).toBe(2);
    expect((await cli(data, 'campaign', 'export', 'x', '--format', 'xml')).code).toBe(2);
    const toFolder = await cli(data, 'campaign', 'export', 'x', '--out', dir);
    expect(toFolder.code).toBe(2);
    expect(toFolder.err).toContain(`--out ${dir} is a folder; give a file path, e.g. ${join(dir, 'x.csv')}`);
    const toMissing = await cli(data, 'campaign', 'export', 'x', '--out', join(dir, 'no', 'x.csv'));
    expect(toMissing.code).toBe(2);
    expect(toMissing.err).toContain(`the folder ${join(dir, 'no')} does not exist`);
    const targetsFolder = await cli(data, 'campaign', 'create', 'y', '--message', 'hi', '--targets', dir);
    expect(targetsFolder.code).toBe(2);
    expect(targetsFolder.err).toContain(`cannot read the targets file ${dir}: it is a folder, not a file`);
    const list = await cli(data, '--json', 'campaign', 'list');
    expect((JSON.parse(list.out) as unknown[]).length).toBe(1);
    expect(existsSync(join(dir, 'nope.txt'))).toBe(false);
  });

  it('parses delays, message files and escapes CSV cells a spreadsheet would run', () => {
    expect(parseDelay('60-180')).toEqual({ min: 60, max: 180 });
    expect(parseDelay(' 0.5 - 2 ')).toEqual({ min: 0.5, max: 2 });
    expect(readMessage('plain text')).toBe('plain text');
    const dir = tempDir();
    writeFileSync(join(dir, 'm.txt'), 'from file');
    expect(readMessage('@' + join(dir, 'm.txt'))).toBe('from file');
    expect(readFileSync(join(dir, 'm.txt'), 'utf8')).toBe('from file');
  });
});

describe('campaign create and what earlier campaigns learned', () => {
  it('says how many targets were messaged, not found or privacy-restricted before, and skips the unreachable unless --recheck-unreachable', async () => {
    const dir = tempDir('tp-cli-campaign-');
    const data = join(dir, 'data');
    writeFileSync(join(dir, 'old.txt'), 'user_sent1 ghost_one shy_person');
    expect((await cli(data, 'campaign', 'create', 'old', '--message', 'hi', '--targets', join(dir, 'old.txt'))).code).toBe(0);
    // What a run of "old" would have left: one sent (in the ledger), one not found, one privacy-restricted.
    const db = openSqlite(join(data, 'panel.db'));
    db.prepare("UPDATE campaign_targets SET state = 'sent', done_at = 1 WHERE username = 'user_sent1'").run();
    db.prepare("INSERT INTO contacted (username, campaign_id, account_id, at) VALUES ('user_sent1', 1, 1, 1)").run();
    db.prepare("UPDATE campaign_targets SET state = 'not_found', done_at = 1 WHERE username = 'ghost_one'").run();
    db.prepare("UPDATE campaign_targets SET state = 'privacy_restricted', done_at = 1 WHERE username = 'shy_person'").run();
    db.close();

    // Pasted from a right-to-left chat: direction marks around the names.
    writeFileSync(join(dir, 'new.txt'), '\u200f@user_sent1\u200e\n\u200fghost_one\u200e\nshy_person\nfresh_one');
    const c = await cli(data, 'campaign', 'create', 'new', '--message', 'hello', '--targets', join(dir, 'new.txt'));
    expect(c.code, c.err).toBe(0);
    expect(c.out).toMatch(/4 usernames/);
    expect(c.out).toMatch(/1 already messaged by an earlier campaign: skipped \(--include-contacted messages them again\)/);
    expect(c.out).toMatch(/an earlier campaign found 1 not to exist and 1 privacy-restricted: skipped, sparing the accounts' daily username lookups \(--recheck-unreachable tries them again\)/);
    const s = await cli(data, '--json', 'campaign', 'status', 'new');
    expect(JSON.parse(s.out)).toMatchObject({ counts: { pending: 2, skipped: 2 } });

    const again = await cli(data, '--json', 'campaign', 'create', 'newer', '--message', 'hello', '--targets', join(dir, 'new.txt'), '--recheck-unreachable');
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ history: { contacted: 1, notFound: 1, privacyRestricted: 1 }, skippedUnreachable: 0, counts: { pending: 4, skipped: 0 } });
  });
});
