import { describe, expect, it } from 'vitest';
import type { WorkerView } from '../../../engine/workers.ts';
import { ago, renderWorkers } from './workers.ts';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const view = (extra: Partial<WorkerView>): WorkerView => ({
  owner: 'h/1/a',
  host: 'h',
  pid: 1,
  live: true,
  startedAt: NOW - 3600_000,
  heartbeatAt: NOW - 4000,
  accounts: [],
  accountsHeld: 0,
  roles: [],
  pin: 'all accounts',
  version: '0.1.0',
  ...extra,
});

describe('workers (human form)', () => {
  it('shows each worker’s accounts, roles, filter and heartbeat, live ones and dead ones', () => {
    const text = renderWorkers(
      [
        view({ host: 'berlin', pid: 10, accounts: [3, 4, 7], accountsHeld: 3, roles: ['bot', 'scheduler'], pin: 'tag dc1' }),
        view({ host: 'paris', pid: 20, live: false, heartbeatAt: NOW - 125_000, accountsHeld: 5 }),
      ],
      NOW,
    );
    expect(text).toContain('1 live worker, 1 dead within the last hour');
    expect(text).toMatch(/berlin\/10\s+live\s+3: #3 #4 #7\s+bot, scheduler\s+tag dc1\s+4 s ago/);
    expect(text).toMatch(/paris\/20\s+dead\s+5 at its last heartbeat\s+-\s+all accounts\s+2 min ago/);
    expect(renderWorkers([], NOW)).toContain('no worker is running');
    expect(ago(3 * 3600_000 + 60_000)).toBe('3 h 1 min ago');
  });
});
