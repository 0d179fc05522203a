/**
 * The operations engine on a virtual clock with fake sessions.
 *
 * 1. Scheduling overhead: real time the engine spends per action when the session answers at
 *    once, against calling the fake session directly in a loop (the floor).
 * 2. Makespan of 1,000 reactions (40 posts x 25 accounts, all asked for at once) over 50
 *    accounts under the default pacing, with FLOOD_WAITs injected, against a lower bound: every
 *    account acting back to back as early as its own pacing, pauses and waits allow. Beside it
 *    the original's strategy: the first N accounts, 3 at a time, pauses and flood waits slept
 *    inside the slot, one post after another.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionSpec } from '../src/core/actions.ts';
import { VirtualClock } from '../src/core/clock.ts';
import { Pacer, pacingRules, type PacingOverrides, type RandomSource } from '../src/core/pacing.ts';
import { flood, MemoryPool, type SessionScript } from '../test/support/memory-pool.ts';
import { OperationsEngine } from '../src/engine/operations.ts';
import { openSqlite } from '../src/store/db.ts';
import { OperationStore, type NewOperation, type OperationRecorder, type OperationResult, type OperationStatus } from '../src/store/operations.ts';
import { seededRandom as mulberry32 } from '../src/core/random.ts';

const PACING = { actionDelay: { min: 8, max: 15 }, actionConcurrency: 4 };

class MemoryRecorder implements OperationRecorder {
  private next = 1;
  results = 0;
  create(_op: NewOperation): number {
    return this.next++;
  }
  saveResult(_id: number, _r: OperationResult): void {
    this.results++;
  }
  finish(_id: number, _end: { status: OperationStatus; finishedAt: number; stopReason: string | null }): void {}
}

/** A small seeded generator, so pauses replay exactly for the lower bound. */
const seeded: RandomSource = (id) => mulberry32(0x5eed + id * 7919);

const reactionOn = (messageId: number): ActionSpec => ({ kind: 'reaction', target: { chat: { username: 'benchchannel' }, messageId }, emoji: '👍' });

async function overhead(): Promise<void> {
  const ACCOUNTS = 50;
  const OPS = 200;
  const total = ACCOUNTS * OPS;

  // The floor: the same fake session called directly, no engine.
  {
    const clock = new VirtualClock();
    const pool = new MemoryPool({ clock, accounts: ACCOUNTS });
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const s = await pool.session((i % ACCOUNTS) + 1);
      await s.react({ chat: { username: 'benchchannel' }, messageId: i }, '👍');
    }
    const direct = total / ((performance.now() - t0) / 1000);
    console.log(`direct session calls: ${fmt(direct)} calls/s (floor)`);

    const cases: Array<[string, PacingOverrides | undefined, 'memory' | 'sqlite']> = [
      ['paced (8-15 s pauses, virtual)', undefined, 'memory'],
      ['unpaced (every account always ready)', { reaction: { gapMs: { min: 0, max: 0 }, perHour: Infinity } }, 'memory'],
      ['paced, records in SQLite', undefined, 'sqlite'],
    ];
    for (const [name, rules, recorder] of cases) {
      const clock2 = new VirtualClock();
      const pool2 = new MemoryPool({ clock: clock2, accounts: ACCOUNTS });
      const dir = recorder === 'sqlite' ? mkdtempSync(join(tmpdir(), 'bench-ops-')) : undefined;
      const db = dir ? openSqlite(join(dir, 'panel.db')) : undefined;
      const store = db ? new OperationStore(db) : new MemoryRecorder();
      const engine = new OperationsEngine({ pool: pool2, store, clock: clock2, pacing: PACING, rules, random: seeded });
      // Warm up the JIT on other posts so the figure is the steady state.
      for (let op = 0; op < 20; op++) await clock2.run(engine.runOperation(reactionOn(100_000 + op), { accounts: ACCOUNTS }, { actor: 'bench' }));
      const span0 = clock2.now();
      const cpu0 = process.cpuUsage();
      const t1 = performance.now();
      for (let op = 0; op < OPS; op++) await clock2.run(engine.runOperation(reactionOn(op + 1), { accounts: ACCOUNTS }, { actor: 'bench' }));
      const secs = (performance.now() - t1) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuSecs = (cpu.user + cpu.system) / 1e6;
      db?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      const rate = total / secs;
      console.log(
        `engine, ${name}: ${fmt(rate)} actions/s real time (${((secs / total) * 1e6).toFixed(1)} µs/action, ` +
          `${(direct / rate).toFixed(1)}x the direct call` +
          (recorder === 'memory' ? `; aim > 20,000/s: ${rate > 20_000 ? 'met' : 'NOT met'}` : '; one SQLite write per result') +
          `); ${fmt(total / cpuSecs)} per CPU second; virtual span ${hms(clock2.now() - span0)}`,
      );
    }
  }
}

// ---- makespan ----

const ACCOUNTS = 50;
const POSTS = 40;
const PER_POST = 25;
const LATENCY_MS = 500;

/** Which attempt (1-based, per account) gets a FLOOD_WAIT, and how long. */
function injectedFlood(accountId: number, attempt: number): number | undefined {
  if (accountId <= 5 && attempt === 3) return 300; // short: the account is parked 5 minutes
  if (accountId > 5 && accountId <= 8 && attempt === 5) return 1800; // long: out for half an hour
  if (accountId === 9 && attempt % 4 === 0) return 30; // a flaky one
  return undefined;
}

function floodScript(): SessionScript {
  const attempts = new Map<number, number>();
  return (call) => {
    const n = (attempts.get(call.accountId) ?? 0) + 1;
    attempts.set(call.accountId, n);
    const s = injectedFlood(call.accountId, n);
    return s === undefined ? 'done' : flood(s);
  };
}

/**
 * Every account on its own, as early as its pacing allows, with the same pauses (same random
 * stream per account) and the same injected waits. No scheduler can finish its k-th success
 * earlier, so the 1,000th earliest success over all accounts bounds the makespan from below.
 */
function lowerBound(): number {
  const rules = pacingRules(PACING);
  const finishes: number[] = [];
  for (let id = 1; id <= ACCOUNTS; id++) {
    const pacer = new Pacer(rules, seeded);
    let t = 0;
    let parkedUntil = 0;
    let successes = 0;
    // An account reacts at most once per post.
    for (let attempt = 1; successes < POSTS; attempt++) {
      t = Math.max(t, pacer.readyAt(id, 'reaction'), parkedUntil);
      pacer.start(id, 'reaction', t);
      const end = t + LATENCY_MS;
      pacer.finish(id, 'reaction', end);
      const s = injectedFlood(id, attempt);
      if (s === undefined) {
        finishes.push(end);
        successes++;
      } else parkedUntil = end + s * 1000;
      t = end;
    }
  }
  finishes.sort((a, b) => a - b);
  return finishes[POSTS * PER_POST - 1]!;
}

async function engineMakespan(): Promise<{ ms: number; done: number; floods: number }> {
  const clock = new VirtualClock(0);
  const pool = new MemoryPool({ clock, accounts: ACCOUNTS, latencyMs: LATENCY_MS, script: floodScript() });
  const engine = new OperationsEngine({ pool, store: new MemoryRecorder(), clock, pacing: PACING, random: seeded });
  const ops = Array.from({ length: POSTS }, (_, i) => engine.runOperation(reactionOn(i + 1), { accounts: PER_POST }, { actor: 'bench' }));
  const records = await clock.run(Promise.all(ops));
  const done = records.reduce((n, r) => n + r.summary.done, 0);
  const floods = records.reduce((n, r) => n + r.summary.replaced, 0);
  return { ms: Math.max(...records.map((r) => r.finishedAt ?? 0)), done, floods };
}

/** The original: first N accounts, a semaphore of 3, pauses and flood waits slept while holding the slot. */
async function originalMakespan(): Promise<{ ms: number; done: number }> {
  const clock = new VirtualClock(0);
  const pool = new MemoryPool({ clock, accounts: ACCOUNTS, latencyMs: LATENCY_MS, script: floodScript() });
  const random = mulberry32(42);
  let done = 0;
  const work = async (): Promise<void> => {
    for (let post = 1; post <= POSTS; post++) {
      const queue = Array.from({ length: PER_POST }, (_, i) => i + 1);
      const slot = async (): Promise<void> => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          const session = await pool.session(id);
          for (;;) {
            try {
              await session.react({ chat: { username: 'benchchannel' }, messageId: post }, '👍');
              done++;
              break;
            } catch (e) {
              const seconds = (e as { failure?: { seconds?: number } }).failure?.seconds ?? 0;
              await clock.sleep(seconds * 1000);
            }
          }
          await clock.sleep((PACING.actionDelay.min + random() * (PACING.actionDelay.max - PACING.actionDelay.min)) * 1000);
        }
      };
      await Promise.all([slot(), slot(), slot()]);
    }
  };
  await clock.run(work());
  return { ms: clock.now(), done };
}

async function makespan(): Promise<void> {
  const bound = lowerBound();
  const t0 = performance.now();
  const mine = await engineMakespan();
  const real = performance.now() - t0;
  const orig = await originalMakespan();
  console.log(`makespan of ${POSTS * PER_POST} reactions (${POSTS} posts x ${PER_POST} accounts) over ${ACCOUNTS} accounts, ${LATENCY_MS} ms per call, default pacing, injected FLOOD_WAITs:`);
  console.log(`  lower bound (each account back to back at its own pace): ${hms(bound)}`);
  console.log(
    `  engine: ${hms(mine.ms)} = ${(mine.ms / bound).toFixed(3)}x the bound (aim <= 1.05: ${mine.ms <= bound * 1.05 ? 'met' : 'NOT met'}); ` +
      `${mine.done} done, ${mine.floods} FLOOD_WAITs moved to another account; ${real.toFixed(0)} ms real time`,
  );
  console.log(`  original strategy: ${hms(orig.ms)} = ${(orig.ms / bound).toFixed(2)}x the bound, ${(orig.ms / mine.ms).toFixed(1)}x the engine (${orig.done} done)`);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function hms(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h > 0 ? `${h} h ` : ''}${m} min ${s % 60} s`;
}

export async function run(): Promise<void> {
  await overhead();
  await makespan();
}
