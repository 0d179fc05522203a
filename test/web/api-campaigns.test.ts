import { afterEach, describe, expect, it } from 'vitest';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { readEvents, startHarness, type WebHarness } from './support.ts';

/** Campaigns, monitor rules and bad input over /api/v1, in-process over real HTTP and the simulator. */
let panel: SimPanel;
let web: WebHarness | undefined;
afterEach(async () => {
  await web?.server.stop();
  web = undefined;
  await panel.close();
});

const json = { 'content-type': 'application/json' };

describe('campaigns over the API', () => {
  it('creates a campaign, runs it to done with live events, and exports it; bad input is refused with the CLI reason code and creates nothing', async () => {
    panel = simPanel({ accounts: 2, users: 8, groups: 2, seed: 5 }, { CAMPAIGN_DELAY: '0-0', CAMPAIGN_PER_ACCOUNT: '10' });
    const app = panel.open();
    for (const a of panel.summary.accounts) await enrol(app, a);
    await app.fleet.start();
    web = await startHarness(app);
    const { csrf } = await web.signIn();
    const h = web;
    const post = (path: string, body: unknown): Promise<Response> => h.request(path, { method: 'POST', headers: json, body: JSON.stringify(body), csrf });

    const empty = await post('/api/v1/campaigns', { name: 'spring', message: '   ', targets: ['a_user'] });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ error: 'the message is empty', code: 'campaign_message_empty', problems: [] });
    const shape = await post('/api/v1/campaigns', { name: 'spring', message: 'hi', targets: 42 });
    expect(shape.status).toBe(400);
    expect(await shape.json()).toMatchObject({ code: 'bad_request', params: { field: 'targets' } });
    const notJson = await h.request('/api/v1/campaigns', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'name=x', csrf });
    expect(notJson.status).toBe(400);
    expect(app.campaigns.list()).toEqual([]);

    const targets = panel.summary.usernames.slice(0, 4);
    const created = await post('/api/v1/campaigns', { name: 'spring', message: 'Hello from the panel', targets: [...targets, targets[0], 'not a name!'] });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ created: true, added: 4 });

    const events = await h.request('/api/v1/events');
    const run = await post('/api/v1/campaigns/spring/run', {});
    expect(run.status).toBe(202);
    const seen = await readEvents(events, (e) => e.event === 'campaign' && (e.data as { type: string }).type === 'finished');
    // The poll may announce the campaign's creation (a `progress` summary) before the run starts.
    const types = seen.filter((e) => e.event === 'campaign').map((e) => (e.data as { type: string }).type).filter((t) => t !== 'progress');
    expect(types[0]).toBe('started');
    expect(types.filter((t) => t === 'target').length).toBeGreaterThanOrEqual(4);
    expect(seen.at(-1)!.data).toMatchObject({ name: 'spring', state: 'done' });

    const status = (await (await h.request('/api/v1/campaigns/spring')).json()) as { state: string; counts: Record<string, number> };
    expect(status.state).toBe('done');
    const delivered = panel.world.deliveries().filter((d) => d.text === 'Hello from the panel').map((d) => (d.to ?? '').toLowerCase());
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(delivered.length).toBe(status.counts.sent);

    const csv = await h.request('/api/v1/campaigns/spring/export?format=csv');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="campaign-spring\.csv"/);
    expect((await csv.text()).split('\n').filter((l) => l.trim() !== '').length).toBe(5);

    const unknown = await post('/api/v1/campaigns/nope/pause', {});
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'campaign_unknown', params: { name: 'nope' } });
  });

  it('a proxy password never comes back from the API', async () => {
    panel = simPanel({ accounts: 1 });
    const app = panel.open();
    const id = await enrol(app, panel.summary.accounts[0]!);
    await app.fleet.setProxy(id, 'socks5://alice:s3cret-pw@127.0.0.1:1080');
    web = await startHarness(app);
    await web.signIn();
    for (const path of ['/api/v1/accounts', `/api/v1/accounts/${id}`, '/api/v1/status']) {
      const text = await (await web.request(path)).text();
      expect(text).not.toContain('s3cret-pw');
    }
    expect(await (await web.request(`/api/v1/accounts/${id}`)).json()).toMatchObject({ proxyUrl: 'socks5://alice:***@127.0.0.1:1080' });
    await app.fleet.stop();
  });

  it('monitor keywords: a bad regex is refused with its reason code and nothing is added; the test box changes nothing', async () => {
    panel = simPanel({ accounts: 1 });
    const app = panel.open();
    web = await startHarness(app);
    const { csrf } = await web.signIn();
    const bad = await web.request('/api/v1/monitor/keywords', { method: 'POST', headers: json, body: JSON.stringify({ keyword: '(a', mode: 'regex' }), csrf });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'keyword_bad_regex' });
    expect(app.monitorService.keywords()).toEqual([]);
    await web.request('/api/v1/monitor/keywords', { method: 'POST', headers: json, body: JSON.stringify({ keyword: 'قیمت' }), csrf });
    const test = await web.request('/api/v1/monitor/keywords/test', { method: 'POST', headers: json, body: JSON.stringify({ text: 'قيمت چند است' }), csrf });
    expect(((await test.json()) as Array<{ pattern: string }>).map((k) => k.pattern)).toEqual(['قیمت']);
    expect(app.monitorService.keywords()).toHaveLength(1);
    const missing = await web.request('/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not_found' });
  });
});
