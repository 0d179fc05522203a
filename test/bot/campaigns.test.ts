import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.ts';
import { CampaignService } from '../../src/engine/campaigns.ts';
import { stripIsolates } from '../../src/interfaces/bot/i18n/bidi.ts';
import { FakeTelegram, MemoryPool } from '../support/pm-fleet.ts';
import { ADMIN, harness, PACING, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.db.close());

function setup(users = ['alice_one', 'bob_two', 'carol_three'], latencyMs = 0) {
  const clock = new VirtualClock();
  const tg = new FakeTelegram(clock, new Set(users), new Set(), latencyMs);
  const pool = new MemoryPool(tg, 2, clock);
  h = harness({ clock });
  let n = 0n;
  const svc = new CampaignService({ db: h.db, pool, clock, pacing: PACING, random: () => 0.5, newRandomId: () => ++n + 1000n, leaseOwner: 'host:1:a', isLeaseOwnerDead: () => false, syncClaims: false });
  h.deps.services = { campaigns: svc };
  return { tg, pool, svc };
}

async function create(name: string, targets: string): Promise<void> {
  await h.text('/start');
  await h.press('Campaigns');
  await h.press('New campaign');
  await h.text(name);
  await h.text('Hello from the panel');
  await h.text(targets);
  await h.press('Create');
}

describe('campaigns menu', () => {
  it('creates a campaign step by step, asking again on bad answers', async () => {
    const { svc } = setup();
    await h.text('/start');
    await h.press('Campaigns');
    expect(h.screen()).toContain('No campaigns yet.');
    await h.press('New campaign');
    await h.text('   ');
    expect(h.screen()).toContain('A name needs 1 to 64 characters');
    await h.text('Spring sale');
    expect(h.screen()).toContain('Type the message to send');
    await h.text('x'.repeat(4097));
    expect(h.screen()).toContain('The text has 4097 characters');
    await h.text('Hello there');
    expect(h.screen()).toContain('Send the people to message');
    await h.text('1x, __');
    expect(h.screen()).toContain('No valid username in that list (2 invalid');
    await h.text('@Alice_One, 1x\nbob_two bob_two');
    expect(h.screen()).toContain('People: 2');
    expect(h.screen()).toContain('People: 2 (1 duplicate collapsed)');
    expect(h.screen()).toContain('1 entry is not a username');
    await h.press('Per account: 4');
    await h.text('0');
    expect(h.screen()).toContain('not a whole number from 1 to 1000');
    await h.text('2');
    expect(h.labels()).toContain('Per account: 2');
    await h.press('Delay');
    await h.text('5-1');
    expect(h.screen()).toContain('That is not a range');
    await h.text('30-40');
    expect(h.labels()).toContain('Delay: 30-40 s');
    await h.press('Skip people contacted before');
    expect(h.labels()).toContain('☐ Skip people contacted before');
    await h.press('Create');
    expect(h.screen()).toContain('Created with 2 people.');
    expect(h.screen()).toContain('Campaign Spring sale: 🆕 ready');
    const st = svc.status('Spring sale');
    expect(st.settings).toMatchObject({ perAccountCap: 2, delay: { minMs: 30_000, maxMs: 40_000 }, skipContacted: false });
  });

  it('takes the targets as a file', async () => {
    setup();
    await h.text('/start');
    await h.press('Campaigns');
    await h.press('New campaign');
    await h.text('From file');
    await h.text('Hi');
    await h.update(h.api.documentUpdate(ADMIN, 'people.txt', 'alice_one\nbob_two\ncarol_three\n'));
    expect(h.screen()).toContain('People: 3');
  });

  it('refuses a name taken by another message, saying how to go on', async () => {
    const { svc } = setup();
    svc.create({ name: 'Taken', message: 'Other text', targets: 'alice_one' });
    await create('Taken', 'bob_two');
    expect(h.screen()).toContain('already exists with a different message');
    expect(h.screen()).toContain('Check the settings, then Create.');
  });

  it('runs to the end with a progress message and a report, then exports', async () => {
    const { tg } = setup();
    await create('Run me', 'alice_one bob_two nobody_here');
    await h.press('Run');
    await h.clock.run(h.bot.idle());
    expect(tg.deliveries.map((d) => d.to).sort()).toEqual(['alice_one', 'bob_two']);
    expect(h.screen()).toContain('The run ended: done');
    expect(h.screen()).toContain('sent: 2');
    expect(h.screen()).toContain('not found: 1');
    await h.press('The campaign');
    expect(h.screen()).toContain('Campaign Run me: ✅ done');
    expect(h.screen()).toContain('Settled 3 of 3');
    await h.press('Export CSV');
    const doc = h.api.chat(ADMIN.id).find((m) => m.document)!;
    expect(doc.document!.fileName).toBe('campaign-Run_me.csv');
    const lines = doc.document!.content.toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('username,outcome,account_id,account,time,error');
    expect(lines).toHaveLength(4);
    expect(h.screen()).toContain('Campaign Run me'); // the card again, below the file
    await h.press('Export JSON');
    const json = h.api.chat(ADMIN.id).filter((m) => m.document).at(-1)!;
    expect(JSON.parse(json.document!.content.toString('utf8'))).toHaveLength(3);
  });

  it('pauses a running campaign from its progress message, and resumes it', async () => {
    const { svc, tg } = setup(['alice_one', 'bob_two', 'carol_three'], 1000);
    await create('Slow', 'alice_one bob_two carol_three');
    await h.press('Run');
    const progress = h.api.chat(ADMIN.id).find((m) => h.api.buttons(m).some((b) => b.data?.startsWith('cmp:p:')))!;
    const pause = h.api.buttons(progress).find((b) => b.data?.startsWith('cmp:p:'))!;
    await h.update(h.api.callbackUpdate(ADMIN, progress.messageId, pause.data!));
    expect(h.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toContain('Pausing');
    await h.clock.run(h.bot.idle());
    expect(svc.status('Slow').state).toBe('paused');
    const before = tg.deliveries.length;
    expect(before).toBeLessThan(3);
    await h.press('The campaign');
    await h.press('Resume');
    await h.clock.run(h.bot.idle());
    expect(svc.status('Slow').state).toBe('done');
    expect(new Set(tg.deliveries.map((d) => d.to)).size).toBe(tg.deliveries.length);
  });

  it('cancels only after confirmation', async () => {
    const { svc } = setup();
    await create('Cancel me', 'alice_one');
    await h.press('Cancel the campaign');
    expect(h.screen()).toContain('Cancel the campaign Cancel me?');
    await h.press('No');
    expect(svc.status('Cancel me').state).toBe('ready');
    await h.press('Cancel the campaign');
    await h.press('Yes, cancel it');
    expect(h.screen()).toContain('Cancelled: nothing more is sent.');
    expect(svc.status('Cancel me').state).toBe('cancelled');
    expect(h.labels().some((l) => l.includes('Run'))).toBe(false);
  });

  it('settles uncertain rows with the decision chosen', async () => {
    const { svc } = setup();
    svc.create({ name: 'Unsure', message: 'Hi', targets: 'alice_one bob_two' });
    // As a crash between a claim and its confirmation leaves them.
    h.db.prepare("UPDATE campaign_targets SET state = 'uncertain', account_id = 1, error = 'not confirmed'").run();
    await h.text('/start');
    await h.press('Campaigns');
    await h.press('Unsure');
    await h.press('Settle 2 uncertain');
    expect(h.screen()).toContain('2 people are uncertain');
    await h.press('Skip them');
    expect(h.screen()).toContain('2 settled.');
    expect(svc.status('Unsure').counts.uncertain).toBe(0);
  });

  it('a card button of a campaign that is gone says so', async () => {
    const { svc } = setup();
    svc.create({ name: 'Gone', message: 'Hi', targets: 'alice_one' });
    await h.text('/start');
    await h.press('Campaigns');
    await h.press('Gone');
    h.db.prepare('DELETE FROM campaign_targets').run();
    h.db.prepare('DELETE FROM campaigns').run();
    await h.press('Export CSV');
    expect(h.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toBe('That campaign no longer exists.');
    expect(stripIsolates(h.screen())).toContain('No campaigns yet.');
  });
});
