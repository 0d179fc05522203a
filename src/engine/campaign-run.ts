import { jitteredDelay, networkBackoffMs, nextUtcMidnight } from '../core/campaign-schedule.ts';
import { PROBLEM_STATUSES } from '../core/accounts.ts';
import { MAX_TARGET_ATTEMPTS, type CampaignState, type TargetCounts, type TargetState } from '../core/campaigns.ts';
import type { Clock } from '../core/clock.ts';
import { policyOf, waitUntil } from '../core/failure-policy.ts';
import { isTelegramFailure, type Failure } from '../core/failures.ts';
import { reason as reasonOf, type Reason } from '../core/reasons.ts';
import { englishReason, type WaitCause } from '../core/stored-reasons.ts';
import type { AccountSession } from '../core/session.ts';
import type { Logger } from '../log.ts';
import type { CampaignRecord, CampaignStore, RowError, TargetRow } from '../store/campaigns.ts';
import { describeOwner } from './process-owner.ts';
import type { AccountPool, PoolAccount } from './ports.ts';
import { defaultSet } from './account-selection.ts';

/** Progress for the interfaces. `target` fires when a row reaches an outcome or goes back to pending. */
export type CampaignEvent =
  | { type: 'started'; name: string; total: number; counts: TargetCounts; accounts: number[] }
  | { type: 'target'; username: string; accountId: number | null; state: TargetState; error: string | null }
  | { type: 'account'; accountId: number; change: 'stopped' | 'waiting'; reason: string; until: number | null }
  | { type: 'finished'; state: CampaignState; reason: string | null; reasonCode: Reason | null; counts: TargetCounts };

export interface RunOptions {
  /** Aborting pauses the campaign once the sends in flight have settled. */
  signal?: AbortSignal;
  /**
   * Aborting ends this process's part only (a worker stopping): the sends in flight settle, the
   * campaign stays running for the other workers, and claims left go to the accounts' next holders.
   */
  leave?: AbortSignal;
  onEvent?: (e: CampaignEvent) => void;
  /** When nothing can happen for longer than this, pause with the reason instead of waiting (default 30 min). */
  maxWaitMs?: number;
  /** How often a waiting run re-reads its campaign (a pause from elsewhere), its accounts and the other runners (default 5 s). */
  pollMs?: number;
}

export interface RunReport {
  name: string;
  state: CampaignState;
  reason: string | null;
  reasonCode: Reason | null;
  counts: TargetCounts;
  /** What this run did: messages sent (incl. confirmed on settling), claims settled, rows made uncertain, send attempts. */
  run: { sent: number; settled: number; uncertain: number; attempts: number };
}

export interface RunDeps {
  store: CampaignStore;
  pool: AccountPool;
  clock: Clock;
  random: () => number;
  newRandomId: () => bigint;
  /** This process's account lease owner (the fleet's), also its name among the campaign's runners. */
  leaseOwner: string;
  /** Whether claims need the account's lease (false only for pools that take no leases; see ClaimRequest). */
  requireLease: boolean;
  isLeaseOwnerDead: (owner: string) => boolean;
  /**
   * A worker's run uses only the accounts this process holds (connected here); without it, the
   * run connects the accounts nobody holds, as one process always did, and leaves the ones other
   * processes hold to them.
   */
  holds?: (accountId: number) => boolean;
  log?: Logger;
}

/** A runner's row lives this long without a heartbeat (a killed worker's stops counting after it). */
const RUNNER_TTL_MS = 30_000;
/** How long a run waits for a process holding some of the campaign's accounts to join the run. */
const HANDOFF_GRACE_MS = 30_000;
/** The stop code of a lane whose account another process holds. */
const HELD_ELSEWHERE = 'LEASE_HELD';
/** Consecutive connection failures after which an account sits out the rest of the run. */
const MAX_NETWORK_FAILURES = 4;
/** Telegram dates have second precision and clocks drift: look a little before the claim. */
const FIND_SENT_SLACK_MS = 60_000;

interface Lane {
  id: number;
  /** One of the campaign's accounts (else it only settles its own earlier claims). */
  sends: boolean;
  nextAt: number;
  /** Why `nextAt` is later than the delay alone (daily cap, flood wait, backoff). */
  waitingFor: string | null;
  /** The same, for the campaign's stored reason when the run pauses on it. */
  waitCause: WaitCause | null;
  busy: boolean;
  stopped: string | null;
  stopCode: string | null;
  /** No row it may take right now; cleared when a row goes back to pending. */
  idle: boolean;
  /** Its claims from before that must be settled before it claims anything new. */
  settle: TargetRow[];
  /** Claimed, sent and uncertain rows in this campaign (the per-campaign cap). */
  used: number;
  networkFailures: number;
  /** PEER_FLOOD: it may read its history to settle claims but not send. */
  peerFlood: boolean;
}

type StopCause =
  | { kind: 'external'; state: CampaignState }
  | { kind: 'leave' }
  | { kind: 'signal' }
  | { kind: 'wait'; until: number; why: WaitCause };

function failureOf(e: unknown): Failure {
  if (isTelegramFailure(e)) return e.failure;
  const text = e instanceof Error ? e.message : String(e);
  return { kind: 'unknown', code: 'INTERNAL', message: text };
}

function rowError(f: Failure): RowError {
  return { code: f.code, message: f.message };
}

/**
 * One run of one campaign: a lane per account, each sending at its own jittered pace, claiming
 * rows one at a time. The loop owns all waiting; a send is never interrupted, so stopping means
 * not starting anything new and letting the sends in flight settle.
 */
export class CampaignRun {
  private readonly lanes = new Map<number, Lane>();
  private readonly tasks = new Set<Promise<void>>();
  private stop: StopCause | null = null;
  private error: Error | null = null;
  private dirty = false;
  private wake: (() => void) | null = null;
  private deferred = 0;
  private startedAt = 0;
  private nextRefresh = 0;
  /** What this runner last told the others (undefined: nothing yet), and until when that holds. */
  private told: { nextAt: number | null; until: number } | undefined;
  /** The accounts that send in this campaign (the rest only settle their earlier claims). */
  private senders = new Set<number>();
  private readonly stats = { sent: 0, settled: 0, uncertain: 0, attempts: 0 };
  private readonly emit: (e: CampaignEvent) => void;

  constructor(
    private readonly deps: RunDeps,
    private readonly campaign: CampaignRecord,
    private readonly opts: RunOptions = {},
  ) {
    const on = opts.onEvent;
    this.emit = (e) => {
      try {
        on?.(e);
      } catch (err) {
        deps.log?.warn({ err }, 'campaign progress listener failed');
      }
    };
  }

  async execute(): Promise<RunReport> {
    const { store, clock } = this.deps;
    const now = clock.now();
    this.startedAt = now;
    this.nextRefresh = now + (this.opts.pollMs ?? 5_000);
    try {
      this.prepareLanes(now);
      // A worker holding none of the campaign's accounts has no part in it.
      if (this.deps.holds && this.lanes.size === 0) return this.report(store.counts(this.campaign.id));
      this.tell(now, now);
      const counts = store.counts(this.campaign.id);
      this.emit({ type: 'started', name: this.campaign.name, total: Object.values(counts).reduce((a, b) => a + b, 0), counts, accounts: [...this.lanes.keys()] });
      await this.loop();
      await this.drain();
      if (this.error !== null) throw this.error;
      return this.finish();
    } catch (e) {
      await this.drain();
      // A run that fails must not leave the campaign reading `running` with nobody running it.
      try {
        store.setState(this.campaign.id, 'paused', reasonOf('campaign_interrupted', { detail: e instanceof Error ? e.message : String(e) }), this.deps.clock.now());
      } catch {
        // The database is gone (the process is going down): the next run settles what is left.
      }
      throw e;
    } finally {
      try {
        store.runners.leave(this.campaign.id, this.deps.leaseOwner);
      } catch {
        // The database is gone (the process is going down): the row expires by itself.
      }
    }
  }

  private report(counts: TargetCounts): RunReport {
    const head = this.deps.store.getById(this.campaign.id);
    return { name: this.campaign.name, state: head?.state ?? this.campaign.state, reason: head?.reason ?? null, reasonCode: head?.reasonCode ?? null, counts, run: { ...this.stats } };
  }

  /** Tells the other runners when this one next has work (null: none); rewritten at once when that flips. */
  private tell(now: number, nextAt: number | null): void {
    const t = this.told;
    if (t && (t.nextAt === null) === (nextAt === null) && now < t.until - RUNNER_TTL_MS / 2) return;
    this.deps.store.runners.beat(this.campaign.id, this.deps.leaseOwner, nextAt, now, now + RUNNER_TTL_MS);
    this.told = { nextAt, until: now + RUNNER_TTL_MS };
  }

  /**
   * Whether another process still has work in this campaign soon (within `maxWait`), or holds
   * some of its accounts and may still join (for a while after this run began): then a run with
   * nothing left to do waits instead of ending the campaign.
   */
  private othersBusy(now: number, maxWait: number): boolean {
    const others = this.deps.store.runners.others(this.campaign.id, this.deps.leaseOwner, now, this.deps.isLeaseOwnerDead);
    if (others.some((o) => o.nextAt !== null && o.nextAt <= now + maxWait)) return true;
    if (now - this.startedAt >= HANDOFF_GRACE_MS) return false;
    const running = new Set(others.map((o) => o.owner));
    return this.deps.pool.accounts().some((a) => this.senders.has(a.id) && a.heldBy != null && !running.has(a.heldBy));
  }

  private prepareLanes(now: number): void {
    const { store, pool } = this.deps;
    const accounts = new Map(pool.accounts().map((a) => [a.id, a]));
    this.senders = new Set(this.campaign.accountIds ?? defaultSet([...accounts.values()]).map((a) => a.id));
    const used = store.usedInCampaign(this.campaign.id);
    const claimed = store.rowsInState(this.campaign.id, 'claimed');
    for (const id of this.senders) this.addLane(id, true, now, accounts.get(id), used, claimed);
    // Claims left by an earlier run are settled first, by the account that made them.
    for (const row of claimed) if (!this.lanes.has(row.accountId!)) this.addLane(row.accountId!, false, now, accounts.get(row.accountId!), used, claimed);
  }

  /**
   * A lane for the account when this run may use it, holding the account's claims from before to
   * settle first. A worker takes only the accounts it holds, plus claims of accounts nobody will
   * hold again (removed, banned) to make them uncertain; one process alone leaves the accounts
   * other processes hold to them (their claims may be in flight there).
   */
  private addLane(id: number, sends: boolean, now: number, a: PoolAccount | undefined, used: Map<number, number>, claimed: readonly TargetRow[]): void {
    const holds = this.deps.holds;
    if (holds && !holds(id) && a && !(PROBLEM_STATUSES.includes(a.status) && !a.heldBy)) return;
    const last = this.deps.store.lastClaimAt(id);
    const nextAt = last === null ? now : Math.max(now, last + jitteredDelay(this.campaign.delay, this.deps.random));
    const l: Lane = { id, sends, nextAt, waitingFor: null, waitCause: null, busy: false, stopped: null, stopCode: null, idle: false, settle: [], used: used.get(id) ?? 0, networkFailures: 0, peerFlood: false };
    this.lanes.set(id, l);
    if (a?.heldBy) {
      this.stopLane(l, { code: HELD_ELSEWHERE, message: `account #${id} is connected by another process (${describeOwner(a.heldBy)})` }, 'keep');
      return;
    }
    l.settle = claimed.filter((r) => r.accountId === id);
    if (!a) this.stopLane(l, { code: 'ACCOUNT_UNAVAILABLE', message: `account #${l.id} is not in the fleet (removed or disabled)` }, 'uncertain');
    else if (PROBLEM_STATUSES.includes(a.status)) {
      this.stopLane(l, { code: a.status.toUpperCase(), message: `account #${l.id} is ${a.status}${a.statusReason ? ` (${a.statusReason})` : ''}` }, 'uncertain');
    } else if (a.status === 'peer_flood') l.peerFlood = true;
  }

  /**
   * Follows accounts moving between processes during the run: a worker adds the accounts it came
   * to hold (settling their earlier claims first) and drops those it no longer holds; one process
   * alone takes back an account another process let go of, and leaves one another process took.
   */
  private refreshLanes(now: number, accounts: Map<number, PoolAccount>): void {
    const { store } = this.deps;
    let claimed: TargetRow[] | undefined;
    let used: Map<number, number> | undefined;
    const load = (): { claimed: TargetRow[]; used: Map<number, number> } => ({
      claimed: (claimed ??= store.rowsInState(this.campaign.id, 'claimed')),
      used: (used ??= store.usedInCampaign(this.campaign.id)),
    });
    const holds = this.deps.holds;
    if (holds) {
      for (const l of [...this.lanes.values()]) {
        if (!l.busy && l.stopped === null && accounts.has(l.id) && !holds(l.id)) this.lanes.delete(l.id);
      }
      for (const id of this.senders) {
        if (this.lanes.has(id) || !holds(id)) continue;
        const d = load();
        this.addLane(id, true, now, accounts.get(id), d.used, d.claimed);
      }
      for (const row of load().claimed) {
        const id = row.accountId!;
        if (!this.lanes.has(id) && holds(id)) this.addLane(id, false, now, accounts.get(id), load().used, load().claimed);
      }
      return;
    }
    for (const l of this.lanes.values()) {
      const a = accounts.get(l.id);
      if (l.busy || !a) continue;
      if (l.stopped === null && a.heldBy) {
        this.stopLane(l, { code: HELD_ELSEWHERE, message: `account #${l.id} is connected by another process (${describeOwner(a.heldBy)})` }, 'keep');
        l.settle = [];
      } else if (l.stopCode === HELD_ELSEWHERE && !a.heldBy) {
        const d = load();
        Object.assign(l, { stopped: null, stopCode: null, idle: false, networkFailures: 0, used: d.used.get(l.id) ?? 0, settle: d.claimed.filter((r) => r.accountId === l.id) });
      }
    }
  }

  private async loop(): Promise<void> {
    const { clock, pool } = this.deps;
    const maxWait = this.opts.maxWaitMs ?? 30 * 60_000;
    const poll = this.opts.pollMs ?? 5_000;
    while (this.error === null) {
      if (this.opts.signal?.aborted) this.stop ??= { kind: 'signal' };
      if (this.opts.leave?.aborted) this.stop ??= { kind: 'leave' };
      if (this.stop === null) this.checkCampaign();
      if (this.stop !== null) return;
      const now = clock.now();
      const accounts = new Map(pool.accounts().map((a) => [a.id, a]));
      if (now >= this.nextRefresh) {
        this.nextRefresh = now + poll;
        this.refreshLanes(now, accounts);
      }
      // With nothing pending, only lanes holding earlier claims have work left.
      if (!this.deps.store.hasPending(this.campaign.id)) for (const l of this.lanes.values()) l.idle = true;
      let next = Infinity;
      let nextWhy: WaitCause = { cause: 'delay' };
      for (const l of this.lanes.values()) {
        if (l.busy || l.stopped !== null) continue;
        const a = accounts.get(l.id);
        if (!this.refreshLane(l, a)) continue;
        const parked = a?.parkedUntil.pm ?? 0;
        const readyAt = Math.max(l.nextAt, parked);
        if (readyAt <= now) this.start(l);
        else if (readyAt < next) {
          next = readyAt;
          nextWhy = parked > l.nextAt ? { cause: 'flood', account: l.id } : (l.waitCause ?? { cause: 'delay' });
        }
      }
      if (this.tasks.size === 0 && (next === Infinity || next - now > maxWait)) {
        this.tell(now, next === Infinity ? null : next);
        // Other processes still sending may give rows back, or finish the campaign: follow them.
        if (this.othersBusy(now, maxWait)) {
          if (!this.dirty) await this.sleepUntil(now + poll);
          this.dirty = false;
          for (const l of this.lanes.values()) l.idle = false;
          this.nextRefresh = 0;
          continue;
        }
        if (next === Infinity) return;
        this.stop = { kind: 'wait', until: next, why: nextWhy };
        return;
      }
      this.tell(now, this.tasks.size > 0 ? now : next);
      if (!this.dirty) await this.sleepUntil(Math.min(next, now + poll));
      this.dirty = false;
    }
  }

  /** Whether the lane has something to do; stops it when it never will in this run. */
  private refreshLane(l: Lane, a: PoolAccount | undefined): boolean {
    if (!a) {
      this.stopLane(l, { code: 'ACCOUNT_UNAVAILABLE', message: `account #${l.id} left the fleet (removed or disabled)` }, 'uncertain');
      return false;
    }
    if (PROBLEM_STATUSES.includes(a.status)) {
      this.stopLane(l, { code: a.status.toUpperCase(), message: `account #${l.id} is ${a.status}` }, 'uncertain');
      return false;
    }
    if (a.status === 'peer_flood') l.peerFlood = true;
    if (l.settle.length > 0) return true;
    if (!l.sends) return this.stopLane(l, { code: 'SETTLED', message: `account #${l.id} settled its earlier claims` }, 'keep');
    if (l.peerFlood) return this.stopLane(l, { code: 'PEER_FLOOD', message: `account #${l.id} is limited by Telegram (PEER_FLOOD)` }, 'keep');
    if (l.used >= this.campaign.perAccountCap) {
      return this.stopLane(l, { code: 'CAMPAIGN_CAP', message: `account #${l.id} reached its cap of ${this.campaign.perAccountCap} for this campaign` }, 'keep');
    }
    return !l.idle;
  }

  private start(l: Lane): void {
    l.busy = true;
    const work = l.settle.length > 0 ? this.settleOne(l, l.settle[0]!) : this.claimAndSend(l);
    const task: Promise<void> = work
      .catch((e: unknown) => {
        this.error ??= e instanceof Error ? e : new Error(String(e));
      })
      .finally(() => {
        l.busy = false;
        this.tasks.delete(task);
        this.poke();
      });
    this.tasks.add(task);
  }

  private poke(): void {
    this.dirty = true;
    this.wake?.();
  }

  private async sleepUntil(t: number): Promise<void> {
    const ms = t - this.deps.clock.now();
    if (ms <= 0) return;
    const ac = new AbortController();
    this.wake = () => ac.abort();
    const outer = [this.opts.signal, this.opts.leave];
    const onOuter = (): void => ac.abort();
    for (const o of outer) o?.addEventListener('abort', onOuter, { once: true });
    try {
      await this.deps.clock.sleep(ms, ac.signal);
    } catch {
      // Woken early: a task finished or the run was asked to stop.
    } finally {
      this.wake = null;
      for (const o of outer) o?.removeEventListener('abort', onOuter);
    }
  }

  private async drain(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  /** Notices a pause, cancel or finish made elsewhere. */
  private checkCampaign(): void {
    const head = this.deps.store.getById(this.campaign.id);
    if (!head || head.state !== 'running') this.stop = { kind: 'external', state: head?.state ?? 'cancelled' };
  }

  /** Takes a lane out of this run. Its unsettled claims become uncertain, or stay claimed for the next run. */
  private stopLane(l: Lane, why: RowError, claims: 'uncertain' | 'keep'): false {
    if (l.stopped === null) {
      l.stopped = why.message;
      l.stopCode = why.code;
      this.emit({ type: 'account', accountId: l.id, change: 'stopped', reason: why.message, until: null });
    }
    if (claims === 'uncertain') {
      for (const row of l.settle.splice(0)) this.uncertain(row, why);
    }
    return false;
  }

  private uncertain(row: TargetRow, why: RowError): void {
    this.deps.store.markUncertain(row, { code: why.code, message: `not confirmed: ${why.message}; decide with campaign settle` }, this.deps.clock.now());
    this.stats.uncertain++;
    this.emit({ type: 'target', username: row.username, accountId: row.accountId, state: 'uncertain', error: why.message });
  }

  private wait(l: Lane, until: number, why: string, cause: WaitCause): void {
    if (until <= l.nextAt) return;
    l.nextAt = until;
    l.waitingFor = why;
    l.waitCause = cause;
    this.emit({ type: 'account', accountId: l.id, change: 'waiting', reason: why, until });
  }

  private async session(l: Lane): Promise<AccountSession | null> {
    try {
      const s = await this.deps.pool.session(l.id);
      return s;
    } catch (e) {
      this.accountTrouble(l, failureOf(e));
      return null;
    }
  }

  /** A failure that is about the account, not the person (while connecting or reading history). */
  private accountTrouble(l: Lane, f: Failure): void {
    const now = this.deps.clock.now();
    switch (policyOf(f.kind).row) {
      case 'park':
        this.deps.pool.reportFailure(l.id, 'pm', f);
        this.wait(l, waitUntil(f, now), `account #${l.id} has a flood wait (${f.code})`, { cause: 'flood', account: l.id });
        return;
      case 'peer_flood':
        this.deps.pool.reportFailure(l.id, 'pm', f);
        l.peerFlood = true;
        return;
      case 'account_lost':
        this.deps.pool.reportFailure(l.id, 'pm', f);
        this.stopLane(l, rowError(f), 'uncertain');
        return;
      case 'account_busy':
        // Another process holds the account: its claims wait, still claimed, for a run that holds it.
        this.stopLane(l, rowError(f), 'keep');
        return;
      default:
        this.networkTrouble(l, f);
    }
  }

  private networkTrouble(l: Lane, f: Failure): void {
    this.deps.pool.reportFailure(l.id, 'pm', f);
    l.networkFailures++;
    if (l.networkFailures >= MAX_NETWORK_FAILURES) {
      this.stopLane(l, { code: f.code, message: `account #${l.id} cannot reach Telegram (${f.message})` }, 'keep');
      return;
    }
    this.wait(l, this.deps.clock.now() + networkBackoffMs(l.networkFailures), `account #${l.id} retries after a connection failure`, { cause: 'network', account: l.id });
  }

  private async claimAndSend(l: Lane): Promise<void> {
    const session = await this.session(l);
    if (!session) return;
    const { store, clock } = this.deps;
    const now = clock.now();
    const claim = await store.claimForSend({
      campaignId: this.campaign.id,
      leaseOwner: this.deps.leaseOwner,
      requireLease: this.deps.requireLease,
      isLeaseOwnerDead: this.deps.isLeaseOwnerDead,
      accountId: l.id,
      randomId: this.deps.newRandomId(),
      now,
      dailyCap: this.campaign.dailyCap,
      skipContacted: this.campaign.skipContacted,
    });
    switch (claim.kind) {
      case 'stopped':
        this.stop ??= { kind: 'external', state: claim.state };
        return;
      case 'account_lost':
        // Its claims from before were settled here; anything it claims now belongs to the holder.
        this.stopLane(l, { code: HELD_ELSEWHERE, message: `account #${l.id} is connected by another process${claim.holder ? ` (${describeOwner(claim.holder)})` : ''}` }, 'keep');
        l.settle = [];
        return;
      case 'daily_cap':
        this.wait(l, nextUtcMidnight(now), `account #${l.id} reached its daily cap of ${this.campaign.dailyCap}`, { cause: 'daily_cap', account: l.id, cap: this.campaign.dailyCap });
        return;
      case 'none':
        l.idle = true;
        this.deferred = claim.deferred;
        return;
      case 'claimed':
        l.used++;
        await this.send(l, session, claim.row, false);
    }
  }

  /**
   * Settles a claim from before: the same account looks for the message in its history and
   * resends with the same random_id only when it is not there.
   */
  private async settleOne(l: Lane, row: TargetRow): Promise<void> {
    const session = await this.session(l);
    if (!session) return;
    let found: boolean;
    try {
      found = await session.findSent(row.username, this.campaign.message, (row.claimedAt ?? 0) - FIND_SENT_SLACK_MS);
    } catch (e) {
      const f = failureOf(e);
      const effect = policyOf(f.kind).row;
      if (effect === 'not_found') found = false; // the resend gives the final answer
      else if (effect === 'refused') {
        l.settle.shift();
        this.uncertain(row, { code: f.code, message: `account #${l.id} cannot read its history with @${row.username} (${f.message})` });
        return;
      } else {
        if (effect === 'peer_flood') l.settle.shift();
        this.accountTrouble(l, f);
        if (effect === 'peer_flood') this.uncertain(row, rowError(f));
        return;
      }
    }
    l.settle.shift();
    this.stats.settled++;
    if (found) {
      this.sent(l, row, null);
      return;
    }
    if (l.peerFlood) {
      // Its own history proves the message never went out, so another account may send it.
      this.releaseProvenUnsent(l, row, { code: 'PEER_FLOOD', message: `account #${l.id} is limited (PEER_FLOOD) and cannot resend` });
      return;
    }
    await this.send(l, session, row, true);
  }

  private releaseProvenUnsent(l: Lane, row: TargetRow, why: RowError): void {
    this.deps.store.release(row, why, null);
    l.used--;
    for (const other of this.lanes.values()) other.idle = false;
    this.emit({ type: 'target', username: row.username, accountId: l.id, state: 'pending', error: why.message });
  }

  private sent(l: Lane, row: TargetRow, messageId: number | null): void {
    this.deps.store.markSent(row, messageId, this.deps.clock.now());
    l.networkFailures = 0;
    this.stats.sent++;
    this.emit({ type: 'target', username: row.username, accountId: l.id, state: 'sent', error: null });
  }

  /** `pinned`: an earlier attempt may have delivered it, so no other account may take the row. */
  private async send(l: Lane, session: AccountSession, row: TargetRow, pinned: boolean): Promise<void> {
    const { clock } = this.deps;
    this.stats.attempts++;
    let messageId: number;
    try {
      messageId = (await session.sendMessage(row.username, this.campaign.message, row.randomId!)).messageId;
    } catch (e) {
      l.nextAt = clock.now() + jitteredDelay(this.campaign.delay, this.deps.random);
      l.waitingFor = null;
      l.waitCause = null;
      this.deps.pool.markUsed(l.id);
      this.sendFailed(l, row, failureOf(e), pinned);
      return;
    }
    l.nextAt = clock.now() + jitteredDelay(this.campaign.delay, this.deps.random);
    l.waitingFor = null;
    l.waitCause = null;
    this.deps.pool.markUsed(l.id);
    // 0: Telegram said it went out earlier (RANDOM_ID_DUPLICATE) but the id was not found.
    this.sent(l, row, messageId === 0 ? null : messageId);
  }

  private sendFailed(l: Lane, row: TargetRow, f: Failure, pinned: boolean): void {
    const { store, clock } = this.deps;
    const now = clock.now();
    const event = (state: TargetState): void => this.emit({ type: 'target', username: row.username, accountId: l.id, state, error: f.message });
    const effect = policyOf(f.kind).row;
    const giveBack = (refusedBy: number | null): void => {
      store.release(row, rowError(f), refusedBy);
      l.used--;
      for (const other of this.lanes.values()) other.idle = false;
      event('pending');
    };
    switch (effect) {
      case 'not_found':
      case 'privacy_restricted':
        store.markFinal(row, effect, rowError(f), now);
        l.used--;
        l.networkFailures = 0;
        event(effect);
        return;
      case 'park':
        this.accountTrouble(l, f);
        if (pinned) l.settle.unshift(row);
        else giveBack(null);
        return;
      case 'peer_flood':
      case 'account_lost':
      case 'account_busy':
        // A pinned resend follows a history check that found nothing, and Telegram refused this
        // one outright: nothing went out, so the row may go to another account.
        this.accountTrouble(l, f);
        giveBack(null);
        return;
      case 'refused':
        l.networkFailures = 0;
        if (pinned || row.attempts + 1 >= MAX_TARGET_ATTEMPTS) {
          store.markFinal(row, 'failed', rowError(f), now);
          l.used--;
          event('failed');
        } else giveBack(l.id);
        return;
      case 'ambiguous':
        // It may have gone out: keep the claim for this account to settle (history, same random_id).
        l.settle.unshift(row);
        this.networkTrouble(l, f);
        return;
    }
  }

  private finish(): RunReport {
    const { store, clock } = this.deps;
    const now = clock.now();
    let counts = store.counts(this.campaign.id);
    let state: CampaignState;
    let reason: Reason | null;
    const stop = this.stop;
    if (stop?.kind === 'leave') {
      // This process's part ends; the campaign goes on with the other workers.
      const report = this.report(counts);
      this.emit({ type: 'finished', state: report.state, reason: report.reason, reasonCode: report.reasonCode, counts });
      return report;
    }
    if (stop?.kind === 'external') {
      state = stop.state;
      if (state === 'cancelled') {
        // Its own accounts' claims; other processes' runs settle theirs the same way.
        const mine = new Set([...this.lanes.values()].filter((l) => l.stopCode !== HELD_ELSEWHERE).map((l) => l.id));
        for (const row of store.rowsInState(this.campaign.id, 'claimed')) {
          if (mine.has(row.accountId!)) this.uncertain(row, { code: 'CANCELLED', message: 'the campaign was cancelled before this message was confirmed' });
        }
        counts = store.counts(this.campaign.id);
      }
      reason = store.getById(this.campaign.id)?.reasonCode ?? null;
    } else {
      if (stop?.kind === 'signal') {
        state = 'paused';
        const r: unknown = this.opts.signal?.reason;
        reason = reasonOf('campaign_interrupted', typeof r === 'string' ? { detail: r } : {});
      } else if (stop?.kind === 'wait') {
        state = 'paused';
        reason = reasonOf('campaign_waiting', { until: stop.until, ...stop.why });
      } else if (counts.pending === 0 && counts.claimed === 0) {
        state = 'done';
        reason = counts.uncertain > 0 ? reasonOf('campaign_uncertain_left', { count: counts.uncertain }) : null;
      } else {
        state = 'paused';
        reason = this.stuckReason(counts);
      }
      store.setState(this.campaign.id, state, reason, now);
    }
    // An external stop keeps the words stored with it (older rows have no code).
    const english = reason ? englishReason(reason) : stop?.kind === 'external' ? (store.getById(this.campaign.id)?.reason ?? null) : null;
    this.emit({ type: 'finished', state, reason: english, reasonCode: reason, counts });
    return { name: this.campaign.name, state, reason: english, reasonCode: reason, counts, run: { ...this.stats } };
  }

  /** Why pending or claimed rows are left with no account to take them. */
  private stuckReason(counts: TargetCounts): Reason {
    const stopped = [...this.lanes.values()].filter((l) => l.stopped !== null && l.stopCode !== 'SETTLED').map((l) => l.stopped!);
    const idle = [...this.lanes.values()].filter((l) => l.stopped === null && l.idle).length;
    return reasonOf('campaign_stalled', {
      pending: counts.pending,
      claimed: counts.claimed,
      deferred: this.deferred,
      refused: idle > 0 && counts.pending > this.deferred ? 1 : 0,
      stopped: stopped.length,
      fleet: this.lanes.size,
      // Each account's own words, for the English reading (other languages give the count).
      accounts: stopped.join('; '),
    });
  }
}
