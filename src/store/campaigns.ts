/**
 * The campaign aggregate, as one store over its parts: campaign records (campaign-records.ts),
 * the processes running each (campaign-runners.ts), the target queue (campaign-targets.ts), daily
 * usage per account (campaign-usage.ts) and the contacted ledger (contacted.ts). The parts share
 * one connection, so a claim, its usage and its ledger entry commit together.
 */
import type { CampaignSettings, CampaignState, TargetCounts, TargetState, UncertainDecision } from '../core/campaigns.ts';
import type { Reason } from '../core/reasons.ts';
import { CampaignRecords, type CampaignRecord, type NewCampaign } from './campaign-records.ts';
import { CampaignTimeline } from './campaign-timeline.ts';
import { CampaignTargets, type AccountUsage, type ClaimRequest, type ClaimResult, type RowError, type TargetRow } from './campaign-targets.ts';
import { CampaignRunners } from './campaign-runners.ts';
import { DailyUsage } from './campaign-usage.ts';
import { ContactedLedger } from './contacted.ts';
import type { Db } from './db.ts';

export type { AccountUsage, CampaignRecord, ClaimRequest, ClaimResult, NewCampaign, RowError, TargetRow };

export interface CampaignStoreOptions {
  /**
   * Sync each claim to disk before the send (default true). Without it a claim survives a killed
   * process but not a power cut; benchmarks turn it off to measure the bookkeeping itself.
   */
  syncClaims?: boolean;
}

export class CampaignStore {
  readonly records: CampaignRecords;
  readonly targets: CampaignTargets;
  readonly usage: DailyUsage;
  readonly contacted: ContactedLedger;
  /** Sent rows over time per account, aggregated in SQL. */
  readonly timeline: CampaignTimeline;
  /** The processes running each campaign (several at once, each with the accounts it holds). */
  readonly runners: CampaignRunners;

  constructor(
    readonly db: Db,
    opts: CampaignStoreOptions = {},
  ) {
    this.records = new CampaignRecords(db);
    this.usage = new DailyUsage(db);
    this.contacted = new ContactedLedger(db);
    this.runners = new CampaignRunners(db);
    this.timeline = new CampaignTimeline(db);
    this.targets = new CampaignTargets(db, this.records, this.usage, this.contacted, { syncClaims: opts.syncClaims });
  }

  /** Creates the campaign with its targets in one transaction. */
  create(c: NewCampaign): CampaignRecord {
    return this.db.transaction(() => {
      const id = this.records.insert(c);
      this.targets.append(id, c.usernames);
      const made = this.records.getById(id);
      if (!made) throw new Error(`campaign ${id} vanished`);
      return made;
    }).immediate();
  }

  /** Appends usernames the campaign does not hold yet; returns how many were new. */
  addTargets(campaignId: number, usernames: readonly string[]): number {
    return this.db.transaction(() => this.targets.append(campaignId, usernames)).immediate();
  }

  // ---- records ----

  updateSettings(campaignId: number, settings: CampaignSettings, now: number): void {
    this.records.updateSettings(campaignId, settings, now);
  }

  get(name: string): CampaignRecord | undefined {
    return this.records.get(name);
  }

  getById(id: number): CampaignRecord | undefined {
    return this.records.getById(id);
  }

  list(): CampaignRecord[] {
    return this.records.list();
  }

  setState(campaignId: number, state: CampaignState, reason: Reason | null, now: number): void {
    this.records.setState(campaignId, state, reason, now);
  }

  // ---- target queue ----

  counts(campaignId: number): TargetCounts {
    return this.targets.counts(campaignId);
  }

  hasPending(campaignId: number): boolean {
    return this.targets.hasPending(campaignId);
  }

  rowsInState(campaignId: number, state: TargetState): TargetRow[] {
    return this.targets.rowsInState(campaignId, state);
  }

  row(campaignId: number, seq: number): TargetRow | undefined {
    return this.targets.row(campaignId, seq);
  }

  rows(campaignId: number): Generator<TargetRow> {
    return this.targets.rows(campaignId);
  }

  usedInCampaign(campaignId: number): Map<number, number> {
    return this.targets.usedInCampaign(campaignId);
  }

  claimNext(q: ClaimRequest): ClaimResult {
    return this.targets.claimNext(q);
  }

  claimForSend(q: ClaimRequest): Promise<ClaimResult> {
    return this.targets.claimForSend(q);
  }

  markSent(row: TargetRow, messageId: number | null, now: number): void {
    this.targets.markSent(row, messageId, now);
  }

  markFinal(row: TargetRow, state: 'not_found' | 'privacy_restricted' | 'failed', error: RowError, now: number): void {
    this.targets.markFinal(row, state, error, now);
  }

  release(row: TargetRow, error: RowError | null, refusedBy: number | null): void {
    this.targets.release(row, error, refusedBy);
  }

  markUncertain(row: TargetRow, error: RowError, now: number): void {
    this.targets.markUncertain(row, error, now);
  }

  settleUncertain(campaignId: number, decision: UncertainDecision, now: number): number {
    return this.targets.settleUncertain(campaignId, decision, now);
  }

  accountUsage(campaignId: number): AccountUsage[] {
    return this.targets.accountUsage(campaignId);
  }

  // ---- daily usage and ledger ----

  usedOn(accountId: number, day: string): number {
    return this.usage.usedOn(accountId, day);
  }

  lastClaimAt(accountId: number): number | null {
    return this.usage.lastClaimAt(accountId);
  }

  isContacted(username: string): boolean {
    return this.contacted.isContacted(username);
  }
}
