import type { Command } from 'commander';
import type { WorkerView } from '../../../engine/workers.ts';
import type { CliContext } from '../context.ts';
import { table } from '../table.ts';

/** "12 s ago", "3 min ago", "2 h ago". */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ago` : `${Math.floor(m / 60)} h ${m % 60} min ago`;
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

function accountsText(w: WorkerView): string {
  if (!w.live) return `${w.accountsHeld} at its last heartbeat`;
  if (w.accounts.length === 0) return '0';
  const shown = w.accounts.slice(0, 8).map((id) => `#${id}`).join(' ');
  return `${w.accounts.length}: ${shown}${w.accounts.length > 8 ? ' …' : ''}`;
}

export function renderWorkers(list: readonly WorkerView[], now: number): string {
  if (list.length === 0) return 'no worker is running (start one with `start`)';
  const live = list.filter((w) => w.live).length;
  const head = `${live} live worker${live === 1 ? '' : 's'}${list.length > live ? `, ${list.length - live} dead within the last hour` : ''}`;
  const rows = list.map((w) => [
    `${w.host}/${w.pid}`,
    w.live ? 'live' : 'dead',
    accountsText(w),
    w.roles.join(', ') || '-',
    w.pin,
    ago(now - w.heartbeatAt),
    time(w.startedAt),
    w.version || '-',
  ]);
  return `${head}\n\n${table(['worker', 'state', 'accounts', 'roles', 'takes', 'heartbeat', 'started', 'version'], rows)}`;
}

/** `workers`: the `start` processes sharing this database, what each holds, and which of them are alive. */
export function registerWorkers(workers: Command, ctx: CliContext): void {
  workers.action(async () => {
    await ctx.withApp([], (app) => {
      const now = app.clock.now();
      const list = app.workers();
      ctx.emit(list, () => renderWorkers(list, now));
      return Promise.resolve();
    });
  });
}
