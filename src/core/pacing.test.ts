import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pacer, pacingRules, type PacingRules } from './pacing.ts';

const base = { actionDelay: { min: 8, max: 15 } };

describe('pacingRules', () => {
  it('derives per-kind rules from the configured delay, slower for joins, comments and messages', () => {
    const r = pacingRules(base);
    expect(r.reaction.gapMs).toEqual({ min: 8000, max: 15000 });
    expect(r.join.gapMs).toEqual({ min: 16000, max: 30000 });
    expect(r.pm.gapMs.min).toBeGreaterThan(r.comment.gapMs.min);
    expect(r.pm.perHour).toBeLessThan(r.reaction.perHour);
  });

  it('applies overrides and refuses inconsistent ones', () => {
    expect(pacingRules(base, { vote: { burst: 2, perHour: Infinity } }).vote).toMatchObject({ burst: 2, perHour: Infinity });
    expect(() => pacingRules(base, { vote: { gapMs: { min: 5, max: 1 } } })).toThrow(/vote/);
    expect(() => pacingRules(base, { pm: { burst: 0 } })).toThrow(/pm/);
  });
});

function rules(over: Partial<PacingRules['reaction']>): PacingRules {
  return pacingRules({ actionDelay: { min: 0, max: 0 } }, { reaction: over });
}

describe('Pacer', () => {
  it('lets a burst through at the pause alone, then holds to the hourly rate', () => {
    const p = new Pacer(rules({ burst: 3, perHour: 60 }));
    const starts: number[] = [];
    let t = 0;
    for (let i = 0; i < 5; i++) {
      t = Math.max(t, p.readyAt(1, 'reaction'));
      starts.push(t);
      p.start(1, 'reaction', t);
      p.finish(1, 'reaction', t);
    }
    expect(starts).toEqual([0, 0, 0, 60_000, 120_000]);
    // Per account and per kind.
    expect(p.readyAt(2, 'reaction')).toBe(-Infinity);
    expect(p.readyAt(1, 'vote')).toBe(-Infinity);
  });

  it('draws the pause after each attempt from the account\'s own random source', () => {
    const p = new Pacer(pacingRules(base), (id) => () => (id === 1 ? 0 : 0.5));
    p.start(1, 'reaction', 1000);
    p.finish(1, 'reaction', 2000);
    p.start(2, 'reaction', 1000);
    p.finish(2, 'reaction', 2000);
    expect(p.readyAt(1, 'reaction')).toBe(2000 + 8000);
    expect(p.readyAt(2, 'reaction')).toBe(2000 + 11_500);
  });

  it('counts the shortest pause from a last use it did not see', () => {
    const p = new Pacer(pacingRules(base));
    p.seed(1, 50_000);
    p.seed(1, 0); // only the first seed counts
    expect(p.readyAt(1, 'join')).toBe(50_000 + 16_000);
  });

  it('never allows more than the burst plus the refill in any window, nor a pause shorter than the minimum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 10, max: 600 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.array(fc.integer({ min: 0, max: 120_000 }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (burst, perHour, gapMin, delays, u) => {
          const p = new Pacer(rules({ burst, perHour, gapMs: { min: gapMin, max: gapMin * 2 } }), () => () => u);
          const starts: number[] = [];
          let t = 0;
          for (const d of delays) {
            t = Math.max(t + d, p.readyAt(7, 'reaction'));
            starts.push(t);
            p.start(7, 'reaction', t);
            p.finish(7, 'reaction', t);
          }
          for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(gapMin - 1e-6);
          for (let i = 0; i < starts.length; i++) {
            for (let j = i; j < starts.length; j++) {
              const window = starts[j]! - starts[i]!;
              expect(j - i + 1).toBeLessThanOrEqual(burst + (window * perHour) / 3_600_000 + 1e-6);
            }
          }
        },
      ),
    );
  });
});
