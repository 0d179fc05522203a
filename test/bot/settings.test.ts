import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.db.close());

describe('settings menu', () => {
  it('switches the language per admin and every screen follows it', async () => {
    h = harness();
    await h.text('/start');
    await h.press('Settings');
    expect(h.screen()).toContain('Language: English');
    await h.press('فارسی');
    expect(h.screen()).toContain('زبان: فارسی');
    expect(h.bot.runtime.store.language(1001)).toBe('fa');
    await h.press('» بازگشت');
    expect(h.screen()).toContain('پنل تلگرام');
    await h.press('تنظیمات');
    await h.press('English');
    expect(h.screen()).toContain('Language: English');
  });

  it('edits the menu in place and never surfaces "message is not modified"', async () => {
    h = harness();
    await h.text('/start');
    const id = h.menu().messageId;
    await h.press('Settings');
    await h.press('English'); // already English: same text, same buttons
    expect(h.menu().messageId).toBe(id);
    expect(h.api.callsOf('sendMessage')).toHaveLength(1);
    // After a restart the render cache is empty: the fake answers "not modified", swallowed.
    h.bot.runtime.rendered.clear();
    await h.press('English');
    const edits = h.api.callsOf('editMessageText');
    expect(edits.length).toBeGreaterThan(0);
    expect(h.api.callsOf('sendMessage')).toHaveLength(1);
    expect(h.screen()).toContain('Settings');
  });

  it('changes a pacing default, repeating the question on bad input', async () => {
    h = harness();
    await h.text('/start');
    await h.press('Settings');
    await h.press('Delay between actions');
    expect(h.screen()).toContain('Now: 8-15');
    await h.text('fast');
    expect(h.screen()).toContain('That is not a range');
    expect(h.screen()).toContain('Type the new value');
    await h.text('20-10');
    expect(h.screen()).toContain('That is not a range');
    await h.text('10-20');
    expect(h.screen()).toContain('Saved.');
    expect(h.screen()).toContain('10-20 (changed here)');
    expect(h.bot.runtime.store.pacing()).toEqual({ actionDelay: { min: 10, max: 20 } });
    await h.press('Accounts acting at once');
    await h.text('0');
    expect(h.screen()).toContain('not a whole number from 1 to 50');
    await h.text('۷');
    expect(h.bot.runtime.store.pacing().actionConcurrency).toBe(7);
    await h.press('Back to the configuration');
    expect(h.bot.runtime.store.pacing()).toEqual({});
  });

  it('Cancel leaves the pacing question without saving; /cancel too', async () => {
    h = harness();
    await h.text('/start');
    await h.press('Settings');
    await h.press('Messages per account per day');
    await h.press('Cancel');
    expect(h.screen()).toContain('Cancelled.');
    await h.text('5');
    expect(h.screen()).toContain('Use the menu below.');
    await h.press('Settings');
    await h.press('Messages per account per day');
    await h.text('/cancel');
    expect(h.screen()).toContain('Cancelled.');
    expect(h.bot.runtime.store.pacing()).toEqual({});
  });

  it('a button pressed where the flow expects text asks again', async () => {
    h = harness();
    await h.text('/start');
    await h.press('Settings');
    await h.press('Messages per account per day');
    await h.update(h.api.documentUpdate({ id: 1001, first_name: 'Admin' }, 'x.txt', 'hello'));
    expect(h.screen()).toContain('Please type the answer as text.');
    expect(h.screen()).toContain('Messages per account per day');
  });
});
