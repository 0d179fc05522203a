import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/tmp.ts';
import { openSqlite } from '../../../store/db.ts';
import { runCli } from '../main.ts';
import { Sink } from '../../../../test/support/cli.ts';

async function cli(dir: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new Sink();
  const err = new Sink();
  const code = await runCli(['--data-dir', dir, ...args], out, err);
  return { code, out: out.text, err: err.text };
}

/** An account with two chats, as `monitor groups refresh` would leave them. */
function seedAccountChats(dir: string): void {
  const db = openSqlite(join(dir, 'panel.db'));
  db.prepare("INSERT INTO accounts (id, phone, user_id, username, first_name, status, status_since, created_at) VALUES (1, '+15550001', 1001, 'acc1', 'One', 'active', 0, 0)").run();
  const ins = db.prepare('INSERT INTO account_groups (account_id, chat_id, kind, title, username) VALUES (?, ?, ?, ?, ?)');
  ins.run(1, -1001234567890, 'supergroup', 'Traders', 'traders');
  ins.run(1, -1001000000009, 'channel', 'News', null);
  db.close();
}

describe('monitor CLI', () => {
  it('adds, lists, tests and removes keywords', async () => {
    const dir = tempDir('moncli-');
    expect((await cli(dir, 'monitor', 'keywords', 'add', 'USDT')).out).toContain('added keyword #1: USDT (plain)');
    expect((await cli(dir, 'monitor', 'keywords', 'add', '--word', 'كتاب')).code).toBe(0);
    expect((await cli(dir, 'monitor', 'keywords', 'add', 'usdt')).out).toContain('already there as keyword #1');
    expect((await cli(dir, 'monitor', 'keywords', 'test', 'این', 'کتاب', 'usdt')).out).toContain('matches: #1 USDT, #2 كتاب');
    const list = await cli(dir, '--json', 'monitor', 'keywords', 'list');
    expect((JSON.parse(list.out) as Array<{ pattern: string }>).map((k) => k.pattern)).toEqual(['USDT', 'كتاب']);
    expect((await cli(dir, 'monitor', 'keywords', 'remove', '#2')).out).toContain('removed keyword #2');
    expect((await cli(dir, 'monitor', 'keywords', 'remove', 'usdt')).out).toContain('removed keyword #1');
  });

  it('a regex rule with nested unbounded repeats is taken and `keywords test` answers at once on a long text', async () => {
    const dir = tempDir('moncli-');
    const add = await cli(dir, 'monitor', 'keywords', 'add', '--regex', '\\w*'.repeat(10) + 'x');
    expect(add.code, add.err).toBe(0);
    expect((await cli(dir, 'monitor', 'keywords', 'add', 'usdt')).code).toBe(0);
    const test = await cli(dir, '--json', 'monitor', 'keywords', 'test', 'usdt ' + 'a'.repeat(4000) + '!');
    expect(test.code, test.err).toBe(0);
    expect((JSON.parse(test.out) as { matched: Array<{ pattern: string }> }).matched.map((k) => k.pattern)).toEqual(['usdt']);
  });

  it('refuses bad keywords with exit 2 and changes nothing', async () => {
    const dir = tempDir('moncli-');
    const cases: Array<[string[], RegExp]> = [
      [['monitor', 'keywords', 'add', '   '], /empty/],
      [['monitor', 'keywords', 'add', 'x'.repeat(200)], /too long/],
      [['monitor', 'keywords', 'add', '--regex', '(a)\\1'], /backreferences/],
      [['monitor', 'keywords', 'add', '--regex', '(abc'], /invalid regular expression/],
      [['monitor', 'keywords', 'add', '--regex', 'x(?=y)'], /lookahead/],
      [['monitor', 'keywords', 'add', '--regex', '--word', 'a'], /cannot be combined/],
      [['monitor', 'keywords', 'remove', '42'], /no keyword rule/],
      [['monitor', 'ignore', 'add', '@ab'], /too short/],
      [['monitor', 'ignore', 'remove', '@someone'], /not on the ignore list/],
      [['monitor', 'targets', 'add', '@nowhere'], /no account is in the chat/],
      [['monitor', 'targets', 'remove', '-100123'], /not a target/],
      [['monitor', 'options', '--channels', 'maybe'], /on or off/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(dir, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    const s = JSON.parse((await cli(dir, '--json', 'monitor', 'status')).out) as { keywords: number; ignored: number; targets: number };
    expect(s).toMatchObject({ keywords: 0, ignored: 0, targets: 0 });
  });

  it('manages ignored senders, targets among the accounts\' chats, options and shows the status', async () => {
    const dir = tempDir('moncli-');
    await cli(dir, 'monitor', 'keywords', 'list');
    seedAccountChats(dir);
    expect((await cli(dir, 'monitor', 'ignore', 'add', '@Spammer')).out).toContain('ignoring @spammer');
    expect((await cli(dir, 'monitor', 'ignore', 'add', '123456')).out).toContain('ignoring 123456');
    expect((await cli(dir, 'monitor', 'ignore', 'list')).out).toMatch(/@spammer[\s\S]*123456/);
    const groups = await cli(dir, 'monitor', 'groups', 'list');
    expect(groups.out).toMatch(/News .*channel .*no \(chat kind\)/);
    expect(groups.out).toMatch(/Traders .*supergroup .*yes/);
    expect((await cli(dir, 'monitor', 'targets', 'add', 'https://t.me/traders')).out).toContain('added target: Traders (-1001234567890)');
    expect((await cli(dir, 'monitor', 'options', '--channels', 'on')).out).toContain('channels: on');
    // With a target set, the channel is not watched even with channels on.
    expect((await cli(dir, 'monitor', 'groups', 'list')).out).toMatch(/News .*no \(not target\)/);
    const status = await cli(dir, 'monitor', 'status');
    expect(status.code).toBe(0);
    expect(status.out).toContain('watching: 1 target chat only');
    expect(status.out).toContain('outbox: 0 waiting');
    expect(status.out).toMatch(/#1 @acc1 +unknown +1\/2/);
    expect((await cli(dir, 'monitor', 'targets', 'remove', '@traders')).out).toContain('removed target: Traders');
  });
});
