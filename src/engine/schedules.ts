import type { Clock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import { reason } from '../core/reasons.ts';
import type { ScheduledJob, ScheduleRecord, ScheduleRun } from '../core/schedules.ts';
import type { Logger } from '../log.ts';
import type { RunEnd, ScheduleStore } from '../store/schedules.ts';
import { validateActionSpec } from './action-input.ts';
import type { CampaignService } from './campaigns.ts';
import type { HealthService } from './health.ts';
import type { OperationsEngine } from './operations.ts';
import { ownerIsGone, processOwner } from './process-owner.ts';
import { nextCronRun, parseWhen } from './schedule-when.ts';

export interface AddScheduleInput {
  /** As typed: `+2h`, `2026-12-24T09:00`, `0 9 * * 1-5`. */
  when: string;
  /** The IANA zone `when` is read in. */
  tz: string;
  job: ScheduledJob;
  /** The command as typed, for lists. */
  command: string;
  actor: string;
}

export interface ScheduleServiceDeps {
  store: ScheduleStore;
  clock: Clock;
  /** Ids of the stored accounts (a job naming another is refused). */
  accountIds(): number[];
  /** Whether a campaign of this name exists. */
  campaignExists(name: string): boolean;
}

/** A schedule with its latest run, as lists show it. */
export interface ScheduleView extends ScheduleRecord {
  lastRun: ScheduleRun | null;
}

/** Adding, listing, pausing, resuming and removing schedules: every interface calls these. */
export class ScheduleService {
  constructor(private readonly d: ScheduleServiceDeps) {}

  /** Checks the job and the time, then stores the schedule; `InputError` before anything is stored. */
  add(input: AddScheduleInput): ScheduleRecord {
    this.checkJob(input.job);
    const now = this.d.clock.now();
    const when = parseWhen(input.when, input.tz, now);
    return this.d.store.add({
      kind: when.kind,
      when: input.when.trim(),
      cron: when.cron,
      tz: input.tz,
      job: input.job,
      command: input.command,
      nextRunAt: when.first,
      createdAt: now,
      actor: input.actor,
    });
  }

  private checkJob(job: ScheduledJob): void {
    const known = new Set(this.d.accountIds());
    const unknown = (ids: readonly number[]): void => {
      const missing = ids.filter((id) => !known.has(id));
      const named = missing.map((id) => `#${id}`).join(', ');
      if (missing.length > 0) throw new InputError(`no account ${named} (\`accounts list\` shows them)`, reason('account_unknown', { accounts: named }));
    };
    switch (job.kind) {
      case 'act':
        validateActionSpec(job.spec);
        if ('accounts' in job.selection) {
          if (!Number.isSafeInteger(job.selection.accounts) || job.selection.accounts < 1) throw new InputError('--accounts takes a whole number from 1', reason('accounts_count_invalid', { value: String(job.selection.accounts) }));
        } else {
          if (job.selection.accountIds.length === 0) throw new InputError('name at least one account', reason('accounts_none_named'));
          unknown(job.selection.accountIds);
        }
        break;
      case 'campaign-run':
        if (!this.d.campaignExists(job.name)) throw new InputError(`no campaign named "${job.name}" (\`campaign list\` shows them)`, reason('campaign_unknown', { name: job.name }));
        break;
      case 'accounts-check':
        if (job.ids !== null) unknown(job.ids);
        break;
      default:
        throw new InputError(`this kind of work cannot be scheduled (${(job as { kind: string }).kind})`, reason('schedule_kind_unknown', { kind: (job as { kind: string }).kind }));
    }
  }

  list(): ScheduleView[] {
    return this.d.store.list().map((s) => ({ ...s, lastRun: this.d.store.runs({ scheduleId: s.id, limit: 1 })[0] ?? null }));
  }

  get(id: number): ScheduleView {
    const s = this.d.store.get(id);
    if (!s) throw new InputError(`no schedule #${id} (\`schedule list\` shows them)`, reason('schedule_unknown', { id }));
    return { ...s, lastRun: this.d.store.runs({ scheduleId: id, limit: 1 })[0] ?? null };
  }

  runs(id?: number, limit = 20): ScheduleRun[] {
    if (id !== undefined) this.get(id);
    return this.d.store.runs({ ...(id !== undefined ? { scheduleId: id } : {}), limit });
  }

  /** Deletes the schedule (its run records stay). A run in progress goes on. */
  remove(id: number): ScheduleRecord {
    const s = this.get(id);
    this.d.store.remove(id);
    return s;
  }

  pause(id: number): ScheduleView {
    const s = this.get(id);
    if (s.state === 'done') throw new InputError(`schedule #${id} has run already; nothing to pause`, reason('schedule_over', { id }));
    if (s.state === 'active') this.d.store.setState(id, 'paused', s.nextRunAt);
    return this.get(id);
  }

  /**
   * A cron schedule resumes at its next time from now: times that passed while it was paused are
   * not made up for. A one-time schedule whose time passed meanwhile runs at once.
   */
  resume(id: number): ScheduleView {
    const s = this.get(id);
    if (s.state === 'done') throw new InputError(`schedule #${id} has run already; add a new one`, reason('schedule_over', { id }));
    if (s.state === 'paused') {
      const next = s.kind === 'cron' && s.cron ? nextCronRun(s.cron, s.tz, this.d.clock.now()) : s.nextRunAt;
      this.d.store.setState(id, next === null ? 'done' : 'active', next);
    }
    return this.get(id);
  }
}

/** The engine services a run calls: the same ones the CLI and the bot call. */
export interface ScheduledWork {
  operations(): Pick<OperationsEngine, 'runOperation'>;
  campaigns(): Pick<CampaignService, 'run'>;
  health(): Pick<HealthService, 'check'>;
}

export interface SchedulerOptions {
  store: ScheduleStore;
  clock: Clock;
  log: Logger;
  work: ScheduledWork;
  /**
   * How often the store is read again when nothing is due sooner: a schedule added by another
   * process (the CLI) is seen within this time. Default one minute (cron's own resolution).
   */
  pollMs?: number;
  owner?: string;
  isOwnerGone?: (owner: string) => boolean;
}

/**
 * Runs due schedules inside `start`, on the engine's clock. A run is claimed in the store before
 * it starts (the schedule moves on to its next time in the same transaction), so a run missed
 * while the panel was down starts once when it comes back, not once per missed time, and a
 * restart never starts a claimed run again.
 */
export class Scheduler {
  private readonly ctl = new AbortController();
  private readonly running = new Map<number, Promise<void>>();
  private loop: Promise<void> | undefined;
  private readonly owner: string;
  private readonly pollMs: number;

  constructor(private readonly d: SchedulerOptions) {
    this.owner = d.owner ?? processOwner();
    this.pollMs = d.pollMs ?? 60_000;
  }

  /** Marks runs of processes that ended as interrupted, then starts watching for due schedules. */
  start(): void {
    if (this.loop) return;
    const interrupted = this.d.store.markInterrupted(this.d.clock.now(), this.d.isOwnerGone ?? ownerIsGone);
    if (interrupted > 0) this.d.log.warn(`scheduler: ${interrupted} run(s) were interrupted when the panel last stopped; they are not started again`);
    this.loop = this.watch();
  }

  private async watch(): Promise<void> {
    const signal = this.ctl.signal;
    let first = true;
    while (!signal.aborted) {
      let next: number | null = null;
      try {
        await this.tick();
        next = this.d.store.nextDue();
      } catch (e) {
        this.d.log.error({ err: e }, 'scheduler: reading the schedules failed; trying again');
      }
      if (first) {
        first = false;
        this.d.log.info(next === null ? 'scheduler: nothing scheduled' : `scheduler: next run at ${new Date(next).toISOString()}`);
      }
      const now = this.d.clock.now();
      const wait = next === null ? this.pollMs : Math.min(this.pollMs, Math.max(0, next - now));
      try {
        await this.d.clock.sleep(wait, signal);
      } catch {
        break;
      }
    }
  }

  /** Starts every run due now (tests call it directly); returns the runs it recorded. */
  async tick(): Promise<ScheduleRun[]> {
    const now = this.d.clock.now();
    const started: ScheduleRun[] = [];
    for (const s of this.d.store.due(now)) {
      if (this.ctl.signal.aborted) break;
      const next = s.kind === 'cron' && s.cron ? nextCronRun(s.cron, s.tz, now) : null;
      const busy = this.running.has(s.id);
      const run = this.d.store.claim(s.id, s.nextRunAt!, next, {
        startedAt: now,
        owner: this.owner,
        status: busy ? 'skipped' : 'running',
        ...(busy ? { detail: 'the previous run of this schedule was still going' } : {}),
      });
      if (!run) continue;
      started.push(run);
      if (busy) {
        this.d.log.warn({ scheduleId: s.id }, `schedule #${s.id}: skipped a run, the previous one is still going`);
        continue;
      }
      this.d.log.info({ scheduleId: s.id, runId: run.id }, `schedule #${s.id}: running ${s.command}`);
      const p = this.execute(s, run).finally(() => this.running.delete(s.id));
      this.running.set(s.id, p);
    }
    await Promise.resolve();
    return started;
  }

  private async execute(s: ScheduleRecord, run: ScheduleRun): Promise<void> {
    let end: Omit<RunEnd, 'finishedAt'>;
    try {
      end = await this.perform(s, run);
    } catch (e) {
      end = { status: 'failed', detail: e instanceof Error ? e.message : String(e) };
    }
    const finished: RunEnd = { ...end, finishedAt: this.d.clock.now() };
    try {
      this.d.store.finish(run.id, finished);
    } catch (e) {
      this.d.log.error({ err: e, scheduleId: s.id }, `schedule #${s.id}: could not record the end of its run`);
    }
    const line = `schedule #${s.id}: ${finished.status}${finished.detail ? ` (${finished.detail})` : ''}`;
    if (finished.status === 'ok') this.d.log.info({ scheduleId: s.id, runId: run.id }, line);
    else this.d.log.warn({ scheduleId: s.id, runId: run.id }, line);
  }

  private async perform(s: ScheduleRecord, run: ScheduleRun): Promise<Omit<RunEnd, 'finishedAt'>> {
    const signal = this.ctl.signal;
    const job = s.job;
    switch (job.kind) {
      case 'act': {
        const record = await this.d.work.operations().runOperation(job.spec, job.selection, {
          actor: `schedule:${s.id}`,
          signal,
          onEvent: (e) => {
            if (e.type === 'started') this.d.store.link(run.id, { operationId: e.operationId });
          },
        });
        const sm = record.summary;
        const ok = sm.done + sm.already + sm.requested;
        const detail = `operation #${record.id} ${record.status}: ${ok} of ${sm.planned} succeeded${sm.failed > 0 ? `, ${sm.failed} failed` : ''}${record.stopReason ? ` (${record.stopReason})` : ''}`;
        return { status: record.status === 'finished' && ok >= sm.planned ? 'ok' : 'failed', operationId: record.id, detail };
      }
      case 'campaign-run': {
        this.d.store.link(run.id, { campaign: job.name });
        const report = await this.d.work.campaigns().run(job.name, { signal });
        return { status: 'ok', campaign: job.name, detail: `${report.state}${report.reason ? `: ${report.reason}` : ''}; sent ${report.run.sent}` };
      }
      case 'accounts-check': {
        const results = await this.d.work.health().check({ ...(job.ids ? { ids: job.ids } : {}), spam: job.spam });
        const answered = results.filter((r) => r.ok).length;
        return { status: 'ok', detail: `${answered} of ${results.length} account(s) answered` };
      }
    }
  }

  /** Resolves once every run started so far has ended (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** Stops watching; runs in progress are told to stop (an operation is cancelled, a campaign pauses) and awaited. */
  async stop(): Promise<void> {
    this.ctl.abort(new Error('the panel is stopping'));
    await this.loop;
    await this.idle();
  }
}
