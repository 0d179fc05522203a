import { describe, expect, it } from 'vitest';
import { PROBLEM_STATUSES } from './accounts.ts';
import { FAILURE_POLICY, policyOf, statusNeedsOperator } from './failure-policy.ts';
import { FAILURE_KINDS } from './failures.ts';

describe('the failure policy table', () => {
  it('has one row per failure kind', () => {
    expect(Object.keys(FAILURE_POLICY).sort()).toEqual([...FAILURE_KINDS].sort());
  });

  it('maps failure kinds to what they mean for a campaign row', () => {
    expect(policyOf('not_found').row).toBe('not_found');
    expect(policyOf('privacy_restricted').row).toBe('privacy_restricted');
    expect(policyOf('flood_wait').row).toBe('park');
    expect(policyOf('peer_flood').row).toBe('peer_flood');
    expect(policyOf('banned').row).toBe('account_lost');
    expect(policyOf('not_allowed').row).toBe('refused');
    // A lost connection may have delivered: only the same account may try again.
    expect(policyOf('network').row).toBe('ambiguous');
    expect(policyOf('unknown').row).toBe('ambiguous');
    // Another process holds the account: its claims wait for it, they are not given up.
    expect(policyOf('lease_held').row).toBe('account_busy');
  });

  it('a flood wait parks one kind of call and never marks the account unusable', () => {
    const p = policyOf('flood_wait');
    expect(p.parksKind).toBe(true);
    expect(p.status.call).toBe('flood_wait');
    expect(p.status.connect).not.toBe('error');
    expect(p.endsSession).toBe(false);
  });

  it('only account-ending failures wait for the operator, and they are the problem statuses', () => {
    expect(PROBLEM_STATUSES.every(statusNeedsOperator)).toBe(true);
    expect(['active', 'error', 'flood_wait', 'peer_flood', 'connecting', 'disabled'].some((s) => statusNeedsOperator(s as never))).toBe(false);
  });

  it('failures about the target are never handed to another account; failures about the account are', () => {
    for (const k of ['not_found', 'privacy_restricted', 'not_allowed', 'bad_request', 'no_access'] as const) expect(policyOf(k).replaceable).toBe(false);
    for (const k of ['flood_wait', 'peer_flood', 'revoked', 'banned', 'frozen', 'duplicate_session', 'network', 'proxy', 'lease_held', 'disabled', 'no_account'] as const) {
      expect(policyOf(k).replaceable).toBe(true);
    }
  });
});
