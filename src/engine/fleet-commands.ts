import { accountLabel, type AccountStatus, type AccountSummary } from '../core/accounts.ts';
import type { Clock } from '../core/clock.ts';
import { reason, type Reason } from '../core/reasons.ts';
import { InputError, PanelError } from '../core/errors.ts';
import type { AccountStore } from '../store/accounts.ts';
import type { LeaseStore } from '../store/leases.ts';
import { parseProxyUrl } from '../core/proxy-url.ts';
import { describeOwner, ownerIsGone } from './process-owner.ts';

/** What the operator commands need from the fleet's connection side. */
export interface CommandTarget {
  owner: string;
  disconnect(accountId: number): Promise<void>;
  announce(accountId: number, status: AccountStatus, reason: Reason | null): void;
}

/**
 * The operator's changes to accounts (the CLI and the bot both call these): enable, disable,
 * proxy, remove. Each leaves no connection behind that disagrees with the stored account.
 */
export class AccountCommands {
  constructor(
    private readonly store: AccountStore,
    private readonly leases: LeaseStore,
    private readonly clock: Clock,
    private readonly fleet: CommandTarget,
  ) {}

  private requireAccount(accountId: number): AccountSummary {
    const a = this.store.get(accountId, this.clock.now());
    if (!a) throw new InputError(`there is no account #${accountId} (see: accounts list)`, reason('account_unknown', { accounts: `#${accountId}` }));
    return a;
  }

  /** Enables or disables an account; disabling disconnects it here (another panel drops it at its next heartbeat). */
  async setEnabled(accountId: number, enabled: boolean): Promise<AccountSummary> {
    this.requireAccount(accountId);
    this.store.setEnabled(accountId, enabled);
    if (!enabled) await this.fleet.disconnect(accountId);
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
      if (!p.ok) throw new InputError(p.problem, reason('proxy_invalid', { ...p.params, detail: p.problem, problem: p.code }));
      proxy = { url: url.trim(), label: p.label };
    }
    this.store.setProxy(accountId, proxy);
    await this.fleet.disconnect(accountId);
    return this.requireAccount(accountId);
  }

  /**
   * Deletes the account with its keys: the only way keys are ever deleted. Refused while another
   * panel is connected to it (that one would keep using the session).
   */
  async remove(accountId: number): Promise<void> {
    const a = this.requireAccount(accountId);
    const holder = this.leases.liveHolder(accountId, this.fleet.owner, this.clock.now(), ownerIsGone);
    if (holder !== null) {
      throw new PanelError(
        `account ${accountLabel(a)} is connected by another telegram-panel (${describeOwner(holder)}); stop it or disable the account there first`,
        reason('account_held_elsewhere', { account: accountLabel(a), owner: describeOwner(holder) }),
      );
    }
    await this.fleet.disconnect(accountId);
    this.store.remove(accountId);
    this.fleet.announce(accountId, 'disabled', { code: 'account_removed', params: {} });
  }
}
