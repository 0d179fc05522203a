import { utcDay } from '../core/campaign-schedule.ts';
import {
  emptyCounts,
  type CampaignSettings,
  type CampaignState,
  type TargetCounts,
  type TargetState,
  type UncertainDecision,
} from '../core/campaigns.ts';
import type { Db } from './db.ts';

export interface CampaignRecord extends CampaignSettings {
  id: number;
  name: string;
  message: string;
  state: CampaignState;
  /** Why it is paused, done or cancelled, for the operator. */
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface TargetRow {
  campaignId: number;
  seq: number;
  username: string;
  state: TargetState;
  accountId: number | null;
  randomId: bigint | null;
  claimedAt: number | null;
  attempts: number;
  /** Accounts that were refused for this target (never asked again for it). */
  tried: number[];
  messageId: number | null;
  errorCode: string | null;
  error: string | null;
  doneAt: number | null;
}

export interface NewCampaign {
  name: string;
  message: string;
  settings: CampaignSettings;
  usernames: readonly string[];
  now: number;
}

export type ClaimResult =
  | { kind: 'claimed'; row: TargetRow }
  /** The account has used its daily cap (UTC day of `now`). */
  | { kind: 'daily_cap' }
  /** Nothing this account may take now; `deferred` rows wait for another campaign's unsettled claim. */
  | { kind: 'none'; deferred: number }
  /** The campaign is no longer running under this lease (paused, cancelled, taken over). */
  | { kind: 'stopped'; state: CampaignState | 'lease_lost' };

export interface ClaimRequest {
  campaignId: number;
  leaseOwner: string;
  accountId: number;
  randomId: bigint;
  now: number;
  dailyCap: number;
  skipContacted: boolean;
}

/** Why a row ended or went back, as stored for the export. */
export interface RowError {
  code: string;
  message: string;
}

export interface AccountUsage {
  accountId: number;
  sent: number;
  failed: number;
  notFound: number;
  privacyRestricted: number;
  claimed: number;
  uncertain: number;
}

interface CampaignDbRow {
  id: number;
  name: string;
  message: string;
  state: CampaignState;
  reason: string | null;
  account_ids: string | null;
  per_account_cap: number;
  daily_cap: number;
  delay_min_ms: number;
  delay_max_ms: number;
  skip_contacted: number;
  created_at: number;
  updated_at: number;
}

interface TargetDbRow {
  campaign_id: number;
  seq: number;
  username: string;
  state: TargetState;
  account_id: number | null;
  random_id: string | null;
  claimed_at: number | null;
  attempts: number;
  tried: string;
  message_id: number | null;
  error_code: string | null;
  error: string | null;
  done_at: number | null;
}

function toCampaign(r: CampaignDbRow): CampaignRecord {
  return {
    id: r.id,
    name: r.name,
    message: r.message,
    state: r.state,
    reason: r.reason,
    accountIds: r.account_ids === null ? null : (JSON.parse(r.account_ids) as number[]),
    perAccountCap: r.per_account_cap,
    dailyCap: r.daily_cap,
    delay: { minMs: r.delay_min_ms, maxMs: r.delay_max_ms },
    skipContacted: r.skip_contacted === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toTarget(r: TargetDbRow): TargetRow {
  return {
    campaignId: r.campaign_id,
    seq: r.seq,
    username: r.username,
    state: r.state,
    accountId: r.account_id,
    randomId: r.random_id === null ? null : BigInt(r.random_id),
    claimedAt: r.claimed_at,
    attempts: r.attempts,
    tried: r.tried.split(',').filter((s) => s !== '').map(Number),
    messageId: r.message_id,
    errorCode: r.error_code,
    error: r.error,
    doneAt: r.done_at,
  };
}

/** Rows that may hold a message already out (in flight or unknown): they block the person elsewhere. */
const OPEN_STATES = "('claimed', 'uncertain')";

/**
 * Campaign rows in SQLite. Every state change of a target is one transaction; a claim is
 * committed with a synced write before the engine sends, so no crash can lose a claim whose
 * message went out.
 */
export interface CampaignStoreOptions {
  /**
   * Sync each claim to disk before the send (default true). Without it a claim survives a killed
   * process but not a power cut; benchmarks turn it off to measure the bookkeeping itself.
   */
  syncClaims?: boolean;
}

export class CampaignStore {
  private readonly s;
  private readonly syncClaims: boolean;

  constructor(
    readonly db: Db,
    opts: CampaignStoreOptions = {},
  ) {
    this.syncClaims = opts.syncClaims ?? true;
    this.s = {
      byName: db.prepare<[string], CampaignDbRow>('SELECT * FROM campaigns WHERE name = ?'),
      byId: db.prepare<[number], CampaignDbRow>('SELECT * FROM campaigns WHERE id = ?'),
      all: db.prepare<[], CampaignDbRow>('SELECT * FROM campaigns ORDER BY id'),
      insertCampaign: db.prepare(
        `INSERT INTO campaigns (name, message, state, reason, account_ids, per_account_cap, daily_cap, delay_min_ms, delay_max_ms, skip_contacted, created_at, updated_at)
         VALUES (@name, @message, 'ready', NULL, @accountIds, @perAccountCap, @dailyCap, @delayMinMs, @delayMaxMs, @skipContacted, @now, @now)`,
      ),
      maxSeq: db.prepare<[number], { m: number | null }>('SELECT max(seq) AS m FROM campaign_targets WHERE campaign_id = ?'),
      insertTarget: db.prepare<[number, number, string]>(
        "INSERT OR IGNORE INTO campaign_targets (campaign_id, seq, username, state) VALUES (?, ?, ?, 'pending')",
      ),
      counts: db.prepare<[number], { state: TargetState; n: number }>('SELECT state, count(*) AS n FROM campaign_targets WHERE campaign_id = ? GROUP BY state'),
      campaignHead: db.prepare<[number], { state: CampaignState; lease_owner: string | null }>('SELECT state, lease_owner FROM campaigns WHERE id = ?'),
      setState: db.prepare<[CampaignState, string | null, number, number]>('UPDATE campaigns SET state = ?, reason = ?, updated_at = ? WHERE id = ?'),
      lease: db.prepare<[number], { lease_owner: string | null; lease_until: number | null }>('SELECT lease_owner, lease_until FROM campaigns WHERE id = ?'),
      takeLease: db.prepare<[string, number, number]>('UPDATE campaigns SET lease_owner = ?, lease_until = ? WHERE id = ?'),
      renewLease: db.prepare<[number, number, string]>('UPDATE campaigns SET lease_until = ? WHERE id = ? AND lease_owner = ?'),
      releaseLease: db.prepare<[number, string]>('UPDATE campaigns SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?'),
      rowsInState: db.prepare<[number, TargetState], TargetDbRow>('SELECT * FROM campaign_targets WHERE campaign_id = ? AND state = ? ORDER BY seq'),
      row: db.prepare<[number, number], TargetDbRow>('SELECT * FROM campaign_targets WHERE campaign_id = ? AND seq = ?'),
      allRows: db.prepare<[number], TargetDbRow>('SELECT * FROM campaign_targets WHERE campaign_id = ? ORDER BY seq'),
      candidates: db.prepare<[number, number], { seq: number; username: string; tried: string }>(
        "SELECT seq, username, tried FROM campaign_targets WHERE campaign_id = ? AND state = 'pending' AND seq > ? ORDER BY seq LIMIT 8",
      ),
      hasPending: db.prepare<[number], { one: number }>("SELECT 1 AS one FROM campaign_targets WHERE campaign_id = ? AND state = 'pending' LIMIT 1"),
      contacted: db.prepare<[string], { campaign_id: number }>('SELECT campaign_id FROM contacted WHERE username = ?'),
      openElsewhere: db.prepare<[string, number], { one: number }>(
        `SELECT 1 AS one FROM campaign_targets WHERE username = ? AND state IN ${OPEN_STATES} AND campaign_id <> ? LIMIT 1`,
      ),
      claim: db.prepare<[number, string, number, number, number]>(
        "UPDATE campaign_targets SET state = 'claimed', account_id = ?, random_id = ?, claimed_at = ?, error_code = NULL, error = NULL WHERE campaign_id = ? AND seq = ? AND state = 'pending'",
      ),
      skip: db.prepare<[string, string, number, number, number]>(
        "UPDATE campaign_targets SET state = 'skipped', error_code = ?, error = ?, done_at = ? WHERE campaign_id = ? AND seq = ? AND state = 'pending'",
      ),
      usage: db.prepare<[number, string], { used: number }>('SELECT used FROM campaign_daily_usage WHERE account_id = ? AND day = ?'),
      use: db.prepare<[{ account: number; day: string; now: number }]>(
        `INSERT INTO campaign_daily_usage (account_id, day, used, last_at) VALUES (@account, @day, 1, @now)
         ON CONFLICT (account_id, day) DO UPDATE SET used = used + 1, last_at = max(last_at, @now)`,
      ),
      refund: db.prepare<[number, string]>('UPDATE campaign_daily_usage SET used = used - 1 WHERE account_id = ? AND day = ? AND used > 0'),
      lastUse: db.prepare<[number], { t: number | null }>('SELECT max(last_at) AS t FROM campaign_daily_usage WHERE account_id = ?'),
      sent: db.prepare<[number | null, number, number, number]>(
        "UPDATE campaign_targets SET state = 'sent', message_id = ?, error_code = NULL, error = NULL, done_at = ? WHERE campaign_id = ? AND seq = ? AND state IN ('claimed', 'uncertain')",
      ),
      ledger: db.prepare<[string, number, number | null, number]>('INSERT OR IGNORE INTO contacted (username, campaign_id, account_id, at) VALUES (?, ?, ?, ?)'),
      final: db.prepare<[TargetState, string, string, number, number, number]>(
        "UPDATE campaign_targets SET state = ?, error_code = ?, error = ?, attempts = attempts + 1, done_at = ? WHERE campaign_id = ? AND seq = ? AND state = 'claimed'",
      ),
      release: db.prepare<[number, string | null, string | null, string, number, number]>(
        `UPDATE campaign_targets SET state = 'pending', account_id = NULL, random_id = NULL, claimed_at = NULL,
           attempts = attempts + ?, error_code = ?, error = ?, tried = tried || ? WHERE campaign_id = ? AND seq = ? AND state = 'claimed'`,
      ),
      uncertain: db.prepare<[string, string, number, number, number]>(
        "UPDATE campaign_targets SET state = 'uncertain', error_code = ?, error = ?, done_at = ? WHERE campaign_id = ? AND seq = ? AND state = 'claimed'",
      ),
      usedInCampaign: db.prepare<[number], { account_id: number; n: number }>(
        `SELECT account_id, count(*) AS n FROM campaign_targets WHERE campaign_id = ? AND account_id IS NOT NULL AND state IN ('claimed', 'sent', 'uncertain') GROUP BY account_id`,
      ),
      perAccount: db.prepare<[number], { account_id: number; state: TargetState; n: number }>(
        'SELECT account_id, state, count(*) AS n FROM campaign_targets WHERE campaign_id = ? AND account_id IS NOT NULL GROUP BY account_id, state',
      ),
      retryUncertain: db.prepare<[number]>(
        "UPDATE campaign_targets SET state = 'pending', account_id = NULL, random_id = NULL, claimed_at = NULL, error_code = NULL, error = NULL, done_at = NULL, tried = ',', attempts = 0 WHERE campaign_id = ? AND state = 'uncertain'",
      ),
      skipUncertain: db.prepare<[number, number, number]>(
        "UPDATE campaign_targets SET state = 'skipped', error_code = 'SETTLED_SKIP', error = 'skipped by the operator; it may have been delivered', done_at = ? WHERE campaign_id = ? AND seq = ? AND state = 'uncertain'",
      ),
      updateSettings: db.prepare(
        `UPDATE campaigns SET account_ids = @accountIds, per_account_cap = @perAccountCap, daily_cap = @dailyCap, delay_min_ms = @delayMinMs,
           delay_max_ms = @delayMaxMs, skip_contacted = @skipContacted, updated_at = @now WHERE id = @id`,
      ),
    };
  }

  /** Creates the campaign with its targets in one transaction. */
  create(c: NewCampaign): CampaignRecord {
    return this.db.transaction(() => {
      const info = this.s.insertCampaign.run({ name: c.name, message: c.message, now: c.now, ...settingsParams(c.settings) });
      const id = Number(info.lastInsertRowid);
      this.insertTargets(id, c.usernames, 0);
      return this.mustGet(id);
    }).immediate();
  }

  /** Appends usernames the campaign does not hold yet; returns how many were new. */
  addTargets(campaignId: number, usernames: readonly string[]): number {
    return this.db.transaction(() => this.insertTargets(campaignId, usernames, this.s.maxSeq.get(campaignId)?.m ?? 0)).immediate();
  }

  private insertTargets(campaignId: number, usernames: readonly string[], lastSeq: number): number {
    let seq = lastSeq;
    let added = 0;
    for (const u of usernames) {
      const r = this.s.insertTarget.run(campaignId, seq + 1, u);
      if (r.changes > 0) {
        seq++;
        added++;
      }
    }
    return added;
  }

  updateSettings(campaignId: number, settings: CampaignSettings, now: number): void {
    this.s.updateSettings.run({ id: campaignId, now, ...settingsParams(settings) });
  }

  get(name: string): CampaignRecord | undefined {
    const r = this.s.byName.get(name);
    return r && toCampaign(r);
  }

  getById(id: number): CampaignRecord | undefined {
    const r = this.s.byId.get(id);
    return r && toCampaign(r);
  }

  private mustGet(id: number): CampaignRecord {
    const c = this.getById(id);
    if (!c) throw new Error(`campaign ${id} vanished`);
    return c;
  }

  list(): CampaignRecord[] {
    return this.s.all.all().map(toCampaign);
  }

  counts(campaignId: number): TargetCounts {
    const counts = emptyCounts();
    for (const r of this.s.counts.all(campaignId)) counts[r.state] = r.n;
    return counts;
  }

  setState(campaignId: number, state: CampaignState, reason: string | null, now: number): void {
    this.s.setState.run(state, reason, now, campaignId);
  }

  /**
   * Takes the campaign for one runner. A lease held by someone else is taken over only when it
   * expired or `isDead(owner)` says its process is gone.
   */
  acquireLease(campaignId: number, owner: string, until: number, now: number, isDead: (owner: string) => boolean): { ok: true } | { ok: false; owner: string } {
    return this.db.transaction(() => {
      const l = this.s.lease.get(campaignId);
      if (l?.lease_owner && l.lease_owner !== owner && (l.lease_until ?? 0) > now && !isDead(l.lease_owner)) return { ok: false as const, owner: l.lease_owner };
      this.s.takeLease.run(owner, until, campaignId);
      return { ok: true as const };
    }).immediate();
  }

  renewLease(campaignId: number, owner: string, until: number): boolean {
    return this.s.renewLease.run(until, campaignId, owner).changes > 0;
  }

  releaseLease(campaignId: number, owner: string): void {
    this.s.releaseLease.run(campaignId, owner);
  }

  /** The current holder when the lease is live, else null. */
  liveLease(campaignId: number, now: number, isDead: (owner: string) => boolean): string | null {
    const l = this.s.lease.get(campaignId);
    if (!l?.lease_owner || (l.lease_until ?? 0) <= now || isDead(l.lease_owner)) return null;
    return l.lease_owner;
  }

  hasPending(campaignId: number): boolean {
    return this.s.hasPending.get(campaignId) !== undefined;
  }

  rowsInState(campaignId: number, state: TargetState): TargetRow[] {
    return this.s.rowsInState.all(campaignId, state).map(toTarget);
  }

  row(campaignId: number, seq: number): TargetRow | undefined {
    const r = this.s.row.get(campaignId, seq);
    return r && toTarget(r);
  }

  /** Every row in list order, streamed (exports of large campaigns). */
  *rows(campaignId: number): Generator<TargetRow> {
    for (const r of this.s.allRows.iterate(campaignId)) yield toTarget(r);
  }

  /** Claimed, sent and uncertain rows per account: what counts against the per-campaign cap. */
  usedInCampaign(campaignId: number): Map<number, number> {
    return new Map(this.s.usedInCampaign.all(campaignId).map((r) => [r.account_id, r.n]));
  }

  usedOn(accountId: number, day: string): number {
    return this.s.usage.get(accountId, day)?.used ?? 0;
  }

  /** When the account last claimed a campaign message (any campaign), for pacing across restarts. */
  lastClaimAt(accountId: number): number | null {
    return this.s.lastUse.get(accountId)?.t ?? null;
  }

  /**
   * Claims the first pending row this account may take: not refused to it before, the person not
   * in the ledger (when skipping contacted; such rows become `skipped` here), and not claimed or
   * uncertain in another campaign. Counts the claim in the daily usage. Synced to disk on commit.
   */
  claimNext(q: ClaimRequest): ClaimResult {
    const run = this.db.transaction((): ClaimResult => {
      const head = this.s.campaignHead.get(q.campaignId);
      if (!head || head.state !== 'running') return { kind: 'stopped', state: head?.state ?? 'cancelled' };
      if (head.lease_owner !== q.leaseOwner) return { kind: 'stopped', state: 'lease_lost' };
      const day = utcDay(q.now);
      if (this.usedOn(q.accountId, day) >= q.dailyCap) return { kind: 'daily_cap' };
      const mark = `,${q.accountId},`;
      let deferred = 0;
      // Pages, not an open iterator: the connection cannot write while a statement is iterating.
      for (let after = 0; ; ) {
        const page = this.s.candidates.all(q.campaignId, after);
        if (page.length === 0) break;
        after = page[page.length - 1]!.seq;
        for (const c of page) {
          if (c.tried.includes(mark)) continue;
          if (q.skipContacted) {
            const seen = this.s.contacted.get(c.username);
            if (seen) {
              const note = seen.campaign_id === q.campaignId ? 'already messaged by this campaign' : `already messaged by campaign #${seen.campaign_id}`;
              this.s.skip.run('CONTACTED', note, q.now, q.campaignId, c.seq);
              continue;
            }
          }
          if (this.s.openElsewhere.get(c.username, q.campaignId)) {
            deferred++;
            continue;
          }
          this.s.claim.run(q.accountId, q.randomId.toString(), q.now, q.campaignId, c.seq);
          this.s.use.run({ account: q.accountId, day, now: q.now });
          return { kind: 'claimed', row: toTarget(this.s.row.get(q.campaignId, c.seq)!) };
        }
      }
      return { kind: 'none', deferred };
    });
    if (!this.syncClaims) return run.immediate();
    // The claim must survive a power cut once the message may be out: sync this commit only.
    this.db.pragma('synchronous = FULL');
    try {
      return run.immediate();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /** The message went out: the row and the contacted ledger change together. */
  markSent(row: TargetRow, messageId: number | null, now: number): void {
    this.db.transaction(() => {
      if (this.s.sent.run(messageId, now, row.campaignId, row.seq).changes === 0) return;
      this.s.ledger.run(row.username, row.campaignId, row.accountId, now);
    }).immediate();
  }

  /** A final outcome that sent nothing (not_found, privacy_restricted, failed); the claim is refunded. */
  markFinal(row: TargetRow, state: 'not_found' | 'privacy_restricted' | 'failed', error: RowError, now: number): void {
    this.db.transaction(() => {
      if (this.s.final.run(state, error.code, error.message, now, row.campaignId, row.seq).changes === 0) return;
      this.refund(row);
    }).immediate();
  }

  /**
   * Nothing went out and another account may try: back to pending, the claim refunded. With
   * `refusedBy` the account is not asked again for this person and the attempt counts.
   */
  release(row: TargetRow, error: RowError | null, refusedBy: number | null): void {
    this.db.transaction(() => {
      const tried = refusedBy === null ? '' : `${refusedBy},`;
      if (this.s.release.run(refusedBy === null ? 0 : 1, error?.code ?? null, error?.message ?? null, tried, row.campaignId, row.seq).changes === 0) return;
      this.refund(row);
    }).immediate();
  }

  /** The claiming account cannot settle the row: the operator decides (`settle`). */
  markUncertain(row: TargetRow, error: RowError, now: number): void {
    this.s.uncertain.run(error.code, error.message, now, row.campaignId, row.seq);
  }

  private refund(row: TargetRow): void {
    if (row.accountId !== null && row.claimedAt !== null) this.s.refund.run(row.accountId, utcDay(row.claimedAt));
  }

  /** Applies the operator's decision to every uncertain row; returns how many changed. */
  settleUncertain(campaignId: number, decision: UncertainDecision, now: number): number {
    return this.db.transaction(() => {
      const rows = this.rowsInState(campaignId, 'uncertain');
      if (decision === 'retry') {
        for (const r of rows) this.refund(r);
        return this.s.retryUncertain.run(campaignId).changes;
      }
      for (const r of rows) {
        if (decision === 'sent') this.s.sent.run(r.messageId, now, campaignId, r.seq);
        else this.s.skipUncertain.run(now, campaignId, r.seq);
        // Either way the person may have the message: never message them again by default.
        this.s.ledger.run(r.username, campaignId, r.accountId, now);
      }
      return rows.length;
    }).immediate();
  }

  /** Per account: outcomes of the rows it claimed in this campaign. */
  accountUsage(campaignId: number): AccountUsage[] {
    const by = new Map<number, AccountUsage>();
    for (const r of this.s.perAccount.all(campaignId)) {
      let u = by.get(r.account_id);
      if (!u) by.set(r.account_id, (u = { accountId: r.account_id, sent: 0, failed: 0, notFound: 0, privacyRestricted: 0, claimed: 0, uncertain: 0 }));
      if (r.state === 'sent') u.sent += r.n;
      else if (r.state === 'failed') u.failed += r.n;
      else if (r.state === 'not_found') u.notFound += r.n;
      else if (r.state === 'privacy_restricted') u.privacyRestricted += r.n;
      else if (r.state === 'claimed') u.claimed += r.n;
      else if (r.state === 'uncertain') u.uncertain += r.n;
    }
    return [...by.values()].sort((a, b) => a.accountId - b.accountId);
  }

  /** Whether the ledger holds the person. */
  isContacted(username: string): boolean {
    return this.s.contacted.get(username) !== undefined;
  }
}

function settingsParams(s: CampaignSettings): Record<string, number | string | null> {
  return {
    accountIds: s.accountIds === null ? null : JSON.stringify(s.accountIds),
    perAccountCap: s.perAccountCap,
    dailyCap: s.dailyCap,
    delayMinMs: s.delay.minMs,
    delayMaxMs: s.delay.maxMs,
    skipContacted: s.skipContacted ? 1 : 0,
  };
}
