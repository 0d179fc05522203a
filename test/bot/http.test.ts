import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.ts';
import { createBot, type PanelBot } from '../../src/interfaces/bot/bot.ts';
import { stripIsolates } from '../../src/interfaces/bot/i18n/bidi.ts';
import { bar, ProgressReporter } from '../../src/interfaces/bot/progress.ts';
import { openPanelDb, type Db } from '../../src/store/db.ts';
import { eventually, FakeBotApi, TOKEN } from '../support/fake-bot-api.ts';
import { tempDir } from '../support/tmp.ts';
import { ADMIN, depsOver, STRANGER } from './harness.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(clock = new VirtualClock()): Promise<{ api: FakeBotApi; bot: PanelBot; clock: VirtualClock; db: Db }> {
  const api = new FakeBotApi();
  const apiRoot = await api.listen();
  const db = openPanelDb(tempDir('tp-bothttp-'));
  const bot = createBot(
    depsOver(db, clock),
    { token: TOKEN, adminIds: [ADMIN.id], apiRoot, pollTimeoutSeconds: 30, limits: { privateChat: { intervalMs: 0, burst: 1 }, global: { intervalMs: 0, burst: 1 } } },
  );
  cleanups.push(() => void db.close(), () => api.close(), () => bot.stop());
  return { api, bot, clock, db };
}

describe('admin bot over HTTP with long polling', () => {
  it('starts, answers the admin, refuses a stranger once, and stops cleanly', async () => {
    const { api, bot } = await setup();
    await bot.start();
    expect(api.callsOf('getMe')).toHaveLength(1);
    await eventually(() => api.pendingPolls === 1, 'a long poll');

    api.push(api.textUpdate(ADMIN, '/start'));
    const menu = await eventually(() => api.lastBotMessage(ADMIN.id), 'the menu');
    expect(stripIsolates(menu.text)).toContain('Telegram Panel');

    api.push(api.textUpdate(STRANGER, '/start'));
    api.push(api.textUpdate(STRANGER, 'let me in'));
    api.push(api.callbackUpdate(STRANGER, menu.messageId, api.buttons(menu)[0]!.data!));
    await eventually(() => api.callsOf('answerCallbackQuery').length === 1, 'the stranger callback answered');
    const toStranger = api.callsOf('sendMessage').filter((c) => c.payload.chat_id === STRANGER.id);
    expect(toStranger.map((c) => c.payload.text)).toEqual(['This bot is private.']);

    await bot.stop();
    expect(bot.bot.isRunning()).toBe(false);
    // The last getUpdates confirms what was handled, so nothing is handled twice after a restart.
    const last = api.callsOf('getUpdates').at(-1)!;
    expect(last.payload.offset).toBe(5);
    await eventually(() => api.pendingPolls === 0, 'the aborted poll to end');
  });

  it('edits progress at most every 2 s, survives a 429 by waiting retry_after, then reports', async () => {
    const clock = new VirtualClock();
    const { api, bot } = await setup(clock);
    await bot.start();
    const at: Array<{ method: string; t: number; text: string }> = [];
    api.onCall = (c) => {
      if (c.method === 'editMessageText') at.push({ method: c.method, t: clock.now(), text: String(c.payload.text) });
    };
    const render = (s: { done: number; total: number; ok: number; failed: number; current?: string | undefined }) => ({
      text: `${bar(s.done, s.total)}\n${s.done}/${s.total} ok ${s.ok} failed ${s.failed}\n${s.current ?? ''}`,
    });
    const p = new ProgressReporter(bot.runtime, ADMIN.id, render);
    await p.begin({ done: 0, total: 10, ok: 0, failed: 0 });

    p.update({ done: 1, total: 10, ok: 1, failed: 0, current: '#1' });
    expect(at).toHaveLength(0); // too soon after the first message
    await clock.advance(2000);
    await eventually(() => at.length === 1, 'first edit');

    api.rateLimitNext('editMessageText', 5);
    p.update({ done: 2, total: 10, ok: 2, failed: 0, current: '#2' });
    await clock.advance(2000);
    await eventually(() => at.length === 2, 'the rate-limited edit');
    await eventually(() => clock.pending > 0, 'the retry waiting on the clock');
    // States arriving while the edit waits replace each other; none queues behind it.
    for (let i = 3; i <= 9; i++) p.update({ done: i, total: 10, ok: i, failed: 0, current: `#${i}` });
    await clock.advance(4999);
    expect(at).toHaveLength(2);
    await clock.advance(1);
    await eventually(() => at.length === 3, 'the retry after retry_after');
    expect(at[2]!.text).toContain('2/10');
    expect(at[2]!.t - at[1]!.t).toBe(5000);
    // The newest state keeps its distance from the edit that just went through.
    await eventually(() => clock.pending > 0, 'the next edit waiting its turn');
    await clock.advance(2000);
    await eventually(() => at.length === 4, 'the newest state');
    expect(at[3]!.text).toContain('9/10');
    expect(at[3]!.t - at[2]!.t).toBe(2000);

    const finished = p.finish({ summary: 'Done: 10 of 10', details: ['#1 ok'], fileName: 'r.txt', detailsInFile: 'see file' });
    await eventually(() => clock.pending > 0, 'the final edit waiting its turn');
    await clock.advance(2000);
    await finished;
    for (let i = 1; i < at.length; i++) {
      if (at[i - 1]!.text.includes('2/10') && at[i]!.text.includes('2/10')) continue; // the retry of one edit
      expect(at[i]!.t - at[i - 1]!.t).toBeGreaterThanOrEqual(2000);
    }
    expect(api.lastBotMessage(ADMIN.id)!.text).toBe('Done: 10 of 10\n\n#1 ok');
  });

  it('sends details that do not fit as a document', async () => {
    const { api, bot } = await setup();
    await bot.start();
    const p = new ProgressReporter(bot.runtime, ADMIN.id, () => ({ text: 'working' }));
    await p.begin({ done: 0, total: 1, ok: 0, failed: 0 });
    const details = Array.from({ length: 400 }, (_, i) => `account #${i}: done`);
    const clock = bot.runtime.deps.clock as VirtualClock;
    const done = p.finish({ summary: 'Done', details, fileName: 'report.txt', detailsInFile: 'The details are in the file below.' });
    await clock.advance(2000);
    await done;
    const doc = api.lastBotMessage(ADMIN.id)!;
    expect(doc.document?.fileName).toBe('report.txt');
    expect(doc.document?.content.toString('utf8')).toBe(details.join('\n') + '\n');
    const report = api.chat(ADMIN.id).find((m) => m.text.startsWith('Done'))!;
    expect(report.text).toBe('Done\n\nThe details are in the file below.');
  });
});
