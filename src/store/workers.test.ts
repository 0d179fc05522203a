import { expect, it } from 'vitest';
import { describeEngines } from '../../test/support/engines.ts';
import { listWorkers, workerIsLive } from '../engine/workers.ts';
import { LeaseStore } from './leases.ts';
import { WorkerStore, type WorkerRow } from './workers.ts';

const T0 = Date.UTC(2026, 11, 1);
const row = (owner: string, extra: Partial<WorkerRow> = {}): WorkerRow => ({
  owner,
  host: 'h1',
  pid: 100,
  startedAt: T0,
  heartbeatAt: T0,
  ttlMs: 60_000,
  accountsHeld: 0,
  pin: '',
  roles: [],
  version: '0.1.0',
  ...extra,
});

describeEngines('worker rows', (t) => {
  it('register, beat, list and remove; a beat on a removed row says so', () => {
    const store = new WorkerStore(t.db);
    store.register(row('h1/100/a', { pin: 'tag:dc1' }));
    store.register(row('h2/200/b', { host: 'h2', pid: 200, startedAt: T0 + 5 }));
    expect(store.beat('h1/100/a', T0 + 1000, 3, ['bot', 'scheduler'])).toBe(true);
    expect(store.get('h1/100/a')).toMatchObject({ heartbeatAt: T0 + 1000, accountsHeld: 3, roles: ['bot', 'scheduler'], pin: 'tag:dc1', version: '0.1.0' });
    expect(store.all().map((r) => r.owner)).toEqual(['h1/100/a', 'h2/200/b']);
    // Registering again (a restart under the same name) replaces the row.
    store.register(row('h1/100/a', { startedAt: T0 + 9, heartbeatAt: T0 + 9 }));
    expect(store.get('h1/100/a')).toMatchObject({ startedAt: T0 + 9, roles: [], accountsHeld: 0 });
    store.remove('h1/100/a');
    expect(store.beat('h1/100/a', T0 + 2000, 0, [])).toBe(false);
    expect(store.prune(T0 + 1)).toBe(1);
    expect(store.all()).toEqual([]);
  });

  it('a worker is live until its heartbeat is older than its TTL, or its process is gone', () => {
    const r = row('h1/100/a', { heartbeatAt: T0, ttlMs: 1000 });
    expect(workerIsLive(r, T0 + 999, () => false)).toBe(true);
    expect(workerIsLive(r, T0 + 1000, () => false)).toBe(false);
    expect(workerIsLive(r, T0 + 10, () => true)).toBe(false);
  });

  it('lists live workers with the accounts and roles they lease, and recently dead ones with what they last held', () => {
    const store = new WorkerStore(t.db);
    const accounts = new LeaseStore(t.db, 'account');
    const roles = new LeaseStore(t.db, 'role');
    store.register(row('h1/1/live', { heartbeatAt: T0, pin: 'accounts:2,3' }));
    store.register(row('h1/2/dead', { heartbeatAt: T0 - 120_000, accountsHeld: 4, startedAt: T0 - 1 }));
    store.register(row('h1/3/old', { heartbeatAt: T0 - 2 * 3600_000 }));
    expect(accounts.acquire(3, 'h1/1/live', T0, 60_000).ok).toBe(true);
    expect(accounts.acquire(2, 'h1/1/live', T0, 60_000).ok).toBe(true);
    expect(accounts.acquire(7, 'cli/9/x', T0, 60_000).ok).toBe(true);
    expect(roles.acquire(3, 'h1/1/live', T0, 60_000).ok).toBe(true);
    const list = listWorkers(t.db, T0 + 10, () => false);
    expect(list.map((w) => [w.owner, w.live])).toEqual([
      ['h1/1/live', true],
      ['h1/2/dead', false],
    ]);
    expect(list[0]).toMatchObject({ accounts: [2, 3], accountsHeld: 2, roles: ['scheduler'], pin: 'accounts #2, #3' });
    expect(list[1]).toMatchObject({ accounts: [], accountsHeld: 4, roles: [], pin: 'all accounts' });
  });
});
