import type { AccountStatus, AccountSummary } from '../core/accounts.ts';
import type { ActionKind } from '../core/actions.ts';
import type { Clock } from '../core/clock.ts';
import { InputError, PanelError } from '../core/errors.ts';
import { TelegramFailure, type Failure } from '../core/failures.ts';
import type { AccountSession, SelfInfo } from '../core/session.ts';
import type { Logger } from '../log.ts';
import type { AccountStore } from '../store/accounts.ts';
import type { LeaseStore } from '../store/leases.ts';
import { parseProxyUrl, type ProxySpec } from '../core/proxy-url.ts';
import { describeOwner, ownerIsGone, processOwner } from './process-owner.ts';
import type { AccountPool, PoolAccount } from './ports.ts';
import { sleepUnless } from './sleep.ts';

/** How the fleet reaches Telegram for one account (src/telegram's TelegramConnector; tests fake it). */
export interface AccountConnector {
  connect(req: {
    accountId: number;
    proxy: { spec: ProxySpec; label: string } | null;
    onFailure: (failure: Failure) => void;
    onClose: () => void;
  }): Promise<{ ok: true; session: AccountSession; self: SelfInfo } | { ok: false; failure: Failure }>;
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

export type FleetEvent = { type: 'status'; accountId: number; status: AccountStatus; reason: string | null } | { type: 'connected'; accountId: number } | { type: 'disconnected'; accountId: number };

/** Statuses the fleet does not try to connect on its own: the operator must act first. */
const NO_AUTO_CONNECT: ReadonlySet<AccountStatus> = new Set(['revoked', 'banned', 'frozen']);

/** Failures after which the fleet keeps trying, with backoff. */
const RETRIED: ReadonlySet<Failure['kind']> = new Set(['network', 'proxy', 'unknown', 'duplicate_session', 'flood_wait']);

interface Live {
  session: AccountSession;
  self: SelfInfo;
}

/**
 * Every stored account and its one live connection. Restores enabled accounts at start with
 * bounded parallelism, keeps a lease per connected account (a second process is refused),
 * retries transient failures with backoff, records what failures mean for the account, and
 * disconnects everything on stop. Implements the engine's `AccountPool`.
 */
export class Fleet implements AccountPool {
  readonly owner: string;
  private readonly live = new Map<number, Live>();
  private readonly connecting = new Map<number, Promise<AccountSession>>();
  private readonly retries = new Map<number, { attempt: number; timer: Promise<void> }>();
  private readonly listeners = new Set<(e: FleetEvent) => void>();
  private readonly stopCtl = new AbortController();
  private heartbeat: Promise<void> | undefined;
  private running = false;
  private readonly o: Required<Omit<FleetOptions, 'defaultProxyUrl' | 'owner'>> & { defaultProxyUrl: string | undefined };

  constructor(opts: FleetOptions) {
    this.owner = opts.owner ?? processOwner();
    this.o = {
      restoreConcurrency: 16,
      leaseTtlMs: 60_000,
      heartbeatMs: 20_000,
      backoffMs: 5_000,
      maxBackoffMs: 300_000,
      ...opts,
      defaultProxyUrl: opts.defaultProxyUrl,
    };
  }

  get store(): AccountStore {
    return this.o.store;
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
        this.o.log.warn({ err }, 'a fleet listener failed');
      }
    }
  }

  private setStatus(id: number, status: AccountStatus, reason: string | null, until: number | null = null): void {
    this.o.store.setStatus(id, status, reason, this.o.clock.now(), until);
    this.emit({ type: 'status', accountId: id, status, reason });
  }

  // AccountPool ----------------------------------------------------------------------------------

  accounts(): PoolAccount[] {
    const now = this.o.clock.now();
    const parks = this.o.store.parks(now);
    return this.o.store
      .list(now)
      .filter((a) => a.enabled)
      .map((a) => ({ ...a, parkedUntil: parks.get(a.id) ?? {} }))
      .sort((x, y) => (x.lastUsedAt ?? -Infinity) - (y.lastUsedAt ?? -Infinity) || x.id - y.id);
  }

  /** The live session, connecting it when needed (one connection per account, across processes). */
  session(accountId: number): Promise<AccountSession> {
    const live = this.live.get(accountId);
    if (live) return Promise.resolve(live.session);
    let pending = this.connecting.get(accountId);
    if (!pending) {
      pending = this.open(accountId).finally(() => this.connecting.delete(accountId));
      this.connecting.set(accountId, pending);
    }
    return pending;
  }

  reportFailure(accountId: number, kind: ActionKind, failure: Failure): void {
    const now = this.o.clock.now();
    const cur = this.o.store.rawStatus(accountId);
    if (!cur) return;
    switch (failure.kind) {
      case 'flood_wait': {
        const until = now + Math.max(1, failure.seconds ?? 60) * 1000;
        this.o.store.park(accountId, kind, until, failure.code);
        // The status says "waiting" while the others kinds stay usable; a stronger status stays.
        if (cur.status === 'active' || cur.status === 'flood_wait' || cur.status === 'connecting') {
          const latest = Math.max(until, cur.status === 'flood_wait' && cur.until !== null ? cur.until : 0);
          this.setStatus(accountId, 'flood_wait', `${failure.code} on ${kind}`, latest);
        }
        return;
      }
      case 'peer_flood':
        if (!NO_AUTO_CONNECT.has(cur.status)) this.setStatus(accountId, 'peer_flood', failure.message);
        return;
      case 'revoked':
      case 'banned':
      case 'frozen':
        this.accountEnded(accountId, failure);
        return;
      case 'duplicate_session':
        this.accountEnded(accountId, failure);
        return;
      default:
        return;
    }
  }

  markUsed(accountId: number): void {
    this.o.store.markUsed(accountId, this.o.clock.now());
  }

  // Connections ------------------------------------------------------------------------------------

  isLive(accountId: number): boolean {
    return this.live.has(accountId);
  }

  liveIds(): number[] {
    return [...this.live.keys()];
  }

  private proxyFor(accountId: number): { spec: ProxySpec; label: string } | null | Failure {
    const url = this.o.store.proxyUrl(accountId) ?? this.o.defaultProxyUrl;
    if (!url) return null;
    const p = parseProxyUrl(url);
    if (!p.ok) return { kind: 'proxy', code: 'PROXY_INVALID', message: `the proxy cannot be used: ${p.problem}` };
    return { spec: p.spec, label: p.label };
  }

  private async open(accountId: number): Promise<AccountSession> {
    const account = this.o.store.get(accountId, this.o.clock.now());
    if (!account) throw new TelegramFailure({ kind: 'not_found', code: 'NO_ACCOUNT', message: `there is no account ${accountId}` });
    if (!account.enabled) throw new TelegramFailure({ kind: 'unknown', code: 'DISABLED', message: `account ${describeAccount(account)} is disabled; enable it first` });
    const lease = this.o.leases.acquire(accountId, this.owner, this.o.clock.now(), this.o.leaseTtlMs, ownerIsGone);
    if (!lease.ok) {
      throw new TelegramFailure({
        kind: 'unknown',
        code: 'LEASE_HELD',
        message: `account ${describeAccount(account)} is connected by another telegram-panel (${describeOwner(lease.holder.owner)}); stop that one first`,
      });
    }
    const proxy = this.proxyFor(accountId);
    if (proxy !== null && 'kind' in proxy) {
      this.o.leases.release(accountId, this.owner);
      this.setStatus(accountId, 'error', proxy.message);
      throw new TelegramFailure(proxy);
    }
    const before = this.o.store.rawStatus(accountId);
    if (before && !NO_AUTO_CONNECT.has(before.status) && before.status !== 'peer_flood' && before.status !== 'flood_wait') {
      this.setStatus(accountId, 'connecting', proxy ? `through ${proxy.label}` : null);
    }
    let res: Awaited<ReturnType<AccountConnector['connect']>>;
    try {
      res = await this.o.connector.connect({
        accountId,
        proxy,
        onFailure: (f) => this.onSessionFailure(accountId, f),
        onClose: () => this.onSessionClosed(accountId),
      });
    } catch (e) {
      this.o.leases.release(accountId, this.owner);
      throw e;
    }
    if (!res.ok) {
      this.o.leases.release(accountId, this.owner);
      this.connectFailed(accountId, res.failure);
      throw new TelegramFailure(res.failure);
    }
    if (this.stopCtl.signal.aborted) {
      await res.session.close();
      throw new TelegramFailure({ kind: 'network', code: 'STOPPED', message: 'the fleet is stopping' });
    }
    this.live.set(accountId, { session: res.session, self: res.self });
    this.retries.delete(accountId);
    this.o.store.setProfile(accountId, { username: res.self.username, firstName: res.self.firstName });
    const now = this.o.clock.now();
    const after = this.o.store.rawStatus(accountId);
    const keep = after && (after.status === 'peer_flood' || (after.status === 'flood_wait' && (after.until ?? 0) > now));
    if (!keep) this.setStatus(accountId, 'active', null);
    this.emit({ type: 'connected', accountId });
    this.ensureHeartbeat();
    return res.session;
  }

  /** A failure seen by a live session: account-ending ones change the status and disconnect. */
  private onSessionFailure(accountId: number, f: Failure): void {
    if (f.kind === 'revoked' || f.kind === 'banned' || f.kind === 'frozen' || f.kind === 'duplicate_session') this.accountEnded(accountId, f);
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
        if (!this.live.has(accountId) && !this.stopped) this.o.leases.release(accountId, this.owner);
      })
      .finally(() => this.closing.delete(closing));
    this.closing.add(closing);
  }

  private readonly closing = new Set<Promise<void>>();
  private stopped = false;

  private onSessionClosed(accountId: number): void {
    if (this.live.delete(accountId)) {
      this.o.leases.release(accountId, this.owner);
      this.emit({ type: 'disconnected', accountId });
    }
  }

  private accountEnded(accountId: number, f: Failure): void {
    const status: AccountStatus = f.kind === 'duplicate_session' ? 'error' : (f.kind as AccountStatus);
    const cur = this.o.store.rawStatus(accountId);
    if (cur && (cur.status !== status || cur.reason !== f.message)) this.setStatus(accountId, status, f.message);
    this.drop(accountId);
    if (f.kind === 'duplicate_session') this.scheduleRetry(accountId);
  }

  private connectFailed(accountId: number, f: Failure): void {
    if (f.kind === 'revoked' || f.kind === 'banned' || f.kind === 'frozen') {
      this.setStatus(accountId, f.kind, f.message);
      return;
    }
    if (f.kind === 'duplicate_session') {
      this.setStatus(accountId, 'error', f.message);
    } else if (f.kind === 'flood_wait') {
      this.setStatus(accountId, 'error', f.message, this.o.clock.now() + (f.seconds ?? 60) * 1000);
    } else {
      this.setStatus(accountId, 'error', f.message);
    }
    if (RETRIED.has(f.kind)) this.scheduleRetry(accountId, f.kind === 'flood_wait' ? (f.seconds ?? 60) * 1000 : undefined);
  }

  /** While the fleet runs, tries a failed account again later, doubling the wait each time. */
  private scheduleRetry(accountId: number, atLeastMs?: number): void {
    if (!this.running || this.stopCtl.signal.aborted || this.retries.has(accountId)) return;
    const attempt = (this.retriesDone.get(accountId) ?? 0) + 1;
    this.retriesDone.set(accountId, attempt);
    const delay = Math.max(atLeastMs ?? 0, Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** (attempt - 1)));
    const timer = (async () => {
      await sleepUnless(this.o.clock, delay, [this.stopCtl.signal]);
      this.retries.delete(accountId);
      if (this.stopCtl.signal.aborted || this.live.has(accountId)) return;
      const a = this.o.store.rawStatus(accountId);
      if (!a || !a.enabled || NO_AUTO_CONNECT.has(a.status)) return;
      try {
        await this.session(accountId);
        this.retriesDone.delete(accountId);
      } catch (e) {
        this.o.log.debug({ accountId, err: e }, 'reconnect failed');
      }
    })();
    this.retries.set(accountId, { attempt, timer });
  }

  private readonly retriesDone = new Map<number, number>();

  private ensureHeartbeat(): void {
    if (this.heartbeat || this.stopCtl.signal.aborted) return;
    this.heartbeat = (async () => {
      while (!this.stopCtl.signal.aborted) {
        await sleepUnless(this.o.clock, this.o.heartbeatMs, [this.stopCtl.signal]);
        if (this.stopCtl.signal.aborted) break;
        this.renewLeases();
        if (this.live.size === 0 && !this.running) break;
      }
      this.heartbeat = undefined;
    })();
  }

  /** Renews every lease held; an account whose lease was taken over is disconnected at once. */
  renewLeases(): void {
    const ids = [...this.live.keys()];
    if (ids.length === 0) return;
    // Disabled (or removed) by another panel since: let go here too.
    for (const id of ids) {
      const a = this.o.store.rawStatus(id);
      if (!a || !a.enabled) this.drop(id);
    }
    const lost = this.o.leases.renew(this.owner, [...this.live.keys()], this.o.clock.now(), this.o.leaseTtlMs);
    for (const id of lost) {
      this.o.log.warn({ accountId: id }, 'lost the connection lease of this account; disconnecting it');
      this.setStatus(id, 'error', 'another telegram-panel took over this account');
      const live = this.live.get(id);
      this.live.delete(id);
      this.emit({ type: 'disconnected', accountId: id });
      if (live) {
        const closing = live.session
          .close()
          .catch(() => undefined)
          .finally(() => this.closing.delete(closing));
        this.closing.add(closing);
      }
    }
  }

  /**
   * Connects every enabled account that the operator has not to act on first, `restoreConcurrency`
   * at a time, and keeps retrying transient failures with backoff until `stop()`.
   */
  async start(): Promise<RestoreReport> {
    this.running = true;
    const report: RestoreReport = { connected: [], failed: [], skipped: [] };
    const todo: AccountSummary[] = [];
    for (const a of this.o.store.list(this.o.clock.now())) {
      const raw = this.o.store.rawStatus(a.id);
      if (!a.enabled) report.skipped.push({ accountId: a.id, reason: 'disabled' });
      else if (raw && NO_AUTO_CONNECT.has(raw.status)) report.skipped.push({ accountId: a.id, reason: `${raw.status}${raw.reason ? `: ${raw.reason}` : ''}` });
      else todo.push(a);
    }
    await runPool(todo, this.o.restoreConcurrency, async (a) => {
      if (this.stopCtl.signal.aborted) return;
      try {
        await this.session(a.id);
        report.connected.push(a.id);
      } catch (e) {
        const failure = e instanceof TelegramFailure ? e.failure : { kind: 'unknown' as const, code: 'UNKNOWN', message: e instanceof Error ? e.message : String(e) };
        report.failed.push({ accountId: a.id, failure });
        if (failure.code === 'LEASE_HELD') this.o.log.warn({ accountId: a.id }, failure.message);
      }
    });
    this.ensureHeartbeat();
    return report;
  }

  // Operator changes (the CLI and the bot both call these) -----------------------------------------

  private requireAccount(accountId: number): AccountSummary {
    const a = this.o.store.get(accountId, this.o.clock.now());
    if (!a) throw new InputError(`there is no account #${accountId} (see: accounts list)`);
    return a;
  }

  /** Enables or disables an account; disabling disconnects it here (another panel drops it at its next heartbeat). */
  async setEnabled(accountId: number, enabled: boolean): Promise<AccountSummary> {
    this.requireAccount(accountId);
    this.o.store.setEnabled(accountId, enabled);
    if (!enabled) await this.disconnect(accountId);
    return this.requireAccount(accountId);
  }

  /**
   * Sets the account's own proxy (`null`: back to PROXY_URL). Refuses an unusable URL before
   * changing anything. The next connection goes through the new proxy, never around it.
   */
  async setProxy(accountId: number, url: string | null): Promise<AccountSummary> {
    this.requireAccount(accountId);
    let proxy: { url: string; label: string } | null = null;
    if (url !== null) {
      const p = parseProxyUrl(url);
      if (!p.ok) throw new InputError(p.problem);
      proxy = { url: url.trim(), label: p.label };
    }
    this.o.store.setProxy(accountId, proxy);
    await this.disconnect(accountId);
    return this.requireAccount(accountId);
  }

  /**
   * Deletes the account with its keys: the only way keys are ever deleted. Refused while another
   * panel is connected to it (that one would keep using the session).
   */
  async remove(accountId: number): Promise<void> {
    const a = this.requireAccount(accountId);
    const holder = this.o.leases.holder(accountId);
    if (holder && holder.owner !== this.owner && holder.expiresAt > this.o.clock.now() && !ownerIsGone(holder.owner)) {
      throw new PanelError(`account ${describeAccount(a)} is connected by another telegram-panel (${describeOwner(holder.owner)}); stop it or disable the account there first`);
    }
    await this.disconnect(accountId);
    this.o.store.remove(accountId);
    this.emit({ type: 'status', accountId, status: 'disabled', reason: 'removed' });
  }

  /** Disconnects one account and releases its lease (the status is left as it is). */
  async disconnect(accountId: number): Promise<void> {
    const pending = this.connecting.get(accountId);
    if (pending) await pending.catch(() => undefined);
    const live = this.live.get(accountId);
    if (live) await live.session.close();
    this.live.delete(accountId);
    this.o.leases.release(accountId, this.owner);
  }

  /** Graceful shutdown: stops retries and heartbeats, disconnects everything, releases leases. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopCtl.abort();
    await Promise.allSettled([...this.connecting.values()]);
    await Promise.allSettled([...this.live.values()].map((l) => l.session.close()));
    await Promise.allSettled([...this.closing]);
    this.live.clear();
    this.o.leases.releaseAll(this.owner);
    this.stopped = true;
    await Promise.allSettled([this.heartbeat, ...[...this.retries.values()].map((r) => r.timer)]);
  }
}

export function describeAccount(a: Pick<AccountSummary, 'id' | 'phone' | 'username'>): string {
  return `#${a.id} ${a.phone}${a.username ? ` @${a.username}` : ''}`;
}

/** Runs `fn` over `items` with at most `n` at once. */
export async function runPool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}
