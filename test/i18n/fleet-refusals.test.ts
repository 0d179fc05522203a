import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.ts';
import { InputError, PanelError } from '../../src/core/errors.ts';
import { validateActionSpec } from '../../src/engine/action-input.ts';
import { OperationsEngine } from '../../src/engine/operations.ts';
import { TagService } from '../../src/engine/tags.ts';
import { refusalText, storedReasonText } from '../../src/interfaces/i18n/reasons.ts';
import { openSqlite, type Db } from '../../src/store/db.ts';
import { OperationStore } from '../../src/store/operations.ts';
import { MemoryPool } from '../support/memory-pool.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';

/** The refusal a call throws, or a failure of the test when it does not throw. */
async function refusal(call: () => unknown): Promise<InputError | PanelError> {
  try {
    await call();
  } catch (e) {
    if (e instanceof InputError || e instanceof PanelError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

let db: Db | undefined;
let panel: SimPanel | undefined;
afterEach(async () => {
  db?.close();
  db = undefined;
  await panel?.close();
  panel = undefined;
});

describe('fleet refusals carry reason codes each interface words', () => {
  it('too few accounts names the process that holds the others', async () => {
    const clock = new VirtualClock();
    db = openSqlite(':memory:');
    const pool = new MemoryPool({ clock, accounts: [{ id: 1 }, { id: 2, heldBy: 'box/4242' }, { id: 3, heldBy: 'box/4242' }] });
    const engine = new OperationsEngine({ pool, store: new OperationStore(db), clock, pacing: { actionDelay: { min: 0, max: 0 }, actionConcurrency: 1 } });
    const e = await refusal(() => engine.check({ kind: 'join', target: { kind: 'public', username: 'somechannel' } }, { accounts: 3 }));
    expect(e.reason).toMatchObject({ code: 'accounts_too_few', params: { wanted: 3, usable: 1, held: 2, holders: 'process 4242 on box' } });
    const persian = refusalText(e, 'fa')!;
    expect(persian).toContain('پردازهٔ دیگری');
    expect(persian).toContain('process 4242 on box');
    expect(refusalText(e, 'en')).toBe(e.message);
  });

  it('a vote that does not fit the poll lists its options in either language', async () => {
    const clock = new VirtualClock();
    db = openSqlite(':memory:');
    const pool = new MemoryPool({ clock, accounts: 2, poll: { question: 'Lunch?', options: ['Yes', 'No'], multiple: false, closed: false } });
    const engine = new OperationsEngine({ pool, store: new OperationStore(db), clock, pacing: { actionDelay: { min: 0, max: 0 }, actionConcurrency: 1 } });
    const target = { chat: { username: 'somechannel' }, messageId: 10 };
    const beyond = await refusal(() => engine.runOperation({ kind: 'vote', target, options: [3] }, { accounts: 1 }, { actor: 'test' }));
    expect(beyond.reason).toEqual({ code: 'poll_option_out_of_range', params: { value: '3', count: 2, options: '1. Yes, 2. No' } });
    expect(refusalText(beyond, 'fa')).toContain('در نظرسنجی نیست');
    expect(refusalText(beyond, 'fa')).toContain('1. Yes, 2. No');
    const two = await refusal(() => engine.runOperation({ kind: 'vote', target, options: [1, 2] }, { accounts: 1 }, { actor: 'test' }));
    expect(two.reason?.code).toBe('poll_single_choice');
    expect(refusalText(two, 'en')).toMatch(/takes one option, not 2/);
  });

  it('an action that cannot be done is refused with its first problem as a code, every problem in English', async () => {
    const e = await refusal(() => validateActionSpec({ kind: 'pm', username: 'ab', text: ' ' }));
    expect(e.message).toMatch(/^pm: "ab" is too short: .*; the text is empty$/);
    expect(e.reason).toEqual({ code: 'action_bad_username', params: { value: 'ab', rule: 'too_short' } });
    expect(refusalText(e, 'fa')).toContain('نام کاربری دست‌کم ۴ نویسه دارد');
    const emoji = await refusal(() => validateActionSpec({ kind: 'reaction', target: { chat: { username: 'somechannel' }, messageId: 0 }, emoji: 'ok' }));
    expect(emoji.reason).toEqual({ code: 'action_bad_id', params: { field: 'message' } });
    expect(refusalText(emoji, 'fa')).toContain('شناسهٔ پیام');
  });

  it('an unknown account, an unusable proxy, an unknown account to tag', async () => {
    panel = simPanel({ accounts: 1 });
    const app = panel.open();
    const id = await enrol(app, panel.summary.accounts[0]!);
    const unknown = await refusal(() => app.fleet.setEnabled(999, false));
    expect(unknown.reason).toEqual({ code: 'account_unknown', params: { accounts: '#999' } });
    expect(refusalText(unknown, 'fa')).toContain('چنین حسابی نیست');
    const proxy = await refusal(() => app.fleet.setProxy(id, 'ftp://nowhere'));
    expect(proxy.reason?.code).toBe('proxy_invalid');
    expect(refusalText(proxy, 'fa')).toContain('از این پروکسی نمی‌توان استفاده کرد');
    const tags = new TagService(app.accounts, () => app.clock.now());
    expect((await refusal(() => tags.change([id, 998], 'add', 'vip'))).reason).toEqual({ code: 'account_unknown', params: { accounts: '#998' } });
  });
});

describe('account status reasons are kept as codes', () => {
  it('@SpamBot limited, then clean again, each worded in Persian', async () => {
    panel = simPanel({ accounts: 1 });
    const app = panel.open();
    const id = await enrol(app, panel.summary.accounts[0]!);
    panel.world.setFault(panel.summary.accounts[0]!.phone, 'peer_flood');
    const [limited] = await app.health.check({ ids: [id], spam: true });
    expect(limited).toMatchObject({ status: 'peer_flood', reason: '@SpamBot: limited', reasonCode: { code: 'spambot_limited' } });
    expect(storedReasonText(limited!.reasonCode, limited!.reason, 'fa')).toContain('محدود');
    panel.world.clearFault(panel.summary.accounts[0]!.phone);
    const [clean] = await app.health.check({ ids: [id], spam: true });
    expect(clean).toMatchObject({ status: 'active', reasonCode: { code: 'spambot_clean' } });
    expect(app.accounts.get(id, app.clock.now())?.statusReasonCode).toEqual({ code: 'spambot_clean', params: {} });
  });
});
