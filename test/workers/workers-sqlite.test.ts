import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/fake-bot-api.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { byPid, duplicatedSessions, startWorker, workersJson, type WorkerProcess } from './support.ts';

const workers: WorkerProcess[] = [];
let panel: SimPanel | undefined;
afterEach(async () => {
  for (const w of workers.splice(0)) if (w.child.exitCode === null) w.child.kill('SIGKILL');
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
    workers.push(a);
    // Alone, a worker holds every account and every role it runs, as a single panel does.
    await eventually(() => byPid(app.workers(), a.pid)?.accounts.length === 6, 'the first worker to hold all six', 60_000);
    expect(byPid(app.workers(), a.pid)?.roles).toEqual(['scheduler']);

    const b = startWorker(panel, {});
    workers.push(b);
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
});
