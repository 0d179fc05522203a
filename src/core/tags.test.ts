import { describe, expect, it } from 'vitest';
import { normalizeTag, parseTag, pickable, RESERVE_TAG, tagRule } from './tags.ts';

describe('account tags', () => {
  it('reads a tag without case, a leading # or invisible marks', () => {
    expect(normalizeTag(' #VIP\u200e ')).toBe('vip');
    expect(parseTag('Batch-2_a')).toEqual({ ok: true, tag: 'batch-2_a' });
    expect(parseTag('گروه۱')).toEqual({ ok: true, tag: 'گروه۱' });
  });

  it('refuses empty, long and punctuated tags with the rule broken', () => {
    expect(tagRule('')).toBe('empty');
    expect(tagRule('a'.repeat(33))).toBe('too_long');
    expect(tagRule('-x')).toBe('chars');
    expect(tagRule('a b')).toBe('chars');
    expect(tagRule('a,b')).toBe('chars');
    const bad = parseTag('no way');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problem).toMatch(/letters, digits, _ and -/);
  });

  it('keeps the reserve out of automatic picks unless its tag is asked for', () => {
    const accounts = [{ id: 1, tags: [] }, { id: 2, tags: [RESERVE_TAG] }, { id: 3, tags: ['vip', RESERVE_TAG] }, { id: 4 }];
    expect(pickable(accounts).map((a) => a.id)).toEqual([1, 4]);
    expect(pickable(accounts, 'vip').map((a) => a.id)).toEqual([3]);
    expect(pickable(accounts, RESERVE_TAG).map((a) => a.id)).toEqual([2, 3]);
  });
});
