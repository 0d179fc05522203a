import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/tmp.ts';
import { VirtualClock } from '../core/clock.ts';
import { silentLogger } from '../log.ts';
import { openSqlite, type Db } from '../store/db.ts';
import { MonitorStore } from '../store/monitor.ts';
import { OutboxSender, type ForwardItem, type ForwardOutcome, type ForwardSender, type OutboxSenderOptions } from './outbox-sender.ts';

const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

/** Records every attempt with its clock time; answers from a script (default: sent). */
class ScriptedSender implements ForwardSender {
  readonly attempts: Array<{ id: number; at: number; outcome: ForwardOutcome['status'] }> = [];
  readonly delivered: number[] = [];
  constructor(
    private readonly clock: VirtualClock,
    public script: (item: ForwardItem, attempt: number) => ForwardOutcome | 'throw' = () => ({ status: 'sent', messageId: 1 }),
  ) {}

  send(item: ForwardItem): Promise<ForwardOutcome> {
    const n = this.attempts.filter((a) => a.id === item.id).length;
    const outcome = this.script(item, n);
    if (outcome === 'throw') {
      this.attempts.push({ id: item.id, at: this.clock.now(), outcome: 'retry' });
      return Promise.reject(new Error('socket hang up'));
    }
    this.attempts.push({ id: item.id, at: this.clock.now(), outcome: outcome.status });
    if (outcome.status === 'sent') this.delivered.push(item.id);
    return Promise.resolve(outcome);
  }
}

/** Lets the sender's loop reach its next sleep, then moves the clock. */
async function advance(clock: VirtualClock, ms: number): Promise<void> {
  await settle();
  await clock.advance(ms);
  await settle();
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

function setup(opts: OutboxSenderOptions = {}) {
  const db = openSqlite(join(tempDir('outbox-'), 'panel.db'));
  opened.push(db);
  const store = new MonitorStore(db);
  const clock = new VirtualClock();
  const sender = new ScriptedSender(clock);
  const make = (): OutboxSender => new OutboxSender(store, sender, clock, silentLogger, opts);
  return { store, clock, sender, make };
}

function queue(store: MonitorStore, clock: VirtualClock, n: number, from = 1): number[] {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    store.recordHit({
      chatId: -1001,
      messageId: from + i,
      accountId: 1,
      chatTitle: 'g',
      keywords: ['k'],
      payload: { text: `hit ${from + i}`, entities: [], buttons: [] },
      at: clock.now(),
    });
  }
  for (const r of store.outbox('pending', 1000)) ids.push(r.id);
  return ids.sort((a, b) => a - b);
}

describe('OutboxSender', () => {
  it('posts every row once, oldest first, at least 3 s apart', async () => {
    const { store, clock, sender, make } = setup();
    const ids = queue(store, clock, 6);
    const s = make();
    s.start();
    await advance(clock, 60_000);
    await s.stop();
    expect(sender.delivered).toEqual(ids);
    const gaps = sender.attempts.slice(1).map((a, i) => a.at - sender.attempts[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(3_000);
    expect(store.outboxSummary()).toMatchObject({ pending: 0, sent: 6 });
  });

  it('waits out a 429 retry_after, keeps the order and drops nothing', async () => {
    const { store, clock, sender, make } = setup();
    const ids = queue(store, clock, 4);
    sender.script = (item, attempt) => (item.id === ids[1] && attempt === 0 ? { status: 'retry', afterMs: 30_000, reason: 'flood' } : { status: 'sent', messageId: 1 });
    const s = make();
    s.start();
    await advance(clock, 120_000);
    await s.stop();
    expect(sender.delivered).toEqual(ids);
    const flood = sender.attempts.find((a) => a.outcome === 'retry')!;
    const after = sender.attempts[sender.attempts.indexOf(flood) + 1]!;
    expect(after.id).toBe(ids[1]);
    expect(after.at - flood.at).toBeGreaterThanOrEqual(30_000);
  });

  it('backs off on network errors (thrown or reported) and then delivers', async () => {
    const { store, clock, sender, make } = setup({ backoffBaseMs: 1_000 });
    const [id] = queue(store, clock, 1);
    sender.script = (_item, attempt) => (attempt === 0 ? 'throw' : attempt < 3 ? { status: 'retry', afterMs: null, reason: 'network' } : { status: 'sent', messageId: 9 });
    const s = make();
    s.start();
    await advance(clock, 60_000);
    await s.stop();
    expect(sender.delivered).toEqual([id]);
    const times = sender.attempts.map((a) => a.at - sender.attempts[0]!.at);
    // Backoff 1 s, 2 s, 4 s after each failure, and never closer than the 3 s pace between attempts.
    expect(times).toEqual([0, 3_000, 6_000, 10_000]);
    expect(store.outboxRow(id!)).toMatchObject({ state: 'sent', attempts: 4, sentMessageId: 9 });
  });

  it('holds a refused row, keeps sending the others, and retries it later', async () => {
    const { store, clock, sender, make } = setup({ heldRetryMs: 600_000 });
    const ids = queue(store, clock, 3);
    let fixed = false;
    sender.script = (item) => (item.id === ids[0] && !fixed ? { status: 'refused', reason: 'Forbidden: bot is not a member of the channel chat' } : { status: 'sent', messageId: 1 });
    const s = make();
    s.start();
    await advance(clock, 60_000);
    expect(sender.delivered).toEqual([ids[1], ids[2]]);
    expect(store.outboxSummary()).toMatchObject({ pending: 1, held: 1, lastError: expect.stringContaining('not a member') });
    fixed = true;
    await advance(clock, 600_000);
    await s.stop();
    expect(sender.delivered).toEqual([ids[1], ids[2], ids[0]]);
    expect(store.outboxSummary()).toMatchObject({ pending: 0, held: 0 });
  });

  it('resumes the outbox after a restart, honouring the stored retry time', async () => {
    const { store, clock, sender, make } = setup();
    const ids = queue(store, clock, 2);
    sender.script = (_item, attempt) => (attempt === 0 ? { status: 'retry', afterMs: 20_000, reason: 'flood' } : { status: 'sent', messageId: 1 });
    const first = make();
    first.start();
    await advance(clock, 1_000);
    await first.stop();
    expect(sender.delivered).toEqual([]);
    expect(store.outboxRow(ids[0]!)!.nextAt).toBe(clock.now() - 1_000 + 20_000);
    const second = make();
    second.start();
    await advance(clock, 60_000);
    await second.stop();
    expect(sender.delivered).toEqual(ids);
    expect(sender.attempts.filter((a) => a.id === ids[0]).map((a) => a.outcome)).toEqual(['retry', 'sent']);
  });

  it('posts a newly queued row at once when woken', async () => {
    const { store, clock, sender, make } = setup({ idlePollMs: 3_600_000 });
    const s = make();
    s.start();
    await advance(clock, 10_000);
    queue(store, clock, 1);
    s.wake();
    await advance(clock, 0);
    expect(sender.delivered).toHaveLength(1);
    await s.stop();
  });
});
