import { randomBytes } from 'node:crypto';
import type { PacingConfig } from '../config.ts';
import { resolveAccountRefs } from '../core/account-refs.ts';
import { MESSAGE_MAX_LENGTH, utcDay } from '../core/campaign-schedule.ts';
import type { CampaignSettings, CampaignState, TargetCounts, TargetState, UncertainDecision } from '../core/campaigns.ts';
import type { Clock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import { reason, type Reason } from '../core/reasons.ts';
import { describeTargets, parseTargets, type ParsedTargets } from '../core/targets.ts';
import type { Logger } from '../log.ts';
import { CampaignStore, type AccountUsage, type CampaignRecord } from '../store/campaigns.ts';
import type { Db } from '../store/db.ts';
import { wakeupsFor } from '../store/wakeups.ts';
import { ownerIsGone, processOwner } from './process-owner.ts';
import { CampaignRun, type CampaignEvent, type RunOptions, type RunReport } from './campaign-run.ts';
import type { AccountPool } from './ports.ts';
import { defaultSet, taggedIds } from './account-selection.ts';
import { campaignTimeline, type CampaignTimeline, type TimelineOptions } from './campaign-timeline.ts';

export type { CampaignEvent, RunOptions, RunReport } from './campaign-run.ts';
export type { CampaignTimeline, TimelineSeries } from './campaign-timeline.ts';

export interface CampaignDeps {
  db: Db;
  pool: AccountPool;
  clock: Clock;
  /**
   * Defaults for caps and delay (`config.pacing` with the operator's overrides). A function is
   * read at each create, so a change made in Settings applies without a restart.
   */
  pacing: PacingConfig | (() => PacingConfig);
  log?: Logger;
  /** [0, 1) for delay jitter; defaults to Math.random. */
  random?: () => number;
  /** A fresh positive 63-bit random_id; defaults to crypto randomness. */
  newRandomId?: () => bigint;
  /** This process's account lease owner (the fleet's, which app.ts passes); defaults to host/pid/random. */
  leaseOwner?: string;
  /**
   * Whether the pool takes account leases under `leaseOwner` (the fleet does; app.ts says so):
   * then a claim needs the account's lease. In-memory test pools take none: a claim is then
   * refused only while another live owner holds the account.
   */
  leasedAccounts?: boolean;
  /** Whether a lease holder is gone; defaults to a pid check on the same host. */
  isLeaseOwnerDead?: (owner: string) => boolean;
  /**
   * Sync each claim to disk before its send (default true; see CampaignTargets.claimForSend). Runs
   * on virtual time turn it off: the fsync is real I/O in the thread pool, which a virtual clock
   * cannot wait for.
   */
  syncClaims?: boolean;
}

/** One run of a campaign in this process, which every caller in the process follows. */
interface LocalRun {
  report: Promise<RunReport>;
  listeners: Set<(e: CampaignEvent) => void>;
  started: CampaignEvent | null;
}

export interface CreateCampaignInput {
  name: string;
  message: string;
  /** Pasted text: usernames separated by newlines, spaces or commas, `@` optional. */
  targets: string;
  /** Account ids, phones or @usernames; omitted (with no `tag`): every usable account but the reserve at run time. */
  accounts?: readonly string[];
  /** The accounts tagged so when the campaign is created (with `accounts`: both). */
  tag?: string;
  perAccountCap?: number;
  dailyCap?: number;
  /** Seconds between one account's sends. */
  delaySeconds?: { min: number; max: number };
  /** Also message people an earlier campaign already messaged. */
  includeContacted?: boolean;
  /**
   * Also look up people an earlier campaign found not to exist or privacy-restricted. Skipped by
   * default: each lookup spends the account's daily budget of username resolutions.
   */
  recheckUnreachable?: boolean;
}

/** What earlier campaigns learned about a list of people (the CLI and the bot's wizard show it). */
export interface TargetHistory {
  /** Messaged by an earlier campaign: skipped unless `includeContacted`. */
  contacted: number;
  /** Not messaged, and their latest lookup found no such user: skipped unless `recheckUnreachable`. */
  notFound: number;
  /** Not messaged, and their latest attempt met their privacy settings: skipped unless `recheckUnreachable`. */
  privacyRestricted: number;
}

interface Unreachable {
  username: string;
  state: 'not_found' | 'privacy_restricted';
  campaignId: number;
}

export interface CreateCampaignResult {
  campaign: CampaignRecord;
  /** False when a campaign with this name and message existed and was reused. */
  created: boolean;
  /** Targets new to the campaign. */
  added: number;
  targets: ParsedTargets;
  /** One line for the operator about what the pasted list held. */
  targetsNote: string;
  counts: TargetCounts;
  /** What earlier campaigns learned about the listed people. */
  history: TargetHistory;
  /** Rows skipped now because an earlier campaign found them unreachable (0 with `recheckUnreachable`). */
  skippedUnreachable: number;
}

export interface CampaignAccountSummary extends AccountUsage {
  phone: string | null;
  username: string | null;
  status: string;
  /** Messages it may still send in this campaign today (per-campaign and daily caps). */
  remainingCap: number;
  /** Claimed, sent and uncertain rows: what counts against the per-campaign cap. */
  usedInCampaign: number;
  /** Campaign messages it claimed today in any campaign (UTC day): what the daily cap counts. */
  usedToday: number;
  /** Why it cannot send now, with until when (null: no end known). */
  wait: { kind: 'flood_wait' | 'peer_flood'; until: number | null } | null;
}

export interface CampaignStatus {
  name: string;
  state: CampaignState;
  counts: TargetCounts;
  reason: string | null;
  reasonCode: Reason | null;
  settings: CampaignSettings;
  accounts: CampaignAccountSummary[];
}

export interface CampaignListItem {
  name: string;
  state: CampaignState;
  reason: string | null;
  reasonCode: Reason | null;
  counts: TargetCounts;
  total: number;
  createdAt: number;
}

/** A campaign without its counts, and a mark of its rows that is cheap to read (see heads()). */
export interface CampaignHead {
  name: string;
  state: CampaignState;
  reason: string | null;
  updatedAt: number;
  rowsMark: string;
}

export interface ExportRow {
  username: string;
  outcome: TargetState;
  accountId: number | null;
  /** The account's phone (or @username) when the fleet still knows it. */
  account: string | null;
  /** ISO time of the outcome (or of the claim while in flight); null while pending. */
  time: string | null;
  error: string | null;
}

const NAME = /^[^\p{Cc}]{1,64}$/u;

function randomId63(): bigint {
  for (;;) {
    const id = randomBytes(8).readBigUInt64BE() & 0x7fff_ffff_ffff_ffffn;
    if (id !== 0n) return id;
  }
}

/**
 * The campaign use cases every interface calls: create (or reuse by name), run until done or
 * paused, pause, resume, cancel, status with a per-account summary, export, settle.
 */
export class CampaignService {
  readonly store: CampaignStore;
  /** At most one run per campaign in a process: a second caller follows the first. */
  private readonly local = new Map<number, LocalRun>();
  /** Set in a worker (`start`): runs use only the accounts this process holds. */
  private holds: ((accountId: number) => boolean) | undefined;

  constructor(private readonly d: CampaignDeps) {
    this.store = new CampaignStore(d.db, { syncClaims: d.syncClaims });
    // A pool that names its lease owner (the fleet) takes account leases under it: claims need them.
    const poolOwner = (d.pool as Partial<{ owner: string }>).owner;
    if (typeof poolOwner === 'string') {
      d.leaseOwner ??= poolOwner;
      d.leasedAccounts ??= d.leaseOwner === poolOwner;
    }
  }

  /**
   * Validates everything before writing: a bad message, no valid target, an unknown account or a
   * name taken by a different message throws `InputError` and creates nothing. The same name with
   * the same message reuses that campaign, adding targets it does not hold yet.
   */
  create(input: CreateCampaignInput): CreateCampaignResult {
    const name = input.name.trim();
    if (!NAME.test(name)) throw new InputError('a campaign name needs 1 to 64 characters and no control characters', reason('campaign_name_invalid'));
    const message = input.message.replace(/\r\n/g, '\n');
    if (message.trim() === '') throw new InputError('the message is empty', reason('campaign_message_empty'));
    if (message.length > MESSAGE_MAX_LENGTH) {
      throw new InputError(
        `the message has ${message.length} characters; Telegram allows at most ${MESSAGE_MAX_LENGTH} in one message`,
        reason('campaign_message_too_long', { length: message.length, max: MESSAGE_MAX_LENGTH }),
      );
    }
    const parsed = parseTargets(input.targets);
    const note = describeTargets(parsed);
    if (parsed.usernames.length === 0) throw new InputError(`no valid username among the targets: ${note}`, reason('campaign_no_valid_targets', { invalid: parsed.invalid.count }));
    const positive = (what: string, v: number | undefined): number | undefined => {
      if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new InputError(`${what} must be a whole number of at least 1 (got ${v})`, reason('campaign_bad_number', { value: v }));
      return v;
    };
    const perAccountCap = positive('--max-per-account', input.perAccountCap);
    const dailyCap = positive('--daily-cap', input.dailyCap);
    const delay = input.delaySeconds;
    if (delay && (!(delay.min >= 0) || !(delay.max >= delay.min) || delay.max > 86_400)) {
      throw new InputError(
        `the delay must be min-max seconds with 0 <= min <= max <= 86400 (got ${delay.min}-${delay.max})`,
        reason('campaign_bad_delay', { min: delay.min, max: delay.max }),
      );
    }
    const named = input.accounts === undefined ? undefined : this.resolveAccounts(input.accounts);
    const tagged = input.tag === undefined ? undefined : taggedIds(this.d.pool.accounts(), input.tag);
    const accountIds = named === undefined && tagged === undefined ? undefined : [...new Set([...(named ?? []), ...(tagged ?? [])])];
    const { history, unreachable } = this.readHistory(parsed.usernames);
    const skip = input.recheckUnreachable === true ? [] : unreachable;

    const now = this.d.clock.now();
    const existing = this.store.get(name);
    if (existing) {
      if (existing.message !== message) {
        throw new InputError(
          `a campaign named "${name}" already exists with a different message; run \`campaign run ${name}\` to resume it, or pick a new name`,
          reason('campaign_name_taken', { name }),
        );
      }
      if (existing.state === 'cancelled') throw new InputError(`the campaign "${name}" was cancelled; pick a new name`, reason('campaign_cancelled', { name }));
      const settings: CampaignSettings = {
        accountIds: accountIds === undefined ? existing.accountIds : accountIds,
        perAccountCap: perAccountCap ?? existing.perAccountCap,
        dailyCap: dailyCap ?? existing.dailyCap,
        delay: delay ? { minMs: delay.min * 1000, maxMs: delay.max * 1000 } : existing.delay,
        skipContacted: input.includeContacted === undefined ? existing.skipContacted : !input.includeContacted,
      };
      const { added, skipped } = this.store.db.transaction(() => {
        this.store.updateSettings(existing.id, settings, now);
        const n = this.store.addTargets(existing.id, parsed.usernames);
        const skipped = this.skipUnreachable(existing.id, skip, now);
        if (n > skipped && existing.state === 'done') this.store.setState(existing.id, 'paused', reason('campaign_targets_added', { count: n }), now);
        return { added: n, skipped };
      })();
      const campaign = this.store.getById(existing.id)!;
      return { campaign, created: false, added, targets: parsed, targetsNote: note, counts: this.store.counts(existing.id), history, skippedUnreachable: skipped };
    }
    const p = typeof this.d.pacing === 'function' ? this.d.pacing() : this.d.pacing;
    const newCampaign = {
      name,
      message,
      now,
      usernames: parsed.usernames,
      settings: {
        accountIds: accountIds ?? null,
        perAccountCap: perAccountCap ?? p.campaignPerAccount,
        dailyCap: dailyCap ?? p.campaignDailyCap,
        delay: delay ? { minMs: delay.min * 1000, maxMs: delay.max * 1000 } : { minMs: p.campaignDelay.min * 1000, maxMs: p.campaignDelay.max * 1000 },
        skipContacted: input.includeContacted !== true,
      },
    };
    // One transaction: a campaign never exists with the rows it should skip still pending.
    const { campaign, skipped } = this.store.db.transaction(() => {
      const made = this.store.create(newCampaign);
      return { campaign: made, skipped: this.skipUnreachable(made.id, skip, now) };
    }).immediate();
    return { campaign, created: true, added: parsed.usernames.length, targets: parsed, targetsNote: note, counts: this.store.counts(campaign.id), history, skippedUnreachable: skipped };
  }

  /**
   * What earlier campaigns learned about these people: how many were messaged, and how many of
   * the rest were found not to exist or privacy-restricted when last tried. Reads only.
   */
  targetHistory(usernames: readonly string[]): TargetHistory {
    return this.readHistory(usernames).history;
  }

  private readHistory(usernames: readonly string[]): { history: TargetHistory; unreachable: Unreachable[] } {
    const history: TargetHistory = { contacted: 0, notFound: 0, privacyRestricted: 0 };
    const unreachable: Unreachable[] = [];
    for (const username of usernames) {
      if (this.store.contacted.isContacted(username)) {
        history.contacted++;
        continue;
      }
      const last = this.store.targets.lastOutcome(username);
      if (last?.state === 'not_found') history.notFound++;
      else if (last?.state === 'privacy_restricted') history.privacyRestricted++;
      else continue;
      unreachable.push({ username, state: last.state, campaignId: last.campaignId });
    }
    return { history, unreachable };
  }

  private skipUnreachable(campaignId: number, people: readonly Unreachable[], now: number): number {
    let n = 0;
    for (const u of people) {
      const error =
        u.state === 'not_found'
          ? { code: 'KNOWN_NOT_FOUND', message: `campaign #${u.campaignId} found no such user; --recheck-unreachable looks again` }
          : { code: 'KNOWN_PRIVACY_RESTRICTED', message: `campaign #${u.campaignId} found their privacy settings refuse the message; --recheck-unreachable tries again` };
      if (this.store.targets.skipPending(campaignId, u.username, error, now)) n++;
    }
    return n;
  }

  /** Account ids for references by id, phone or @username; unknown ones are an `InputError`. */
  resolveAccounts(refs: readonly string[]): number[] {
    const fleet = this.d.pool.accounts();
    const ids = resolveAccountRefs(fleet, refs);
    if (!ids.ok) throw new InputError(
        `${ids.problem} (the fleet has ${fleet.length} enabled account${fleet.length === 1 ? '' : 's'})`,
        reason('campaign_unknown_accounts', { accounts: refs.join(', '), fleet: fleet.length }),
      );
    return ids.value;
  }

  private mustGet(name: string): CampaignRecord {
    const c = this.store.get(name.trim());
    if (!c) throw new InputError(`no campaign named "${name}" (\`campaign list\` shows them)`, reason('campaign_unknown', { name }));
    return c;
  }

  /**
   * Marks the campaign running (every worker holding some of its accounts joins in: they watch
   * for running campaigns) and runs this process's part until the campaign is done or paused (by
   * the operator, a signal, or nothing left that any process can do): in a worker with the
   * accounts it holds, elsewhere (the CLI) with the accounts nobody holds, following the other
   * processes' progress through the database meanwhile.
   */
  async run(name: string, opts: RunOptions = {}): Promise<RunReport> {
    const c = this.mustGet(name);
    if (c.state === 'cancelled') throw new InputError(`the campaign "${c.name}" was cancelled; create a new one to send again`, reason('campaign_cancelled', { name: c.name }));
    const counts = this.store.counts(c.id);
    if (c.state === 'done' && counts.pending === 0 && counts.claimed === 0) {
      return { name: c.name, state: 'done', reason: c.reason, reasonCode: c.reasonCode, counts, run: { sent: 0, settled: 0, uncertain: 0, attempts: 0 } };
    }
    if (c.state !== 'running') {
      this.store.setState(c.id, 'running', null, this.d.clock.now());
      wakeupsFor(this.d.db).notify('campaigns', c.name);
    }
    return this.follow(c, opts);
  }

  /**
   * A worker's part in a running campaign (the campaign watcher calls it): nothing when this
   * process runs it already or holds none of its accounts. `leave` ends the part only.
   */
  runPart(name: string, leave: AbortSignal): Promise<RunReport> | null {
    const c = this.store.get(name);
    if (!c || c.state !== 'running' || this.local.has(c.id)) return null;
    return this.follow(c, { leave });
  }

  /** Makes this service a worker's: its runs use only the accounts `holds` says this process holds. */
  becomeWorker(holds: (accountId: number) => boolean): void {
    this.holds = holds;
  }

  /** Names of the campaigns marked running (by any process). */
  runningNames(): string[] {
    return this.store.list().filter((c) => c.state === 'running').map((c) => c.name);
  }

  private async follow(c: CampaignRecord, opts: RunOptions): Promise<RunReport> {
    const listener = opts.onEvent;
    const current = this.local.get(c.id);
    if (current) {
      // Another caller here runs it already: follow that run; an abort here pauses the campaign.
      const run = current;
      if (listener) {
        if (run.started) listener(run.started);
        run.listeners.add(listener);
      }
      const onAbort = (): void => {
        const r: unknown = opts.signal?.reason;
        this.store.setState(c.id, 'paused', reason('campaign_interrupted', typeof r === 'string' ? { detail: r } : {}), this.d.clock.now());
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await run.report;
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
        if (listener) run.listeners.delete(listener);
      }
    }
    const listeners = new Set<(e: CampaignEvent) => void>(listener ? [listener] : []);
    const entry: LocalRun = { report: Promise.resolve(null as unknown as RunReport), listeners, started: null };
    const run = new CampaignRun(
      {
        store: this.store,
        pool: this.d.pool,
        clock: this.d.clock,
        random: this.d.random ?? Math.random,
        newRandomId: this.d.newRandomId ?? randomId63,
        leaseOwner: (this.d.leaseOwner ??= processOwner()),
        requireLease: this.d.leasedAccounts === true,
        isLeaseOwnerDead: this.d.isLeaseOwnerDead ?? ownerIsGone,
        ...(this.holds ? { holds: this.holds } : {}),
        log: this.d.log,
      },
      c,
      {
        ...opts,
        onEvent: (e) => {
          if (e.type === 'started') entry.started = e;
          for (const l of [...listeners]) l(e);
        },
      },
    );
    entry.report = run.execute().finally(() => this.local.delete(c.id));
    this.local.set(c.id, entry);
    return entry.report;
  }

  /** Stops a run (here or in another process) after its sends in flight settle. */
  pause(name: string): CampaignStatus {
    const c = this.mustGet(name);
    if (c.state === 'done' || c.state === 'cancelled') throw new InputError(`the campaign "${c.name}" is ${c.state}; there is nothing to pause`, reason('campaign_over', { name: c.name, state: c.state }));
    this.store.setState(c.id, 'paused', reason('campaign_paused_by_operator'), this.d.clock.now());
    wakeupsFor(this.d.db).notify('campaigns', c.name);
    return this.status(name);
  }

  /** Clears a pause so the campaign can run again (interfaces then call `run`). */
  resume(name: string): CampaignStatus {
    const c = this.mustGet(name);
    if (c.state === 'cancelled') throw new InputError(`the campaign "${c.name}" was cancelled; create a new one to send again`, reason('campaign_cancelled', { name: c.name }));
    if (c.state === 'paused') this.store.setState(c.id, 'ready', null, this.d.clock.now());
    return this.status(name);
  }

  /**
   * Nothing more is sent. Claims no live run will settle become uncertain: they may have gone out,
   * and they keep blocking the person in other campaigns until the operator settles them.
   */
  cancel(name: string): CampaignStatus {
    const c = this.mustGet(name);
    if (c.state === 'cancelled') return this.status(name);
    const now = this.d.clock.now();
    const isDead = this.d.isLeaseOwnerDead ?? ownerIsGone;
    // A live runner settles the claims of the accounts it holds when it sees the cancel; the
    // claims of accounts no runner holds are settled here.
    const runners = new Set(this.store.runners.others(c.id, '', now, isDead).map((r) => r.owner));
    const heldBy = new Map(this.d.pool.accounts().map((a) => [a.id, a.heldBy ?? (this.holds?.(a.id) || this.local.has(c.id) ? this.d.leaseOwner : null)]));
    this.store.db.transaction(() => {
      this.store.setState(c.id, 'cancelled', reason('campaign_cancelled_by_operator'), now);
      for (const row of this.store.rowsInState(c.id, 'claimed')) {
        const holder = heldBy.get(row.accountId!) ?? null;
        if (holder !== null && runners.has(holder)) continue;
        this.store.markUncertain(row, { code: 'CANCELLED', message: 'not confirmed: the campaign was cancelled before this message was confirmed; decide with campaign settle' }, now);
      }
    })();
    wakeupsFor(this.d.db).notify('campaigns', c.name);
    return this.status(name);
  }

  /** The operator's decision for every uncertain row: `sent` or `skip` (both enter the ledger), or `retry`. */
  settle(name: string, decision: UncertainDecision): { changed: number; status: CampaignStatus } {
    const c = this.mustGet(name);
    const now = this.d.clock.now();
    const changed = this.store.settleUncertain(c.id, decision, now);
    if (decision === 'retry' && changed > 0 && c.state === 'done') {
      this.store.setState(c.id, 'paused', reason('campaign_uncertain_requeued', { count: changed }), now);
    } else if (changed > 0 && c.state === 'done') this.store.setState(c.id, 'done', null, now);
    return { changed, status: this.status(name) };
  }

  /** The status without the per-account summary: what a progress line re-reads every second. */
  progress(name: string): Omit<CampaignStatus, 'accounts'> {
    const c = this.mustGet(name);
    return { name: c.name, state: c.state, counts: this.store.counts(c.id), reason: c.reason, reasonCode: c.reasonCode, settings: settingsOf(c) };
  }

  status(name: string): CampaignStatus {
    const c = this.mustGet(name);
    return { name: c.name, state: c.state, counts: this.store.counts(c.id), reason: c.reason, reasonCode: c.reasonCode, settings: settingsOf(c), accounts: this.accountSummary(c) };
  }

  /** Messages sent over time per account (the busiest first, the rest together), counted in the database. */
  timeline(name: string, opts: TimelineOptions = {}): CampaignTimeline {
    return campaignTimeline(this.store, this.mustGet(name).id, opts);
  }

  list(): CampaignListItem[] {
    return this.store.list().map((c) => {
      const counts = this.store.counts(c.id);
      return { name: c.name, state: c.state, reason: c.reason, reasonCode: c.reasonCode, counts, total: Object.values(counts).reduce((a, b) => a + b, 0), createdAt: c.createdAt };
    });
  }

  /**
   * Every campaign without counting its rows (index lookups only): while a campaign claims nothing
   * new its counts change only with its `rowsMark`, so a watcher re-counts it only then.
   */
  heads(): CampaignHead[] {
    return this.store.list().map((c) => ({ name: c.name, state: c.state, reason: c.reason, updatedAt: c.updatedAt, rowsMark: this.store.targets.rowsMark(c.id) }));
  }

  /** Campaign messages the account sent in the current UTC day (what the daily cap counts). */
  usedToday(accountId: number): number {
    return this.store.usedOn(accountId, utcDay(this.d.clock.now()));
  }

  /** One row per target with its outcome, account, time and error, in list order. */
  *exportRows(name: string): Generator<ExportRow> {
    const c = this.mustGet(name);
    const fleet = new Map(this.d.pool.accounts().map((a) => [a.id, a]));
    for (const r of this.store.rows(c.id)) {
      const a = r.accountId === null ? undefined : fleet.get(r.accountId);
      const at = r.doneAt ?? r.claimedAt;
      yield {
        username: r.username,
        outcome: r.state,
        accountId: r.accountId,
        account: a ? a.phone || (a.username ? `@${a.username}` : null) : null,
        time: at === null ? null : new Date(at).toISOString(),
        error: r.error,
      };
    }
  }

  private accountSummary(c: CampaignRecord): CampaignAccountSummary[] {
    const fleet = new Map(this.d.pool.accounts().map((a) => [a.id, a]));
    const usage = new Map(this.store.accountUsage(c.id).map((u) => [u.accountId, u]));
    const ids = [...new Set([...(c.accountIds ?? defaultSet([...fleet.values()]).map((a) => a.id)), ...usage.keys()])].sort((a, b) => a - b);
    const now = this.d.clock.now();
    const today = utcDay(now);
    return ids.map((id) => {
      const u = usage.get(id);
      const a = fleet.get(id);
      const used = (u?.sent ?? 0) + (u?.claimed ?? 0) + (u?.uncertain ?? 0);
      const usedToday = this.store.usedOn(id, today);
      const remainingCap = a ? Math.max(0, Math.min(c.perAccountCap - used, c.dailyCap - usedToday)) : 0;
      const parked = a?.parkedUntil.pm ?? 0;
      const wait =
        a?.status === 'peer_flood'
          ? { kind: 'peer_flood' as const, until: a.statusUntil }
          : parked > now
            ? { kind: 'flood_wait' as const, until: parked }
            : null;
      return {
        accountId: id,
        phone: a?.phone ?? null,
        username: a?.username ?? null,
        status: a ? a.status : 'not in the fleet',
        sent: u?.sent ?? 0,
        failed: u?.failed ?? 0,
        notFound: u?.notFound ?? 0,
        privacyRestricted: u?.privacyRestricted ?? 0,
        claimed: u?.claimed ?? 0,
        uncertain: u?.uncertain ?? 0,
        remainingCap,
        usedInCampaign: used,
        usedToday,
        wait,
      };
    });
  }
}

function settingsOf(c: CampaignRecord): CampaignSettings {
  return { accountIds: c.accountIds, perAccountCap: c.perAccountCap, dailyCap: c.dailyCap, delay: c.delay, skipContacted: c.skipContacted };
}
