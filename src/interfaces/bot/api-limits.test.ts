import { HttpError } from 'grammy';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock.ts';
import { apiLimits } from './api-limits.ts';

type Prev = Parameters<ReturnType<typeof apiLimits>>[0];

function recorder(clock: VirtualClock, answers: Array<(method: string) => unknown> = []) {
  const calls: Array<{ method: string; chat: unknown; t: number }> = [];
  const prev = ((method: string, payload: Record<string, unknown>) => {
    calls.push({ method, chat: payload?.chat_id, t: clock.now() });
    const a = answers.shift();
    try {
      return Promise.resolve(a ? a(method) : { ok: true, result: true });
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }) as unknown as Prev;
  return { calls, prev };
}

describe('Bot API limits', () => {
  it('spaces calls to one private chat after a burst, and leaves other chats alone', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const { calls, prev } = recorder(clock);
    const limit = apiLimits({ clock, privateChat: { intervalMs: 1000, burst: 2 }, global: { intervalMs: 0, burst: 1 } });
    const send = (chat: number) => limit(prev, 'sendMessage', { chat_id: chat, text: 'x' });
    await clock.run(Promise.all([send(1), send(1), send(1), send(1), send(2)]));
    const one = calls.filter((c) => c.chat === 1).map((c) => c.t - t0);
    expect(one).toEqual([0, 0, 1000, 2000]);
    expect(calls.find((c) => c.chat === 2)!.t - t0).toBe(0);
  });

  it('keeps groups to their slower pace and everything under the global rate', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const { calls, prev } = recorder(clock);
    const limit = apiLimits({ clock, groupChat: { intervalMs: 3000, burst: 1 }, privateChat: { intervalMs: 0, burst: 1 }, global: { intervalMs: 100, burst: 1 } });
    await clock.run(Promise.all([limit(prev, 'sendMessage', { chat_id: -100123, text: 'a' }), limit(prev, 'sendMessage', { chat_id: -100123, text: 'b' })]));
    expect(calls.map((c) => c.t - t0)).toEqual([0, 3000]);
    calls.length = 0;
    const t1 = clock.now();
    await clock.run(Promise.all([1, 2, 3].map((c) => limit(prev, 'sendMessage', { chat_id: c, text: 'x' }))));
    expect(calls.map((c) => c.t - t1)).toEqual([0, 100, 200]);
  });

  it('retries a 429 after retry_after and holds the chat meanwhile', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const { calls, prev } = recorder(clock, [() => ({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } })]);
    const limit = apiLimits({ clock, privateChat: { intervalMs: 1000, burst: 3 }, global: { intervalMs: 0, burst: 1 } });
    const res = await clock.run(limit(prev, 'editMessageText', { chat_id: 5, message_id: 1, text: 'x' }));
    expect(res.ok).toBe(true);
    expect(calls.map((c) => c.t - t0)).toEqual([0, 7000]);
  });

  it('gives up after the retry limit and passes the 429 on', async () => {
    const clock = new VirtualClock();
    const r429 = () => ({ ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 1 } });
    const { calls, prev } = recorder(clock, [r429, r429, r429]);
    const limit = apiLimits({ clock, maxRetries: 2, privateChat: { intervalMs: 0, burst: 1 }, global: { intervalMs: 0, burst: 1 } });
    const res = await clock.run(limit(prev, 'sendMessage', { chat_id: 5, text: 'x' }));
    expect(res.ok).toBe(false);
    expect(calls).toHaveLength(3);
  });

  it('retries network errors with backoff but never getUpdates', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const boom = () => {
      throw new HttpError('down', new Error('ECONNRESET'));
    };
    const { calls, prev } = recorder(clock, [boom, boom]);
    const limit = apiLimits({ clock, privateChat: { intervalMs: 0, burst: 1 }, global: { intervalMs: 0, burst: 1 } });
    const res = await clock.run(limit(prev, 'sendMessage', { chat_id: 5, text: 'x' }));
    expect(res.ok).toBe(true);
    expect(calls.map((c) => c.t - t0)).toEqual([0, 1000, 3000]);
    const again = recorder(clock, [boom]);
    await expect(limit(again.prev, 'getUpdates', {})).rejects.toBeInstanceOf(HttpError);
  });
});
