import type { ActionResult, OperationKind, OperationSpec } from '../core/actions.ts';
import type { FailureKind } from '../core/failures.ts';
import { reason, type Reason } from '../core/reasons.ts';
import { reasonColumns, reasonFromColumns } from '../core/stored-reasons.ts';
import type { Db } from './db.ts';

/**
 * Which accounts an operation asked for: any N usable ones (among those tagged `tag` when given;
 * otherwise never a `reserve` one), or these.
 */
export type OperationSelection = { accounts: number; tag?: string } | { accountIds: number[] };

/**
 * `finished`: every planned slot settled (or no account was left to try); `stopped`: the target
 * refused in a way no other account would change; `cancelled`: the operator stopped it;
 * `interrupted`: the process ended while it ran.
 */
export type OperationStatus = 'running' | 'finished' | 'stopped' | 'cancelled' | 'interrupted';

export const OPERATION_STATUSES: readonly OperationStatus[] = ['running', 'finished', 'stopped', 'cancelled', 'interrupted'];

/** One account's final result in an operation. `replaced`: another account took over its slot. */
export type OperationResult = ActionResult & { attempts: number; replaced: boolean };

export interface OperationSummary {
  planned: number;
  done: number;
  already: number;
  requested: number;
  failed: number;
  /** Failed attempts whose slot another account took over. */
  replaced: number;
  /** Planned slots that ended with no result (no account left, cancelled, stopped). */
  shortfall: number;
}

export interface OperationHeader {
  id: number;
  kind: OperationKind;
  spec: OperationSpec;
  selection: OperationSelection;
  /** Who asked: `cli`, `bot:<user id>`, … */
  actor: string;
  status: OperationStatus;
  /** Why it stopped, in English (what the CLI prints; rows older than reason codes have only this). */
  stopReason: string | null;
  /** The same reason as a code, for interfaces that word it in their own language. */
  stopReasonCode?: Reason | null;
  planned: number;
  startedAt: number;
  finishedAt: number | null;
  summary: OperationSummary;
}

export interface OperationRecord extends OperationHeader {
  results: OperationResult[];
}

export interface NewOperation {
  spec: OperationSpec;
  selection: OperationSelection;
  actor: string;
  planned: number;
  startedAt: number;
}

/** What the engine writes while an operation runs (the store below, or an in-memory one). */
export interface OperationRecorder {
  create(op: NewOperation): number;
  saveResult(operationId: number, result: OperationResult): void;
  finish(operationId: number, end: OperationEnd): void;
}

export interface OperationEnd {
  status: OperationStatus;
  finishedAt: number;
  stopReason: string | null;
  stopReasonCode?: Reason | null;
}

interface OperationRow {
  id: number;
  kind: string;
  spec: string;
  selection: string;
  actor: string;
  status: string;
  planned: number;
  started_at: number;
  finished_at: number | null;
  stop_reason: string | null;
  stop_reason_code?: string | null;
  stop_reason_params?: string | null;
  n_done?: number;
  n_already?: number;
  n_requested?: number;
  n_failed?: number;
  n_replaced?: number;
}

interface ResultRow {
  account_id: number;
  status: string;
  at: number;
  attempts: number;
  replaced: number;
  detail: string | null;
  failure_kind: string | null;
  failure_code: string | null;
  failure_message: string | null;
  failure_seconds: number | null;
}

const COUNTS = `
  (SELECT count(*) FROM operation_results r WHERE r.operation_id = o.id AND r.status = 'done') AS n_done,
  (SELECT count(*) FROM operation_results r WHERE r.operation_id = o.id AND r.status = 'already') AS n_already,
  (SELECT count(*) FROM operation_results r WHERE r.operation_id = o.id AND r.status = 'requested') AS n_requested,
  (SELECT count(*) FROM operation_results r WHERE r.operation_id = o.id AND r.status = 'failed') AS n_failed,
  (SELECT count(*) FROM operation_results r WHERE r.operation_id = o.id AND r.replaced = 1) AS n_replaced`;

export function summarize(planned: number, results: readonly OperationResult[]): OperationSummary {
  const s: OperationSummary = { planned, done: 0, already: 0, requested: 0, failed: 0, replaced: 0, shortfall: 0 };
  for (const r of results) {
    s[r.status]++;
    if (r.replaced) s.replaced++;
  }
  s.shortfall = Math.max(0, planned - (s.done + s.already + s.requested + s.failed - s.replaced));
  return s;
}

/** Operation records in SQLite: the input, who asked, when, and each account's result. */
export class OperationStore implements OperationRecorder {
  private readonly insertOp;
  private readonly upsertResult;
  private readonly finishOp;
  private readonly selectOp;
  private readonly selectResults;

  /** `owner`: this process's name, stored with each operation it starts. */
  constructor(
    private readonly db: Db,
    private readonly owner: string | null = null,
  ) {
    this.insertOp = db.prepare<[string, string, string, string, string | null, number, number], { id: number }>(
      `INSERT INTO operations (kind, spec, selection, actor, owner, status, planned, started_at) VALUES (?, ?, ?, ?, ?, 'running', ?, ?) RETURNING id`,
    );
    this.upsertResult = db.prepare(
      `INSERT INTO operation_results (operation_id, account_id, status, at, attempts, replaced, detail, failure_kind, failure_code, failure_message, failure_seconds)
       VALUES (@operationId, @accountId, @status, @at, @attempts, @replaced, @detail, @failureKind, @failureCode, @failureMessage, @failureSeconds)
       ON CONFLICT (operation_id, account_id) DO UPDATE SET status = excluded.status, at = excluded.at, attempts = excluded.attempts,
         replaced = excluded.replaced, detail = excluded.detail, failure_kind = excluded.failure_kind, failure_code = excluded.failure_code,
         failure_message = excluded.failure_message, failure_seconds = excluded.failure_seconds`,
    );
    this.finishOp = db.prepare<[string, number, string | null, string | null, string | null, number]>(
      `UPDATE operations SET status = ?, finished_at = ?, stop_reason = ?, stop_reason_code = ?, stop_reason_params = ? WHERE id = ?`,
    );
    this.selectOp = db.prepare<[number], OperationRow>(`SELECT o.* FROM operations o WHERE o.id = ?`);
    this.selectResults = db.prepare<[number], ResultRow>(`SELECT * FROM operation_results WHERE operation_id = ? ORDER BY at, account_id`);
  }

  create(op: NewOperation): number {
    const r = this.insertOp.get(op.spec.kind, JSON.stringify(op.spec), JSON.stringify(op.selection), op.actor, this.owner, op.planned, op.startedAt);
    return r!.id;
  }

  saveResult(operationId: number, r: OperationResult): void {
    const failure = r.status === 'failed' ? r.failure : undefined;
    this.upsertResult.run({
      operationId,
      accountId: r.accountId,
      status: r.status,
      at: r.at,
      attempts: r.attempts,
      replaced: r.replaced ? 1 : 0,
      detail: r.status === 'failed' ? null : (r.detail ?? null),
      failureKind: failure?.kind ?? null,
      failureCode: failure?.code ?? null,
      failureMessage: failure?.message ?? null,
      failureSeconds: failure?.seconds ?? null,
    });
  }

  finish(operationId: number, end: OperationEnd): void {
    const coded = reasonColumns(end.stopReasonCode ?? null);
    this.finishOp.run(end.status, end.finishedAt, coded.text ?? end.stopReason, coded.code, coded.params, operationId);
  }

  get(id: number): OperationRecord | undefined {
    const row = this.selectOp.get(id);
    if (!row) return undefined;
    const results = this.selectResults.all(id).map(toResult);
    return { ...toHeader(row, summarize(row.planned, results)), results };
  }

  /** Newest first. */
  list(opts: { limit?: number; kind?: OperationKind; before?: number } = {}): OperationHeader[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (opts.kind) {
      where.push('o.kind = ?');
      args.push(opts.kind);
    }
    if (opts.before !== undefined) {
      where.push('o.id < ?');
      args.push(opts.before);
    }
    const sql = `SELECT o.*, ${COUNTS} FROM operations o ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY o.id DESC LIMIT ?`;
    args.push(opts.limit ?? 20);
    return this.db
      .prepare<Array<string | number>, OperationRow>(sql)
      .all(...args)
      .map((row) => {
        const done = row.n_done ?? 0;
        const already = row.n_already ?? 0;
        const requested = row.n_requested ?? 0;
        const failed = row.n_failed ?? 0;
        const replaced = row.n_replaced ?? 0;
        const shortfall = Math.max(0, row.planned - (done + already + requested + failed - replaced));
        return toHeader(row, { planned: row.planned, done, already, requested, failed, replaced, shortfall });
      });
  }

  /** Marks operations whose process is gone (`isGone(owner)`) as interrupted; returns how many. */
  markInterrupted(at: number, isGone: (owner: string) => boolean): number {
    const running = this.db.prepare(`SELECT id, owner FROM operations WHERE status = 'running' AND owner IS NOT NULL`).all() as Array<{ id: number; owner: string }>;
    const ended = reasonColumns(reason('operation_process_ended'));
    const mark = this.db.prepare(
      `UPDATE operations SET status = 'interrupted', finished_at = ?, stop_reason = ?, stop_reason_code = ?, stop_reason_params = ? WHERE id = ? AND status = 'running'`,
    );
    let n = 0;
    for (const r of running) if (isGone(r.owner)) n += mark.run(at, ended.text, ended.code, ended.params, r.id).changes;
    return n;
  }
}

function toHeader(row: OperationRow, summary: OperationSummary): OperationHeader {
  return {
    id: row.id,
    kind: row.kind as OperationKind,
    spec: JSON.parse(row.spec) as OperationSpec,
    selection: JSON.parse(row.selection) as OperationSelection,
    actor: row.actor,
    status: row.status as OperationStatus,
    stopReason: row.stop_reason,
    stopReasonCode: reasonFromColumns(row.stop_reason_code ?? null, row.stop_reason_params ?? null),
    planned: row.planned,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    summary,
  };
}

function toResult(row: ResultRow): OperationResult {
  const base = { accountId: row.account_id, at: row.at, attempts: row.attempts, replaced: row.replaced === 1 };
  if (row.status === 'failed') {
    const failure = { kind: (row.failure_kind ?? 'unknown') as FailureKind, code: row.failure_code ?? 'UNKNOWN', message: row.failure_message ?? '' };
    return { ...base, status: 'failed', failure: row.failure_seconds === null ? failure : { ...failure, seconds: row.failure_seconds } };
  }
  const status = row.status as 'done' | 'already' | 'requested';
  return row.detail === null ? { ...base, status } : { ...base, status, detail: row.detail };
}
