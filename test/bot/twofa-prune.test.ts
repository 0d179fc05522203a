import { afterEach, describe, expect, it, vi } from 'vitest';
import { accountsPort } from '../../src/interfaces/bot/wiring.ts';
import { ADMIN, harness, type Harness } from './harness.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';

/** Two-step passwords from an account's card and pruning dead accounts, over the real engine and a simulated Telegram. */
let h: Harness | undefined;
let panel: SimPanel;
afterEach(async () => {
  await h?.bot.runtime.jobs.stop();
  h?.db.close();
  h = undefined;
  await panel.close();
});

/** Types a message that must leave the chat at once; returns whether it did. */
async function secret(text: string): Promise<boolean> {
  const u = h!.api.textUpdate(ADMIN, text);
  await h!.update(u);
  return h!.api.message(ADMIN.id, u.message!.message_id)!.deleted;
}

/** Every flow row the bot has stored, as text (what would survive a restart). */
function storedFlows(): string {
  return JSON.stringify(h!.db.prepare('SELECT * FROM bot_flows').all());
}

async function openTwoFa(n: number): Promise<void> {
  await h!.text('/start');
  await h!.press('Accounts');
  await h!.press('List');
  await h!.press(`#${n} `);
  await h!.press('Two-step');
}

describe('two-step verification in the bot', () => {
  it('sets, changes and removes the password through the service; every typed message is deleted and none is stored; a wrong current password is refused in the admin language', { timeout: 90_000 }, async () => {
    panel = simPanel({ accounts: 3, seed: 13 });
    const app = panel.open();
    const plain = panel.summary.accounts.find((a) => a.password === null)!;
    const id = await enrol(app, plain);
    h = harness({ services: { accounts: accountsPort(app), accountCare: app.accountCare } });

    await openTwoFa(id);
    expect(h.screen()).toContain('Two-step verification of');
    await h.press('Set a password');
    expect(h.screen()).toContain('Type a hint');
    expect(await secret('blue door')).toBe(true);
    await h.press('Skip');
    expect(h.screen()).toContain('Type the new two-step password');
    // The hint itself is refused as the password, and asked again.
    expect(await secret('blue door')).toBe(true);
    expect(h.screen()).toContain('The hint may not be the password itself.');
    expect(await secret('first secret')).toBe(true);
    expect(h.screen()).toContain('again');
    expect(await secret('first secreT')).toBe(true);
    expect(h.screen()).toContain('The two new passwords differ');
    expect(await secret('first secret')).toBe(true);
    expect(await secret('first secret')).toBe(true);
    await h.bot.runtime.jobs.idle();
    expect(h.screen()).toContain('Two-step password set.');
    expect(panel.world.checkPassword(plain.phone, 'first secret')).toBe(true);
    expect(panel.world.passwordState(plain.phone)).toMatchObject({ enabled: true, hint: 'blue door' });

    // Changing with a wrong current password: refused, nothing changed.
    await h.press('Change it');
    await h.press('Skip');
    await h.press('Skip');
    expect(h.screen()).toContain('Type the current two-step password');
    expect(await secret('not it')).toBe(true);
    expect(storedFlows()).not.toMatch(/not it|secret|blue door/);
    expect(await secret('second secret')).toBe(true);
    expect(storedFlows()).not.toMatch(/not it|secret/);
    expect(await secret('second secret')).toBe(true);
    await h.bot.runtime.jobs.idle();
    expect(h.screen()).toContain('❌ The current two-step password is wrong.');
    expect(panel.world.checkPassword(plain.phone, 'first secret')).toBe(true);

    // In Persian, the same refusal in Persian.
    h.bot.runtime.store.setLanguage(ADMIN.id, 'fa', h.clock.now());
    await h.text('/start');
    await h.press('حساب');
    await h.press('فهرست');
    await h.press(`#${id} `);
    await h.press('تأیید دومرحله‌ای');
    await h.press('عوض کردن رمز');
    await h.press('رد شدن');
    await h.press('رد شدن');
    expect(await secret('still not it')).toBe(true);
    expect(await secret('second secret')).toBe(true);
    expect(await secret('second secret')).toBe(true);
    await h.bot.runtime.jobs.idle();
    expect(h.screen()).toContain('رمز تأیید دومرحله‌ای کنونی اشتباه است');
    h.bot.runtime.store.setLanguage(ADMIN.id, 'en', h.clock.now());

    // Removing asks first, then the current password.
    await openTwoFa(id);
    await h.press('Remove it');
    expect(h.screen()).toContain('Remove the two-step password');
    expect(panel.world.passwordState(plain.phone).enabled).toBe(true);
    await h.press('Yes, remove it');
    expect(await secret('first secret')).toBe(true);
    await h.bot.runtime.jobs.idle();
    expect(h.screen()).toContain('Two-step password removed.');
    expect(panel.world.passwordState(plain.phone).enabled).toBe(false);

    // A restart between two answers loses what was typed: the admin starts again.
    await h.press('Set a password');
    await h.press('Skip');
    await h.press('Skip');
    expect(await secret('third secret')).toBe(true);
    h.bot.runtime.memory.clear();
    expect(await secret('third secret')).toBe(true);
    expect(h.screen()).toContain('Start again');
    expect(panel.world.passwordState(plain.phone).enabled).toBe(false);
    expect(storedFlows()).not.toMatch(/secret/);
  });

  it('asks for the code Telegram emails to a recovery address, again when it is wrong', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 2, seed: 14 });
    const app = panel.open();
    const acc = panel.summary.accounts.find((x) => x.password === null)!;
    const id = await enrol(app, acc);
    h = harness({ services: { accounts: accountsPort(app), accountCare: app.accountCare } });
    const emailed = panel.world.passwordEmailCode(acc.phone, 'owner@example.com');

    await openTwoFa(id);
    await h.press('Set a password');
    await h.press('Skip');
    await h.text('not an address');
    expect(h.screen()).toContain('That is not an email address.');
    await h.text('owner@example.com');
    expect(await secret('with mail')).toBe(true);
    expect(await secret('with mail')).toBe(true);
    await vi.waitFor(() => expect(h!.screen()).toContain('Telegram emailed a'), { timeout: 10_000 });
    expect(await secret('000000')).toBe(true);
    await vi.waitFor(() => expect(h!.screen()).toContain('That code is wrong'), { timeout: 10_000 });
    expect(await secret(emailed)).toBe(true);
    await h.bot.runtime.jobs.idle();
    expect(h.screen()).toContain('Two-step password set.');
    expect(panel.world.passwordState(acc.phone)).toEqual({ enabled: true, hint: null, email: 'owner@example.com' });
    expect(panel.world.checkPassword(acc.phone, 'with mail')).toBe(true);
    expect(storedFlows()).not.toMatch(/with mail/);
  });
});

describe('pruning dead accounts in the bot', () => {
  it('lists the accounts dead by their last check, sends their phones and reasons as CSV, and removes them only after the button', { timeout: 90_000 }, async () => {
    panel = simPanel({ accounts: 3, users: 4, groups: 1, seed: 9 });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    const [revoked, banned, alive] = panel.summary.accounts.map((a) => a.phone) as [string, string, string];
    panel.world.setFault(revoked, 'revoked');
    panel.world.setFault(banned, 'banned');
    await app.health.check({ ids: [1, 2, 3] });
    h = harness({ services: { accounts: accountsPort(app) } });

    await h.text('/start');
    await h.press('Accounts');
    await h.press('Prune dead accounts');
    expect(h.screen()).toContain('2 accounts are dead');
    expect(h.screen()).toContain(revoked);
    expect(h.screen()).toContain(banned);
    expect(h.screen()).not.toContain(alive);
    expect(app.accounts.list(app.clock.now())).toHaveLength(3);

    // Counting only the banned ones changes the list and the button.
    await h.press('☑️ logged out');
    expect(h.screen()).toContain('1 account is dead');
    expect(h.screen()).not.toContain(revoked);
    await h.press('⬜ logged out');
    expect(h.labels()).toContain('🗑 Yes, remove 2');

    await h.press('Yes, remove 2');
    const doc = h.api.chat(ADMIN.id).find((m) => m.document)!;
    expect(doc.document!.fileName).toMatch(/^pruned-accounts-\d{8}-\d{4}\.csv$/);
    const csv = doc.document!.content.toString('utf8').trim().split('\n');
    expect(csv[0]).toBe('id,phone,username,status,reason,status_since');
    expect(csv.slice(1).map((l) => l.split(',')[1])).toEqual([revoked, banned]);
    expect(h.screen()).toContain('Removed 2 accounts and their session keys.');
    expect(h.screen()).toContain('nothing to prune');
    expect(app.accounts.list(app.clock.now()).map((a) => a.phone)).toEqual([alive]);
  });
});
