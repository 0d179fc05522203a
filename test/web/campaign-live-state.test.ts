import { afterEach, describe, expect, it, vi } from 'vitest';
import { CampaignStore } from '../../src/store/campaigns.ts';
import { CampaignLiveStates } from '../../src/interfaces/web/pages/campaign-live-state.ts';
import { simPanel, type SimPanel } from '../support/sim-panel.ts';

/**
 * What a campaign's live part reads, against a real panel database: while it runs, the progress
 * line is exact at every read and the per-account detail is shared for a while; otherwise every
 * read is whole.
 */
let panel: SimPanel;
afterEach(async () => {
  await panel.close();
});

describe('a campaign’s live state', () => {
  it('while running, counts are read every time and the per-account detail at most once per max age; paused, everything every time', () => {
    panel = simPanel({ accounts: 2, users: 8, groups: 1, seed: 4 });
    const app = panel.open();
    const names = panel.summary.usernames;
    app.campaigns.create({ name: 'spring', message: 'Hi', targets: names.slice(0, 4).join('\n') });
    const store = new CampaignStore(app.db);
    const id = store.get('spring')!.id;
    store.setState(id, 'running', null, app.clock.now());
    let now = 1_000;
    const lives = new CampaignLiveStates(app.campaigns, () => now, 10_000);
    const status = vi.spyOn(app.campaigns, 'status');
    const timeline = vi.spyOn(app.campaigns, 'timeline');

    const first = lives.read('spring');
    expect(first.status).toMatchObject({ name: 'spring', state: 'running', counts: { pending: 4 } });
    expect(status).toHaveBeenCalledTimes(1);

    // Two more targets while it runs: the counts show them at once, the detail is the one read before.
    app.campaigns.create({ name: 'spring', message: 'Hi', targets: names.slice(0, 6).join('\n') });
    now += 9_999;
    const second = lives.read('spring');
    expect(second.status.counts.pending).toBe(6);
    expect(second.status.accounts).toBe(first.status.accounts);
    expect(second.timeline).toBe(first.timeline);
    expect([status.mock.calls.length, timeline.mock.calls.length]).toEqual([1, 1]);

    now += 1;
    expect(lives.read('spring').status.accounts).not.toBe(first.status.accounts);
    expect([status.mock.calls.length, timeline.mock.calls.length]).toEqual([2, 2]);

    // Paused (or done): exact figures at every read.
    store.setState(id, 'paused', null, app.clock.now());
    expect(lives.read('spring').status.state).toBe('paused');
    lives.read('spring');
    expect(status).toHaveBeenCalledTimes(4);
    expect(() => lives.read('autumn')).toThrow(/no campaign named "autumn"/);

    // Running again with the detail fresh: a count read moments ago for everyone (the event
    // poll's) is shown instead of counting again; without one the page counts.
    store.setState(id, 'running', null, app.clock.now());
    let recent: ReturnType<typeof app.campaigns.progress> | undefined;
    const shared = new CampaignLiveStates(app.campaigns, () => now, 10_000, () => recent);
    shared.read('spring');
    const progress = vi.spyOn(app.campaigns, 'progress');
    recent = { ...app.campaigns.progress('spring'), counts: { ...app.campaigns.progress('spring').counts, pending: 5, sent: 1 } };
    progress.mockClear();
    expect(shared.read('spring').status.counts).toMatchObject({ pending: 5, sent: 1 });
    expect(progress).not.toHaveBeenCalled();
    recent = undefined;
    expect(shared.read('spring').status.counts).toMatchObject({ pending: 6, sent: 0 });
    expect(progress).toHaveBeenCalledTimes(1);
  });
});
