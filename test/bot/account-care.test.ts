import { afterEach, describe, expect, it } from 'vitest';
import { accountsPort } from '../../src/interfaces/bot/wiring.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { harness, type Harness } from './harness.ts';

/** The account card's Sessions and Login codes, over the real engine and a simulated Telegram. */
let h: Harness | undefined;
let panel: SimPanel;
afterEach(async () => {
  h?.db.close();
  await panel.close();
});

describe('account care in the bot', () => {
  it('lists sessions, ends the others only after confirmation and when Telegram allows it, and shows login codes', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 3, seed: 31 });
    const app = panel.open();
    const acc = panel.summary.accounts.find((a) => panel.world.devices(a.phone).length > 0)!;
    const others = panel.world.devices(acc.phone).length;
    await enrol(app, acc);
    h = harness({ services: { accounts: accountsPort(app), accountCare: app.accountCare } });

    await h.text('/start');
    await h.press('Accounts');
    await h.press('List');
    await h.press('#1 ');
    await h.press('Sessions');
    expect(h.screen()).toContain(`other devices: ${others}`);
    expect(h.screen()).toContain('this panel');

    await h.press('End the other sessions');
    expect(h.screen()).toContain(`End ${others} other session`);
    expect(panel.world.devices(acc.phone)).toHaveLength(others + 1);
    await h.press('Yes, end them');
    // Telegram refuses from a session logged in moments ago; nothing ended.
    expect(h.screen()).toMatch(/a day old/);
    expect(panel.world.devices(acc.phone)).toHaveLength(others + 1);

    panel.world.setTime(Date.now() + 25 * 3600_000);
    await h.press('End the other sessions');
    await h.press('Yes, end them');
    expect(h.screen()).toContain(`Ended ${others} session`);
    expect(h.screen()).toContain('other devices: 0');
    expect(panel.world.devices(acc.phone)).toHaveLength(1);

    await h.press('Back');
    expect(h.screen()).toContain('Other sessions (last check): 0');
    await h.press('Login codes');
    // The code Telegram posted when the panel logged in, spaced out.
    expect(h.screen()).toContain(acc.code.split('').join(' '));
  });
});
