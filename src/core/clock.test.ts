import { describe, expect, it } from 'vitest';
import { systemClock, VirtualClock } from './clock.ts';

describe('VirtualClock', () => {
  it('runs concurrent sleepers in time order and jumps time instead of waiting', async () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    const task = async (name: string, ms: number): Promise<void> => {
      await clock.sleep(ms);
      order.push(`${name}@${clock.now()}`);
    };
    const started = Date.now();
    await clock.run(Promise.all([task('b', 3_600_000), task('a', 1000), task('c', 1000)]));
    expect(order).toEqual(['a@1000', 'c@1000', 'b@3600000']);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('rejects an aborted sleep and forgets it', async () => {
    const clock = new VirtualClock(0);
    const ctl = new AbortController();
    const p = clock.sleep(5000, ctl.signal);
    expect(clock.pending).toBe(1);
    ctl.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pending).toBe(0);
  });

  it('advance wakes only the sleepers due by then', async () => {
    const clock = new VirtualClock(0);
    let woke = 0;
    void clock.sleep(100).then(() => woke++);
    void clock.sleep(300).then(() => woke++);
    await clock.advance(200);
    expect(woke).toBe(1);
    expect(clock.now()).toBe(200);
  });

  it('says so when the task waits on something other than the clock', async () => {
    const clock = new VirtualClock(0);
    await expect(clock.run(new Promise(() => undefined))).rejects.toThrow(/other than the clock/);
  });
});

describe('systemClock', () => {
  it('rejects at once when the signal is already aborted', async () => {
    const ctl = new AbortController();
    ctl.abort(new Error('gone'));
    await expect(systemClock.sleep(10_000, ctl.signal)).rejects.toThrow('gone');
  });
});
