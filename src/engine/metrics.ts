import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Registry } from 'prom-client';
import { ACCOUNT_STATUSES, type AccountStatus } from '../core/accounts.ts';
import { OPERATION_KINDS, type CallKind } from '../core/actions.ts';
import type { Fleet } from './fleet.ts';

type Awaitable<T> = T | Promise<T>;

/**
 * Where the metrics read their values, each on scrape: the store's facts (which survive restarts
 * and are shared by every worker over one database) and this process's fleet. Nothing here may
 * carry a phone, a username or session data: scrapers read it without signing in.
 */
export interface MetricsSources {
  /** Every stored account's status. */
  statuses(): Awaitable<Iterable<AccountStatus>>;
  /** Parks in force now: per account, until when each kind of call is closed. */
  parks(): Awaitable<ReadonlyMap<number, Partial<Record<CallKind, number>>>>;
  /** Campaign messages sent, over every campaign. */
  messagesSent(): Awaitable<number>;
  /** The monitor's forwards waiting to be posted; `held` of them wait for the operator. */
  outbox(): Awaitable<{ pending: number; held: number }>;
  /** A trivial query; throws when the store does not answer. */
  ping(): Awaitable<void>;
  /** This process's fleet. */
  fleet(): Pick<Fleet, 'owner' | 'tally' | 'stopping' | 'liveIds'>;
}

/** Why the process should not get traffic; a short code, nothing more (no secret, no path). */
export type HealthProblem = 'stopping' | 'fleet_stopped' | 'store_unavailable';

export type Health = { ok: true; worker: string; connected: number } | { ok: false; problem: HealthProblem };

const CALL_KINDS: readonly CallKind[] = [...OPERATION_KINDS, 'check'];

/**
 * `/healthz` and Prometheus `/metrics` for one process. The registry is this service's own (not
 * prom-client's global one), so several apps in one process (tests) do not collide.
 */
export class MetricsService {
  readonly registry = new Registry();
  private readonly loopDelay: IntervalHistogram;
  private stopping = false;

  constructor(private readonly sources: MetricsSources) {
    const r = [this.registry];
    const s = sources;
    // Each collector reads first and sets after, so two scrapes at once cannot add up.
    new Gauge({
      name: 'telegram_panel_worker_info',
      help: 'This worker (the lease owner name, host/pid/random); always 1.',
      labelNames: ['worker'],
      registers: r,
      collect() {
        this.reset();
        this.set({ worker: s.fleet().owner }, 1);
      },
    });
    new Gauge({
      name: 'telegram_panel_accounts',
      help: 'Stored accounts by status (every worker over the database sees the same).',
      labelNames: ['status'],
      registers: r,
      async collect() {
        const by = new Map<AccountStatus, number>(ACCOUNT_STATUSES.map((st) => [st, 0]));
        for (const st of await s.statuses()) by.set(st, (by.get(st) ?? 0) + 1);
        for (const [status, n] of by) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'telegram_panel_accounts_connected',
      help: 'Accounts this worker holds a live connection for.',
      registers: r,
      collect() {
        this.set(s.fleet().liveIds().length);
      },
    });
    new Gauge({
      name: 'telegram_panel_accounts_parked',
      help: 'Accounts with a flood wait in force, by the kind of call it closes.',
      labelNames: ['kind'],
      registers: r,
      async collect() {
        const by = new Map<CallKind, number>(CALL_KINDS.map((k) => [k, 0]));
        for (const kinds of (await s.parks()).values()) for (const k of Object.keys(kinds) as CallKind[]) by.set(k, (by.get(k) ?? 0) + 1);
        for (const [kind, n] of by) this.set({ kind }, n);
      },
    });
    new Counter({
      name: 'telegram_panel_flood_waits_total',
      help: 'FLOOD_WAITs this worker met since it started, by the kind of call they closed.',
      labelNames: ['kind'],
      registers: r,
      collect() {
        this.reset();
        const seen = s.fleet().tally.floodWaits;
        for (const kind of CALL_KINDS) this.inc({ kind }, seen.get(kind) ?? 0);
      },
    });
    new Counter({
      name: 'telegram_panel_campaign_messages_sent_total',
      help: 'Campaign messages sent, over every campaign, read from the store (survives restarts; drops when a campaign is removed).',
      registers: r,
      async collect() {
        const n = await s.messagesSent();
        this.reset();
        this.inc(n);
      },
    });
    new Gauge({
      name: 'telegram_panel_outbox_pending',
      help: 'Monitor hits waiting in the outbox to be posted to the channel.',
      registers: r,
      async collect() {
        this.set((await s.outbox()).pending);
      },
    });
    new Gauge({
      name: 'telegram_panel_outbox_held',
      help: 'Waiting monitor hits held until the operator acts (the bot may not post in the channel).',
      registers: r,
      async collect() {
        this.set((await s.outbox()).held);
      },
    });
    new Counter({
      name: 'telegram_panel_lease_handovers_total',
      help: 'Account leases this worker took over from another owner (taken) or lost to one (given) since it started.',
      labelNames: ['direction'],
      registers: r,
      collect() {
        this.reset();
        const t = s.fleet().tally;
        this.inc({ direction: 'taken' }, t.leasesTaken);
        this.inc({ direction: 'given' }, t.leasesGiven);
      },
    });

    // The loop's delay between scrapes, sampled by Node itself (no timer of ours).
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.loopDelay.enable();
    const loop = this.loopDelay;
    new Gauge({
      name: 'nodejs_eventloop_lag_seconds',
      help: 'Event loop lag measured at this scrape (how late a callback queued now runs).',
      registers: r,
      async collect() {
        const start = process.hrtime.bigint();
        await new Promise((resolve) => setImmediate(resolve));
        this.set(Number(process.hrtime.bigint() - start) / 1e9);
      },
    });
    new Gauge({
      name: 'nodejs_eventloop_lag_p99_seconds',
      help: 'The 99th percentile of the event loop delay since the previous scrape.',
      registers: r,
      collect() {
        this.set(loop.count > 0 ? loop.percentile(99) / 1e9 : 0);
      },
    });
    new Gauge({
      name: 'nodejs_eventloop_lag_max_seconds',
      help: 'The longest event loop delay since the previous scrape.',
      registers: r,
      collect() {
        this.set(loop.count > 0 ? loop.max / 1e9 : 0);
      },
    });
    new Gauge({
      name: 'process_resident_memory_bytes',
      help: 'Resident memory of this process in bytes.',
      registers: r,
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    new Counter({
      name: 'process_cpu_seconds_total',
      help: 'CPU time this process used, user and system, in seconds.',
      registers: r,
      collect() {
        const u = process.cpuUsage();
        this.reset();
        this.inc((u.user + u.system) / 1e6);
      },
    });
    new Gauge({
      name: 'process_start_time_seconds',
      help: 'When this process started, in seconds since the Unix epoch.',
      registers: r,
      collect() {
        this.set(Math.round(Date.now() / 1000 - process.uptime()));
      },
    });
  }

  /** The text exposition a scraper reads. */
  async metrics(): Promise<{ contentType: string; body: string }> {
    const body = await this.registry.metrics();
    // The delay gauges cover the time between scrapes.
    this.loopDelay.reset();
    return { contentType: this.registry.contentType, body };
  }

  /** Whether this process should get traffic: not stopping, its fleet running, its store answering. */
  async health(): Promise<Health> {
    if (this.stopping) return { ok: false, problem: 'stopping' };
    const fleet = this.sources.fleet();
    if (fleet.stopping) return { ok: false, problem: 'fleet_stopped' };
    try {
      await this.sources.ping();
    } catch {
      return { ok: false, problem: 'store_unavailable' };
    }
    return { ok: true, worker: fleet.owner, connected: fleet.liveIds().length };
  }

  /** From now on the process reads as unhealthy, so load balancers move away before its parts stop. */
  markStopping(): void {
    this.stopping = true;
  }

  close(): void {
    this.loopDelay.disable();
  }
}
