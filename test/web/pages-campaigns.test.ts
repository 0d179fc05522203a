import { afterEach, describe, expect, it } from 'vitest';
import { reason } from '../../src/core/reasons.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { startHarness, type WebHarness } from './support.ts';

/**
 * A campaign's page over real HTTP against the simulator: messages over time per account as a
 * server-rendered chart, each account's use of the campaign cap and the daily cap, and a flood
 * wait or PEER_FLOOD with its time left, in the live part the page refreshes, in both languages.
 */
let panel: SimPanel;
let web: WebHarness | undefined;
afterEach(async () => {
  await web?.server.stop();
  web = undefined;
  await panel.close();
});

describe('a campaign page', () => {
  it('draws the messages sent per account over time and shows each account’s caps and waits', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 3, users: 8, groups: 1, seed: 11 }, { CAMPAIGN_DELAY: '0-0', CAMPAIGN_PER_ACCOUNT: '10', CAMPAIGN_DAILY_CAP: '20' });
    const app = panel.open();
    const ids: number[] = [];
    for (const a of panel.summary.accounts) ids.push(await enrol(app, a));
    await app.fleet.start();
    web = await startHarness(app);
    await web.signIn();

    const empty = await (await web.request('/campaigns')).text();
    expect(empty).toContain('Campaigns');
    app.campaigns.create({ name: 'spring', message: 'Hello from the panel', targets: panel.summary.usernames.slice(0, 6).join('\n') });
    expect(await (await web.request('/campaigns/spring')).text()).toContain('Nothing sent yet.');
    const report = await app.campaigns.run('spring');
    expect(report.state).toBe('done');
    const sent = report.counts.sent;
    expect(sent).toBeGreaterThan(0);

    const page = await (await web.request('/campaigns/spring')).text();
    expect(page).toContain('Messages over time');
    expect(page).toMatch(/<svg class="chart-svg"[^>]*role="img"/);
    // One bar segment per account and bucket; the legend's totals add up to what was sent.
    expect((page.match(/<rect class="series-\d"/g) ?? []).length).toBeGreaterThan(0);
    const legend = /<ul class="legend">(.*?)<\/ul>/s.exec(page)![1]!;
    const totals = [...legend.matchAll(/<span class="muted">(\d+)<\/span>/g)].map((m) => Number(m[1]));
    expect(totals.reduce((a, b) => a + b, 0)).toBe(sent);
    expect(page).not.toMatch(/style=/);
    const status = app.campaigns.status('spring');
    const busiest = status.accounts.find((a) => a.sent > 0)!;
    expect(page).toMatch(new RegExp(`<tr data-account="${busiest.accountId}">.*?<td>${busiest.sent} of 10</td><td>${busiest.sent} of 20</td>`, 's'));

    // A flood wait on private messages and a PEER_FLOOD, with the time left, in the live part.
    const now = app.clock.now();
    app.accounts.park(ids[0]!, 'pm', now + 90 * 60_000, 'FLOOD_WAIT_5400');
    app.accounts.setStatus(ids[1]!, 'peer_flood', reason('spambot_limited', { until: now + 3 * 3600_000 }), now, now + 3 * 3600_000);
    const live = await (await web.request('/campaigns/spring/live')).text();
    expect(live).toMatch(new RegExp(`<tr data-account="${ids[0]}">.*?flood wait, 1 h 30 min left`, 's'));
    expect(live).toMatch(new RegExp(`<tr data-account="${ids[1]}">.*?PEER_FLOOD: may not message strangers, 3 h left`, 's'));
    expect(live).toContain('chart-svg');

    const fa = await (await fetch(web.url('/campaigns/spring/live'), { headers: { cookie: `${web.cookie}; lang=fa` } })).text();
    expect(fa).toContain('پیام‌ها در گذر زمان');
    expect(fa).toContain('۱ ساعت و ۳۰ دقیقه مانده');
    expect(fa).toContain('۳ ساعت مانده');

    // A page that shows this chart and table already is answered a stand-in for them while they
    // are unchanged, with the progress line whole; any other version, or a change, brings them again.
    const version = /class="live-detail" data-version="([^"]+)"/.exec(live)![1]!;
    const same = await (await web.request(`/campaigns/spring/live?detail=${version}`)).text();
    expect(same).toContain(`<div class="live-detail" data-version="${version}" data-same="1"></div>`);
    expect(same).not.toContain('<table');
    expect(same).not.toContain('chart-svg');
    expect(same).toContain(`<progress class="wide" max="6" value="6">`);
    expect(/data-version="([^"]+)"/.exec(fa)![1]).not.toBe(version);
    expect(await (await fetch(web.url(`/campaigns/spring/live?detail=${version}`), { headers: { cookie: `${web.cookie}; lang=fa` } })).text()).toContain('<table');
    app.accounts.park(ids[0]!, 'pm', now + 150 * 60_000, 'FLOOD_WAIT_9000');
    const changed = await (await web.request(`/campaigns/spring/live?detail=${version}`)).text();
    expect(changed).toMatch(new RegExp(`<tr data-account="${ids[0]}">.*?flood wait, 2 h 30 min left`, 's'));
    expect(changed).not.toContain('data-same');
  });
});
