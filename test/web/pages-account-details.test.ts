import { afterEach, describe, expect, it } from 'vitest';
import { reason } from '../../src/core/reasons.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { startHarness, type WebHarness } from './support.ts';

/**
 * An account's page shows its status history with reasons (worded per language from the stored
 * codes) and its flood waits per kind of call with the time left; the accounts table filters by
 * proxy (with one, without one, or behind a given host).
 */
let panel: SimPanel;
let web: WebHarness | undefined;
afterEach(async () => {
  await web?.server.stop();
  web = undefined;
  await panel.close();
});

async function page(h: WebHarness, path: string, lang: 'en' | 'fa' = 'en'): Promise<string> {
  const res = await fetch(h.url(path), { headers: { cookie: `${h.cookie}; lang=${lang}` } });
  expect(res.status).toBe(200);
  return res.text();
}

describe('account details on the dashboard', () => {
  it('lists status changes with their reasons and the flood waits per kind of call with the time left', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 2, seed: 41 });
    const app = panel.open();
    const id = await enrol(app, panel.summary.accounts[0]!);
    web = await startHarness(app);
    await web.signIn();

    expect(await page(web, `/accounts/${id}`)).toContain('No flood wait: every kind of call is open.');
    const now = app.clock.now();
    app.accounts.setStatus(id, 'flood_wait', reason('account_flood_wait', { code: 'FLOOD_WAIT_7200', call: 'messages.sendReaction' }), now, now + 2 * 3600_000);
    app.accounts.park(id, 'reaction', now + 2 * 3600_000, 'FLOOD_WAIT_7200');
    app.accounts.park(id, 'join', now + 25 * 60_000, 'FLOOD_WAIT_1500');
    app.accounts.setStatus(id, 'peer_flood', reason('spambot_limited'), now + 1);

    const en = await page(web, `/accounts/${id}`);
    const history = /<table class="status-history">(.*?)<\/table>/s.exec(en)![1]!;
    const rows = history.split('<tr>').slice(2);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('status-peer_flood');
    expect(rows[0]).toContain('@SpamBot: limited');
    expect(rows[1]).toContain('status-flood_wait');
    expect(rows[1]).toContain('FLOOD_WAIT_7200 on messages.sendReaction');
    expect(rows[2]).toContain('status-active');
    const waits = /<table class="waits">(.*?)<\/table>/s.exec(en)![1]!;
    expect(waits).toMatch(/<tr data-kind="join"><td>Join<\/td><td>25 min<\/td>/);
    expect(waits).toMatch(/<tr data-kind="reaction"><td>Reaction<\/td><td>2 h<\/td>/);
    expect(waits.indexOf('data-kind="join"')).toBeLessThan(waits.indexOf('data-kind="reaction"'));

    const fa = await page(web, `/accounts/${id}`, 'fa');
    expect(fa).toContain('تاریخچهٔ وضعیت');
    expect(fa).toContain('تلگرام خواسته این حساب صبر کند');
    expect(fa).toContain('۲۵ دقیقه');
  });

  it('filters the accounts table by proxy: with one, without one, or behind a given host', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 3, seed: 42 });
    const app = panel.open();
    const ids: number[] = [];
    for (const a of panel.summary.accounts) ids.push(await enrol(app, a));
    web = await startHarness(app);
    await web.signIn();
    app.accounts.setProxy(ids[0]!, { url: 'socks5://u:secretpw@10.0.0.1:1080', label: 'socks5://10.0.0.1:1080' });
    app.accounts.setProxy(ids[1]!, { url: 'http://10.0.0.2:3128', label: 'http://10.0.0.2:3128' });
    const shown = (html: string): number[] => [...html.matchAll(/name="ids" value="(\d+)"/g)].map((m) => Number(m[1]));

    const all = await page(web, '/accounts');
    expect(shown(all)).toEqual(ids);
    expect(all).toContain('<option value="10.0.0.1:1080">10.0.0.1:1080</option>');
    expect(all).not.toContain('secretpw');
    expect(shown(await page(web, '/accounts?proxy=with'))).toEqual([ids[0], ids[1]]);
    expect(shown(await page(web, '/accounts?proxy=without'))).toEqual([ids[2]]);
    const one = await page(web, '/accounts?proxy=10.0.0.2%3A3128');
    expect(shown(one)).toEqual([ids[1]]);
    expect(one).toContain('<option value="10.0.0.2:3128" selected>');
    expect(await page(web, '/accounts?proxy=with', 'fa')).toContain('با پراکسی');
  });
});
