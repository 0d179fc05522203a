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
});
