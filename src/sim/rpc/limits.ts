import type { Db } from '../world-file.ts';
import { fail, type CallContext } from './context.ts';

type Ctx = Pick<CallContext, 'db' | 'now'> & { me: { id: number } };

export interface Budget {
  max: number;
  windowMs: number;
}

export function getBudget(db: Db, method: string): Budget | undefined {
  const r = db.prepare('SELECT max, window_ms FROM budgets WHERE method = ?').get(method) as { max: number; window_ms: number } | undefined;
  return r ? { max: r.max, windowMs: r.window_ms } : undefined;
}

export function hasFault(ctx: Ctx, kind: string, method = ''): boolean {
  return ctx.db.prepare('SELECT 1 FROM faults WHERE user_id = ? AND kind = ? AND method IN (?, ?)').get(ctx.me.id, kind, '', method) !== undefined;
}

/** Whether the account used up a budget whose usage `countSql` (params: user id, window start) counts. */
export function budgetExceeded(ctx: Ctx, name: string, countSql: string): boolean {
  const budget = getBudget(ctx.db, name);
  if (!budget) return false;
  const { n } = ctx.db.prepare(countSql).get(ctx.me.id, ctx.now - budget.windowMs) as { n: number };
  return n >= budget.max;
}

/**
 * Rule budgets per method and account: past `max` calls in the window, Telegram answers
 * FLOOD_WAIT_X with X the seconds until the oldest counted call leaves the window. A refused
 * call does not count.
 */
export function chargeBudget(ctx: Ctx, method: string): void {
  const budget = getBudget(ctx.db, method);
  if (!budget) return;
  const since = ctx.now - budget.windowMs;
  const rows = ctx.db
    .prepare('SELECT at FROM calls WHERE user_id = ? AND method = ? AND at > ? ORDER BY at LIMIT ?')
    .all(ctx.me.id, method, since, budget.max) as Array<{ at: number }>;
  if (rows.length >= budget.max) {
    const seconds = Math.max(1, Math.ceil((rows[0]!.at + budget.windowMs - ctx.now) / 1000));
    throw fail.flood(`FLOOD_WAIT_${seconds}`);
  }
  ctx.db.prepare('INSERT INTO calls (user_id, method, at) VALUES (?, ?, ?)').run(ctx.me.id, method, ctx.now);
}

/** An on-demand flood fault (`value` is when it lifts, world time). */
export function floodFault(ctx: Ctx, method: string): void {
  const r = ctx.db
    .prepare("SELECT max(value) AS until FROM faults WHERE user_id = ? AND kind = 'flood' AND method IN ('', ?)")
    .get(ctx.me.id, method) as { until: number | null };
  if (r.until !== null && r.until > ctx.now) throw fail.flood(`FLOOD_WAIT_${Math.max(1, Math.ceil((r.until - ctx.now) / 1000))}`);
}
