/**
 * The target queue of every campaign: one row per person, moving
 * `pending -> claimed(account, random_id) -> sent | not_found | privacy_restricted | failed | uncertain`
 * (or `skipped`). Every state change of a row is one transaction, together with the daily usage
 * and the contacted ledger it affects.
 */
import { utcDay } from '../core/campaign-schedule.ts';
import { emptyCounts, TARGET_STATES, type CampaignState, type TargetCounts, type TargetState, type UncertainDecision } from '../core/campaigns.ts';
import type { CampaignRecords } from './campaign-records.ts';
import type { DailyUsage } from './campaign-usage.ts';
import type { ContactedLedger } from './contacted.ts';
import type { Db } from './db.ts';
import type { Statement } from './sql.ts';
import { PgDatabase } from './pg/pg-database.ts';
import { WalSync } from './wal-sync.ts';

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

export type ClaimResult =
  | { kind: 'claimed'; row: TargetRow }
  /** The account has used its daily cap (UTC day of `now`). */
  | { kind: 'daily_cap' }
  /** Nothing this account may take now; `deferred` rows wait for another campaign's unsettled claim. */
  | { kind: 'none'; deferred: number }
  /** The campaign is no longer running (paused, cancelled, done). */
  | { kind: 'stopped'; state: CampaignState }
  /** This process does not hold the account's lease (another process connects it now). */
  | { kind: 'account_lost'; holder: string | null };

export interface ClaimRequest {
  campaignId: number;
  /** This process's account lease owner (the fleet's): a claim with an account needs its lease. */
  leaseOwner: string;
  /**
   * False for pools that take no leases (the in-memory pools of engine tests, one process by
   * construction): the claim is then refused only while another live owner holds the account.
   * Default true: the claim needs `leaseOwner` to hold the account's lease, checked in the claim's
   * transaction, so an account that moved to another worker never claims here again.
   */
  requireLease?: boolean;
  /** With `requireLease: false`: whether another holder is gone (default: never presumed). */
  isLeaseOwnerDead?: (owner: string) => boolean;
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

export interface CampaignTargetsOptions {
  /**
   * Sync each claim to disk before the send (default true; see claimForSend). Without it a claim
   * survives a killed process but not a power cut; benchmarks turn it off to measure the
   * bookkeeping itself.
   */
  syncClaims?: boolean;
}

export class CampaignTargets {
  private readonly sql;
  private readonly syncClaims: boolean;
  private readonly wal: WalSync;
  private readonly pg: {
    db: PgDatabase;
    candidates: Statement<[number, number, string], { seq: number; username: string; tried: string }>;
    accountLease: Statement<[number], { owner: string; expires_at: number }>;
    person: Statement<[string]>;
  } | null;

  constructor(
    readonly db: Db,
    private readonly records: CampaignRecords,
    private readonly usage: DailyUsage,
    private readonly ledger: ContactedLedger,
    opts: CampaignTargetsOptions = {},
  ) {
    this.syncClaims = opts.syncClaims ?? true;
    this.wal = new WalSync(db);
    this.sql = {
      maxSeq: db.prepare<[number], { m: number | null }>('SELECT max(seq) AS m FROM campaign_targets WHERE campaign_id = ?'),
      insert: db.prepare<[number, number, string]>("INSERT OR IGNORE INTO campaign_targets (campaign_id, seq, username, state) VALUES (?, ?, ?, 'pending')"),
      // One index range count per state: about half the time of GROUP BY state over the same
      // index (a running campaign's page reads this every second).
      counts: db.prepare<[{ id: number }], { state: TargetState; n: number }>(
        TARGET_STATES.map((st) => `SELECT '${st}' AS state, count(*) AS n FROM campaign_targets WHERE campaign_id = @id AND state = '${st}'`).join(' UNION ALL '),
      ),
      // Index lookups, no counting of the whole list: what moves when the rows of a campaign
      // nobody runs change (rows added, claims in flight settled, uncertain rows decided).
      rowsMark: db.prepare<[{ id: number }], { last: number | null; claimed: number; uncertain: number }>(
        `SELECT (SELECT max(seq) FROM campaign_targets WHERE campaign_id = @id) AS last,
           (SELECT count(*) FROM campaign_targets WHERE campaign_id = @id AND state = 'claimed') AS claimed,
           (SELECT count(*) FROM campaign_targets WHERE campaign_id = @id AND state = 'uncertain') AS uncertain`,
      ),
      rowsInState: db.prepare<[number, TargetState], TargetDbRow>('SELECT * FROM campaign_targets WHERE campaign_id = ? AND state = ? ORDER BY seq'),
      row: db.prepare<[number, number], TargetDbRow>('SELECT * FROM campaign_targets WHERE campaign_id = ? AND seq = ?'),
      allRows: db.prepare<[number], TargetDbRow>('SELECT * FROM campaign_targets WHERE campaign_id = ? ORDER BY seq'),
      candidates: db.prepare<[number, number], { seq: number; username: string; tried: string }>(
        "SELECT seq, username, tried FROM campaign_targets WHERE campaign_id = ? AND state = 'pending' AND seq > ? ORDER BY seq LIMIT 8",
      ),
      hasPending: db.prepare<[number], { one: number }>("SELECT 1 AS one FROM campaign_targets WHERE campaign_id = ? AND state = 'pending' LIMIT 1"),
      // One statement, so on PostgreSQL at READ COMMITTED both answers come from one snapshot: a
      // send confirmed in between (claimed -> sent with its ledger row) is seen as one or the other.
      person: db.prepare<[{ username: string; id: number }], { contacted_by: number | null; open: number }>(
        `SELECT (SELECT campaign_id FROM contacted WHERE username = @username) AS contacted_by,
           (SELECT count(*) FROM (SELECT 1 FROM campaign_targets WHERE username = @username AND state IN ${OPEN_STATES} AND campaign_id <> @id LIMIT 1) o) AS open`,
      ),
      accountLease: db.prepare<[number], { owner: string; expires_at: number }>("SELECT owner, expires_at FROM leases WHERE scope = 'account' AND resource_id = ?"),
      claim: db.prepare<[number, string, number, number, number]>(
        "UPDATE campaign_targets SET state = 'claimed', account_id = ?, random_id = ?, claimed_at = ?, error_code = NULL, error = NULL WHERE campaign_id = ? AND seq = ? AND state = 'pending'",
      ),
      skip: db.prepare<[string, string, number, number, number]>(
        "UPDATE campaign_targets SET state = 'skipped', error_code = ?, error = ?, done_at = ? WHERE campaign_id = ? AND seq = ? AND state = 'pending'",
      ),
      sent: db.prepare<[number | null, number, number, number]>(
        "UPDATE campaign_targets SET state = 'sent', message_id = ?, error_code = NULL, error = NULL, done_at = ? WHERE campaign_id = ? AND seq = ? AND state IN ('claimed', 'uncertain')",
      ),
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
      lastOutcome: db.prepare<[string], { state: TargetState; campaign_id: number }>(
        "SELECT state, campaign_id FROM campaign_targets WHERE username = ? AND state IN ('sent', 'not_found', 'privacy_restricted', 'failed') ORDER BY done_at DESC, campaign_id DESC LIMIT 1",
      ),
      skipPerson: db.prepare<[string, string, number, number, string]>(
        "UPDATE campaign_targets SET state = 'skipped', error_code = ?, error = ?, done_at = ? WHERE campaign_id = ? AND username = ? AND state = 'pending'",
      ),
      skipUncertain: db.prepare<[number, number, number]>(
        "UPDATE campaign_targets SET state = 'skipped', error_code = 'SETTLED_SKIP', error = 'skipped by the operator; it may have been delivered', done_at = ? WHERE campaign_id = ? AND seq = ? AND state = 'uncertain'",
      ),
    };
    // PostgreSQL: the claim runs at READ COMMITTED and locks what it relies on itself.
    this.pg =
      db instanceof PgDatabase
        ? {
            db,
            // Rows another worker is claiming right now are passed over, not waited for.
            candidates: db.prepare<[number, number, string], { seq: number; username: string; tried: string }>(
              "SELECT seq, username, tried FROM campaign_targets WHERE campaign_id = ? AND state = 'pending' AND seq > ? AND tried NOT LIKE ? ORDER BY seq LIMIT 8 FOR UPDATE SKIP LOCKED",
            ),
            // A hand-over of the account waits until this claim commits (and then settles it).
            accountLease: db.prepare<[number], { owner: string; expires_at: number }>(
              "SELECT owner, expires_at FROM leases WHERE scope = 'account' AND resource_id = ? FOR SHARE",
            ),
            // Two workers claiming the same person in two campaigns take turns: the second then
            // sees the first one's claim (SQLite's single writer gives the same order).
            person: db.prepare<[string]>('SELECT pg_advisory_xact_lock(hashtext(?)) AS locked'),
          }
        : null;
  }

  /** Appends usernames the campaign does not hold yet (in the caller's transaction); returns how many were new. */
  append(campaignId: number, usernames: readonly string[]): number {
    let seq = this.sql.maxSeq.get(campaignId)?.m ?? 0;
    let added = 0;
    for (const u of usernames) {
      const r = this.sql.insert.run(campaignId, seq + 1, u);
      if (r.changes > 0) {
        seq++;
        added++;
      }
    }
    return added;
  }

  counts(campaignId: number): TargetCounts {
    const counts = emptyCounts();
    for (const r of this.sql.counts.all({ id: campaignId })) counts[r.state] = r.n;
    return counts;
  }

  /**
   * A mark that changes whenever the counts of a campaign that claims nothing new change: no row
   * becomes claimed then, so every change adds rows, lowers the claimed count, or (not touching
   * claimed rows) lowers the uncertain count. Not for a running campaign.
   */
  rowsMark(campaignId: number): string {
    const r = this.sql.rowsMark.get({ id: campaignId });
    return r ? `${r.last ?? 0}.${r.claimed}.${r.uncertain}` : '0.0.0';
  }

  hasPending(campaignId: number): boolean {
    return this.sql.hasPending.get(campaignId) !== undefined;
  }

  rowsInState(campaignId: number, state: TargetState): TargetRow[] {
    return this.sql.rowsInState.all(campaignId, state).map(toTarget);
  }

  row(campaignId: number, seq: number): TargetRow | undefined {
    const r = this.sql.row.get(campaignId, seq);
    return r && toTarget(r);
  }

  /** Every row in list order, streamed (exports of large campaigns). */
  *rows(campaignId: number): Generator<TargetRow> {
    for (const r of this.sql.allRows.iterate(campaignId)) yield toTarget(r);
  }

  /** Claimed, sent and uncertain rows per account: what counts against the per-campaign cap. */
  usedInCampaign(campaignId: number): Map<number, number> {
    return new Map(this.sql.usedInCampaign.all(campaignId).map((r) => [r.account_id, r.n]));
  }

  /**
   * Claims the first pending row this account may take: not refused to it before, the person not
   * in the ledger (when skipping contacted; such rows become `skipped` here), and not claimed or
   * uncertain in another campaign. Counts the claim in the daily usage. Only the process holding
   * the account's lease may claim with it. The commit survives a killed process, not yet a power
   * cut: a send waits for claimForSend.
   *
   * SQLite: one immediate transaction (the single writer orders every claim). PostgreSQL: one
   * READ COMMITTED transaction that locks its candidate rows with FOR UPDATE SKIP LOCKED, the
   * account's lease row FOR SHARE, and the person with a transaction advisory lock, so workers
   * claiming at once neither wait for each other's rows nor fail serialization, and the same rules
   * hold: the checks that read other rows run after the person's lock, in one statement.
   */
  claimNext(q: ClaimRequest): ClaimResult {
    const pg = this.pg;
    const body = (): ClaimResult => {
      const head = this.records.head(q.campaignId);
      if (!head || head.state !== 'running') return { kind: 'stopped', state: head?.state ?? 'cancelled' };
      const lease = (pg ? pg.accountLease : this.sql.accountLease).get(q.accountId);
      if (q.requireLease === false) {
        const gone = q.isLeaseOwnerDead ?? (() => false);
        if (lease && lease.owner !== q.leaseOwner && lease.expires_at > q.now && !gone(lease.owner)) return { kind: 'account_lost', holder: lease.owner };
      } else if (!lease || lease.owner !== q.leaseOwner) {
        // An expired lease still held by this owner is fine: nobody else connected the account.
        return { kind: 'account_lost', holder: lease?.owner ?? null };
      }
      const day = utcDay(q.now);
      if (this.usage.usedOn(q.accountId, day) >= q.dailyCap) return { kind: 'daily_cap' };
      const mark = `,${q.accountId},`;
      let deferred = 0;
      // Pages, not an open iterator: the connection cannot write while a statement is iterating.
      for (let after = 0; ; ) {
        const page = pg ? pg.candidates.all(q.campaignId, after, `%${mark}%`) : this.sql.candidates.all(q.campaignId, after);
        if (page.length === 0) break;
        after = page[page.length - 1]!.seq;
        for (const c of page) {
          if (c.tried.includes(mark)) continue;
          pg?.person.get(c.username);
          const person = this.sql.person.get({ username: c.username, id: q.campaignId })!;
          if (q.skipContacted && person.contacted_by !== null) {
            const by = Number(person.contacted_by);
            const note = by === q.campaignId ? 'already messaged by this campaign' : `already messaged by campaign #${by}`;
            this.sql.skip.run('CONTACTED', note, q.now, q.campaignId, c.seq);
            continue;
          }
          if (Number(person.open) > 0) {
            deferred++;
            continue;
          }
          if (this.sql.claim.run(q.accountId, q.randomId.toString(), q.now, q.campaignId, c.seq).changes === 0) continue;
          this.usage.count(q.accountId, day, q.now);
          return { kind: 'claimed', row: toTarget(this.sql.row.get(q.campaignId, c.seq)!) };
        }
      }
      return { kind: 'none', deferred };
    };
    return pg ? pg.db.readCommitted(body) : this.db.transaction(body).immediate();
  }

  /**
   * claimNext, resolved once the claim is on disk: the message may be out as soon as the caller
   * sends, so a power cut must not lose the claim that makes a restart settle it instead of
   * sending again. The disk sync runs off the event loop (WalSync).
   */
  async claimForSend(q: ClaimRequest): Promise<ClaimResult> {
    const claim = this.claimNext(q);
    if (claim.kind === 'claimed' && this.syncClaims) await this.wal.flush();
    return claim;
  }

  /** How the person's latest ended row in any campaign ended (sent, not_found, privacy_restricted or failed), and where. */
  lastOutcome(username: string): { state: TargetState; campaignId: number } | undefined {
    const r = this.sql.lastOutcome.get(username);
    return r && { state: r.state, campaignId: r.campaign_id };
  }

  /** Skips the person's row while it is still pending (in the caller's transaction); whether it did. */
  skipPending(campaignId: number, username: string, error: RowError, now: number): boolean {
    return this.sql.skipPerson.run(error.code, error.message, now, campaignId, username).changes > 0;
  }

  /** The message went out: the row and the contacted ledger change together. */
  markSent(row: TargetRow, messageId: number | null, now: number): void {
    this.settle(() => {
      if (this.sql.sent.run(messageId, now, row.campaignId, row.seq).changes === 0) return;
      this.ledger.record(row.username, row.campaignId, row.accountId, now);
    });
  }

  /** A final outcome that sent nothing (not_found, privacy_restricted, failed); the claim is refunded. */
  markFinal(row: TargetRow, state: 'not_found' | 'privacy_restricted' | 'failed', error: RowError, now: number): void {
    this.settle(() => {
      if (this.sql.final.run(state, error.code, error.message, now, row.campaignId, row.seq).changes === 0) return;
      this.refund(row);
    });
  }

  /**
   * Nothing went out and another account may try: back to pending, the claim refunded. With
   * `refusedBy` the account is not asked again for this person and the attempt counts.
   */
  release(row: TargetRow, error: RowError | null, refusedBy: number | null): void {
    this.settle(() => {
      const tried = refusedBy === null ? '' : `${refusedBy},`;
      if (this.sql.release.run(refusedBy === null ? 0 : 1, error?.code ?? null, error?.message ?? null, tried, row.campaignId, row.seq).changes === 0) return;
      this.refund(row);
    });
  }

  /** The claiming account cannot settle the row: the operator decides (`settle`). */
  markUncertain(row: TargetRow, error: RowError, now: number): void {
    this.sql.uncertain.run(error.code, error.message, now, row.campaignId, row.seq);
  }

  /**
   * One settling write (the row's guarded UPDATE, then the ledger or the refund it implies). On
   * PostgreSQL at READ COMMITTED: the UPDATE locks the row and its WHERE re-checks the state, and
   * nothing else is read, so workers settling their own rows never fail each other's serialization.
   */
  private settle(body: () => void): void {
    if (this.pg) this.pg.db.readCommitted(body);
    else this.db.transaction(body).immediate();
  }

  private refund(row: TargetRow): void {
    if (row.accountId !== null && row.claimedAt !== null) this.usage.refund(row.accountId, utcDay(row.claimedAt));
  }

  /** Applies the operator's decision to every uncertain row; returns how many changed. */
  settleUncertain(campaignId: number, decision: UncertainDecision, now: number): number {
    return this.db.transaction(() => {
      const rows = this.rowsInState(campaignId, 'uncertain');
      if (decision === 'retry') {
        for (const r of rows) this.refund(r);
        return this.sql.retryUncertain.run(campaignId).changes;
      }
      for (const r of rows) {
        if (decision === 'sent') this.sql.sent.run(r.messageId, now, campaignId, r.seq);
        else this.sql.skipUncertain.run(now, campaignId, r.seq);
        // Either way the person may have the message: never message them again by default.
        this.ledger.record(r.username, campaignId, r.accountId, now);
      }
      return rows.length;
    }).immediate();
  }

  /** Per account: outcomes of the rows it claimed in this campaign. */
  accountUsage(campaignId: number): AccountUsage[] {
    const by = new Map<number, AccountUsage>();
    for (const r of this.sql.perAccount.all(campaignId)) {
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
}
