import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.ts';
import { CampaignService } from '../../src/engine/campaigns.ts';
import { stripIsolates } from '../../src/interfaces/bot/i18n/bidi.ts';
import { messages } from '../../src/interfaces/bot/i18n/index.ts';
import { FakeTelegram, MemoryPool } from '../support/pm-fleet.ts';
import { ADMIN, harness, PACING, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.db.close());

function setup(latencyMs = 0): { svc: CampaignService; tg: FakeTelegram } {
  const clock = new VirtualClock();
  const tg = new FakeTelegram(clock, new Set(['alice_one', 'bob_two', 'carol_three']), new Set(), latencyMs);
  const pool = new MemoryPool(tg, 2, clock);
  h = harness({ clock });
  let n = 0n;
  const svc = new CampaignService({ db: h.db, pool, clock, pacing: PACING, random: () => 0.5, newRandomId: () => ++n + 1000n, leaseOwner: 'host:1:a', isLeaseOwnerDead: () => false, syncClaims: false });
  h.deps.services = { campaigns: svc };
  return { svc, tg };
}

/** Bot messages in the admin's chat that show at least one button. */
function withButtons(): number[] {
  return h.api
    .chat(ADMIN.id)
    .filter((m) => m.fromBot && !m.deleted && h.api.buttons(m).length > 0)
    .map((m) => m.messageId);
}

describe('one live conversation message', () => {
  it('asks again in place after a wrong answer, and a question left behind keeps no buttons', async () => {
    setup();
    await h.text('/start');
    await h.press('Campaigns');
    await h.press('New campaign');
    const question = h.menu().messageId;
    const sent = h.api.callsOf('sendMessage').length;
    await h.text('   ');
    await h.text('x'.repeat(65));
    // The same message, edited: no copy of the question per wrong answer.
    expect(h.api.callsOf('sendMessage')).toHaveLength(sent);
    expect(h.menu().messageId).toBe(question);
    expect(h.screen()).toMatch(/^⚠️ A name needs 1 to 64 characters/);
    expect(h.screen()).toContain('Type a name');
    await h.text('Spring sale');
    expect(h.screen()).toContain('Type the message to send');
    // The answered question lost its Back/Cancel: only the live menu shows buttons.
    expect(withButtons()).toEqual([h.menu().messageId]);
    expect(h.menu().messageId).not.toBe(question);
  });

  it('an expired button brings the menu down and leaves no pressable copy above', async () => {
    setup();
    await h.text('/start');
    const first = h.menu();
    await h.text('/start');
    expect(withButtons()).toEqual([h.menu().messageId]);
    const old = h.api.buttons(h.api.message(ADMIN.id, first.messageId));
    expect(old).toEqual([]);
  });

  it('Run turns the card into the live progress with Pause only, then into the report', async () => {
    const { svc } = setup(1000);
    svc.create({ name: 'Slow', message: 'Hi', targets: 'alice_one bob_two carol_three' });
    await h.text('/start');
    await h.press('Campaigns');
    await h.press('Slow');
    const card = h.menu().messageId;
    await h.press('Run');
    const live = h.api.message(ADMIN.id, card)!;
    const labels = h.api.buttons(live).map((b) => stripIsolates(b.text));
    expect(labels).toEqual(['⏸ Pause']);
    expect(stripIsolates(live.text)).toContain('✉️ Campaign Slow');
    // No stale card anywhere: the card became the progress, and it is the only message with buttons.
    expect(h.api.chat(ADMIN.id).filter((m) => m.fromBot && stripIsolates(m.text).includes('Campaign Slow:'))).toEqual([]);
    expect(withButtons()).toEqual([card]);

    // The card opened again while the run goes on offers Pause, never Run beside it.
    await h.text('/start');
    await h.press('Campaigns');
    await h.press('Slow');
    expect(h.labels()).toContain('⏸ Pause');
    expect(h.labels().some((l) => l.includes('Run') || l.includes('Resume'))).toBe(false);
    // Opening another menu left the progress message's Pause button alone.
    expect(h.api.buttons(h.api.message(ADMIN.id, card)).map((b) => stripIsolates(b.text))).toEqual(['⏸ Pause']);
    await h.press('Back');

    await h.clock.run(h.bot.idle());
    expect(svc.status('Slow').state).toBe('done');
    // The admin has a menu of their own now, so the report carries no buttons that look live.
    expect(stripIsolates(h.api.message(ADMIN.id, card)!.text)).toContain('The run ended: done');
    expect(h.api.buttons(h.api.message(ADMIN.id, card))).toEqual([]);
    expect(withButtons()).toEqual([h.menu().messageId]);
  });
});

describe('counts in messages', () => {
  const summary = { planned: 1, done: 1, already: 0, requested: 0, failed: 0, replaced: 0, shortfall: 0 };

  it('lists only the counts that are not zero', () => {
    const en = stripIsolates(messages('en').opSummary(4, 'finished', summary, null));
    expect(en).toBe('Operation #4 finished: ✅ 1 done.');
    const fa = stripIsolates(messages('fa').opSummary(4, 'finished', summary, null));
    expect(fa).not.toContain('۰');
    expect(stripIsolates(messages('en').opSummary(5, 'cancelled', { ...summary, done: 0, shortfall: 0 }, null))).toBe('Operation #5 cancelled: nothing was done.');
    expect(stripIsolates(messages('en').statusOpLine(7, 'join', 'finished', 2, 0, 'today'))).toBe('#7 join, finished: ✅ 2 · today');
  });

  it('puts counted words in the form their number wants', () => {
    const t = messages('en');
    expect(t.statusMonitor(1, 1, 'never')).toContain('1 keyword · 1 forward waiting');
    expect(t.statusMonitor(2, 0, 'never')).toContain('2 keywords · 0 forwards waiting');
    expect(stripIsolates(t.cmpReview('A', 'Hi', 2, 1, ['1x'], 1))).toContain('People: 2 (1 duplicate collapsed)\n⚠️ 1 entry is not a username');
    expect(t.cmpCreated(1)).toBe('✅ Created with 1 person.');
    expect(t.exportCaption('A', 1)).toBe('Campaign A: 1 row');
    expect(t.groupsRefreshed(1, 1, 0)).toBe('🔄 Refreshed: 1 chat from 1 account.');
  });
});
