import { afterEach, describe, expect, it } from 'vitest';
import { MonitorStore } from '../../src/store/monitor.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { startHarness, type WebHarness } from './support.ts';

/**
 * The monitor's lists (ignored senders, target chats picked from the accounts' chats, a forward
 * retried by its row), the Settings page's pacing and language, and the schedules list with
 * removal, over real HTTP. Bad input is refused in the page's language and changes nothing.
 */
let panel: SimPanel;
let web: WebHarness | undefined;
afterEach(async () => {
  await web?.server.stop();
  web = undefined;
  await panel.close();
});

function form(h: WebHarness, csrf: string, path: string, fields: Record<string, string>, lang: 'en' | 'fa' = 'en'): Promise<Response> {
  return fetch(h.url(path), { method: 'POST', body: new URLSearchParams({ _csrf: csrf, ...fields }), redirect: 'manual', headers: { cookie: `${h.cookie}; lang=${lang}` } });
}

describe('the monitor page', () => {
  it('ignores and un-ignores senders, watches a chat picked from the accounts\' chats and stops, retries one waiting forward', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 1, groups: 3, seed: 41 });
    const app = panel.open();
    const id = await enrol(app, panel.summary.accounts[0]!);
    // The account joins a public group; its chats are what the page offers as targets.
    const group = panel.summary.groups.map((g) => ({ ...g, row: panel.world.findChat(g.link) })).find((g) => g.row.kind === 'supergroup' && g.row.username && !g.row.join_request)!;
    await (await app.fleet.session(id)).join({ kind: 'public', username: group.row.username! });
    await app.monitorService.refreshGroups(app.fleet);
    web = await startHarness(app);
    const { csrf } = await web.signIn();
    const m = app.monitorService;

    expect((await form(web, csrf, '/monitor/ignored', { ref: '@spammer_bot1' })).status).toBe(200);
    expect(m.ignored().map((i) => i.username)).toEqual(['spammer_bot1']);
    const bad = await form(web, csrf, '/monitor/ignored', { ref: 'not a name!' }, 'fa');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('انجام نشد');
    expect(m.ignored()).toHaveLength(1);
    await form(web, csrf, '/monitor/ignored/remove', { ref: '@spammer_bot1' });
    expect(m.ignored()).toHaveLength(0);

    const page = await (await web.request('/monitor')).text();
    const chat = m.knownChats()[0]!.chat;
    expect(page).toContain(`<option value="${chat.id}">`);
    await form(web, csrf, '/monitor/targets', { ref: String(chat.id) });
    expect(m.targets().map((t) => t.chatId)).toEqual([chat.id]);
    expect((await form(web, csrf, '/monitor/targets', { ref: '-100999' })).status).toBe(400);
    await form(web, csrf, '/monitor/targets/remove', { ref: String(chat.id) });
    expect(m.targets()).toHaveLength(0);

    // A forward waiting (held: the bot could not post) is retried by its row alone.
    const store = new MonitorStore(app.db);
    store.recordHit({ chatId: chat.id, messageId: 5, accountId: 1, chatTitle: chat.title, keywords: ['x'], payload: { text: 'x', entities: [], buttons: [] }, at: Date.now() });
    const row = store.outbox()[0]!;
    store.retryLater(row.id, Date.now() + 3_600_000, 'CHAT_WRITE_FORBIDDEN', true);
    expect(await (await web.request('/monitor')).text()).toContain(`name="id" value="${row.id}"`);
    expect(await (await form(web, csrf, '/monitor/retry', { id: String(row.id) })).text()).toContain('It is sent again shortly.');
    expect(store.outboxRow(row.id)).toMatchObject({ held: false });
    expect(store.outboxRow(row.id)!.nextAt).toBeLessThanOrEqual(Date.now());
    expect((await form(web, csrf, '/monitor/retry', { id: '424242' })).status).toBe(400);
  });
});

describe('settings and schedules', () => {
  it('changes the pacing the bot\'s Settings menu changes, refuses a bad value in Persian, resets; the language is picked here', { timeout: 30_000 }, async () => {
    panel = simPanel({ accounts: 1, seed: 42 });
    const app = panel.open();
    web = await startHarness(app);
    const { csrf } = await web.signIn();

    const page = await (await web.request('/settings')).text();
    expect(page).toContain('name="field" value="actionDelay"');
    expect(page).toContain('href="/settings" aria-current="page"');

    expect((await form(web, csrf, '/settings/pacing', { field: 'actionDelay', value: '3-7' })).status).toBe(200);
    expect(app.pacing.current().actionDelay).toEqual({ min: 3, max: 7 });
    expect((await form(web, csrf, '/settings/pacing', { field: 'campaignDailyCap', value: '۴۰' })).status).toBe(200);
    expect(app.pacing.overrides()).toEqual({ actionDelay: { min: 3, max: 7 }, campaignDailyCap: 40 });

    const bad = await form(web, csrf, '/settings/pacing', { field: 'actionConcurrency', value: '500' }, 'fa');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('عددی درست از ۱ تا ۵۰ بنویسید');
    const badRange = await form(web, csrf, '/settings/pacing', { field: 'actionDelay', value: '9-2' });
    expect(badRange.status).toBe(400);
    expect(app.pacing.overrides()).toEqual({ actionDelay: { min: 3, max: 7 }, campaignDailyCap: 40 });

    await form(web, csrf, '/settings/pacing/reset', {});
    expect(app.pacing.overrides()).toEqual({});

    const lang = await form(web, csrf, '/lang', { lang: 'fa', to: '/settings' });
    expect(lang.headers.get('location')).toBe('/settings');
    expect(lang.headers.getSetCookie().join()).toContain('lang=fa');
  });

  it('lists schedules with their next run and removes one; an unknown one is refused in Persian', { timeout: 30_000 }, async () => {
    panel = simPanel({ accounts: 1, seed: 43 });
    const app = panel.open();
    const s = app.schedules.add({ when: '+2h', tz: 'UTC', job: { kind: 'accounts-check', ids: null, spam: false }, command: 'accounts check --all', actor: 'cli' });
    web = await startHarness(app);
    const { csrf } = await web.signIn();

    const page = await (await web.request('/schedules')).text();
    expect(page).toContain(`data-schedule="${s.id}"`);
    expect(page).toContain('accounts check --all');

    const unknown = await form(web, csrf, '/schedules/remove', { id: '999' }, 'fa');
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('انجام نشد');
    expect(app.schedules.list()).toHaveLength(1);

    expect(await (await form(web, csrf, '/schedules/remove', { id: String(s.id) })).text()).toContain(`Schedule #${s.id} was removed.`);
    expect(app.schedules.list()).toHaveLength(0);
    expect(await (await web.request('/schedules')).text()).toContain('telegram-panel schedule add');
  });
});
