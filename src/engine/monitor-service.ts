/**
 * What interfaces (CLI, admin bot) call to manage the monitor: rules with validation, the chats
 * the accounts are in, and the status. Bad input throws `InputError` before anything changes.
 */
import type { Clock } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import { reason, type ReasonParams } from '../core/reasons.ts';
import { isTelegramFailure } from '../core/failures.ts';
import type { KeywordMode } from '../core/keywords.ts';
import { checkRule, keywordMatcher } from './keyword-regex.ts';
import { parseLink } from '../core/links.ts';
import { chatWatched, type ChannelRef, type IgnoredSender, type MonitorOptions, type SkipReason } from '../core/monitor-filter.ts';
import type { AccountSession, ChatChange, ChatInfo } from '../core/session.ts';
import type { Logger } from '../log.ts';
import { normalizeUsername, usernameProblem } from '../core/usernames.ts';
import type { AccountStore } from '../store/accounts.ts';
import type { IgnoredRow, KeywordRow, MonitorStore, OutboxRow, OutboxSummary, TargetRow, WatchState } from '../store/monitor.ts';
import type { Monitor } from './monitor.ts';
import { accountLabel } from './monitor-runtime.ts';
import type { AccountPool } from './ports.ts';

/** The chats each account is in, as last refreshed (the accounts store keeps them). */
export interface ChatDirectory {
  accounts(): Array<{ accountId: number; label: string; chats: ChatInfo[]; refreshedAt: number | null }>;
  save(accountId: number, chats: ChatInfo[], now: number): void;
  /** One join or leave of the account, as its session saw it happen. */
  apply?(accountId: number, change: ChatChange): void;
}

/** The directory over the accounts store's `account_groups`. */
export function accountChatDirectory(accounts: AccountStore, clock: Clock): ChatDirectory {
  return {
    accounts: () =>
      accounts.list(clock.now()).map((a) => {
        const g = accounts.groups(a.id);
        return { accountId: a.id, label: accountLabel(a), chats: g.chats, refreshedAt: g.refreshedAt };
      }),
    save: (accountId, chats, now) => accounts.replaceGroups(accountId, chats, now),
    apply: (accountId, change) => {
      if ('joined' in change) accounts.addGroup(accountId, change.joined);
      else accounts.removeGroup(accountId, change.left);
    },
  };
}

/**
 * Keeps the stored chat list of the account behind `session` following its joins and leaves
 * (whoever made them: bulk actions, the bot, campaigns). Returns the unsubscribe function.
 */
export function followChats(directory: ChatDirectory, accountId: number, session: AccountSession, log: Logger): () => void {
  return (
    session.onChatsChanged?.((change) => {
      try {
        directory.apply?.(accountId, change);
      } catch (e) {
        log.warn({ err: e, accountId }, 'could not record a chat the account joined or left');
      }
    }) ?? (() => undefined)
  );
}

export interface MonitorServiceDeps {
  store: MonitorStore;
  clock: Clock;
  channel: ChannelRef | null;
  directory?: ChatDirectory;
  /** The running monitor in this process, told to reload when rules change here. */
  monitor?: Monitor;
}

export interface KnownChat {
  chat: ChatInfo;
  accountIds: number[];
  /** Null when watched, else why not. */
  skip: SkipReason | null;
  target: boolean;
}

export interface AccountStatusLine {
  accountId: number;
  label: string;
  state: WatchState | 'unknown';
  watchedChats: number;
  chats: number;
  lastActivityAt: number | null;
  resyncs: number;
  lastResyncAt: number | null;
  lastError: string | null;
  /** When the account last finished catching up on the updates it missed while the panel was down. */
  lastCatchUpAt: number | null;
  /** The last gap Telegram would not fill, with the chats whose hits in it may be lost (null: private chats and basic groups). */
  gap: { at: number; chats: Array<number | null> } | null;
}

export interface MonitorStatus {
  keywords: number;
  ignored: number;
  targets: number;
  options: MonitorOptions;
  channel: ChannelRef | null;
  accounts: AccountStatusLine[];
  outbox: OutboxSummary;
}

export interface RefreshReport {
  accounts: Array<{ accountId: number; chats: number } | { accountId: number; error: string }>;
  chats: number;
}

const MAX_USER_ID = 2 ** 53 - 1;

export class MonitorService {
  constructor(private readonly deps: MonitorServiceDeps) {}

  private get store(): MonitorStore {
    return this.deps.store;
  }

  private changed(): void {
    this.deps.monitor?.reload();
  }

  // --- keywords ---

  keywords(): KeywordRow[] {
    return this.store.keywords();
  }

  /** Adds a rule; a second spelling of an existing rule returns that rule with `added: false`. */
  addKeyword(pattern: string, mode: KeywordMode = 'plain'): { added: boolean; rule: KeywordRow } {
    const check = checkRule(pattern, mode);
    if (!check.ok) {
      const params: ReasonParams = check.problem === 'too_long' ? { length: check.length ?? 0, max: check.max ?? 0 } : check.problem === 'bad_regex' ? { detail: check.reason } : {};
      throw new InputError(`keyword refused: ${check.reason}`, reason(`keyword_${check.problem}`, params));
    }
    const r = this.store.addKeyword(pattern.trim(), mode, check.normalized, this.deps.clock.now());
    if (r.added) this.changed();
    return r;
  }

  /** The stored rules `text` matches, through the same matcher the monitor runs. */
  testText(text: string): KeywordRow[] {
    const rows = this.store.keywords();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return keywordMatcher(rows).match(text).rules.map((r) => byId.get(r.id)!);
  }

  /** By id (`#3` or `3`) or by the keyword text. */
  removeKeyword(ref: string): KeywordRow {
    const rule = this.findKeyword(ref);
    this.store.removeKeyword(rule.id);
    this.changed();
    return rule;
  }

  private findKeyword(ref: string): KeywordRow {
    const all = this.store.keywords();
    const id = /^#?\d+$/.test(ref.trim()) ? Number(ref.trim().replace('#', '')) : undefined;
    const byId = id !== undefined ? all.find((k) => k.id === id) : undefined;
    if (byId) return byId;
    const byText = all.filter((k) => k.pattern === ref.trim());
    if (byText.length === 1) return byText[0]!;
    const plain = checkRule(ref, 'plain');
    const folded = plain.ok ? all.filter((k) => k.mode !== 'regex' && k.normalized === plain.normalized) : [];
    if (folded.length === 1) return folded[0]!;
    if (byText.length > 1 || folded.length > 1) throw new InputError(`"${ref}" names more than one keyword rule: remove it by id (see monitor keywords list)`, reason('keyword_ambiguous', { ref }));
    throw new InputError(`no keyword rule "${ref}": see monitor keywords list`, reason('keyword_unknown', { ref }));
  }

  // --- ignored senders ---

  ignored(): IgnoredRow[] {
    return this.store.ignored();
  }

  /** A numeric user id or @username. */
  parseSender(ref: string): IgnoredSender {
    const t = ref.trim();
    if (/^-?\d+$/.test(t)) {
      const id = Number(t);
      if (id === 0 || Math.abs(id) > MAX_USER_ID) throw new InputError(`"${t}" is not a Telegram id`, reason('sender_bad_id', { value: t }));
      return { senderId: id };
    }
    const username = normalizeUsername(t);
    const problem = usernameProblem(username);
    if (problem !== undefined) throw new InputError(`not a sender id or @username: ${problem}`, reason('sender_bad', { value: t }));
    return { username };
  }

  addIgnored(ref: string): { added: boolean; sender: IgnoredSender } {
    const sender = this.parseSender(ref);
    const added = this.store.addIgnored(sender, this.deps.clock.now());
    if (added) this.changed();
    return { added, sender };
  }

  removeIgnored(ref: string): IgnoredSender {
    const sender = this.parseSender(ref);
    if (!this.store.removeIgnored(sender)) throw new InputError(`${ref.trim()} is not on the ignore list: see monitor ignore list`, reason('ignored_unknown', { ref: ref.trim() }));
    this.changed();
    return sender;
  }

  // --- targets ---

  targets(): TargetRow[] {
    return this.store.targets();
  }

  /**
   * A chat the accounts are in, named by marked id (`-100…`), @username, t.me/<name> or a message
   * link (t.me/c/<id>/<msg>, t.me/<name>/<msg>).
   */
  resolveChat(ref: string): ChatInfo {
    const t = ref.trim();
    const known = this.knownChats();
    let found: KnownChat | undefined;
    if (/^-?\d+$/.test(t)) {
      const id = Number(t);
      found = known.find((k) => k.chat.id === id) ?? (id > 0 ? known.find((k) => k.chat.id === -1_000_000_000_000 - id) : undefined);
    } else {
      const parsed = parseLink(t);
      if (!parsed.ok) throw new InputError(`not a chat: ${parsed.error}`, reason('chat_bad_link', { value: t }, parsed));
      const link = parsed.link;
      if (link.kind === 'invite') throw new InputError('an invite link does not say which chat it is: name the chat by its id or @username (see monitor groups list)', reason('chat_invite_link'));
      const chatRef = link.kind === 'peer' ? { username: link.username } : link.chat;
      found =
        'username' in chatRef
          ? known.find((k) => k.chat.username?.toLowerCase() === chatRef.username)
          : known.find((k) => k.chat.id === -1_000_000_000_000 - chatRef.channelId);
    }
    if (!found) {
      const hint = this.deps.directory ? 'run monitor groups refresh, then see monitor groups list' : 'no account chats are known';
      throw new InputError(`no account is in the chat "${t}" (${hint})`, reason('chat_not_joined', { value: t }));
    }
    return found.chat;
  }

  addTarget(ref: string): { added: boolean; chat: ChatInfo } {
    const chat = this.resolveChat(ref);
    const added = this.store.addTarget(chat, this.deps.clock.now());
    if (added) this.changed();
    return { added, chat };
  }

  removeTarget(ref: string): TargetRow {
    const t = ref.trim();
    const targets = this.store.targets();
    let row = /^-?\d+$/.test(t) ? targets.find((x) => x.chatId === Number(t)) : undefined;
    if (!row) {
      const username = normalizeUsername(t.replace(/^https?:\/\/(t\.me|telegram\.me)\//i, '').split('/')[0] ?? '');
      row = targets.find((x) => x.username?.toLowerCase() === username);
    }
    if (!row) throw new InputError(`"${t}" is not a target chat: see monitor targets list`, reason('chat_not_target', { value: t }));
    this.store.removeTarget(row.chatId);
    this.changed();
    return row;
  }

  // --- options ---

  options(): MonitorOptions {
    return this.store.options();
  }

  setOptions(change: Partial<MonitorOptions>): MonitorOptions {
    const r = this.store.setOptions(change);
    this.changed();
    return r;
  }

  // --- chats ---

  /** Every chat any account is in, with whether the monitor watches it. */
  knownChats(): KnownChat[] {
    const byId = new Map<number, KnownChat>();
    const targets = new Set(this.store.targets().map((t) => t.chatId));
    const rules = { targets, options: this.store.options(), channel: this.deps.channel };
    for (const a of this.deps.directory?.accounts() ?? []) {
      for (const chat of a.chats) {
        let k = byId.get(chat.id);
        if (!k) {
          k = { chat, accountIds: [], skip: chatWatched(chat, rules), target: targets.has(chat.id) };
          byId.set(chat.id, k);
        }
        k.accountIds.push(a.accountId);
      }
    }
    return [...byId.values()].sort((x, y) => x.chat.title.localeCompare(y.chat.title) || x.chat.id - y.chat.id);
  }

  /** Reads every usable account's dialogs and stores them. One account failing does not stop the others. */
  async refreshGroups(pool: AccountPool): Promise<RefreshReport> {
    const directory = this.deps.directory;
    if (!directory) throw new InputError('no account store to refresh');
    const report: RefreshReport = { accounts: [], chats: 0 };
    const ids = new Set<number>();
    for (const a of pool.accounts().filter((x) => x.enabled && x.status === 'active')) {
      try {
        const session = await pool.session(a.id);
        const chats = await session.dialogs();
        directory.save(a.id, chats, this.deps.clock.now());
        for (const c of chats) ids.add(c.id);
        report.accounts.push({ accountId: a.id, chats: chats.length });
      } catch (e) {
        const error = isTelegramFailure(e) ? e.failure.message : e instanceof Error ? e.message : String(e);
        report.accounts.push({ accountId: a.id, error });
      }
    }
    report.chats = ids.size;
    return report;
  }

  // --- outbox ---

  /** The newest forwards, waiting and sent. */
  outbox(limit = 100): OutboxRow[] {
    return this.store.outbox(undefined, limit);
  }

  /**
   * Makes held forwards due now (after the operator let the bot post in the channel); with `id`,
   * that one waiting forward only. How many became due (0: nothing waits by that id).
   */
  retryHeld(id?: number): number {
    return this.store.releaseHeld(this.deps.clock.now(), id);
  }

  // --- status ---

  status(): MonitorStatus {
    const known = this.knownChats();
    const watches = new Map(this.store.watches().map((w) => [w.accountId, w]));
    const live = new Map((this.deps.monitor?.watches() ?? []).map((w) => [w.accountId, w]));
    const lines = new Map<number, AccountStatusLine>();
    const line = (accountId: number, label: string): AccountStatusLine => {
      let l = lines.get(accountId);
      if (!l) {
        const w = live.get(accountId) ?? watches.get(accountId);
        l = {
          accountId,
          label,
          state: w?.state ?? 'unknown',
          watchedChats: 0,
          chats: 0,
          lastActivityAt: w?.lastActivityAt ?? null,
          resyncs: w?.resyncs ?? 0,
          lastResyncAt: w?.lastResyncAt ?? null,
          lastError: w?.lastError ?? null,
          lastCatchUpAt: w?.lastCatchUpAt ?? null,
          gap: w?.gap ?? null,
        };
        lines.set(accountId, l);
      }
      return l;
    };
    for (const a of this.deps.directory?.accounts() ?? []) line(a.accountId, a.label);
    for (const w of [...watches.values(), ...live.values()]) line(w.accountId, 'label' in w ? w.label : `#${w.accountId}`);
    for (const k of known) {
      for (const id of k.accountIds) {
        const l = line(id, `#${id}`);
        l.chats++;
        if (k.skip === null) l.watchedChats++;
      }
    }
    return {
      keywords: this.store.keywords().length,
      ignored: this.store.ignored().length,
      targets: this.store.targets().length,
      options: this.store.options(),
      channel: this.deps.channel,
      accounts: [...lines.values()].sort((a, b) => a.accountId - b.accountId),
      outbox: this.store.outboxSummary(),
    };
  }
}
