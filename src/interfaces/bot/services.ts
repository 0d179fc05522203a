import type { AccountSummary } from '../../core/accounts.ts';
import type { ChatInfo, PollInfo, MessageTarget } from '../../core/session.ts';
import type { CampaignService } from '../../engine/campaigns.ts';
import type { CheckResult } from '../../engine/health.ts';
import type { ImportService } from '../../engine/import.ts';
import type { LoginService } from '../../engine/login.ts';
import type { MonitorService } from '../../engine/monitor-service.ts';
import type { OperationsEngine } from '../../engine/operations.ts';
import type { AccountCareService } from '../../engine/account-care.ts';
import type { AccountPool } from '../../engine/ports.ts';
import type { ScheduleService } from '../../engine/schedules.ts';
import type { TagService } from '../../engine/tags.ts';
import type { OperationHeader } from '../../store/operations.ts';

/** Account tags: the same service `accounts tag` calls (it checks the tag). */
export type TagsPort = Pick<TagService, 'change'>;

/** What the bot's account card calls for devices, the two-step password and login codes. */
export type AccountCarePort = Pick<AccountCareService, 'sessions' | 'endOthers' | 'codes' | 'twoFactor'>;

/**
 * Managing stored accounts: the same calls the `accounts` CLI makes. Each throws `InputError`
 * (bad proxy URL, unknown account) before changing anything.
 */
export interface AccountsPort {
  list(): AccountSummary[];
  get(id: number): AccountSummary | undefined;
  groups(id: number): { chats: ChatInfo[]; refreshedAt: number | null };
  setEnabled(id: number, enabled: boolean): Promise<void>;
  /** `null` removes the account's own proxy (PROXY_URL applies again). */
  setProxy(id: number, url: string | null): Promise<void>;
  /** Disconnects the account and deletes it with its keys. */
  remove(id: number): Promise<void>;
  /** getMe (and @SpamBot when `spam`) for the given accounts, updating their status. */
  check(ids: number[], spam: boolean): Promise<CheckResult[]>;
  refreshGroups(id: number): Promise<ChatInfo[]>;
}

/** Figures for the status screen that no service summarises. */
export interface UsagePort {
  /** Campaign messages the account sent in the current UTC day (counted against the daily cap). */
  usedToday(accountId: number): number;
  /** The newest operation records, newest first. */
  recentOperations(limit: number): OperationHeader[];
}

/** Reads a poll under a message with one account, to show its options as buttons. */
export interface PollReader {
  poll(target: MessageTarget): Promise<PollInfo>;
}

/**
 * The engine services the menus call; each is optional so the bot runs (and says what is
 * missing) in a process that has only some of them.
 */
export interface BotServices {
  accounts?: AccountsPort;
  login?: Pick<LoginService, 'start' | 'code' | 'password' | 'cancel'>;
  importer?: Pick<ImportService, 'import'>;
  operations?: Pick<OperationsEngine, 'usable' | 'check' | 'runOperation' | 'running'>;
  polls?: PollReader;
  campaigns?: Pick<CampaignService, 'create' | 'run' | 'pause' | 'resume' | 'cancel' | 'settle' | 'status' | 'list' | 'exportRows'>;
  monitor?: Pick<
    MonitorService,
    | 'keywords'
    | 'addKeyword'
    | 'removeKeyword'
    | 'ignored'
    | 'addIgnored'
    | 'removeIgnored'
    | 'targets'
    | 'addTarget'
    | 'removeTarget'
    | 'knownChats'
    | 'options'
    | 'setOptions'
    | 'refreshGroups'
    | 'status'
  >;
  /** An account's devices, two-step password and login codes. */
  accountCare?: AccountCarePort;
  tags?: TagsPort;
  /** Scheduled work: the bot lists and removes; schedules are added from the CLI. */
  schedules?: Pick<ScheduleService, 'list' | 'remove'>;
  usage?: UsagePort;
  /** One-time sign-in links to the web dashboard; absent when the panel serves none (--no-web). */
  web?: { link(by: string): { url: string; expiresAt: number } };
  /** The fleet as the engine sees it (monitor group refresh). */
  pool?: AccountPool;
}
