import { InputError } from '../../src/core/errors.ts';
import type { AccountSummary } from '../../src/core/accounts.ts';
import type { ChatInfo } from '../../src/core/session.ts';
import type { CheckResult } from '../../src/engine/health.ts';
import type { AccountsPort } from '../../src/interfaces/bot/services.ts';

export function account(id: number, over: Partial<AccountSummary> = {}): AccountSummary {
  return {
    id,
    phone: `+1555000${String(id).padStart(4, '0')}`,
    userId: 7000 + id,
    username: `acc${id}`,
    firstName: `Acc ${id}`,
    status: 'active',
    statusReason: null,
    statusSince: Date.UTC(2026, 0, 1),
    statusUntil: null,
    enabled: true,
    proxyUrl: null,
    groupsCount: 0,
    lastUsedAt: null,
    createdAt: Date.UTC(2026, 0, 1),
    ...over,
  };
}

/** An in-memory fleet of accounts for menu tests; records what was asked of it. */
export class FakeAccounts implements AccountsPort {
  readonly calls: string[] = [];
  readonly all = new Map<number, AccountSummary>();
  readonly chats = new Map<number, ChatInfo[]>();

  constructor(accounts: AccountSummary[]) {
    for (const a of accounts) this.all.set(a.id, a);
  }

  list(): AccountSummary[] {
    return [...this.all.values()].sort((a, b) => a.id - b.id);
  }
  get(id: number): AccountSummary | undefined {
    return this.all.get(id);
  }
  groups(id: number): { chats: ChatInfo[]; refreshedAt: number | null } {
    return { chats: this.chats.get(id) ?? [], refreshedAt: this.chats.has(id) ? Date.UTC(2026, 0, 1) : null };
  }
  setEnabled(id: number, enabled: boolean): Promise<void> {
    this.calls.push(`enable ${id} ${enabled}`);
    const a = this.all.get(id)!;
    this.all.set(id, { ...a, enabled, status: enabled ? 'active' : 'disabled' });
    return Promise.resolve();
  }
  setProxy(id: number, url: string | null): Promise<void> {
    if (url !== null && !/^(socks5|http|https|tg):\/\//.test(url)) return Promise.reject(new InputError(`"${url}" is not a proxy URL`));
    this.calls.push(`proxy ${id} ${url === null ? 'none' : 'set'}`);
    const a = this.all.get(id)!;
    this.all.set(id, { ...a, proxyUrl: url === null ? null : 'socks5 proxy.example:1080' });
    return Promise.resolve();
  }
  remove(id: number): Promise<void> {
    this.calls.push(`remove ${id}`);
    this.all.delete(id);
    return Promise.resolve();
  }
  check(ids: number[], spam: boolean): Promise<CheckResult[]> {
    this.calls.push(`check ${ids.join(',')}${spam ? ' spam' : ''}`);
    return Promise.resolve(
      ids.map((id) => {
        const a = this.all.get(id)!;
        const ok = a.status !== 'revoked';
        return {
          accountId: id,
          phone: a.phone,
          ok,
          me: ok ? { userId: a.userId, username: a.username, firstName: a.firstName, phone: a.phone } : null,
          failure: ok ? null : { kind: 'revoked', code: 'AUTH_KEY_UNREGISTERED', message: 'revoked' },
          spam: spam ? { state: 'limited', until: Date.UTC(2026, 0, 9) } : null,
          status: a.status,
          reason: a.statusReason,
          reasonCode: a.statusReasonCode ?? null,
        } satisfies CheckResult;
      }),
    );
  }
  refreshGroups(id: number): Promise<ChatInfo[]> {
    this.calls.push(`groups ${id}`);
    const chats: ChatInfo[] = [
      { id: -1001, kind: 'supergroup', title: 'Alpha group', username: 'alpha_group' },
      { id: -1002, kind: 'channel', title: 'کانال خبری', username: null },
    ];
    this.chats.set(id, chats);
    return Promise.resolve(chats);
  }
}
