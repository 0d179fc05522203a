import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../src/store/db.ts';
import { BIN, cli } from './support/cli.ts';
import { eventually } from './support/fake-bot-api.ts';
import { enrol, simPanel, type SimPanel } from './support/sim-panel.ts';

const children: ChildProcess[] = [];
let panel: SimPanel | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await panel?.close();
  panel = undefined;
});

/** Reads the panel's database from outside the running panel (WAL readers do not block it). */
function read<T>(dbPath: string, fn: (db: ReturnType<typeof openSqlite>) => T): T {
  const db = openSqlite(dbPath, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** `start --no-bot` as its own process; resolves its exit code once stopped with SIGTERM. */
function startPanel(env: Record<string, string>): { log: () => string; stop: () => Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'start', '--no-bot'], { env: { ...process.env, ...env, LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    log: () => log,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('scheduled work across restarts (real start processes, simulated Telegram)', () => {
  it('a run missed while the panel was down runs once at the next start, is recorded with its operation, and not again after a restart', { timeout: 180_000 }, async () => {
    panel = simPanel({ accounts: 1, users: 4, groups: 2, seed: 21 }, { ACTION_DELAY: '0-0' });
    const app = panel.open();
    await enrol(app, panel.summary.accounts[0]!);
    await app.close();
    const group = panel.summary.groups.find((g) => /^https:\/\/t\.me\/[a-z]/i.test(g.link))!;
    // Once a year: the only run in this test is the one missed while the panel was down.
    const added = await cli(['--json', 'schedule', 'add', '0 0 1 1 *', '--tz', 'UTC', '--', 'act', 'join', group.link, '--accounts', '1'], panel.env);
    expect(added.code, added.stderr).toBe(0);
    const dbPath = join(panel.env.DATA_DIR!, 'panel.db');
    // The panel was down through three of its times: the schedule says it was due three years ago.
    const db = openSqlite(dbPath);
    db.prepare('UPDATE schedules SET next_run_at = ? WHERE id = 1').run(Date.now() - 3 * 365 * 86_400_000);
    db.close();

    const first = startPanel(panel.env);
    const run = await eventually(
      () => read(dbPath, (d) => d.prepare(`SELECT * FROM schedule_runs WHERE status != 'running'`).get() as { status: string; operation_id: number; detail: string } | undefined),
      'the missed run to finish',
      60_000,
    );
    expect(await first.stop(), first.log()).toBe(0);
    expect(run).toMatchObject({ status: 'ok' });
    expect(panel.world.isMember(group.link, panel.world.accounts()[0]!.userId)).toBe(true);

    const second = startPanel(panel.env);
    await eventually(() => /scheduler: next run at \d{4}-01-01T00:00:00/.test(second.log()) || undefined, 'the scheduler of the second start to look', 60_000);
    expect(await second.stop(), second.log()).toBe(0);

    const runs = read(dbPath, (d) => d.prepare('SELECT * FROM schedule_runs').all() as Array<{ operation_id: number; status: string }>);
    expect(runs).toHaveLength(1);
    const ops = read(dbPath, (d) => d.prepare(`SELECT id, actor, status FROM operations`).all());
    expect(ops).toEqual([{ id: runs[0]!.operation_id, actor: 'schedule:1', status: 'finished' }]);
    const listed = await cli(['--json', 'schedule', 'list'], panel.env);
    const [s] = JSON.parse(listed.stdout) as Array<{ nextRunAt: number; lastRun: { status: string; operationId: number } }>;
    expect(s!.nextRunAt).toBeGreaterThan(Date.now());
    expect(s!.lastRun).toMatchObject({ status: 'ok', operationId: runs[0]!.operation_id });
  });
});
