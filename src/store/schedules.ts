import type { ScheduledJob, ScheduleKind, ScheduleRecord, ScheduleRun, ScheduleRunStatus, ScheduleState } from '../core/schedules.ts';
import type { Db } from './db.ts';

interface ScheduleRow {
  id: number;
  kind: string;
  when_text: string;
  cron: string | null;
  tz: string;
  job: string;
  command: string;
  state: string;
  next_run_at: number | null;
  last_run_at: number | null;
  created_at: number;
  actor: string;
}

interface RunRow {
  id: number;
  schedule_id: number;
  due_at: number;
  started_at: number;
  finished_at: number | null;
  status: string;
  operation_id: number | null;
  campaign: string | null;
  detail: string | null;
}

export interface NewSchedule {
  kind: ScheduleKind;
  when: string;
  cron: string | null;
  tz: string;
  job: ScheduledJob;
  command: string;
  nextRunAt: number;
  createdAt: number;
  actor: string;
}

/** What a run ended with. */
export interface RunEnd {
  status: Exclude<ScheduleRunStatus, 'running'>;
  finishedAt: number;
  operationId?: number | null;
  campaign?: string | null;
  detail?: string | null;
}

function toRecord(r: ScheduleRow): ScheduleRecord {
  return {
    id: r.id,
    kind: r.kind as ScheduleKind,
    when: r.when_text,
    cron: r.cron,
    tz: r.tz,
    job: JSON.parse(r.job) as ScheduledJob,
    command: r.command,
    state: r.state as ScheduleState,
    nextRunAt: r.next_run_at,
    lastRunAt: r.last_run_at,
    createdAt: r.created_at,
    actor: r.actor,
  };
}

function toRun(r: RunRow): ScheduleRun {
  return {
    id: r.id,
    scheduleId: r.schedule_id,
    dueAt: r.due_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status as ScheduleRunStatus,
    operationId: r.operation_id,
    campaign: r.campaign,
    detail: r.detail,
  };
}

/** Schedules and the record of their runs. */
export class ScheduleStore {
  constructor(private readonly db: Db) {}

  add(s: NewSchedule): ScheduleRecord {
    const r = this.db
      .prepare(
        `INSERT INTO schedules (kind, when_text, cron, tz, job, command, state, next_run_at, created_at, actor) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?) RETURNING id`,
      )
      .get(s.kind, s.when, s.cron, s.tz, JSON.stringify(s.job), s.command, s.nextRunAt, s.createdAt, s.actor);
    return this.get((r as { id: number }).id)!;
  }

  get(id: number): ScheduleRecord | undefined {
    const row = this.db.prepare('SELECT * FROM schedules WHERE id = ?').get(id) as ScheduleRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(): ScheduleRecord[] {
    return (this.db.prepare('SELECT * FROM schedules ORDER BY id').all() as ScheduleRow[]).map(toRecord);
  }

  /** Active schedules due by `now`, soonest first. */
  due(now: number): ScheduleRecord[] {
    return (
      this.db.prepare(`SELECT * FROM schedules WHERE state = 'active' AND next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at, id`).all(now) as ScheduleRow[]
    ).map(toRecord);
  }

  /** The soonest next run of any active schedule. */
  nextDue(): number | null {
    const row = this.db.prepare(`SELECT min(next_run_at) AS at FROM schedules WHERE state = 'active' AND next_run_at IS NOT NULL`).get() as { at: number | null };
    return row.at;
  }

  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes > 0;
  }

  setState(id: number, state: ScheduleState, nextRunAt: number | null): void {
    this.db.prepare('UPDATE schedules SET state = ?, next_run_at = ? WHERE id = ?').run(state, nextRunAt, id);
  }

  /**
   * Takes the run due at `dueAt` for this process: moves the schedule on to `next` (a one-time
   * schedule becomes done) and records the run, in one transaction that succeeds only while the
   * schedule still waits for that run. A second process, or a second look, finds it moved on, so
   * a due run starts once however many schedulers look at it.
   */
  claim(id: number, dueAt: number, next: number | null, run: { startedAt: number; owner: string; status: 'running' | 'skipped'; detail?: string }): ScheduleRun | undefined {
    return this.db.transaction(() => {
      const moved = this.db
        .prepare(
          // The cast types the parameter for PostgreSQL, which cannot tell what a bare `? IS NULL` is.
          `UPDATE schedules SET next_run_at = ?, last_run_at = ?, state = CASE WHEN CAST(? AS BIGINT) IS NULL THEN 'done' ELSE state END
           WHERE id = ? AND state = 'active' AND next_run_at = ?`,
        )
        .run(next, run.startedAt, next, id, dueAt);
      if (moved.changes === 0) return undefined;
      const r = this.db
        .prepare(`INSERT INTO schedule_runs (schedule_id, due_at, started_at, finished_at, status, owner, detail) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`)
        .get(id, dueAt, run.startedAt, run.status === 'skipped' ? run.startedAt : null, run.status, run.owner, run.detail ?? null);
      return this.run((r as { id: number }).id);
    })();
  }

  /** Links a running run to the operation or campaign it started, as soon as that is known. */
  link(runId: number, link: { operationId?: number; campaign?: string }): void {
    this.db.prepare('UPDATE schedule_runs SET operation_id = coalesce(?, operation_id), campaign = coalesce(?, campaign) WHERE id = ?').run(link.operationId ?? null, link.campaign ?? null, runId);
  }

  finish(runId: number, end: RunEnd): void {
    this.db
      .prepare(
        `UPDATE schedule_runs SET status = ?, finished_at = ?, operation_id = coalesce(?, operation_id), campaign = coalesce(?, campaign), detail = ?
         WHERE id = ? AND status = 'running'`,
      )
      .run(end.status, end.finishedAt, end.operationId ?? null, end.campaign ?? null, end.detail ?? null, runId);
  }

  run(id: number): ScheduleRun | undefined {
    const row = this.db.prepare('SELECT * FROM schedule_runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  /** The newest runs first: of one schedule, or of all. */
  runs(opts: { scheduleId?: number; limit?: number } = {}): ScheduleRun[] {
    const limit = opts.limit ?? 20;
    const rows =
      opts.scheduleId === undefined
        ? this.db.prepare('SELECT * FROM schedule_runs ORDER BY id DESC LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM schedule_runs WHERE schedule_id = ? ORDER BY id DESC LIMIT ?').all(opts.scheduleId, limit);
    return (rows as RunRow[]).map(toRun);
  }

  /** Runs left `running` by a process that has ended become `interrupted` (they are not started again). */
  markInterrupted(at: number, isGone: (owner: string) => boolean): number {
    const running = this.db.prepare(`SELECT id, owner FROM schedule_runs WHERE status = 'running' AND owner IS NOT NULL`).all() as Array<{ id: number; owner: string }>;
    let n = 0;
    for (const r of running) {
      if (!isGone(r.owner)) continue;
      n += this.db.prepare(`UPDATE schedule_runs SET status = 'interrupted', finished_at = ?, detail = 'the process running it ended' WHERE id = ? AND status = 'running'`).run(at, r.id).changes;
    }
    return n;
  }
}
