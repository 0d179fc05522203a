import type { OperationKind, OperationSpec } from '../../../core/actions.ts';
import type { Reason } from '../../../core/reasons.ts';
import type { OperationEvent, OperationsEngine } from '../../../engine/operations.ts';
import type { OperationResult, OperationSelection, OperationStatus, OperationSummary } from '../../../store/operations.ts';

/** What a live page shows of an operation the dashboard started. */
export interface RunView {
  operationId: number;
  kind: OperationKind;
  planned: number;
  settled: number;
  results: OperationResult[];
  finished: { status: OperationStatus; summary: OperationSummary; stopReason: string | null; stopReasonCode: Reason | null } | null;
}

/**
 * Operations started from the dashboard: their stop switches and progress so far, so a page
 * opened (or reloaded) mid-run starts from where the run is, and `Stop` reaches the run that a
 * different request started. Finished runs are kept a while for pages still open.
 */
export class LiveRuns {
  private readonly runs = new Map<number, { view: RunView; ctl: AbortController }>();
  private readonly listeners = new Set<(e: OperationEvent) => void>();

  constructor(private readonly keepFinished = 50) {}

  /** Each engine event of every run, for the live stream. */
  subscribe(listener: (e: OperationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts the operation and resolves with its id once it is recorded; rejects with the engine's
   * `InputError` when the input or the selection is refused (nothing recorded then).
   */
  start(engine: Pick<OperationsEngine, 'runOperation'>, spec: OperationSpec, selection: OperationSelection, actor: string): Promise<number> {
    const ctl = new AbortController();
    return new Promise<number>((resolve, reject) => {
      let id: number | null = null;
      const onEvent = (e: OperationEvent): void => {
        if (e.type === 'started') {
          id = e.operationId;
          this.runs.set(id, { ctl, view: { operationId: id, kind: e.kind, planned: e.planned, settled: 0, results: [], finished: null } });
          this.trim();
          resolve(id);
        } else {
          const run = this.runs.get(e.operationId);
          if (run) apply(run.view, e);
        }
        for (const l of this.listeners) l(e);
      };
      engine.runOperation(spec, selection, { actor, signal: ctl.signal, onEvent }).then(
        () => undefined,
        (e: unknown) => {
          if (id === null) reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  get(operationId: number): RunView | undefined {
    return this.runs.get(operationId)?.view;
  }

  list(): RunView[] {
    return [...this.runs.values()].map((r) => r.view);
  }

  /** Stops starting accounts; those acting finish. False when the run is not live here. */
  stop(operationId: number): boolean {
    const run = this.runs.get(operationId);
    if (!run || run.view.finished) return false;
    run.ctl.abort(new Error('stopped from the dashboard'));
    return true;
  }

  /** Stops every live run (the server is closing). */
  stopAll(): void {
    for (const id of this.runs.keys()) this.stop(id);
  }

  private trim(): void {
    const done = [...this.runs.entries()].filter(([, r]) => r.view.finished);
    for (const [id] of done.slice(0, Math.max(0, done.length - this.keepFinished))) this.runs.delete(id);
  }
}

function apply(view: RunView, e: OperationEvent): void {
  if (e.type === 'result') {
    view.results = [...view.results.filter((r) => r.accountId !== e.result.accountId || r.replaced), e.result];
    view.settled = e.settled;
  } else if (e.type === 'finished') {
    view.finished = { status: e.status, summary: e.summary, stopReason: e.stopReason, stopReasonCode: e.stopReasonCode };
  }
}
