import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { EventHub, SHARED_COUNT_MS, sseFrame, topicFilter, type StreamEvent } from '../../src/interfaces/web/sse.ts';
import { CampaignStore } from '../../src/store/campaigns.ts';
import { simPanel, type SimPanel } from '../support/sim-panel.ts';
import { readEvents, startHarness, type WebHarness } from './support.ts';

let panel: SimPanel | undefined;
let web: WebHarness | undefined;
afterEach(async () => {
  await web?.server.stop();
  web = undefined;
  await panel?.close();
  panel = undefined;
});

/** The live events' ring: resuming by Last-Event-ID returns exactly what was missed, or says it cannot. */
describe('EventHub', () => {
  it('replays the events after a Last-Event-ID, and reports a gap for ids it no longer holds or never issued', () => {
    const hub = new EventHub({ capacity: 3 });
    const ids = [1, 2, 3, 4, 5].map((n) => hub.publish('operation', { n }).id);
    // Holds 3, 4, 5: resuming after 2 loses nothing; after 1, event 2 is gone.
    expect(hub.since(ids[1]) !== 'gap' && (hub.since(ids[1]) as Array<{ data: unknown }>).map((e) => e.data)).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }]);
    expect(hub.since(ids[0])).toBe('gap');
    expect(hub.since(ids[4])).toEqual([]);
    expect(hub.since(undefined)).toEqual([]);
    expect(hub.since('ffffffff.2')).toBe(hub.epoch === 'ffffffff' ? [] : 'gap');
    expect(hub.since(`${hub.epoch}.99`)).toBe('gap');
    expect(hub.since('garbage')).toBe('gap');
  });

  it('a reset for one client is not kept or sent to the others, and resumes from the newest event', () => {
    const hub = new EventHub();
    const got: string[] = [];
    hub.subscribe((e) => got.push(e.topic));
    hub.publish('hit', {});
    const reset = hub.resetEvent();
    expect(got).toEqual(['hit']);
    expect(hub.since(reset.id)).toEqual([]);
  });

  it('an event is one SSE block with its data on one line, the same text for every client', () => {
    const hub = new EventHub();
    const e = hub.publish('hit', { text: 'two\nlines', keywords: ['سلام'] });
    const frame = sseFrame(e);
    expect(frame).toBe(`id: ${e.id}\nevent: hit\ndata: {"text":"two\\nlines","keywords":["سلام"]}\n\n`);
    expect(sseFrame(e)).toBe(frame);
    const wants = topicFilter('campaign, operation')!;
    expect(['campaign', 'operation', 'hit', 'account', 'reset'].filter((t) => wants({ ...e, topic: t as never }))).toEqual(['campaign', 'operation', 'reset']);
    expect(topicFilter('')).toBeNull();
    expect(topicFilter(undefined)).toBeNull();
  });
});

describe('EventHub following a panel', () => {
  it('reads the database only while someone listens; what changed meanwhile is announced when someone comes back, and a client resuming across the quiet spell gets it', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const hub = new EventHub({ pollMs: 1000 });
    try {
      panel = simPanel({ accounts: 1, users: 6, groups: 1, seed: 3 });
      const app = panel.open();
      const targets = panel.summary.usernames;
      const list = vi.spyOn(app.campaigns, 'heads');
      hub.attach(app, silentLogger);
      expect(list).toHaveBeenCalledTimes(1);
      const before = hub.publish('hit', { n: 1 }).id;
      vi.advanceTimersByTime(5000);
      expect(list).toHaveBeenCalledTimes(1);

      app.campaigns.create({ name: 'spring', message: 'Hi', targets: targets.slice(0, 2).join('\n') });
      const got: StreamEvent[] = [];
      const off = hub.subscribe((e) => got.push(e));
      // Woken by the listener: the database read at once, the campaign made meanwhile announced
      // ahead of the listener, for a client that resumes from before.
      expect(list).toHaveBeenCalledTimes(2);
      const missed = hub.since(before);
      const summary = (e: StreamEvent): unknown[] => [e.topic, (e.data as { name: string }).name, (e.data as { total: number }).total];
      expect(missed !== 'gap' && missed.map(summary)).toEqual([['campaign', 'spring', 2]]);
      expect(got).toEqual([]);
      vi.advanceTimersByTime(1000);
      expect(list).toHaveBeenCalledTimes(3);
      expect(got).toEqual([]);
      app.campaigns.create({ name: 'spring', message: 'Hi', targets: targets.slice(0, 4).join('\n') });
      vi.advanceTimersByTime(1000);
      expect(got.map(summary)).toEqual([['campaign', 'spring', 4]]);
      off();
    } finally {
      hub.stop();
      vi.useRealTimers();
    }
  });
});

describe('EventHub counting campaigns', () => {
  it('counts only campaigns whose counts may have moved: not runs of this server, not a campaign stopped long ago with the same rows; a change to its rows is announced, and a page may show the count for a moment', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const hub = new EventHub({ pollMs: 1000 });
    try {
      panel = simPanel({ accounts: 1, users: 8, groups: 1, seed: 3 });
      const app = panel.open();
      const targets = panel.summary.usernames;
      app.campaigns.create({ name: 'spring', message: 'Hi', targets: targets.slice(0, 4).join('\n') });
      app.campaigns.create({ name: 'autumn', message: 'Hi', targets: targets.slice(4, 8).join('\n') });
      const store = new CampaignStore(app.db, { syncClaims: false });
      const spring = store.get('spring')!;
      const now = app.clock.now();
      // A run elsewhere left one row uncertain and one claimed, and was paused two minutes ago.
      store.setState(spring.id, 'running', null, now);
      const claim = (accountId: number, randomId: bigint) => {
        const r = store.claimNext({ campaignId: spring.id, leaseOwner: 'elsewhere', requireLease: false, accountId, randomId, now, dailyCap: 100, skipContacted: true });
        if (r.kind !== 'claimed') throw new Error(r.kind);
        return r.row;
      };
      const account = 1;
      store.markUncertain(claim(account, 1n), { code: 'TIMEOUT', message: 'no answer' }, now);
      const inFlight = claim(account, 2n);
      store.setState(spring.id, 'paused', null, now - 120_000);
      hub.ownCampaigns.add('autumn');

      hub.attach(app, silentLogger);
      const got: StreamEvent[] = [];
      const off = hub.subscribe((e) => got.push(e));
      const progress = vi.spyOn(app.campaigns, 'progress');
      vi.advanceTimersByTime(3000);
      expect(progress).not.toHaveBeenCalled();

      // The claim in flight settles, then the operator decides the uncertain row: each is announced.
      store.markSent(inFlight, 7, now);
      vi.advanceTimersByTime(1000);
      app.campaigns.settle('spring', 'sent');
      vi.advanceTimersByTime(1000);
      expect(progress.mock.calls.map((c) => c[0])).toEqual(['spring', 'spring']);
      const counts = got.map((e) => (e.data as { name: string; counts: Record<string, number> }).counts);
      expect(got.map((e) => [e.topic, (e.data as { name: string }).name])).toEqual([
        ['campaign', 'spring'],
        ['campaign', 'spring'],
      ]);
      expect(counts.map((c) => [c.claimed, c.uncertain, c.sent, c.pending])).toEqual([
        [0, 1, 1, 2],
        [0, 0, 2, 2],
      ]);

      // A page refreshed by that announcement may show its count; later, or for a run of this server, it counts.
      expect(hub.recentProgress('spring')?.counts.sent).toBe(2);
      expect(hub.recentProgress('autumn')).toBeUndefined();
      vi.advanceTimersByTime(SHARED_COUNT_MS);
      expect(hub.recentProgress('spring')).toBeUndefined();
      off();
    } finally {
      hub.stop();
      vi.useRealTimers();
    }
  });
});

describe('/api/v1/events', () => {
  it('with ?topics= sends only those topics, live and when resuming by Last-Event-ID', async () => {
    panel = simPanel({ accounts: 1, users: 2, groups: 1, seed: 3 });
    web = await startHarness(panel.open());
    await web.signIn();
    const hub = web.server.events;
    const before = hub.publish('operation', { n: 0 });
    hub.publish('hit', { n: 1 });
    hub.publish('campaign', { n: 2 });
    hub.publish('account', { n: 3 });
    const res = await web.request('/api/v1/events?topics=campaign', { headers: { 'last-event-id': before.id } });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    // Published after the stream opened: reach it together in one of its batched writes.
    hub.publish('hit', { n: 4 });
    hub.publish('campaign', { n: 5 });
    hub.publish('campaign', { n: 6 });
    const seen = await readEvents(res, (e) => (e.data as { n: number }).n === 6);
    expect(seen.map((e) => [e.event, (e.data as { n: number }).n])).toEqual([
      ['campaign', 2],
      ['campaign', 5],
      ['campaign', 6],
    ]);
  });
});
