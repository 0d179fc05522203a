import { afterEach, describe, expect, it } from 'vitest';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { startHarness, type WebHarness } from './support.ts';

/**
 * The actions form picks "N accounts" (never a reserve one) or accounts ticked by name among those
 * usable now, reserve ones marked; both run through the same operations service.
 */
let panel: SimPanel;
let web: WebHarness | undefined;
afterEach(async () => {
  await web?.server.stop();
  web = undefined;
  await panel.close();
});

function form(h: WebHarness, csrf: string, path: string, fields: Record<string, string | string[]>, lang: 'en' | 'fa' = 'en'): Promise<Response> {
  const body = new URLSearchParams({ _csrf: csrf });
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return fetch(h.url(path), { method: 'POST', body, redirect: 'manual', headers: { cookie: `${h.cookie}; lang=${lang}` } });
}

describe('the actions form', () => {
  it('runs an action with the accounts ticked by name, a reserve one included, and refuses none ticked in the page’s language', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 3, groups: 2, seed: 51 }, { ACTION_DELAY: '0-0' });
    const app = panel.open();
    const ids: number[] = [];
    for (const a of panel.summary.accounts) ids.push(await enrol(app, a));
    await app.fleet.start();
    app.tags.change([ids[2]!], 'add', 'reserve');
    web = await startHarness(app);
    const { csrf } = await web.signIn();

    const page = await (await web.request('/actions?kind=join')).text();
    expect(page).toContain('2 can act now');
    for (const id of ids) expect(page).toContain(`name="ids" value="${id}"`);
    expect(page).toMatch(new RegExp(`name="ids" value="${ids[2]}">[^]*?<span class="badge">reserve</span>`));
    expect(page).not.toMatch(new RegExp(`name="ids" value="${ids[0]}">[^<]*<bdi[^>]*>[^<]*</bdi> <span class="badge">reserve`));

    const link = panel.summary.groups[0]!.link;
    const none = await form(web, csrf, '/actions/join', { target: link, pick: 'named' }, 'fa');
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('دست‌کم یک حساب را نام ببرید');
    expect(app.operationStore.list({ limit: 5 })).toEqual([]);

    const started = await form(web, csrf, '/actions/join', { target: link, pick: 'named', ids: [String(ids[0]), String(ids[2])], accounts: '1' });
    expect(started.status).toBe(303);
    const opId = Number(/\/operations\/(\d+)/.exec(started.headers.get('location')!)![1]);
    for (let i = 0; i < 200 && app.operationStore.get(opId)!.status === 'running'; i++) await new Promise((r) => setTimeout(r, 50));
    const record = app.operationStore.get(opId)!;
    expect(record.selection).toEqual({ accountIds: [ids[0], ids[2]] });
    expect(record.results.map((r) => r.accountId).sort()).toEqual([ids[0], ids[2]].sort());

    // A count never picks the reserve account.
    const counted = await form(web, csrf, '/actions/join', { target: panel.summary.groups[1]!.link, pick: 'count', accounts: '2', ids: String(ids[2]) });
    expect(counted.status).toBe(303);
    const countId = Number(/\/operations\/(\d+)/.exec(counted.headers.get('location')!)![1]);
    for (let i = 0; i < 200 && app.operationStore.get(countId)!.status === 'running'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(app.operationStore.get(countId)!.results.map((r) => r.accountId).sort()).toEqual([ids[0], ids[1]].sort());
  });
});
