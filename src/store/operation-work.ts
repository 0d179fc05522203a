import type { OperationSpec } from '../core/actions.ts';
import type { FailureKind } from '../core/failures.ts';
import type { Db } from './sql.ts';
import type { OperationResult, OperationSelection } from './operations.ts';

/** `queued`: waits for the account's holder; `running`: claimed by `owner`; `done`: its result is stored (or it was dropped). */
export type WorkState = 'queued' | 'running' | 'done' | 'cancelled';

export interface WorkRow {
  id: number;
  operationId: number;
  accountId: number;
  state: WorkState;
  owner: string | null;
  /** Attempts begun; a row whose executor died after one began is never attempted again. */
  attempts: number;
  /** A named account's attempt met a short FLOOD_WAIT: retried at this time. */
  waitingUntil: number | null;
  queuedAt: number;
  claimedAt: number | null;
  finishedAt: number | null;
}

/** A claimed row with what its executor needs from the operation. */
export interface ClaimedWork extends WorkRow {
  spec: OperationSpec;
  selection: OperationSelection;
}

/** A row of one operation as its caller follows it, with the account's stored result when there is one. */
export interface FollowedWork extends WorkRow {
  result: OperationResult | null;
}

/** A running row whose owner may no longer hold the account (the caller decides with the holder's liveness). */
export interface SuspectWork extends WorkRow {
  /** The owner of the account's lease in force now, if any. */
  holder: string | null;
}

interface Row {
  id: number;
  operation_id: number;
  account_id: number;
  state: string;
  owner: string | null;
  attempts: number;
  waiting_until: number | null;
  queued_at: number;
  claimed_at: number | null;
  finished_at: number | null;
}

interface ResultColumns {
  r_status: string | null;
  r_at: number | null;
  r_attempts: number | null;
  r_replaced: number | null;
  r_detail: string | null;
  r_failure_kind: string | null;
  r_failure_code: string | null;
  r_failure_message: string | null;
  r_failure_seconds: number | null;
}

const COLUMNS = 'w.id, w.operation_id, w.account_id, w.state, w.owner, w.attempts, w.waiting_until, w.queued_at, w.claimed_at, w.finished_at';

/**
 * Per-account work of operations, executed by the worker that holds each account (see
 * engine/operation-work.ts). Every state change is one conditional UPDATE, so two processes
 * racing for a row (a claim and a cancel, an executor finishing and a sweep of a dead one) never
 * both win.
 */
export class OperationWorkStore {
  private readonly sql;

  constructor(readonly db: Db) {
    // A claim takes every queued row for the accounts `owner` holds in one statement. On
    // PostgreSQL the rows are locked with SKIP LOCKED so concurrent claimers pass each other by
    // instead of queuing on the same rows; SQLite has one writer, so its UPDATE is atomic as is.
    const held = `SELECT l.resource_id FROM leases l WHERE l.scope = 'account' AND l.owner = ? AND l.expires_at > ?`;
    const claim =
      db.dialect === 'postgres'
        ? `UPDATE operation_work SET state = 'running', owner = ?, claimed_at = ?
           WHERE id IN (SELECT q.id FROM operation_work q WHERE q.state = 'queued' AND q.account_id IN (${held}) ORDER BY q.id FOR UPDATE SKIP LOCKED)
           RETURNING id`
        : `UPDATE operation_work SET state = 'running', owner = ?, claimed_at = ?
           WHERE id IN (SELECT q.id FROM operation_work q WHERE q.state = 'queued' AND q.account_id IN (${held}) ORDER BY q.id)
           RETURNING id`;
    this.sql = {
      queue: db.prepare<[number, number, number]>(
        `INSERT INTO operation_work (operation_id, account_id, state, queued_at) VALUES (?, ?, 'queued', ?)
         ON CONFLICT (operation_id, account_id) DO UPDATE SET state = 'queued', owner = NULL, waiting_until = NULL, queued_at = excluded.queued_at, claimed_at = NULL, finished_at = NULL`,
      ),
      claim: db.prepare<[string, number, string, number], { id: number }>(claim),
      claimed: db.prepare<[number], Row & { spec: string; selection: string }>(
        `SELECT ${COLUMNS}, o.spec, o.selection FROM operation_work w JOIN operations o ON o.id = w.operation_id WHERE w.id = ?`,
      ),
      begin: db.prepare<[number, string], { attempts: number }>(
        `UPDATE operation_work SET attempts = attempts + 1, waiting_until = NULL WHERE id = ? AND state = 'running' AND owner = ? RETURNING attempts`,
      ),
      waiting: db.prepare<[number, number, string]>(`UPDATE operation_work SET waiting_until = ? WHERE id = ? AND state = 'running' AND owner = ?`),
      finish: db.prepare<[number, number, string]>(`UPDATE operation_work SET state = 'done', waiting_until = NULL, finished_at = ? WHERE id = ? AND state = 'running' AND owner = ?`),
      release: db.prepare<[number, string]>(`UPDATE operation_work SET state = 'queued', owner = NULL, claimed_at = NULL WHERE id = ? AND state = 'running' AND owner = ?`),
      // A row may be cancelled while nothing of it is under way: not begun, or waiting out a flood wait.
      cancel: db.prepare<[number, number]>(
        `UPDATE operation_work SET state = 'cancelled', finished_at = ? WHERE operation_id = ? AND (state = 'queued' OR (state = 'running' AND (attempts = 0 OR waiting_until IS NOT NULL)))`,
      ),
      ofOperation: db.prepare<[number], Row & ResultColumns>(
        `SELECT ${COLUMNS}, r.status AS r_status, r.at AS r_at, r.attempts AS r_attempts, r.replaced AS r_replaced, r.detail AS r_detail,
           r.failure_kind AS r_failure_kind, r.failure_code AS r_failure_code, r.failure_message AS r_failure_message, r.failure_seconds AS r_failure_seconds
         FROM operation_work w LEFT JOIN operation_results r ON r.operation_id = w.operation_id AND r.account_id = w.account_id
         WHERE w.operation_id = ? ORDER BY w.id`,
      ),
      queuedHolders: db.prepare<[number, number], { id: number; account_id: number; holder: string | null }>(
        `SELECT w.id, w.account_id, l.owner AS holder FROM operation_work w
         LEFT JOIN leases l ON l.scope = 'account' AND l.resource_id = w.account_id AND l.expires_at > ?
         WHERE w.operation_id = ? AND w.state = 'queued' ORDER BY w.id`,
      ),
      withdraw: db.prepare<[number, number]>(`UPDATE operation_work SET state = 'cancelled', finished_at = ? WHERE id = ? AND state = 'queued'`),
      suspects: db.prepare<[number], Row & { holder: string | null }>(
        `SELECT ${COLUMNS}, l.owner AS holder FROM operation_work w
         LEFT JOIN leases l ON l.scope = 'account' AND l.resource_id = w.account_id AND l.expires_at > ?
         WHERE w.state = 'running'`,
      ),
      savePhoto: db.prepare<[number, Buffer]>(
        `INSERT INTO operation_photos (operation_id, bytes) VALUES (?, ?) ON CONFLICT (operation_id) DO UPDATE SET bytes = excluded.bytes`,
      ),
      photo: db.prepare<[number], { bytes: Buffer }>(`SELECT bytes FROM operation_photos WHERE operation_id = ?`),
    };
  }

  /** Several changes at once (a row's end with its result), all or none. */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Queues (or queues again) the account's part of the operation. */
  queue(operationId: number, accountId: number, now: number): void {
    this.sql.queue.run(operationId, accountId, now);
  }

  /** Takes every queued row for the accounts whose lease `owner` holds now; returns them running under `owner`. */
  claim(owner: string, now: number): ClaimedWork[] {
    const ids = this.sql.claim.all(owner, now, owner, now).map((r) => Number(r.id));
    return ids.flatMap((id) => {
      const r = this.sql.claimed.get(id);
      return r ? [{ ...toRow(r), spec: JSON.parse(r.spec) as OperationSpec, selection: JSON.parse(r.selection) as OperationSelection }] : [];
    });
  }

  /** Counts an attempt begun by `owner`; null when the row is no longer its to run (cancelled, taken back). */
  beginAttempt(id: number, owner: string): number | null {
    return this.sql.begin.get(id, owner)?.attempts ?? null;
  }

  waiting(id: number, owner: string, until: number): void {
    this.sql.waiting.run(until, id, owner);
  }

  /** Marks the row done if `owner` still runs it; false when someone else settled it meanwhile. */
  finish(id: number, owner: string, now: number): boolean {
    return this.sql.finish.run(now, id, owner).changes > 0;
  }

  /** Gives a row back to the queue for the account's next holder. */
  release(id: number, owner: string): boolean {
    return this.sql.release.run(id, owner).changes > 0;
  }

  /** Cancels an operation's rows nothing is under way for; returns how many. */
  cancel(operationId: number, now: number): number {
    return this.sql.cancel.run(now, operationId).changes;
  }

  /** An operation's queued rows with the owner of each account's lease in force now (null: nobody holds it). */
  queuedHolders(operationId: number, now: number): Array<{ id: number; accountId: number; holder: string | null }> {
    return this.sql.queuedHolders.all(now, operationId).map((r) => ({ id: Number(r.id), accountId: Number(r.account_id), holder: r.holder }));
  }

  /** Takes a queued row back for its caller to run itself; false when a worker claimed (or a cancel took) it first. */
  withdraw(id: number, now: number): boolean {
    return this.sql.withdraw.run(now, id).changes > 0;
  }

  /** An operation's rows with each account's stored result. */
  ofOperation(operationId: number): FollowedWork[] {
    return this.sql.ofOperation.all(operationId).map((r) => ({ ...toRow(r), result: toResult(r) }));
  }

  /** Running rows whose owner does not hold the account's lease in force now (or whose holder the caller must check). */
  suspects(now: number): SuspectWork[] {
    return this.sql.suspects.all(now).map((r) => ({ ...toRow(r), holder: r.holder }));
  }

  /**
   * Keeps a profile edit's photo with its operation, as the caller read and checked it: the
   * worker acting for an account may run on another machine, where the caller's path means nothing.
   */
  savePhoto(operationId: number, bytes: Uint8Array): void {
    this.sql.savePhoto.run(operationId, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  /** The photo stored with the operation, if any. */
  photo(operationId: number): Uint8Array | null {
    const r = this.sql.photo.get(operationId);
    return r ? new Uint8Array(r.bytes) : null;
  }
}

function toRow(r: Row): WorkRow {
  return {
    id: Number(r.id),
    operationId: Number(r.operation_id),
    accountId: Number(r.account_id),
    state: r.state as WorkState,
    owner: r.owner,
    attempts: Number(r.attempts),
    waitingUntil: r.waiting_until === null ? null : Number(r.waiting_until),
    queuedAt: Number(r.queued_at),
    claimedAt: r.claimed_at === null ? null : Number(r.claimed_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  };
}

/** The same reading of a result row as OperationStore.get (which does not expose it). */
function toResult(r: Row & ResultColumns): OperationResult | null {
  if (r.r_status === null) return null;
  const base = { accountId: Number(r.account_id), at: Number(r.r_at), attempts: Number(r.r_attempts), replaced: Number(r.r_replaced) === 1 };
  if (r.r_status === 'failed') {
    const failure = { kind: (r.r_failure_kind ?? 'unknown') as FailureKind, code: r.r_failure_code ?? 'UNKNOWN', message: r.r_failure_message ?? '' };
    return { ...base, status: 'failed', failure: r.r_failure_seconds === null ? failure : { ...failure, seconds: Number(r.r_failure_seconds) } };
  }
  const status = r.r_status as 'done' | 'already' | 'requested';
  return r.r_detail === null ? { ...base, status } : { ...base, status, detail: r.r_detail };
}
