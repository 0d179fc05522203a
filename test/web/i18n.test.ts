import { describe, expect, it } from 'vitest';
import { ACCOUNT_STATUSES } from '../../src/core/accounts.ts';
import { ACTION_KINDS } from '../../src/core/actions.ts';
import { en } from '../../src/interfaces/web/i18n/en.ts';
import { fa } from '../../src/interfaces/web/i18n/fa.ts';

describe('the dashboard in English and Persian', () => {
  it('has every text in both languages, each Persian string translated', () => {
    for (const [key, value] of Object.entries(en)) {
      const other = (fa as Record<string, unknown>)[key];
      expect(typeof other, key).toBe(typeof value);
      if (typeof value === 'string') expect(other, key).not.toBe(value);
    }
    for (const s of ACCOUNT_STATUSES) expect(fa.status(s)).toMatch(/[\u0600-\u06FF]/);
    for (const k of ACTION_KINDS) expect(fa.kindName(k)).toMatch(/[\u0600-\u06FF]/);
    expect(fa.dir).toBe('rtl');
    expect(fa.n(2026)).toBe('۲۰۲۶');
  });

  it('counts in English with the form the number wants', () => {
    expect([en.fleetTotal(1), en.fleetTotal(3)]).toEqual(['1 account', '3 accounts']);
    expect([en.pruneCount(1), en.pruneCount(2)]).toEqual(['1 account would be removed:', '2 accounts would be removed:']);
    expect([en.ended(1), en.problemHeld(1), en.pruned(1)]).toEqual(['1 session ended.', '1 forward held: the bot cannot post to the channel', '1 account was removed.']);
  });
});
