import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { enrol, simPanel, storedOperations, type SimPanel } from '../support/sim-panel.ts';
import { png } from '../support/png.ts';

let panel: SimPanel;
afterEach(async () => {
  await panel.close();
});

describe('accounts profile (production mtcute client against the simulator)', () => {
  it('edits names, bios, usernames (placeholders per account) and photos; a taken username fails only its account', { timeout: 90_000 }, async () => {
    panel = simPanel({ accounts: 3, users: 6, groups: 1, seed: 9 }, { ACTION_DELAY: '0-0' });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    app.tags.change([1, 2], 'add', 'batch');
    await app.close();
    const env = panel.env;
    const dir = panel.dir;
    const photo = join(dir, 'face.png');
    writeFileSync(photo, png(64, 64, 700_000));

    const r = await cli(['--json', 'accounts', 'profile', '--tag', 'batch', '--first-name', 'Sara {n}', '--bio', 'line {phone4}', '--username', 'sara_{phone4}', '--photo', photo], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout) as { kind: string; summary: { done: number }; results: Array<{ accountId: number; detail: string }> };
    expect(rec).toMatchObject({ kind: 'profile', summary: { done: 2 } });
    for (const [i, acc] of panel.summary.accounts.slice(0, 2).entries()) {
      const four = acc.phone.replace(/\D/g, '').slice(-4);
      const u = panel.world.account(acc.phone);
      expect(u).toMatchObject({ first_name: `Sara ${i + 1}`, about: `line ${four}`, username: `sara_${four}` });
      const photos = panel.world.db.prepare('SELECT mime, size FROM profile_photos WHERE user_id = ?').all(u.id);
      expect(photos).toEqual([{ mime: 'image/png', size: png(64, 64, 700_000).length }]);
      expect(rec.results.find((x) => x.accountId === i + 1)!.detail).toContain(`@sara_${four}`);
    }
    // The panel's own record of the accounts follows (getMe at the next connection, or here by the check).
    expect((await cli(['accounts', 'check', '1'], env)).code).toBe(0);
    expect((await cli(['accounts', 'list'], env)).stdout).toMatch(/@sara_\d{4}/);

    // Account 3 asks for account 1's name: refused before anything about account 3 changed.
    const taken = panel.world.account(panel.summary.accounts[0]!.phone).username!;
    const before3 = panel.world.account(panel.summary.accounts[2]!.phone);
    const mixed = await cli(['--json', 'accounts', 'profile', '3', '--first-name', 'Nima', '--username', taken], env);
    expect(mixed.code).toBe(1);
    const failed = JSON.parse(mixed.stdout) as { summary: { failed: number }; results: Array<{ failure: { code: string; message: string } }> };
    expect(failed.results[0]!.failure).toMatchObject({ code: 'USERNAME_OCCUPIED', message: `the username @${taken} is taken` });
    expect(panel.world.account(panel.summary.accounts[2]!.phone)).toMatchObject({ first_name: before3.first_name, username: before3.username });
    // In a bulk edit the taken name fails its own account; the others go ahead.
    panel.world.db.prepare("UPDATE users SET username = 'pick_1' WHERE kind = 'person' AND id = (SELECT min(id) FROM users WHERE kind = 'person')").run();
    const bulk = await cli(['--json', 'accounts', 'profile', '3', '2', '--first-name', 'Nima', '--username', 'pick_{n}'], env);
    expect(bulk.code).toBe(1);
    const bulkRec = JSON.parse(bulk.stdout) as { status: string; results: Array<{ accountId: number; status: string; failure?: { code: string } }> };
    expect(bulkRec.status).toBe('finished');
    expect(bulkRec.results.map((x) => [x.accountId, x.status, x.failure?.code]).sort()).toEqual([
      [2, 'done', undefined],
      [3, 'failed', 'USERNAME_OCCUPIED'],
    ]);
    expect(panel.world.account(panel.summary.accounts[1]!.phone)).toMatchObject({ first_name: 'Nima', username: 'pick_2' });
    expect(panel.world.account(panel.summary.accounts[2]!.phone).first_name).toBe(before3.first_name);
    const both = await cli(['--json', 'accounts', 'profile', '3', '2', '--last-name', 'K', '--username', taken], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/would both be @/);
  });

  it('refuses bad input with exit 2 before any account acts: placeholders, usernames, photos', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 2, users: 2, groups: 1, seed: 4 }, { ACTION_DELAY: '0-0' });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    await app.close();
    const env = panel.env;
    const dir = panel.dir;
    const big = join(dir, 'big.png');
    writeFileSync(big, png(64, 64, 11 * 1024 * 1024));
    const text = join(dir, 'photo.jpg');
    writeFileSync(text, 'not an image at all');
    const thin = join(dir, 'thin.png');
    writeFileSync(thin, png(2000, 20));
    const cases: Array<[string[], RegExp]> = [
      [['accounts', 'profile', '1', '--first-name', 'A {name}'], /\{name\}: the placeholders are \{phone4\} and \{n\}/],
      [['accounts', 'profile', '1', '--username', 'ab'], /too short/],
      [['accounts', 'profile', '1', '2', '--username', 'same_name'], /would both be @same_name/],
      [['accounts', 'profile', '1', '--bio', 'x'.repeat(71)], /bio has 71 characters/],
      [['accounts', 'profile', '1', '--photo', big], /11\.0 MB; Telegram takes up to 10 MB/],
      [['accounts', 'profile', '1', '--photo', text], /JPEG or PNG/],
      [['accounts', 'profile', '1', '--photo', thin], /differ at most 20 times/],
      [['accounts', 'profile', '1', '--photo', join(dir, 'missing.png')], /cannot read the photo/],
      [['accounts', 'profile', '1'], /say what to change/],
      [['accounts', 'profile', '--first-name', 'A'], /name the accounts/],
      [['accounts', 'profile', '9', '--first-name', 'A'], /no account #9/],
    ];
    for (const [args, why] of cases) {
      const r = await cli(args, env);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(why);
    }
    expect(storedOperations(dir)).toBe(0);
    expect(panel.world.db.prepare('SELECT count(*) AS n FROM profile_photos').get()).toEqual({ n: 0 });
  });
});
