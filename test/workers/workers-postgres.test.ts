import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerView } from '../../src/engine/workers.ts';
import { eventually } from '../support/fake-bot-api.ts';
import { freshPostgresDatabase, type FreshPostgresDatabase } from '../support/postgres.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';
import { duplicatedSessions, killWorkers, startWorker, workersJson } from './support.ts';

let panel: SimPanel | undefined;
let database: FreshPostgresDatabase | undefined;
afterEach(async () => {
  killWorkers();
  await panel?.close();
  await database?.drop();
  panel = undefined;
  database = undefined;
});

/** How many accounts each live worker of `pids` holds, when exactly those are live; else undefined. */
function loads(list: readonly WorkerView[], pids: readonly number[]): number[] | undefined {
  const live = list.filter((w) => w.live);
  if (live.length !== pids.length || !pids.every((p) => live.some((w) => w.pid === p))) return undefined;
  return live.map((w) => w.accounts.length).sort((a, b) => a - b);
}

describe('workers over one PostgreSQL database', () => {
  it('spread the accounts fairly, give a newcomer its share, take over a killed worker’s accounts and its role, never two connections of one account', async () => {
    database = await freshPostgresDatabase();
    panel = simPanel({ accounts: 9, users: 6, groups: 2, seed: 33 }, { DATABASE_URL: database.url });
    const app = panel.open();
    for (const a of panel.summary.accounts) await enrol(app, a);

    const a = startWorker(panel, {});
    const b = startWorker(panel, {});
    await eventually(() => loads(app.workers(), [a.pid, b.pid])?.join() === '4,5', 'a 4/5 split over two workers', 60_000);

    const c = startWorker(panel, {});
    await eventually(() => loads(app.workers(), [a.pid, b.pid, c.pid])?.join() === '3,3,3', 'the newcomer to get its share: 3/3/3', 60_000);
    const listed = workersJson(panel);
    expect(listed.flatMap((w) => w.accounts)).toHaveLength(9);
    expect(new Set(listed.flatMap((w) => w.accounts)).size).toBe(9);
    const holders = listed.filter((w) => w.roles.includes('scheduler'));
    expect(holders).toHaveLength(1);

    // The role holder dies: its accounts and its role move to the two others.
    const victim = [a, b, c].find((w) => w.pid === holders[0]!.pid)!;
    const rest = [a, b, c].filter((w) => w !== victim).map((w) => w.pid);
    victim.child.kill('SIGKILL');
    await victim.exited;
    await eventually(() => loads(app.workers(), rest)?.join() === '4,5', "the survivors to take the killed worker's accounts", 60_000);
    await eventually(() => app.workers().some((w) => w.live && rest.includes(w.pid) && w.roles.includes('scheduler')), 'the scheduler role to move', 30_000);
    expect(app.workers().find((w) => w.pid === victim.pid)).toMatchObject({ live: false });

    expect(duplicatedSessions(panel)).toBe(0);
    await eventually(() => app.accounts.list(app.clock.now()).every((x) => x.status === 'active'), 'every account to be connected again', 30_000);
  }, 240_000);
});
