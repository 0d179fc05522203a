import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config.ts';
import { VirtualClock } from '../../../core/clock.ts';
import { InputError, PanelError } from '../../../core/errors.ts';
import { failure, MemoryPool } from '../../../../test/support/memory-pool.ts';
import { OperationsEngine } from '../../../engine/operations.ts';
import { silentLogger } from '../../../log.ts';
import { openSqlite, type Db } from '../../../store/db.ts';
import { OperationStore } from '../../../store/operations.ts';
import type { CliContext } from '../context.ts';
import { buildProgram, runCli } from '../main.ts';
import { buildAction, executeAct, parseChoice, parseOptions, type ActDeps } from './act.ts';
import { Sink } from '../../../../test/support/cli.ts';

let dir: string;
let db: Db;
let clock: VirtualClock;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'act-'));
  db = openSqlite(join(dir, 'panel.db'));
  clock = new VirtualClock();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function context(json = false): { ctx: CliContext; out: Sink } {
  const out = new Sink();
  const { program, ctx } = buildProgram(out, new Sink());
  if (json) program.setOptionValue('json', true);
  return { ctx, out };
}

function app(pool: MemoryPool): ActDeps {
  return { pool, engine: new OperationsEngine({ pool, store: new OperationStore(db), clock, pacing: loadConfig({ DATA_DIR: dir }).pacing, log: silentLogger }) };
}

describe('buildAction', () => {
  it('reads every action from its command line', () => {
    expect(buildAction('reaction', ['https://t.me/SomeChan/12?single', ' 👍 '])).toEqual({
      kind: 'reaction',
      target: { chat: { username: 'somechan' }, messageId: 12 },
      emoji: '👍',
    });
    expect(buildAction('vote', ['t.me/c/1234567/8', '1,3', '4'])).toEqual({ kind: 'vote', target: { chat: { channelId: 1234567 }, messageId: 8 }, options: [1, 3, 4] });
    expect(buildAction('join', ['t.me/+AbCdEfGh123'])).toEqual({ kind: 'join', target: { kind: 'invite', hash: 'AbCdEfGh123' } });
    expect(buildAction('join', ['@PublicChat'])).toEqual({ kind: 'join', target: { kind: 'public', username: 'publicchat' } });
    expect(buildAction('leave', ['t.me/c/1234567/8'])).toEqual({ kind: 'leave', target: { channelId: 1234567 } });
    expect(buildAction('block', ['@Spammer_1'])).toEqual({ kind: 'block', username: 'spammer_1' });
    expect(buildAction('pm', ['t.me/friendly', 'hello', '*there*'])).toEqual({ kind: 'pm', username: 'friendly', text: 'hello *there*' });
    expect(buildAction('comment', ['t.me/somechan/12', 'nice post'])).toEqual({
      kind: 'comment',
      target: { chat: { username: 'somechan' }, messageId: 12 },
      text: 'nice post',
    });
  });

  it('refuses bad links, emoji, options and texts with the reason', () => {
    const cases: Array<[Parameters<typeof buildAction>, RegExp]> = [
      [['reaction', ['https://example.com/x/1', '👍']], /host|t\.me/i],
      [['reaction', ['t.me/somechan', '👍']], /needs a message link/],
      [['reaction', ['t.me/somechan/1', 'ok']], /not a single emoji/],
      [['reaction', ['t.me/somechan/1', '👍🔥']], /not a single emoji/],
      [['vote', ['t.me/somechan/1', '0']], /whole numbers from 1/],
      [['vote', ['t.me/somechan/1', '1', '1']], /given twice/],
      [['join', ['t.me/c/1234567/2']], /invite link/],
      [['block', ['t.me/somechan/1']], /needs a user/],
      [['pm', ['@someone', '  ']], /text is empty/],
      [['comment', ['t.me/somechan/1', 'x'.repeat(5000)]], /5000 characters/],
    ];
    for (const [args, msg] of cases) {
      expect(() => buildAction(...args)).toThrow(InputError);
      expect(() => buildAction(...args)).toThrow(msg);
    }
    expect(parseOptions(['2, 3'])).toEqual([2, 3]);
  });

  it('needs exactly one way of choosing accounts', () => {
    expect(parseChoice({ accounts: '3' })).toEqual({ accounts: 3 });
    expect(parseChoice({ account: ['1', '@a'] })).toEqual({ refs: ['1', '@a'] });
    expect(() => parseChoice({})).toThrow(/--accounts N/);
    expect(() => parseChoice({ accounts: '2', account: ['1'] })).toThrow(/not both/);
    expect(() => parseChoice({ accounts: 'many' })).toThrow(/whole number/);
  });

  it('reads targets pasted with invisible direction marks, and escapes what it echoes back', () => {
    expect(buildAction('join', ['\u200f@publicchat\u200e'])).toEqual({ kind: 'join', target: { kind: 'public', username: 'publicchat' } });
    expect(buildAction('block', ['\u202bt.me/some_user\u202c'])).toEqual({ kind: 'block', username: 'some_user' });
    const echoed = [
      () => buildAction('block', ['bad\u0007name']),
      () => buildAction('reaction', ['t.me/somechan/5', 'x\u001b[2J']),
      () => parseOptions(['1', '2\u202e']),
      () => parseChoice({ accounts: '3\u001b[31m' }),
    ].map((f) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    });
    expect(echoed.join(' | ')).not.toMatch(/accepted|[\p{Cc}\p{Cf}]/u);
    expect(echoed).toEqual([expect.stringContaining('\\u0007'), expect.stringContaining('\\u001b[2J'), expect.stringContaining('"2\\u202e"'), expect.stringContaining('\\u001b[31m')]);
  });
});

describe('act (command line)', () => {
  it('never writes a raw control or invisible character to the terminal, whatever the refused input held', async () => {
    const data = join(dir, 'never');
    for (const args of [
      ['operations', 'list', '--kind', 'bad\u001b[2J\u202ekind'],
      ['act', 'join', '@publicchat', '--accounts', '2', '--bogus\u001b[31m'],
      ['act', 'block', 'evil\u0007\u200fname', '--accounts', '1'],
    ]) {
      const err = new Sink();
      expect(await runCli(['--data-dir', data, ...args], new Sink(), err), args.join(' ')).toBe(2);
      expect(err.text).toMatch(/\\u(001b|0007)/);
      expect(err.text.replace(/\n/g, '')).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    }
  });

  it('exits 2 on bad input before opening anything', async () => {
    const err = new Sink();
    const data = join(dir, 'never');
    expect(await runCli(['--data-dir', data, 'act', 'reaction', 't.me/somechan/5', 'ok', '--accounts', '2'], new Sink(), err)).toBe(2);
    expect(err.text).toContain('not a single emoji');
    expect(await runCli(['--data-dir', data, 'act', 'vote', 't.me/somechan/5', 'x', '--accounts', '2'], new Sink(), err)).toBe(2);
    expect(await runCli(['--data-dir', data, 'act', 'join', 'folder/x', '--account', '1'], new Sink(), err)).toBe(2);
    expect(existsSync(data)).toBe(false);
  });

  it('runs with N accounts and prints a row per account', async () => {
    const pool = new MemoryPool({ clock, accounts: 3 });
    const { ctx, out } = context();
    const r = await clock.run(executeAct(ctx, app(pool), buildAction('reaction', ['t.me/somechan/5', '🔥']), { accounts: 2 }, new Sink() as unknown as NodeJS.WriteStream));
    expect(r.summary.done).toBe(2);
    expect(out.text).toContain(`operation #${r.id}: reaction 🔥 on https://t.me/somechan/5`);
    expect(out.text).toMatch(/finished, 2 done/);
    expect(out.text).toMatch(/#1 @acct1\s+done/);
    expect(out.text).toMatch(/#2 @acct2\s+done/);
    expect(new OperationStore(db).get(r.id)).toMatchObject({ actor: 'cli', status: 'finished' });
  });

  it('runs named accounts given by id, phone or username, and prints JSON with --json', async () => {
    const pool = new MemoryPool({ clock, accounts: 4 });
    const { ctx, out } = context(true);
    const r = await clock.run(
      executeAct(ctx, app(pool), buildAction('join', ['@publicchat']), { refs: ['@acct2', '+1 555 000 0003', '#4'] }, new Sink() as unknown as NodeJS.WriteStream),
    );
    expect(r.selection).toEqual({ accountIds: [2, 3, 4] });
    const printed = JSON.parse(out.text) as { id: number; results: Array<{ accountId: number; status: string }> };
    expect(printed.id).toBe(r.id);
    expect(printed.results.map((x) => x.accountId).sort()).toEqual([2, 3, 4]);
    await expect(executeAct(ctx, app(pool), buildAction('join', ['@publicchat']), { refs: ['@nobody'] })).rejects.toThrow(/no account is @nobody/);
  });

  it('exits 1 with the table when an account failed, and draws progress on a terminal', async () => {
    const pool = new MemoryPool({ clock, accounts: 2, script: (c) => (c.accountId === 2 ? failure('privacy_restricted', 'USER_PRIVACY_RESTRICTED') : 'done') });
    const { ctx, out } = context();
    const tty = new Sink(true);
    const run = executeAct(ctx, app(pool), buildAction('pm', ['@someone', 'hi']), { accounts: 2 }, tty as unknown as NodeJS.WriteStream);
    await expect(clock.run(run)).rejects.toThrow(PanelError);
    await expect(run).rejects.toThrow(/1 of 2 succeeded/);
    expect(out.text).toMatch(/#2 @acct2\s+failed: privacy_restricted/);
    expect(tty.text).toContain('] 2/2  ok 1  failed 1');
  });
});

describe('operations (command line)', () => {
  it('lists and shows stored operations', async () => {
    const pool = new MemoryPool({ clock, accounts: 2 });
    const { ctx } = context();
    const r = await clock.run(executeAct(ctx, app(pool), buildAction('vote', ['t.me/somechan/7', '2']), { accounts: 2 }, new Sink() as unknown as NodeJS.WriteStream));
    db.close();
    const out = new Sink();
    expect(await runCli(['--data-dir', dir, 'operations', 'list'], out, new Sink())).toBe(0);
    expect(out.text).toMatch(new RegExp(`${r.id}\\s+vote 2 on https://t.me/somechan/7\\s+finished\\s+2 done\\s+cli`));
    const shown = new Sink();
    expect(await runCli(['--data-dir', dir, '--json', 'operations', 'show', String(r.id)], shown, new Sink())).toBe(0);
    expect(JSON.parse(shown.text)).toMatchObject({ id: r.id, kind: 'vote', summary: { done: 2 } });
    expect(await runCli(['--data-dir', dir, 'operations', 'show', '999'], new Sink(), new Sink())).toBe(2);
    db = openSqlite(join(dir, 'panel.db'));
  });
});
