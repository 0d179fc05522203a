import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/fake-bot-api.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { byPid, canFakeAnotherHost, duplicatedSessions, killWorkers, startWorker, workersJson } from './support.ts';

let panel: SimPanel | undefined;
afterEach(async () => {
  killWorkers();
  await panel?.close();
  panel = undefined;
});

describe('workers over one SQLite file', () => {
  it('split the accounts, list themselves, and the survivor takes a killed worker’s accounts and roles', async () => {
    panel = simPanel({ accounts: 6, users: 6, groups: 2, seed: 21 });
    const app = panel.open();
    const ids: number[] = [];
    for (const a of panel.summary.accounts) ids.push(await enrol(app, a));

    const a = startWorker(panel, {});
    // Alone, a worker holds every account and every role it runs, as a single panel does.
    await eventually(() => byPid(app.workers(), a.pid)?.accounts.length === 6, 'the first worker to hold all six', 60_000);
    expect(byPid(app.workers(), a.pid)?.roles).toEqual(['scheduler']);

    const b = startWorker(panel, {});
    await eventually(() => byPid(app.workers(), b.pid)?.accounts.length === 3 && byPid(app.workers(), a.pid)?.accounts.length === 3, 'a 3/3 split', 60_000);

    const listed = workersJson(panel);
    expect(listed.filter((w) => w.live).map((w) => w.pid).sort()).toEqual([a.pid, b.pid].sort());
    const held = listed.flatMap((w) => w.accounts).sort((x, y) => x - y);
    expect(held).toEqual([...ids].sort((x, y) => x - y));
    expect(listed.find((w) => w.pid === a.pid)).toMatchObject({ roles: ['scheduler'], pin: 'all accounts' });
    expect(listed.find((w) => w.pid === b.pid)?.roles).toEqual([]);

    a.child.kill('SIGKILL');
    await a.exited;
    await eventually(() => byPid(app.workers(), b.pid)?.accounts.length === 6, "the survivor to take the killed worker's accounts", 60_000);
    await eventually(() => byPid(app.workers(), b.pid)?.roles.includes('scheduler'), 'the scheduler role to move', 30_000);
    // The killed one shows as dead (its row stays until it is an hour old).
    expect(app.workers().find((w) => w.pid === a.pid)).toMatchObject({ live: false, accounts: [] });
    expect(duplicatedSessions(panel)).toBe(0);

    // A clean stop removes the worker's row and releases its accounts.
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(app.workers().some((w) => w.pid === b.pid)).toBe(false);
    expect(app.db.prepare("SELECT count(*) AS n FROM leases WHERE scope IN ('account', 'role')").get()).toEqual({ n: 0 });
  }, 180_000);

  it.runIf(canFakeAnotherHost)('take the accounts of a worker on another host once its leases expire (the TTL is all that tells)', async () => {
    panel = simPanel({ accounts: 4, users: 4, groups: 1, seed: 22 });
    const app = panel.open();
    for (const x of panel.summary.accounts) await enrol(app, x);
    const far = startWorker(panel, {}, [], { otherHost: true });
    await eventually(() => app.workers().find((w) => w.live && w.host === 'tp-test-other-host')?.accounts.length === 4, 'the far worker to hold all four', 60_000);
    const near = startWorker(panel, {});
    await eventually(() => byPid(app.workers(), near.pid)?.accounts.length === 2, 'a 2/2 split', 60_000);
    far.child.kill('SIGKILL');
    await far.exited;
    // Its row still reads live until the TTL passes; then its two accounts move.
    await eventually(() => byPid(app.workers(), near.pid)?.accounts.length === 4, "the near worker to take the far one's accounts", 60_000);
    expect(app.workers().find((w) => w.host === 'tp-test-other-host')).toMatchObject({ live: false });
    expect(duplicatedSessions(panel)).toBe(0);
  }, 180_000);

  it('a worker started with --tag takes the tagged accounts; an unpinned one leaves them to it', async () => {
    panel = simPanel({ accounts: 5, users: 4, groups: 1, seed: 23 });
    const app = panel.open();
    const ids: number[] = [];
    for (const x of panel.summary.accounts) ids.push(await enrol(app, x));
    app.tags.change([ids[0]!, ids[1]!], 'add', 'dc1');
    const free = startWorker(panel, {});
    await eventually(() => byPid(app.workers(), free.pid)?.accounts.length === 5, 'the unpinned worker to hold all five', 60_000);
    const pinned = startWorker(panel, {}, ['--tag', 'DC1']);
    await eventually(() => byPid(app.workers(), pinned.pid)?.accounts.join() === [ids[0]!, ids[1]!].sort((a, b) => a - b).join(), 'the pinned worker to hold the tagged two', 60_000);
    expect(byPid(app.workers(), free.pid)?.accounts).toEqual(ids.slice(2).sort((a, b) => a - b));
    expect(byPid(workersJson(panel), pinned.pid)?.pin).toBe('tag dc1');
    expect(duplicatedSessions(panel)).toBe(0);
  }, 180_000);
});
