import type { ActionSpec } from './actions.ts';

/**
 * The work a schedule starts, as the CLI parsed and checked it when the schedule was added. Held
 * as data (not a command line) so the scheduler calls the engine's services directly and a
 * change in the CLI's wording never changes what a stored schedule does.
 */
export type ScheduledJob =
  | { kind: 'act'; spec: ActionSpec; selection: { accounts: number } | { accountIds: number[] } }
  | { kind: 'campaign-run'; name: string }
  /** `ids` null: every enabled account at the time of the run. */
  | { kind: 'accounts-check'; ids: number[] | null; spam: boolean };

export type ScheduledJobKind = ScheduledJob['kind'];

/** `once`: at one time; `cron`: every time a cron expression matches, in its time zone. */
export type ScheduleKind = 'once' | 'cron';

/** `done`: a one-time schedule that has run (kept for its record). */
export type ScheduleState = 'active' | 'paused' | 'done';

export const SCHEDULE_STATES: readonly ScheduleState[] = ['active', 'paused', 'done'];

/**
 * `running`: started and not settled; `ok`: the work finished; `failed`: it was refused or did not
 * finish (the detail says why); `skipped`: due while the previous run of the same schedule was still
 * going; `interrupted`: the process running it ended.
 */
export type ScheduleRunStatus = 'running' | 'ok' | 'failed' | 'skipped' | 'interrupted';

export const SCHEDULE_RUN_STATUSES: readonly ScheduleRunStatus[] = ['running', 'ok', 'failed', 'skipped', 'interrupted'];

export interface ScheduleRecord {
  id: number;
  kind: ScheduleKind;
  /** What the operator typed as the time (`+2h`, `2026-12-24T09:00`, `0 9 * * 1-5`). */
  when: string;
  /** The cron expression (cron schedules). */
  cron: string | null;
  /** IANA time zone the time or cron expression is read in. */
  tz: string;
  job: ScheduledJob;
  /** The command as the operator gave it after `--`, for lists. */
  command: string;
  state: ScheduleState;
  /** Epoch ms of the next run; null once a one-time schedule has run. */
  nextRunAt: number | null;
  lastRunAt: number | null;
  createdAt: number;
  /** Who added it: `cli`, `bot:<id>`. */
  actor: string;
}

export interface ScheduleRun {
  id: number;
  scheduleId: number;
  /** When it was due (a run missed while the panel was down starts later than this). */
  dueAt: number;
  startedAt: number;
  finishedAt: number | null;
  status: ScheduleRunStatus;
  /** The operation an `act` run recorded. */
  operationId: number | null;
  /** The campaign a `campaign-run` run ran. */
  campaign: string | null;
  /** One line about the outcome (counts, the campaign's state, why it failed). */
  detail: string | null;
}

/** `+2h`, `+90m`, `+1h30m`, `+1d`, `+45s`: a span from now, in ms; undefined when not that form. */
export function parseRelativeSpan(text: string): number | undefined {
  const m = /^\+((?:\d{1,6}[smhd])+)$/.exec(text.trim().toLowerCase());
  if (!m) return undefined;
  const unit: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let ms = 0;
  for (const part of m[1]!.matchAll(/(\d+)([smhd])/g)) ms += Number(part[1]) * unit[part[2]!]!;
  return ms;
}

/** `2026-12-24T09:00` (seconds optional, `T` or a space): a wall-clock time without a zone. */
export const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
