/** Campaign records: name, message, settings, state, and the lease of the process running one. */
import type { CampaignSettings, CampaignState } from '../core/campaigns.ts';
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

export interface NewCampaign {
  name: string;
  message: string;
  settings: CampaignSettings;
  usernames: readonly string[];
  now: number;
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

export class CampaignRecords {
  private readonly sql;

  constructor(readonly db: Db) {
    this.sql = {
      byName: db.prepare<[string], CampaignDbRow>('SELECT * FROM campaigns WHERE name = ?'),
      byId: db.prepare<[number], CampaignDbRow>('SELECT * FROM campaigns WHERE id = ?'),
      all: db.prepare<[], CampaignDbRow>('SELECT * FROM campaigns ORDER BY id'),
      insert: db.prepare(
        `INSERT INTO campaigns (name, message, state, reason, account_ids, per_account_cap, daily_cap, delay_min_ms, delay_max_ms, skip_contacted, created_at, updated_at)
         VALUES (@name, @message, 'ready', NULL, @accountIds, @perAccountCap, @dailyCap, @delayMinMs, @delayMaxMs, @skipContacted, @now, @now)`,
      ),
      head: db.prepare<[number], { state: CampaignState; lease_owner: string | null }>('SELECT state, lease_owner FROM campaigns WHERE id = ?'),
      setState: db.prepare<[CampaignState, string | null, number, number]>('UPDATE campaigns SET state = ?, reason = ?, updated_at = ? WHERE id = ?'),
      updateSettings: db.prepare(
        `UPDATE campaigns SET account_ids = @accountIds, per_account_cap = @perAccountCap, daily_cap = @dailyCap, delay_min_ms = @delayMinMs,
           delay_max_ms = @delayMaxMs, skip_contacted = @skipContacted, updated_at = @now WHERE id = @id`,
      ),
      lease: db.prepare<[number], { lease_owner: string | null; lease_until: number | null }>('SELECT lease_owner, lease_until FROM campaigns WHERE id = ?'),
      takeLease: db.prepare<[string, number, number]>('UPDATE campaigns SET lease_owner = ?, lease_until = ? WHERE id = ?'),
      renewLease: db.prepare<[number, number, string]>('UPDATE campaigns SET lease_until = ? WHERE id = ? AND lease_owner = ?'),
      releaseLease: db.prepare<[number, string]>('UPDATE campaigns SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?'),
    };
  }

  /** Inserts the record (in the caller's transaction, with its targets); returns its id. */
  insert(c: Omit<NewCampaign, 'usernames'>): number {
    return Number(this.sql.insert.run({ name: c.name, message: c.message, now: c.now, ...settingsParams(c.settings) }).lastInsertRowid);
  }

  updateSettings(campaignId: number, settings: CampaignSettings, now: number): void {
    this.sql.updateSettings.run({ id: campaignId, now, ...settingsParams(settings) });
  }

  get(name: string): CampaignRecord | undefined {
    const r = this.sql.byName.get(name);
    return r && toCampaign(r);
  }

  getById(id: number): CampaignRecord | undefined {
    const r = this.sql.byId.get(id);
    return r && toCampaign(r);
  }

  list(): CampaignRecord[] {
    return this.sql.all.all().map(toCampaign);
  }

  /** State and lease holder only: what a claim checks before it takes a row. */
  head(campaignId: number): { state: CampaignState; leaseOwner: string | null } | undefined {
    const h = this.sql.head.get(campaignId);
    return h && { state: h.state, leaseOwner: h.lease_owner };
  }

  setState(campaignId: number, state: CampaignState, reason: string | null, now: number): void {
    this.sql.setState.run(state, reason, now, campaignId);
  }

  /**
   * Takes the campaign for one runner. A lease held by someone else is taken over only when it
   * expired or `isDead(owner)` says its process is gone.
   */
  acquireLease(campaignId: number, owner: string, until: number, now: number, isDead: (owner: string) => boolean): { ok: true } | { ok: false; owner: string } {
    return this.db.transaction(() => {
      const l = this.sql.lease.get(campaignId);
      if (l?.lease_owner && l.lease_owner !== owner && (l.lease_until ?? 0) > now && !isDead(l.lease_owner)) return { ok: false as const, owner: l.lease_owner };
      this.sql.takeLease.run(owner, until, campaignId);
      return { ok: true as const };
    }).immediate();
  }

  renewLease(campaignId: number, owner: string, until: number): boolean {
    return this.sql.renewLease.run(until, campaignId, owner).changes > 0;
  }

  releaseLease(campaignId: number, owner: string): void {
    this.sql.releaseLease.run(campaignId, owner);
  }

  /** The current holder when the lease is live, else null. */
  liveLease(campaignId: number, now: number, isDead: (owner: string) => boolean): string | null {
    const l = this.sql.lease.get(campaignId);
    if (!l?.lease_owner || (l.lease_until ?? 0) <= now || isDead(l.lease_owner)) return null;
    return l.lease_owner;
  }
}
