/** Campaign records: name, message, settings and state (the processes running one are in campaign-runners.ts). */
import type { CampaignSettings, CampaignState } from '../core/campaigns.ts';
import type { Reason } from '../core/reasons.ts';
import { reasonColumns, reasonFromColumns } from '../core/stored-reasons.ts';
import type { Db } from './db.ts';

export interface CampaignRecord extends CampaignSettings {
  id: number;
  name: string;
  message: string;
  state: CampaignState;
  /** Why it is paused, done or cancelled, in English (rows older than reason codes have only this). */
  reason: string | null;
  /** The same reason as a code, for interfaces that word it in their own language. */
  reasonCode: Reason | null;
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
  reason_code: string | null;
  reason_params: string | null;
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
    reasonCode: reasonFromColumns(r.reason_code, r.reason_params),
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
         VALUES (@name, @message, 'ready', NULL, @accountIds, @perAccountCap, @dailyCap, @delayMinMs, @delayMaxMs, @skipContacted, @now, @now) RETURNING id`,
      ),
      head: db.prepare<[number], { state: CampaignState }>('SELECT state FROM campaigns WHERE id = ?'),
      setState: db.prepare<[CampaignState, string | null, string | null, string | null, number, number]>(
        'UPDATE campaigns SET state = ?, reason = ?, reason_code = ?, reason_params = ?, updated_at = ? WHERE id = ?',
      ),
      updateSettings: db.prepare(
        `UPDATE campaigns SET account_ids = @accountIds, per_account_cap = @perAccountCap, daily_cap = @dailyCap, delay_min_ms = @delayMinMs,
           delay_max_ms = @delayMaxMs, skip_contacted = @skipContacted, updated_at = @now WHERE id = @id`,
      ),
    };
  }

  /** Inserts the record (in the caller's transaction, with its targets); returns its id. */
  insert(c: Omit<NewCampaign, 'usernames'>): number {
    return (this.sql.insert.get({ name: c.name, message: c.message, now: c.now, ...settingsParams(c.settings) }) as { id: number }).id;
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

  /** The state only: what a claim checks before it takes a row. */
  head(campaignId: number): { state: CampaignState } | undefined {
    return this.sql.head.get(campaignId);
  }

  setState(campaignId: number, state: CampaignState, reason: Reason | null, now: number): void {
    const r = reasonColumns(reason);
    this.sql.setState.run(state, r.text, r.code, r.params, now, campaignId);
  }
}
