import { accountLabel, type AccountStatus, type AccountSummary } from '../core/accounts.ts';
import type { CallKind } from '../core/actions.ts';
import type { Clock } from '../core/clock.ts';
import { policyOf } from '../core/failure-policy.ts';
import { TelegramFailure, type Failure } from '../core/failures.ts';
import type { Reason } from '../core/reasons.ts';
import { englishReason, failureReason } from '../core/stored-reasons.ts';
import type { AccountSession, SelfInfo } from '../core/session.ts';
import type { Logger } from '../log.ts';
import type { AccountStore } from '../store/accounts.ts';
import type { LeaseStore } from '../store/leases.ts';
import { parseProxyUrl, type ProxySpec } from '../core/proxy-url.ts';
import { Backoff } from './fleet-backoff.ts';
import { AccountCommands } from './fleet-commands.ts';
import { FleetStatus } from './fleet-status.ts';
import { describeOwner, ownerIsGone, processOwner } from './process-owner.ts';
import type { AccountPool, PoolAccount } from './ports.ts';
import { runPool } from './run-pool.ts';
import { sleepUnless } from './sleep.ts';

/** How the fleet reaches Telegram for one account (src/telegram's TelegramConnector; tests fake it). */
export interface AccountConnector {
  connect(req: {
    accountId: number;
    proxy: { spec: ProxySpec; label: string } | null;
    onFailure: (failure: Failure) => void;
    onClose: () => void;
  }): Promise<
    | {
        ok: true;
        session: AccountSession;
        /** Null when the connection works but its getMe check was refused (`checkFailure`, e.g. a FLOOD_WAIT on getMe). */
        self: SelfInfo | null;
        checkFailure?: Failure;
      }
    | { ok: false; failure: Failure }
  >;
}

export interface FleetOptions {
  store: AccountStore;
  leases: LeaseStore;
  connector: AccountConnector;
  clock: Clock;
  log: Logger;
  /** PROXY_URL: used by accounts without their own proxy. */
  defaultProxyUrl?: string | undefined;
  /** Accounts connecting at once during restore (default 16). */
  restoreConcurrency?: number;
  leaseTtlMs?: number;
  heartbeatMs?: number;
  /** First retry delay after a transient failure; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** This process's lease owner name (default host/pid/random). */
  owner?: string;
}

export interface RestoreReport {
  connected: number[];
  failed: Array<{ accountId: number; failure: Failure }>;
  skipped: Array<{ accountId: number; reason: string }>;
}

/**
 * Which accounts this process connects, when several workers share the fleet (engine/workers.ts).
 * Without one, `start` connects every account it may, as a single panel does.
 */
export interface Placement {
  /** At start: of the accounts this fleet may connect, those to connect now. */
  initial(eligible: readonly AccountSummary[]): number[];
}

export type FleetEvent =
  | { type: 'status'; accountId: number; status: AccountStatus; reason: string | null; reasonCode: Reason | null }
  | { type: 'connected'; accountId: number } | { type: 'disconnected'; accountId: number };

/** What this process's fleet met since it started; the metrics read it on scrape. */
export interface FleetTally {
  /** FLOOD_WAITs met, by the kind of call they closed. */
  readonly floodWaits: Map<CallKind, number>;
  /** Leases taken over from another owner (expired or gone), and leases another owner took from this one. */
  leasesTaken: number;
  leasesGiven: number;
}

interface Live {
  session: AccountSession;
  self: SelfInfo | null;
}

/**
 * Every stored account and its one live connection. Restores enabled accounts at start with
 * bounded parallelism, keeps a lease per connected account (a second process is refused),
 * reconnects after transient failures (`fleet-backoff.ts`), records what failures mean for the
 * account (`fleet-status.ts`, by the policy table in core), and disconnects everything on stop.
 * Implements the engine's `AccountPool`; the operator's commands live in `fleet-commands.ts`.
 */
export class Fleet implements AccountPool {
  readonly owner: string;
  readonly tally: FleetTally = { floodWaits: new Map(), leasesTaken: 0, leasesGiven: 0 };
  readonly store: AccountStore;
  private readonly leases: LeaseStore;
  private readonly connector: AccountConnector;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly defaultProxyUrl: string | undefined;
  private readonly restoreConcurrency: number;
  readonly leaseTtlMs: number;
  private readonly heartbeatMs: number;
  private readonly status: FleetStatus;
  private readonly backoff: Backoff;
  private readonly commands: AccountCommands;
  private readonly live = new Map<number, Live>();
  /**
   * Until when each live account may be used: its lease's expiry as last written, less one
   * heartbeat. Past it another worker may take the account, so the connection must be closed
   * first: a second connection on one session makes Telegram revoke it (AUTH_KEY_DUPLICATED).
   */
  private readonly safeUntil = new Map<number, number>();
  private readonly connecting = new Map<number, Promise<AccountSession>>();
  private readonly closing = new Set<Promise<void>>();
  private readonly listeners = new Set<(e: FleetEvent) => void>();
  private readonly stopCtl = new AbortController();
  private heartbeat: Promise<void> | undefined;
  private readonly beats = new Set<() => void>();
  private running = false;
  private stopped = false;

  constructor(opts: FleetOptions) {
    this.owner = opts.owner ?? processOwner();
    this.store = opts.store;
    this.leases = opts.leases;
    this.connector = opts.connector;
    this.clock = opts.clock;
    this.log = opts.log;
    this.defaultProxyUrl = opts.defaultProxyUrl;
    this.restoreConcurrency = opts.restoreConcurrency ?? 16;
    this.leaseTtlMs = opts.leaseTtlMs ?? 60_000;
    this.heartbeatMs = opts.heartbeatMs ?? 20_000;
    this.status = new FleetStatus(this.store, this.clock, (accountId, status, reason) => this.announce(accountId, status, reason));
    this.backoff = new Backoff(
      this.clock,
      opts.backoffMs ?? 5_000,
      opts.maxBackoffMs ?? 300_000,
      this.stopCtl.signal,
      async (id) => {
        if (this.live.has(id)) return true;
        try {
          await this.session(id);
          return true;
        } catch (e) {
          this.log.debug({ accountId: id, err: e }, 'reconnect failed');
          return false;
        }
      },
      (id) => !this.live.has(id) && this.status.mayConnect(id),
    );
    this.commands = new AccountCommands(this.store, this.leases, this.clock, {
      owner: this.owner,
      disconnect: (id) => this.disconnect(id),
      announce: (accountId, status, reason) => this.announce(accountId, status, reason),
    });
  }

  private announce(accountId: number, status: AccountStatus, reason: Reason | null): void {
    this.emit({ type: 'status', accountId, status, reason: reason ? englishReason(reason) : null, reasonCode: reason });
  }

  onEvent(listener: (e: FleetEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: FleetEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log.warn({ err }, 'a fleet listener failed');
      }
    }
  }

  // AccountPool ----------------------------------------------------------------------------------

  accounts(): PoolAccount[] {
    const now = this.clock.now();
    const parks = this.store.parks(now);
    const held = this.leases.heldElsewhere(this.owner, now, ownerIsGone);
    return this.store
      .list(now)
      .filter((a) => a.enabled)
      .map((a) => ({ ...a, parkedUntil: parks.get(a.id) ?? {}, heldBy: held.get(a.id) ?? null }))
      .sort((x, y) => (x.lastUsedAt ?? -Infinity) - (y.lastUsedAt ?? -Infinity) || x.id - y.id);
  }

  /** The live session, connecting it when needed (one connection per account, across processes). */
  session(accountId: number): Promise<AccountSession> {
    const live = this.live.get(accountId);
    if (live && this.stillLeased(accountId)) return Promise.resolve(live.session);
    let pending = this.connecting.get(accountId);
    if (!pending) {
      pending = this.open(accountId).finally(() => this.connecting.delete(accountId));
      this.connecting.set(accountId, pending);
    }
    return pending;
  }

  reportFailure(accountId: number, kind: CallKind, failure: Failure): void {
    this.count(kind, failure);
    const effect = this.status.apply(accountId, kind, failure, 'call');
    if (effect?.endsSession) this.ended(accountId, failure);
  }

  private count(kind: CallKind, f: Failure): void {
    if (f.kind === 'flood_wait') this.tally.floodWaits.set(kind, (this.tally.floodWaits.get(kind) ?? 0) + 1);
  }

  markUsed(accountId: number): void {
    this.store.markUsed(accountId, this.clock.now());
  }

  // Connections ------------------------------------------------------------------------------------

  /** Stopping or stopped: nothing connects any more. */
  get stopping(): boolean {
    return this.stopCtl.signal.aborted;
  }

  isLive(accountId: number): boolean {
    return this.live.has(accountId);
  }

  liveIds(): number[] {
    return [...this.live.keys()];
  }

  private proxyFor(accountId: number): { spec: ProxySpec; label: string } | null | Failure {
    const url = this.store.proxyUrl(accountId) ?? this.defaultProxyUrl;
    if (!url) return null;
    const p = parseProxyUrl(url);
    if (!p.ok) return { kind: 'proxy', code: 'PROXY_INVALID', message: `the proxy cannot be used: ${p.problem}` };
    return { spec: p.spec, label: p.label };
  }

  private async open(accountId: number): Promise<AccountSession> {
    const account = this.store.get(accountId, this.clock.now());
    if (!account) throw new TelegramFailure({ kind: 'no_account', code: 'NO_ACCOUNT', message: `there is no account #${accountId}` });
    if (!account.enabled) throw new TelegramFailure({ kind: 'disabled', code: 'DISABLED', message: `account ${accountLabel(account)} is disabled; enable it first` });
    const before = this.leases.holder(accountId)?.owner;
    const leasedAt = this.clock.now();
    const lease = this.leases.acquire(accountId, this.owner, leasedAt, this.leaseTtlMs, ownerIsGone);
    if (lease.ok && before !== undefined && before !== this.owner) this.tally.leasesTaken++;
    if (!lease.ok) {
      throw new TelegramFailure({
        kind: 'lease_held',
        code: 'LEASE_HELD',
        message: `account ${accountLabel(account)} is connected by another telegram-panel (${describeOwner(lease.holder.owner)}); stop that one first`,
        holder: lease.holder.owner,
      });
    }
    const proxy = this.proxyFor(accountId);
    if (proxy !== null && 'kind' in proxy) {
      this.leases.release(accountId, this.owner);
      this.status.set(accountId, 'error', failureReason(proxy));
      throw new TelegramFailure(proxy);
    }
    this.status.connecting(accountId, proxy ? proxy.label : null);
    let res: Awaited<ReturnType<AccountConnector['connect']>>;
    try {
      res = await this.connector.connect({
        accountId,
        proxy,
        onFailure: (f) => this.onSessionFailure(accountId, f),
        onClose: () => this.onSessionClosed(accountId),
      });
    } catch (e) {
      this.leases.release(accountId, this.owner);
      throw e;
    }
    if (!res.ok) {
      this.leases.release(accountId, this.owner);
      this.connectFailed(accountId, res.failure);
      throw new TelegramFailure(res.failure);
    }
    if (this.stopCtl.signal.aborted) {
      await res.session.close();
      throw new TelegramFailure({ kind: 'network', code: 'STOPPED', message: 'the fleet is stopping' });
    }
    this.live.set(accountId, { session: res.session, self: res.self });
    this.safeUntil.set(accountId, leasedAt + this.leaseTtlMs - this.heartbeatMs);
    this.backoff.reset(accountId);
    if (res.self) this.store.setProfile(accountId, { username: res.self.username, firstName: res.self.firstName });
    this.status.connected(accountId);
    // The connection works; only its check was refused (a wait on getMe closes getMe, nothing else).
    if (res.checkFailure) this.reportFailure(accountId, 'check', res.checkFailure);
    this.emit({ type: 'connected', accountId });
    this.ensureHeartbeat();
    return res.session;
  }

  /** A failure seen by a live session: the ones that end it change the status and disconnect. */
  private onSessionFailure(accountId: number, f: Failure): void {
    if (policyOf(f.kind).endsSession) {
      this.status.apply(accountId, 'check', f, 'call');
      this.ended(accountId, f);
    }
  }

  /** The session can no longer be used: out of the live set now, reconnected later if the policy says so. */
  private ended(accountId: number, f: Failure): void {
    this.drop(accountId);
    if (policyOf(f.kind).reconnect === 'backoff') this.scheduleReconnect(accountId);
  }

  /** Takes the account out of the live set at once (no caller gets it again), then closes it. */
  private drop(accountId: number): void {
    const live = this.live.get(accountId);
    if (!live) return;
    this.live.delete(accountId);
    this.emit({ type: 'disconnected', accountId });
    // The lease goes only once the connection is closed, so no other process overlaps it.
    const closing = live.session
      .close()
      .catch(() => undefined)
      .then(() => {
        if (!this.live.has(accountId) && !this.stopped) this.leases.release(accountId, this.owner);
      })
      .finally(() => this.closing.delete(closing));
    this.closing.add(closing);
  }

  private onSessionClosed(accountId: number): void {
    if (this.live.delete(accountId)) {
      this.leases.release(accountId, this.owner);
      this.emit({ type: 'disconnected', accountId });
    }
  }

  private connectFailed(accountId: number, f: Failure): void {
    this.count('check', f);
    this.status.apply(accountId, 'check', f, 'connect');
    const p = policyOf(f.kind);
    if (p.reconnect === 'backoff') this.scheduleReconnect(accountId);
    else if (p.reconnect === 'after_wait') this.scheduleReconnect(accountId, Math.max(1, f.seconds ?? 60) * 1000);
  }

  private scheduleReconnect(accountId: number, atLeastMs?: number): void {
    if (this.running) this.backoff.schedule(accountId, atLeastMs);
  }

  private ensureHeartbeat(): void {
    if (this.heartbeat || this.stopCtl.signal.aborted) return;
    this.heartbeat = (async () => {
      while (!this.stopCtl.signal.aborted) {
        await sleepUnless(this.clock, this.heartbeatMs, [this.stopCtl.signal]);
        if (this.stopCtl.signal.aborted) break;
        try {
          this.renewLeases();
        } catch (e) {
          // The database did not answer: keep beating, and let go of what can no longer be held.
          this.log.warn({ err: e }, 'could not renew the connection leases');
        }
        this.dropLapsed();
        for (const beat of this.beats) {
          try {
            beat();
          } catch (e) {
            this.log.warn({ err: e }, 'a heartbeat listener failed');
          }
        }
        if (this.live.size === 0 && !this.running) break;
      }
      this.heartbeat = undefined;
    })();
  }

  /**
   * Called on every heartbeat after the leases are renewed, so a worker's own beat shares the
   * fleet's one timer. Must not wait: work it starts runs on its own. Returns the unsubscribe.
   */
  onHeartbeat(fn: () => void): () => void {
    this.beats.add(fn);
    return () => this.beats.delete(fn);
  }

  /** Renews every lease held; an account whose lease was taken over is disconnected at once. */
  renewLeases(): void {
    const ids = [...this.live.keys()];
    if (ids.length === 0) return;
    // Disabled (or removed) by another panel since: let go here too.
    for (const id of ids) {
      const a = this.store.rawStatus(id);
      if (!a || !a.enabled) this.drop(id);
    }
    const held = [...this.live.keys()];
    const now = this.clock.now();
    const lost = new Set(this.leases.renew(this.owner, held, now, this.leaseTtlMs));
    for (const id of held) if (!lost.has(id)) this.safeUntil.set(id, now + this.leaseTtlMs - this.heartbeatMs);
    this.tally.leasesGiven += lost.size;
    // Another worker holds it now and sets its status: nothing is wrong with the account.
    for (const id of lost) this.letGo(id, 'lost the connection lease of this account; disconnecting it');
  }

  /**
   * A live account whose lease may have lapsed (this process stalled, or the database stopped
   * answering) is renewed on the spot before it is used, or let go if that fails.
   */
  private stillLeased(accountId: number): boolean {
    const now = this.clock.now();
    if ((this.safeUntil.get(accountId) ?? -Infinity) > now) return true;
    try {
      if (this.leases.renew(this.owner, [accountId], now, this.leaseTtlMs).length === 0) {
        this.safeUntil.set(accountId, now + this.leaseTtlMs - this.heartbeatMs);
        return true;
      }
      this.tally.leasesGiven++;
      this.letGo(accountId, 'lost the connection lease of this account; disconnecting it');
    } catch (e) {
      this.log.warn({ err: e, accountId }, 'could not renew the connection lease');
      this.letGo(accountId, 'the connection lease could not be renewed in time; disconnecting the account so that no other worker connects it twice');
    }
    return false;
  }

  /** Closes connections whose lease could not be renewed before another worker may take them. */
  private dropLapsed(): void {
    const now = this.clock.now();
    for (const [id, until] of this.safeUntil) {
      if (!this.live.has(id)) this.safeUntil.delete(id);
      else if (until <= now) this.letGo(id, 'the connection lease could not be renewed in time; disconnecting the account so that no other worker connects it twice');
    }
  }

  /** Out of the live set at once, then closed; the lease is not ours to release any more. */
  private letGo(id: number, why: string): void {
    const live = this.live.get(id);
    this.live.delete(id);
    this.safeUntil.delete(id);
    if (!live) return;
    this.log.warn({ accountId: id }, why);
    this.emit({ type: 'disconnected', accountId: id });
    const closing = live.session
      .close()
      .catch(() => undefined)
      .finally(() => this.closing.delete(closing));
    this.closing.add(closing);
  }

  /**
   * Connects every enabled account that the operator has not to act on first, `restoreConcurrency`
   * at a time, and keeps retrying transient failures with backoff until `stop()`.
   */
  async start(opts: { placement?: Placement } = {}): Promise<RestoreReport> {
    this.running = true;
    // Beating from the start: a worker whose first connections are slow must still look alive.
    this.ensureHeartbeat();
    const report: RestoreReport = { connected: [], failed: [], skipped: [] };
    const todo: AccountSummary[] = [];
    for (const a of this.store.list(this.clock.now())) {
      const raw = this.store.rawStatus(a.id);
      if (!a.enabled) report.skipped.push({ accountId: a.id, reason: 'disabled' });
      else if (raw && !this.status.mayConnect(a.id)) report.skipped.push({ accountId: a.id, reason: `${raw.status}${raw.reason ? `: ${raw.reason}` : ''}` });
      else todo.push(a);
    }
    if (opts.placement) {
      const chosen = new Set(opts.placement.initial(todo));
      for (const a of todo) if (!chosen.has(a.id)) report.skipped.push({ accountId: a.id, reason: "held by another process, or another worker's share" });
      todo.splice(0, todo.length, ...todo.filter((a) => chosen.has(a.id)));
    }
    await this.connectEach(todo, report, opts.placement !== undefined);
    if (opts.placement) {
      // Workers starting together race for the same free accounts: losing one is no failure.
      for (const f of report.failed.filter((x) => x.failure.kind === 'lease_held')) report.skipped.push({ accountId: f.accountId, reason: 'taken by another worker meanwhile' });
      report.failed = report.failed.filter((x) => x.failure.kind !== 'lease_held');
    }
    this.ensureHeartbeat();
    return report;
  }

  /** Connects these accounts, `restoreConcurrency` at a time, recording each outcome in `report`. */
  private async connectEach(todo: readonly AccountSummary[], report: RestoreReport, quiet: boolean): Promise<RestoreReport> {
    await runPool([...todo], this.restoreConcurrency, async (a) => {
      if (this.stopCtl.signal.aborted) return;
      try {
        await this.session(a.id);
        report.connected.push(a.id);
      } catch (e) {
        const failure = e instanceof TelegramFailure ? e.failure : { kind: 'unknown' as const, code: 'UNKNOWN', message: e instanceof Error ? e.message : String(e) };
        report.failed.push({ accountId: a.id, failure });
        if (failure.kind === 'lease_held' && !quiet) this.log.warn({ accountId: a.id }, failure.message);
      }
    });
    return report;
  }

  /** Whether the fleet may connect the account by itself (enabled, no operator action pending). */
  mayConnect(accountId: number): boolean {
    return this.status.mayConnect(accountId);
  }

  isConnecting(accountId: number): boolean {
    return this.connecting.has(accountId);
  }

  /** A reconnect is scheduled after a failure (the backoff decides when; not to be tried again meanwhile). */
  isRetrying(accountId: number): boolean {
    return this.backoff.waiting(accountId);
  }

  /**
   * Lets another worker have the account: out of the live set, the connection closed, and only
   * then the lease released, so the two connections never overlap. If the close fails the lease
   * is left to expire (it is no longer renewed) rather than released under a connection that may
   * still be open. False when the account is not live here (or still connecting).
   */
  async handOver(accountId: number): Promise<boolean> {
    if (this.connecting.has(accountId)) return false;
    const live = this.live.get(accountId);
    if (!live) return false;
    this.live.delete(accountId);
    this.emit({ type: 'disconnected', accountId });
    try {
      await live.session.close();
    } catch (e) {
      this.log.warn({ err: e, accountId }, 'handing the account over: closing its connection failed; its lease expires instead');
      return false;
    }
    if (!this.live.has(accountId)) this.leases.release(accountId, this.owner);
    this.tally.leasesGiven++;
    return true;
  }

  // Operator changes (the CLI and the bot both call these) -----------------------------------------

  setEnabled(accountId: number, enabled: boolean): Promise<AccountSummary> {
    return this.commands.setEnabled(accountId, enabled);
  }

  setProxy(accountId: number, url: string | null): Promise<AccountSummary> {
    return this.commands.setProxy(accountId, url);
  }

  remove(accountId: number): Promise<void> {
    return this.commands.remove(accountId);
  }

  /** Disconnects one account and releases its lease (the status is left as it is). */
  async disconnect(accountId: number): Promise<void> {
    const pending = this.connecting.get(accountId);
    if (pending) await pending.catch(() => undefined);
    const live = this.live.get(accountId);
    if (live) await live.session.close();
    this.live.delete(accountId);
    this.leases.release(accountId, this.owner);
  }

  /** Graceful shutdown: stops retries and heartbeats, disconnects everything, releases leases. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopCtl.abort();
    await Promise.allSettled([...this.connecting.values()]);
    await Promise.allSettled([...this.live.values()].map((l) => l.session.close()));
    await Promise.allSettled([...this.closing]);
    this.live.clear();
    this.leases.releaseAll(this.owner);
    this.stopped = true;
    await Promise.allSettled([this.heartbeat, this.backoff.settled()]);
  }
}
