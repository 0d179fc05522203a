import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { enrol, simPanel, storedOperations, type SimPanel } from '../support/sim-panel.ts';

let panel: SimPanel;
afterEach(async () => {
  await panel.close();
});

describe('accounts tag and --tag selectors (simulated Telegram)', () => {
  it('tags accounts, lists them, keeps the reserve out of --accounts N and selects by tag', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 3, groups: 3, seed: 5 }, { ACTION_DELAY: '0-0' });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    await app.close();
    const env = panel.env;
    const post = panel.summary.posts.find((p) => !p.link.includes('/c/'))!;
    const channel = post.link.replace(/\/\d+$/, '');

    expect(await cli(['accounts', 'tag', '1', '2', 'add', 'VIP'], env)).toMatchObject({ code: 0, stdout: 'tagged 2 account(s) with vip\n' });
    expect((await cli(['accounts', 'tag', '#3', 'add', 'reserve'], env)).code).toBe(0);
    expect((await cli(['accounts', 'tag', '1', 'add', 'vip'], env)).stdout).toMatch(/tagged 0 account\(s\) with vip; 1 had it already/);
    const list = await cli(['--json', 'accounts', 'list'], env);
    expect((JSON.parse(list.stdout) as Array<{ id: number; tags: string[] }>).map((a) => [a.id, a.tags])).toEqual([
      [1, ['vip']],
      [2, ['vip']],
      [3, ['reserve']],
    ]);
    expect((await cli(['accounts', 'list'], env)).stdout).toMatch(/tags[\s\S]*reserve/);

    // Bad input exits 2 before anything is changed or recorded.
    expect(await cli(['accounts', 'tag', '1', 'add', 'no way'], env)).toMatchObject({ code: 2 });
    expect(await cli(['accounts', 'tag', '1', 'tweak', 'vip'], env)).toMatchObject({ code: 2 });
    expect(await cli(['accounts', 'tag', '9', 'add', 'vip'], env)).toMatchObject({ code: 2 });
    expect(await cli(['act', 'join', channel, '--accounts', '3'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/only 2 can do joins/) });
    expect(await cli(['act', 'join', channel, '--tag', 'nobody'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/no account is tagged nobody/) });
    expect(await cli(['act', 'join', channel, '--tag', 'a,b', '--accounts', '1'], env)).toMatchObject({ code: 2 });
    expect(storedOperations(panel.dir)).toBe(0);

    const two = await cli(['--json', 'act', 'join', channel, '--accounts', '2'], env);
    expect(two.code).toBe(0);
    expect((JSON.parse(two.stdout) as { results: Array<{ accountId: number }> }).results.map((r) => r.accountId).sort()).toEqual([1, 2]);
    const reserve = await cli(['--json', 'act', 'join', channel, '--tag', 'reserve'], env);
    expect(JSON.parse(reserve.stdout)).toMatchObject({ selection: { accountIds: [3] }, summary: { done: 1 } });

    const check = await cli(['--json', 'accounts', 'check', '--tag', 'vip'], env);
    expect((JSON.parse(check.stdout) as Array<{ accountId: number }>).map((r) => r.accountId).sort()).toEqual([1, 2]);

    expect((await cli(['accounts', 'tag', '3', 'remove', 'reserve'], env)).stdout).toMatch(/untagged 1 account\(s\) from reserve/);
    expect((await cli(['act', 'join', channel, '--accounts', '3'], env)).code).toBe(0);
  });

  it("a campaign's default account set leaves the reserve out; --tag takes the tagged accounts", { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 3, users: 12, groups: 2, seed: 6 }, { CAMPAIGN_DELAY: '0-0', CAMPAIGN_PER_ACCOUNT: '10' });
    const app = panel.open();
    for (const acc of panel.summary.accounts) await enrol(app, acc);
    app.tags.change([2], 'add', 'reserve');
    app.tags.change([3], 'add', 'b');
    const people = panel.summary.usernames.slice(0, 6).join('\n');
    app.campaigns.create({ name: 'spring', message: 'hello there', targets: people });
    expect(app.campaigns.status('spring').accounts.map((a) => a.accountId)).toEqual([1, 3]);
    await app.campaigns.run('spring');
    const reservePhone = panel.summary.accounts[1]!.phone;
    const sent = panel.world.deliveries().filter((d) => d.text === 'hello there');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((d) => d.from === reservePhone)).toEqual([]);

    const tagged = app.campaigns.create({ name: 'tagged', message: 'hi b', targets: people, tag: 'B' });
    expect(tagged.campaign.accountIds).toEqual([3]);
    expect(() => app.campaigns.create({ name: 'none', message: 'x', targets: people, tag: 'nobody' })).toThrow(/no account is tagged nobody/);
  });
});
