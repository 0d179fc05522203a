/**
 * Every `start` is a worker over the one database: it keeps a row in `workers` (registered at
 * start, beaten with the fleet's heartbeat, removed on a clean stop), takes its fair share of the
 * accounts and gives up what it holds beyond it (core/fair-share.ts), and holds the singleton
 * roles it wins (the admin bot's polling, the monitor's outbox sender, the scheduler), each a
 * lease of scope 'role' renewed with the same heartbeat. One worker alone holds every account
 * and every role, which is what a single panel on the SQLite file does.
 */
import { hostname } from 'node:os';
import { planBalance, type BalanceAccount, type BalancePlan, type BalanceWorker } from '../core/fair-share.ts';
import type { AccountSummary } from '../core/accounts.ts';
import type { Clock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import { reason } from '../core/reasons.ts';
import { resolveAccountRefs } from '../core/account-refs.ts';
import { describePin, NO_PIN, parsePinText, pinText, type PinFilter } from '../core/worker-pin.ts';
import type { Logger } from '../log.ts';
import { LeaseStore } from '../store/leases.ts';
import type { Db } from '../store/sql.ts';
import { wakeupsFor, type Wakeups } from '../store/wakeups.ts';
import { WorkerStore, type WorkerRow } from '../store/workers.ts';
import { readTag } from './account-selection.ts';
import type { Fleet, Placement, RestoreReport } from './fleet.ts';
import { ownerIsGone } from './process-owner.ts';
import { runPool } from './run-pool.ts';
import { sleepUnless } from './sleep.ts';

export type WorkerRole = 'bot' | 'outbox' | 'scheduler';
export const WORKER_ROLES: readonly WorkerRole[] = ['bot', 'outbox', 'scheduler'];
/** Resource ids of the role leases; never renumber one (a running older worker reads them). */
const ROLE_IDS: Readonly<Record<WorkerRole, number>> = { bot: 1, outbox: 2, scheduler: 3 };

/** Rows of workers dead for longer than this are forgotten when a worker starts. */
const FORGET_AFTER_MS = 24 * 3600_000;
/** `workers` lists dead workers whose last heartbeat is this recent. */
const RECENTLY_DEAD_MS = 3600_000;

/** Whether the worker of this row is alive now: beaten within its TTL, and not a process of this host that has exited. */
export function workerIsLive(row: Pick<WorkerRow, 'owner' | 'heartbeatAt' | 'ttlMs'>, now: number, isGone: (owner: string) => boolean = ownerIsGone): boolean {
  return row.heartbeatAt + row.ttlMs > now && !isGone(row.owner);
}

/** `start --accounts` / `start --tag` as a pin filter; refs name accounts as everywhere else. */
export function resolvePin(accounts: ReadonlyArray<Pick<AccountSummary, 'id' | 'phone' | 'username'>>, o: { accounts?: readonly string[] | undefined; tag?: string | undefined }): PinFilter {
  if (o.accounts !== undefined && o.accounts.length > 0 && o.tag !== undefined) throw new InputError('pin a worker with --accounts or with --tag, not both', reason('worker_pin_both'));
  if (o.tag !== undefined) return { kind: 'tag', tag: readTag(o.tag) };
  if (o.accounts !== undefined && o.accounts.length > 0) {
    const ids = resolveAccountRefs(accounts, o.accounts);
    if (!ids.ok) throw new InputError(ids.problem, reason('account_unknown', { accounts: o.accounts.join(', ') }));
    return { kind: 'accounts', ids: ids.value };
  }
  return NO_PIN;
}

export interface WorkerOptions {
  db: Db;
  fleet: Fleet;
  clock: Clock;
  log: Logger;
  /** Which accounts this worker may take. */
  pin?: PinFilter;
  /** How long a heartbeat counts (the fleet's lease TTL): past it the worker is dead. */
  ttlMs: number;
  version?: string;
  /** The roles this worker can run (the bot needs its token, the outbox a sender); it competes for those only. */
  roles: readonly WorkerRole[];
  /** Told when this worker wins a role (true) or loses it (false); the caller starts or stops that part. */
  onRole?: (role: WorkerRole, held: boolean) => void;
  /** Accounts connecting at once while taking a share (default 16). */
  concurrency?: number;
  /** Ranks free accounts to try (default: shuffled, so workers starting together try different ones). */
  order?: (ids: number[]) => number[];
}

export class Worker implements Placement {
  readonly owner: string;
  readonly pin: PinFilter;
  private readonly store: WorkerStore;
  private readonly roleLeases: LeaseStore;
  private readonly wakeups: Wakeups;
  private readonly held = new Set<WorkerRole>();
  private readonly unsubscribe: Array<() => void> = [];
  private balancing: Promise<void> | undefined;
  private again = false;
  private started = false;
  private stopped = false;
  private startedAt = 0;
  private deathWatch: AbortController | undefined;

  constructor(private readonly o: WorkerOptions) {
    this.owner = o.fleet.owner;
    this.pin = o.pin ?? NO_PIN;
    this.store = new WorkerStore(o.db);
    this.roleLeases = new LeaseStore(o.db, 'role');
    this.wakeups = wakeupsFor(o.db);
  }

  /** Roles held now. */
  roles(): WorkerRole[] {
    return WORKER_ROLES.filter((r) => this.held.has(r));
  }

  holds(role: WorkerRole): boolean {
    return this.held.has(role);
  }

  /**
   * Registers, wins the roles nobody holds, connects this worker's share, and from then on beats,
   * keeps its roles and rebalances on every heartbeat and whenever another worker says the
   * leases changed.
   */
  async start(): Promise<RestoreReport> {
    const now = this.o.clock.now();
    this.startedAt = now;
    this.started = true;
    this.store.prune(now - FORGET_AFTER_MS);
    this.register(now);
    if (this.pin.kind !== 'all') this.o.log.info(`worker: takes only ${describePin(this.pin)}`);
    this.elect();
    this.unsubscribe.push(this.o.fleet.onHeartbeat(() => this.tick()));
    this.unsubscribe.push(this.wakeups.on('leases', () => this.rebalanceSoon()));
    // A newcomer: the others give up their surplus now rather than at their next heartbeat.
    this.wakeups.notify('leases', 'joined');
    const report = await this.o.fleet.start({ placement: this });
    this.beat();
    this.rebalanceSoon();
    return report;
  }

  /** Placement: the accounts to connect at start, this worker's share of those nobody holds. */
  initial(eligible: readonly AccountSummary[]): number[] {
    const ok = new Set(eligible.map((a) => a.id));
    return this.plan().take.filter((id) => ok.has(id));
  }

  /** What this worker should take and give now, from the rows and leases as they are. */
  plan(): BalancePlan {
    const now = this.o.clock.now();
    const workers: BalanceWorker[] = this.store
      .all()
      .filter((r) => r.owner === this.owner || workerIsLive(r, now))
      .map((r) => ({ owner: r.owner, pin: r.owner === this.owner ? this.pin : parsePinText(r.pin) }));
    if (!workers.some((w) => w.owner === this.owner)) workers.push({ owner: this.owner, pin: this.pin });
    const fleet = this.o.fleet;
    const accounts: BalanceAccount[] = fleet.accounts().map((a) => ({
      id: a.id,
      tags: a.tags,
      holder: fleet.isLive(a.id) || fleet.isConnecting(a.id) ? this.owner : (a.heldBy ?? null),
      connectable: fleet.mayConnect(a.id),
      lastUsedAt: a.lastUsedAt,
    }));
    return planBalance(this.owner, workers, accounts, this.o.order ?? shuffle);
  }

  private register(now: number): void {
    this.store.register({
      owner: this.owner,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      heartbeatAt: now,
      ttlMs: this.o.ttlMs,
      accountsHeld: this.o.fleet.liveIds().length,
      pin: pinText(this.pin),
      roles: this.roles(),
      version: this.o.version ?? '',
    });
  }

  /** The fleet's heartbeat: the row, the roles, then a rebalance that runs on its own. */
  private tick(): void {
    if (this.stopped) return;
    this.beat();
    this.elect();
    this.rebalanceSoon();
  }

  private beat(): void {
    const now = this.o.clock.now();
    // Removed by hand (or pruned by a worker whose clock runs far ahead): come back.
    if (!this.store.beat(this.owner, now, this.o.fleet.liveIds().length, this.roles())) this.register(now);
  }

  /** Keeps the roles held, takes the ones free; tells the caller of every change. */
  private elect(): void {
    const now = this.o.clock.now();
    for (const role of this.o.roles) {
      const id = ROLE_IDS[role];
      if (this.held.has(role)) {
        if (this.roleLeases.renew(this.owner, [id], now, this.o.ttlMs).length === 0) continue;
        this.held.delete(role);
        this.o.log.warn(`worker: lost the ${role} role to another worker; stopping it here`);
        this.o.onRole?.(role, false);
      } else if (this.roleLeases.acquire(id, this.owner, now, this.o.ttlMs, ownerIsGone).ok) {
        this.held.add(role);
        this.o.log.info(`worker: runs the ${role} here`);
        this.o.onRole?.(role, true);
      }
    }
  }

  /** Runs a rebalance now, or once more after the one running (wake-ups come in bursts). */
  private rebalanceSoon(): void {
    if (!this.started || this.stopped) return;
    if (this.balancing) {
      this.again = true;
      return;
    }
    this.balancing = (async () => {
      do {
        this.again = false;
        try {
          await this.rebalance();
        } catch (e) {
          this.o.log.warn({ err: e }, 'worker: rebalancing the accounts failed; trying again at the next heartbeat');
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.balancing = undefined));
  }

  /**
   * Rebalances again the moment the next other worker would turn dead if it stopped beating now:
   * a live worker's beat keeps moving that moment on (and the next rebalance sets it again), a dead
   * one's leases lapse then (renewed in the same beat as its row), so its accounts move within the
   * TTL rather than at the first heartbeat after it.
   */
  private watchDeaths(): void {
    this.deathWatch?.abort();
    if (this.stopped) return;
    const now = this.o.clock.now();
    const next = Math.min(...this.store.all().filter((r) => r.owner !== this.owner && workerIsLive(r, now)).map((r) => r.heartbeatAt + r.ttlMs));
    if (!Number.isFinite(next)) return;
    const ctl = new AbortController();
    this.deathWatch = ctl;
    void sleepUnless(this.o.clock, Math.max(0, next - now) + 25, [ctl.signal]).then(() => {
      if (!ctl.signal.aborted) this.rebalanceSoon();
    });
  }

  /** Gives up the surplus (disconnect, then release, then tell the others), then takes what is free up to the share. */
  async rebalance(): Promise<void> {
    this.watchDeaths();
    const plan = this.plan();
    let given = 0;
    for (const id of plan.give) {
      if (this.stopped) return;
      if (await this.o.fleet.handOver(id)) given++;
    }
    if (given > 0) {
      this.o.log.info(`worker: handed ${given} account(s) over to other workers (share ${plan.share.floor}-${plan.share.ceil})`);
      this.wakeups.notify('leases', 'given');
    }
    // An account waiting for its backoff is retried by the fleet, not here.
    const take = plan.take.filter((id) => !this.o.fleet.isLive(id) && !this.o.fleet.isConnecting(id) && !this.o.fleet.isRetrying(id));
    if (take.length === 0 || this.stopped) return;
    let taken = 0;
    await runPool(take, this.o.concurrency ?? 16, async (id) => {
      if (this.stopped || this.o.fleet.stopping) return;
      try {
        await this.o.fleet.session(id);
        taken++;
      } catch (e) {
        // Another worker was quicker, or the account cannot connect now (the fleet records why).
        this.o.log.debug({ err: e, accountId: id }, 'worker: could not take the account');
      }
    });
    if (taken > 0) {
      this.o.log.info(`worker: took ${taken} account(s) (holds ${this.o.fleet.liveIds().length}, share ${plan.share.floor}-${plan.share.ceil})`);
      this.beat();
    }
  }

  /**
   * Releases the roles (the caller has stopped their parts), stops the fleet (every connection
   * closed, then its lease released), removes the row and tells the others to take over now.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.deathWatch?.abort();
    for (const u of this.unsubscribe.splice(0)) u();
    for (const role of this.held) this.roleLeases.release(ROLE_IDS[role], this.owner);
    this.held.clear();
    if (this.started) this.wakeups.notify('leases', 'roles');
    try {
      await this.o.fleet.stop();
      await this.balancing;
    } finally {
      if (this.started) {
        this.store.remove(this.owner);
        this.wakeups.notify('leases', 'left');
      }
    }
  }
}

/** One worker as `workers` shows it. */
export interface WorkerView {
  owner: string;
  host: string;
  pid: number;
  live: boolean;
  startedAt: number;
  heartbeatAt: number;
  /** Accounts whose lease it holds now (live workers), else none. */
  accounts: number[];
  /** Accounts it held at its last heartbeat. */
  accountsHeld: number;
  roles: WorkerRole[];
  /** The pin filter in words ("all accounts", "tag dc1"). */
  pin: string;
  version: string;
}

/** The workers of this database, live first, then those that died within the last hour. */
export function listWorkers(db: Db, now: number, isGone: (owner: string) => boolean = ownerIsGone): WorkerView[] {
  const rows = new WorkerStore(db).all();
  const accounts = new LeaseStore(db, 'account').heldElsewhere('', now, () => false);
  const roles = new LeaseStore(db, 'role');
  const out: WorkerView[] = [];
  for (const r of rows) {
    const live = workerIsLive(r, now, isGone);
    if (!live && r.heartbeatAt < now - RECENTLY_DEAD_MS) continue;
    const held = live ? [...accounts].filter(([, owner]) => owner === r.owner).map(([id]) => id).sort((a, b) => a - b) : [];
    out.push({
      owner: r.owner,
      host: r.host,
      pid: r.pid,
      live,
      startedAt: r.startedAt,
      heartbeatAt: r.heartbeatAt,
      accounts: held,
      accountsHeld: live ? held.length : r.accountsHeld,
      roles: live ? WORKER_ROLES.filter((role) => roles.liveHolder(ROLE_IDS[role], '', now, () => false) === r.owner) : [],
      pin: describePin(parsePinText(r.pin)),
      version: r.version,
    });
  }
  return out.sort((a, b) => Number(b.live) - Number(a.live) || a.startedAt - b.startedAt);
}

function shuffle(ids: number[]): number[] {
  const out = [...ids];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
