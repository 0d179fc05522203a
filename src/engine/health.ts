import type { AccountStatus } from '../core/accounts.ts';
import type { Clock } from '../core/clock.ts';
import { isTelegramFailure, type Failure } from '../core/failures.ts';
import type { Reason } from '../core/reasons.ts';
import type { AccountSession, ChatInfo, SelfInfo, SpamStatus } from '../core/session.ts';
import type { Logger } from '../log.ts';
import type { AccountStore } from '../store/accounts.ts';
import type { Fleet } from './fleet.ts';
import { runPool } from './run-pool.ts';

export interface CheckResult {
  accountId: number;
  phone: string;
  /** Whether getMe answered. */
  ok: boolean;
  me: SelfInfo | null;
  failure: Failure | null;
  /** Only when the spam check was asked for and getMe worked. */
  spam: SpamStatus | null;
  /** The account's status after the check. */
  status: AccountStatus;
  /** Why, in English words (the CLI's), and as a code each interface words in its language. */
  reason: string | null;
  reasonCode: Reason | null;
}

export interface HealthServiceOptions {
  fleet: Fleet;
  store: AccountStore;
  clock: Clock;
  log: Logger;
}

function asFailure(e: unknown): Failure {
  if (isTelegramFailure(e)) return e.failure;
  return { kind: 'unknown', code: 'UNKNOWN', message: e instanceof Error ? e.message : String(e) };
}

/** getMe for every account, @SpamBot on request, and each account's groups. */
export class HealthService {
  constructor(private readonly deps: HealthServiceOptions) {}

  /**
   * Checks the given accounts (default: every enabled one, including those marked revoked,
   * banned or frozen, which may have been fixed since), `concurrency` at a time.
   */
  async check(opts: { ids?: number[]; spam?: boolean; concurrency?: number } = {}): Promise<CheckResult[]> {
    const all = this.deps.store.list(this.deps.clock.now());
    const targets = opts.ids ? all.filter((a) => opts.ids!.includes(a.id)) : all.filter((a) => a.enabled);
    const results: CheckResult[] = [];
    await runPool(targets, opts.concurrency ?? 8, async (a) => {
      let me: SelfInfo | null = null;
      let failure: Failure | null = null;
      let spam: SpamStatus | null = null;
      try {
        const session = await this.deps.fleet.session(a.id);
        me = await session.me();
        this.deps.store.setProfile(a.id, { username: me.username, firstName: me.firstName });
        await this.countOtherSessions(a.id, session);
        if (opts.spam) {
          spam = await session.spamStatus();
          this.applySpam(a.id, spam);
        }
      } catch (e) {
        failure = asFailure(e);
        // The check's own call: a wait on it closes getMe only, never the account's actions.
        this.deps.fleet.reportFailure(a.id, 'check', failure);
      }
      const after = this.deps.store.get(a.id, this.deps.clock.now())!;
      results.push({ accountId: a.id, phone: a.phone, ok: me !== null, me, failure, spam, status: after.status, reason: after.statusReason, reasonCode: after.statusReasonCode ?? null });
    });
    return results.sort((x, y) => x.accountId - y.accountId);
  }

  /** Other devices on the account are a health signal; a refusal here leaves the last count. */
  private async countOtherSessions(accountId: number, session: AccountSession): Promise<void> {
    if (!session.sessions) return;
    try {
      const others = (await session.sessions()).filter((s) => !s.current).length;
      this.deps.store.setOtherSessions(accountId, others, this.deps.clock.now());
    } catch (e) {
      this.deps.log.debug({ accountId, code: isTelegramFailure(e) ? e.failure.code : undefined }, 'check: could not count the other sessions');
    }
  }

  private applySpam(accountId: number, spam: SpamStatus): void {
    const now = this.deps.clock.now();
    const cur = this.deps.store.rawStatus(accountId);
    if (!cur) return;
    if (spam.state === 'limited') {
      const until = spam.until;
      if (cur.status === 'active' || cur.status === 'flood_wait' || cur.status === 'peer_flood' || cur.status === 'connecting') {
        this.deps.store.setStatus(accountId, 'peer_flood', { code: 'spambot_limited', params: until ? { until } : {} }, now, until);
      }
    } else if (spam.state === 'clean' && cur.status === 'peer_flood') {
      this.deps.store.setStatus(accountId, 'active', { code: 'spambot_clean', params: {} }, now);
    }
  }

  /** Lists the account's groups and channels from Telegram (all pages) and stores them. */
  async refreshGroups(accountId: number): Promise<ChatInfo[]> {
    const session = await this.deps.fleet.session(accountId);
    const chats = await session.dialogs();
    this.deps.store.replaceGroups(accountId, chats, this.deps.clock.now());
    return chats;
  }
}
