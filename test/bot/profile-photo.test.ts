import { afterEach, describe, expect, it } from 'vitest';
import { accountsPort } from '../../src/interfaces/bot/wiring.ts';
import { ADMIN, harness, type Harness } from './harness.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { png } from '../support/png.ts';

/** The profile photo from an account's card, over the real engine, the Bot API's file download and a simulated Telegram. */
let h: Harness | undefined;
let panel: SimPanel;
afterEach(async () => {
  await h?.bot.runtime.jobs.stop();
  h?.db.close();
  h = undefined;
  await panel.close();
});

/** The first bytes of a baseline JPEG of `w` x `h`: what the size check reads. */
function jpeg(w: number, h: number): Buffer {
  return Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xd9]);
}

function photos(phone: string): Array<{ mime: string; size: number }> {
  const u = panel.world.account(phone);
  return panel.world.db.prepare('SELECT mime, size FROM profile_photos WHERE user_id = ?').all(u.id) as Array<{ mime: string; size: number }>;
}

async function openPhoto(n: number, fa = false): Promise<void> {
  await h!.text('/start');
  await h!.press(fa ? 'حساب' : 'Accounts');
  await h!.press(fa ? 'فهرست' : 'List');
  await h!.press(`#${n} `);
  await h!.press(fa ? 'نمایه' : 'Profile');
  await h!.press(fa ? 'عکس' : 'Photo');
}

describe('profile photo in the bot', () => {
  it('takes a photo or an image file, checks it by the core rules before any upload, and runs the profile operation', { timeout: 90_000 }, async () => {
    panel = simPanel({ accounts: 2, seed: 5 }, { ACTION_DELAY: '0-0' });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    h = harness({ services: { accounts: accountsPort(app), operations: app.operations } });
    const [first] = panel.summary.accounts;

    await openPhoto(1);
    expect(h.screen()).toContain('Send the new profile photo');
    await h.text('a photo please');
    expect(h.screen()).toContain('Send a photo');

    // Too large: refused from its size, before it is downloaded; a text file named .jpg by its content.
    const fetched = (): number => h!.api.calls.filter((c) => c.method === 'getFile').length;
    await h.update(h.api.documentUpdate(ADMIN, 'big.png', Buffer.concat([png(64, 64), Buffer.alloc(11 * 1024 * 1024)])));
    expect(h.screen()).toMatch(/Cannot do that: .*10 MB/);
    expect(fetched()).toBe(0);
    await h.update(h.api.documentUpdate(ADMIN, 'face.jpg', 'not an image at all'));
    expect(h.screen()).toMatch(/JPEG or PNG/);
    await h.update(h.api.documentUpdate(ADMIN, 'thin.png', png(400, 10)));
    expect(h.screen()).toMatch(/at least 16 pixels/);
    expect(photos(first!.phone)).toEqual([]);

    // A PNG sent as a file keeps its bytes.
    const face = png(64, 64);
    await h.update(h.api.documentUpdate(ADMIN, 'face.png', face));
    await h.bot.runtime.jobs.idle();
    expect(h.screen()).toMatch(/Profile photo changed \(operation #\d+\)/);
    expect(photos(first!.phone)).toEqual([{ mime: 'image/png', size: face.length }]);

    // A photo sent as a photo: its largest size is used.
    const shot = jpeg(320, 240);
    await h.press('Profile');
    await h.press('Photo');
    await h.update(h.api.photoUpdate(ADMIN, shot, 320, 240));
    await h.bot.runtime.jobs.idle();
    expect(h.screen()).toContain('Profile photo changed');
    expect(photos(first!.phone)).toEqual([
      { mime: 'image/png', size: face.length },
      { mime: 'image/jpeg', size: shot.length },
    ]);
    const kinds = app.operationStore.list().map((o) => o.kind);
    expect(kinds).toEqual(['profile', 'profile']);

    // In Persian: the size refusal from its reason code.
    h.bot.runtime.store.setLanguage(ADMIN.id, 'fa', h.clock.now());
    await openPhoto(2, true);
    await h.update(h.api.documentUpdate(ADMIN, 'big.png', Buffer.alloc(10 * 1024 * 1024 + 1)));
    expect(h.screen()).toContain('عکس بزرگ است');
  });
});
