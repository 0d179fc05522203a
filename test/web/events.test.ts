import { describe, expect, it } from 'vitest';
import { EventHub } from '../../src/interfaces/web/sse.ts';

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
});
