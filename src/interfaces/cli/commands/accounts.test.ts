import { describe, expect, it } from 'vitest';
import type { AccountSummary } from '../../../core/accounts.ts';
import { accountsJson, accountsTable } from './accounts.ts';

const now = Date.UTC(2026, 11, 2, 12, 0, 0);
const account = (over: Partial<AccountSummary>): AccountSummary => ({
  id: 1,
  phone: '+15550000001',
  userId: 101,
  username: 'one',
  firstName: 'One',
  status: 'active',
  statusReason: null,
  statusSince: now - 60_000,
  statusUntil: null,
  enabled: true,
  proxyUrl: null,
  groupsCount: 0,
  lastUsedAt: now - 5 * 60_000,
  createdAt: 0,
  ...over,
});

describe('accounts list', () => {
  it('shows flood waits per kind of call as time left, like the other times, and as absolute times in JSON', () => {
    const a = account({ status: 'flood_wait', statusReason: 'FLOOD_WAIT_X on check', statusUntil: now + 9 * 60_000 });
    const waits = new Map([[1, { check: now + 9 * 60_000, join: now + 2 * 3600_000 }]]);
    const text = accountsTable([a], now, false, waits);
    expect(text).toContain('flood_wait (check 9m, join 2h)');
    expect(text).toContain('5m ago');
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect(accountsJson([a], waits)).toEqual([
      expect.objectContaining({ id: 1, status: 'flood_wait', waits: { check: '2026-12-02T12:09:00.000Z', join: '2026-12-02T14:00:00.000Z' } }),
    ]);
  });

  it('shows a status with its own end (a @SpamBot limit) as time left', () => {
    const text = accountsTable([account({ status: 'peer_flood', statusUntil: now + 3 * 86_400_000 })], now);
    expect(text).toContain('peer_flood (lifts in 3d)');
  });
});
