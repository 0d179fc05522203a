import { afterEach, describe, expect, it } from 'vitest';
import { accountsPort } from '../../src/interfaces/bot/wiring.ts';
import { OperationStore } from '../../src/store/operations.ts';
import { openSqlite } from '../../src/store/db.ts';
import { join } from 'node:path';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { harness, type Harness } from './harness.ts';

/** Tags and profile edits from an account's card, over the real engine and a simulated Telegram. */
let h: Harness | undefined;
let panel: SimPanel;
afterEach(async () => {
  h?.db.close();
  h = undefined;
  await panel.close();
});

async function open(n: number): Promise<void> {
  await h!.text('/start');
  await h!.press('Accounts');
  await h!.press('List');
  await h!.press(`#${n} `);
}

async function settled(): Promise<void> {
  await h!.bot.runtime.jobs.idle();
}

describe('tags and profiles in the bot', () => {
  it('adds tags (checked by the engine, refused in the admin language), removes them, shows them, and keeps the reserve out of "N accounts"', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 3, seed: 12 }, { ACTION_DELAY: '0-0' });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    h = harness({ services: { accounts: accountsPort(app), tags: app.tags, operations: app.operations } });

    await open(1);
    await h.press('Tags');
    expect(h.screen()).toContain('No tags yet.');
    await h.press('Add a tag');
    await h.text('bad tag!');
    // Asked again in place, with the engine's reason.
    expect(h.screen()).toMatch(/Cannot do that: .*is not a tag/);
    expect(h.screen()).toContain('Type a tag for');
    await h.text('#VIP');
    expect(h.screen()).toContain('Tagged vip.');
    expect(app.accounts.get(1, app.clock.now())!.tags).toEqual(['vip']);
    await h.press('➕ reserve');
    expect(h.screen()).toContain('Tagged reserve.');
    await h.press('✖ vip');
    expect(h.screen()).toContain('Tag vip removed.');
    expect(h.labels()).not.toContain('✖ vip');
    await h.press('Back');
    expect(h.screen()).toContain('Tags: reserve');
    await h.press('Back');
    expect(h.labels().find((l) => l.includes('#1 '))).toContain('🏷 reserve');

    // A button for a tag removed meanwhile (here by the CLI's service) removes nothing else.
    await h.press('#1 ');
    app.tags.change([1], 'add', 'old');
    await h.press('Tags');
    app.tags.change([1], 'remove', 'old');
    await h.press('✖ old');
    expect(app.accounts.get(1, app.clock.now())!.tags).toEqual(['reserve']);

    // The picker counts only the accounts a count may pick; the reserve can still be named.
    await h.text('/start');
    await h.press('Actions');
    await h.press('Block');
    await h.text('@some_user');
    expect(h.screen()).toContain('Which accounts? 2 can do this now');
    expect(h.screen()).toContain('1 reserve account is left out of the count');
    expect(h.labels()).toContain('All usable (2)');
    await h.press('Pick accounts');
    expect(h.labels().some((l) => l.includes('#1 ') && l.includes('reserve'))).toBe(true);

    // Persian: the same refusal, worded from its code.
    h.bot.runtime.store.setLanguage(1001, 'fa', h.clock.now());
    await h.text('/start');
    await h.press('حساب');
    await h.press('فهرست');
    await h.press('#2 ');
    await h.press('برچسب');
    await h.press('افزودن برچسب');
    await h.text('a b');
    expect(h.screen()).toContain('برچسب درستی نیست');
  });

  it('edits one field at a time through the profile operation, paced and recorded, a taken or invalid username refused', { timeout: 90_000 }, async () => {
    panel = simPanel({ accounts: 3, seed: 5 }, { ACTION_DELAY: '0-0' });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    h = harness({ services: { accounts: accountsPort(app), tags: app.tags, operations: app.operations } });
    const [first, second, third] = panel.summary.accounts;
    // Profile edits are paced per account (two at once, then spaced out), so each account here makes two.

    await open(1);
    await h.press('Profile');
    await h.press('First name');
    expect(h.screen()).toContain('Type the new first name');
    await h.text('x'.repeat(65));
    expect(h.screen()).toMatch(/Cannot do that: .*65 characters; Telegram allows 64/);
    await h.text('Sara');
    await settled();
    expect(h.screen()).toMatch(/First name changed \(operation #\d+\)/);
    expect(h.screen()).toContain('Name: Sara');
    expect(panel.world.account(first!.phone).first_name).toBe('Sara');

    await h.press('Profile');
    await h.press('Username');
    await h.text('ab');
    expect(h.screen()).toMatch(/Cannot do that: .*too short/);
    await h.text('@Sara_Bot_One');
    await settled();
    expect(h.screen()).toContain('Username changed');
    expect(h.screen()).toContain('@sara_bot_one');
    expect(panel.world.account(first!.phone).username).toBe('sara_bot_one');

    await open(2);
    await h.press('Profile');
    await h.press('Bio');
    await h.text('hello from the bot');
    await settled();
    expect(h.screen()).toContain('Bio changed');
    expect(panel.world.account(second!.phone).about).toBe('hello from the bot');
    await h.press('Profile');
    await h.press('Bio');
    await h.text('hello from the bot');
    await settled();
    expect(h.screen()).toContain('already had that value');

    // Account 3 asks for account 1's name: refused by Telegram, nothing about it changed.
    const before = panel.world.account(third!.phone);
    await open(3);
    await h.press('Profile');
    await h.press('Username');
    await h.text('sara_bot_one');
    await settled();
    expect(h.screen()).toContain('The username @sara_bot_one is taken');
    expect(panel.world.account(third!.phone)).toMatchObject({ username: before.username, first_name: before.first_name });

    // Every change was an operation of the profile kind, like `accounts profile`.
    const db = openSqlite(join(panel.dir, 'data', 'panel.db'), { readonly: true });
    try {
      const ops = new OperationStore(db).list();
      expect(ops.map((o) => o.kind)).toEqual(['profile', 'profile', 'profile', 'profile', 'profile']);
    } finally {
      db.close();
    }

    // Persian: Telegram's refusal of a taken name in the admin's language.
    h.bot.runtime.store.setLanguage(1001, 'fa', h.clock.now());
    await h.text('/start');
    await h.press('حساب');
    await h.press('فهرست');
    await h.press('#3 ');
    await h.press('نمایه');
    await h.press('نام کاربری');
    // The engine's check, worded from the rule it names rather than quoting the English.
    await h.text('ab');
    expect(h.screen()).toContain('نام کاربری دست‌کم ۴ نویسه دارد');
    expect(h.screen()).not.toMatch(/too short/);
    await h.text('x'.repeat(40));
    expect(h.screen()).toContain('حداکثر ۳۲ نویسه');
    await h.text('sara_bot_one');
    await settled();
    expect(h.screen()).toContain('گرفته شده است');
  });
});
