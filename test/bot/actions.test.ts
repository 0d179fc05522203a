import { afterEach, describe, expect, it } from 'vitest';
import { MemoryPool } from '../support/memory-pool.ts';
import { OperationsEngine } from '../../src/engine/operations.ts';
import type { PollInfo } from '../../src/core/session.ts';
import type { BotServices } from '../../src/interfaces/bot/services.ts';
import { OperationStore } from '../../src/store/operations.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import { stripIsolates } from '../../src/interfaces/bot/i18n/bidi.ts';
import { ADMIN, harness, PACING, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.db.close());

function setup(accounts = 3, poll?: PollInfo): { h: Harness; pool: MemoryPool } {
  const clock = new VirtualClock();
  const pool = new MemoryPool({ clock, accounts });
  let services: BotServices = {};
  const hh = harness({
    clock,
    get services() {
      return services;
    },
  });
  const engine = new OperationsEngine({ pool, store: new OperationStore(hh.db), clock, pacing: PACING });
  services = { operations: engine, polls: { poll: () => (poll ? Promise.resolve(poll) : Promise.reject(new Error('no poll'))) } };
  hh.deps.services = services;
  return { h: hh, pool };
}

async function openKind(label: string): Promise<void> {
  await h.text('/start');
  await h.press('Actions');
  await h.press(label);
}

describe('actions menu', () => {
  it('bulk reaction: bad link and bad emoji asked again, then all usable accounts react with progress and a report', async () => {
    const s = setup(3);
    h = s.h;
    await openKind('Reaction');
    expect(h.screen()).toContain('Send the link of the message to react to');
    await h.text('hello world');
    expect(h.screen()).toContain('That does not fit');
    expect(h.screen()).toContain('Send the link of the message to react to');
    await h.text('https://t.me/invite_only');
    expect(h.screen()).toContain('needs a message link');
    await h.text('t.me/durov/42');
    expect(h.screen()).toContain('Pick a reaction, or type any emoji.');
    await h.text('not emoji');
    expect(h.screen()).toContain('That is not one emoji');
    await h.press('🔥');
    expect(h.screen()).toContain('Which accounts? 3 can do this now');
    await h.press('All usable (3)');
    expect(h.screen()).toContain('Accounts: 3 (least recently used first)');
    expect(h.screen()).toContain('Reaction: 🔥');
    await h.press('Run');
    await h.clock.run(h.bot.idle());
    expect(s.pool.calls.filter((c) => c.method === 'react').map((c) => c.args[1])).toEqual(['🔥', '🔥', '🔥']);
    // Only the counts that happened: no "0 already, 0 requested, 0 failed".
    expect(h.screen()).toContain('Operation #1 finished: ✅ 3 done.');
    expect(h.screen()).toContain('#1 +15550000001 @acct1: done');
    // The confirmation turned into the progress with a Stop button; the report that replaced it has none.
    expect(h.api.callsOf('editMessageText').some((c) => JSON.stringify(c.payload.reply_markup).includes('op:x:'))).toBe(true);
    expect(h.api.buttons(h.menu()).some((b) => b.data?.startsWith('op:x:'))).toBe(false);
    await h.press('Menu');
    expect(h.screen()).toContain('Telegram Panel');
  });

  it('vote: the poll options as buttons, several picked, accounts picked by name', async () => {
    const s = setup(3, { question: 'Colour?', options: ['Red', 'Blue', 'Green'], multiple: true, closed: false });
    h = s.h;
    await openKind('Vote');
    await h.text('https://t.me/c/1234567/10');
    expect(h.screen()).toContain('Poll: Colour?');
    expect(h.labels().slice(0, 3)).toEqual(['1. Red', '2. Blue', '3. Green']);
    await h.press('Done');
    expect(h.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toBe('Pick at least one option first.');
    await h.press('1. Red');
    await h.press('3. Green');
    expect(h.labels().slice(0, 3)).toEqual(['✅ 1. Red', '2. Blue', '✅ 3. Green']);
    await h.press('Done');
    expect(h.screen()).toContain('Options: Red, Green');
    await h.press('Pick accounts');
    await h.press('#2');
    expect(h.labels()).toContain('✅ #2 +15550000002 @acct2');
    await h.press('Done');
    expect(h.screen()).toContain('Accounts: 1 picked');
    await h.press('Run');
    await h.clock.run(h.bot.idle());
    expect(s.pool.calls.map((c) => [c.accountId, c.method, c.args[1]])).toEqual([[2, 'vote', [1, 3]]]);
  });

  it('vote by typed numbers; a single-choice poll refuses two; a closed poll is refused', async () => {
    const s = setup(2, { question: 'One?', options: ['A', 'B'], multiple: false, closed: false });
    h = s.h;
    await openKind('Vote');
    await h.text('t.me/durov/5');
    await h.text('1 2');
    expect(h.screen()).toContain('This poll takes one option only.');
    await h.text('7');
    expect(h.screen()).toContain('Type option numbers from 1 to 2');
    await h.text('2');
    expect(h.screen()).toContain('Options: B');
    const closed = setup(2, { question: 'Old?', options: ['A'], multiple: false, closed: true });
    h.db.close();
    h = closed.h;
    await openKind('Vote');
    await h.text('t.me/durov/5');
    expect(h.screen()).toContain('That poll is closed');
  });

  it('private message: typed text and a typed count; a failure is reported per account', async () => {
    const s = setup(3);
    h = s.h;
    s.pool.script = (call) => (call.accountId === 1 ? { kind: 'privacy_restricted', code: 'USER_PRIVACY_RESTRICTED', message: 'privacy' } : 'done');
    await openKind('Private message');
    await h.text('https://t.me/durov/1');
    expect(h.screen()).toContain('needs a user');
    await h.text('@Some_User');
    expect(h.screen()).toContain('Type the message to send');
    await h.text('   ');
    expect(h.screen()).toContain('The text is empty.');
    await h.text('Hello there');
    await h.text('zero');
    expect(h.screen()).toContain('Type how many accounts');
    await h.text('1');
    expect(h.screen()).toContain('Text: Hello there');
    await h.press('Run');
    await h.clock.run(h.bot.idle());
    expect(h.screen()).toContain("the person's privacy settings forbid this [USER_PRIVACY_RESTRICTED]");
    expect(s.pool.calls[0]!.args.slice(0, 2)).toEqual(['some_user', 'Hello there']);
  });

  it('asking for more accounts than are usable says why, before anything runs', async () => {
    const s = setup(2);
    h = s.h;
    await openKind('Join');
    await h.text('@some_group');
    expect(h.screen()).toContain('Which accounts? 2 can do this now');
    await h.text('5');
    await h.press('Run');
    expect(h.screen()).toContain('asked for 5 accounts but only 2 can do');
    expect(h.screen()).toContain('Which accounts?');
    expect(s.pool.calls).toHaveLength(0);
  });

  it('Back steps through the flow and Stop cancels a running operation', async () => {
    const s = setup(4);
    h = s.h;
    await openKind('Leave');
    await h.text('@some_group');
    await h.press('Back');
    expect(h.screen()).toContain('Send the chat to leave');
    await h.text('@some_group');
    await h.press('All usable (4)');
    await h.press('Back');
    expect(h.screen()).toContain('Which accounts?');
    await h.press('All usable (4)');
    s.pool.script = async () => {
      await h.clock.sleep(60_000);
      return 'done' as const;
    };
    await h.press('Run');
    const progress = await (async () => {
      for (let i = 0; i < 50; i++) {
        const m = h.api.chat(ADMIN.id).find((x) => h.api.buttons(x).some((b) => b.data?.startsWith('op:x:')));
        if (m) return m;
        await new Promise((r) => setImmediate(r));
      }
      throw new Error('no progress message');
    })();
    const stop = h.api.buttons(progress).find((b) => b.data?.startsWith('op:x:'))!;
    await h.update(h.api.callbackUpdate(ADMIN, progress.messageId, stop.data!));
    expect(h.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toContain('Stopping');
    await h.clock.run(h.bot.idle());
    expect(stripIsolates(h.menu().text)).toMatch(/Operation #1 cancelled/);
    await h.update(h.api.callbackUpdate(ADMIN, progress.messageId, stop.data!));
    expect(h.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toBe('That work is already over.');
  });

  it('sends the per-account results as a document when they do not fit', async () => {
    const s = setup(150);
    h = s.h;
    await openKind('Block');
    await h.text('@spammer_one');
    await h.press('All usable (150)');
    await h.press('Run');
    await h.clock.run(h.bot.idle());
    const doc = h.api.lastBotMessage(ADMIN.id)!;
    expect(doc.document?.fileName).toBe('operation-1.txt');
    const lines = doc.document!.content.toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(150);
    expect(lines[0]).toMatch(/^✅ #\d+ \+1555\d+ @acct\d+: done$/);
    expect(h.screen()).toContain('The details are in the file below.');
  });

  it('comment under a post and join by invite link, each with one account', async () => {
    const s = setup(2);
    h = s.h;
    await openKind('Comment');
    await h.text('@durov');
    expect(h.screen()).toContain('needs a message link');
    await h.text('https://t.me/durov/77');
    expect(h.screen()).toContain('Type the comment');
    await h.text('x'.repeat(4097));
    expect(h.screen()).toContain('The text has 4097 characters; Telegram allows 4096.');
    await h.text('Nice post');
    await h.press('1');
    await h.press('Run');
    await h.clock.run(h.bot.idle());
    expect(s.pool.calls.map((c) => c.method)).toEqual(['comment']);
    expect(s.pool.calls[0]!.args).toEqual([{ chat: { username: 'durov' }, messageId: 77 }, 'Nice post']);
    await h.text('/start');
    await h.press('Actions');
    await h.press('Join');
    await h.text('https://t.me/c/123/4');
    expect(h.screen()).toContain('can be joined only by its invite link');
    await h.text('https://t.me/+AbCdEfGh123');
    await h.press('1');
    await h.press('Run');
    await h.clock.run(h.bot.idle());
    expect(s.pool.calls.at(-1)).toMatchObject({ method: 'join', args: [{ kind: 'invite', hash: 'AbCdEfGh123' }] });
  });

  it('says when the operations engine is not running', async () => {
    h = harness();
    await h.text('/start');
    await h.press('Actions');
    expect(h.screen()).toContain('not running in this process');
  });
});
