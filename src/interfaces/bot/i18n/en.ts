import type { PacingConfig } from '../../../config.ts';
import type { AccountStatus } from '../../../core/accounts.ts';
import type { ActionKind, OperationKind } from '../../../core/actions.ts';
import type { CampaignState, TargetState } from '../../../core/campaigns.ts';
import type { ActionOutcome } from '../../../core/session.ts';
import type { OperationStatus, OperationSummary } from '../../../store/operations.ts';
import type { FailureKind } from '../../../core/failures.ts';
import type { KeywordMode } from '../../../core/keywords.ts';
import type { SkipReason } from '../../../core/monitor-filter.ts';
import type { ChatKind } from '../../../core/session.ts';
import type { WatchState } from '../../../store/monitor.ts';
import type { LinkRefusal } from '../../../core/links.ts';
import type { Reason } from '../../../core/reasons.ts';
import type { ScheduleRunStatus, ScheduleState } from '../../../core/schedules.ts';
import type { ProfileValues } from '../../../core/profile.ts';
import type { TwoFactorAction, TwoFactorIssue } from '../../../core/account-care.ts';
import { bar, type ProgressSnapshot } from '../progress.ts';
import { iso } from './bidi.ts';
import { failureEn, FAILURES_EN as FAILURES } from '../../i18n/failures-en.ts';
import { nonZero, plural } from '../../i18n/plural.ts';
import { WORDS } from '../../i18n/words.ts';

const count = (n: number, one: string, other: string): string => `${n} ${plural('en', n, { one, other })}`;

const STATUS = WORDS.en.status;

const ADVICE: Record<AccountStatus, string> = {
  active: 'Nothing to do.',
  disabled: 'Enable it to use it again.',
  connecting: 'Wait a moment; it is connecting.',
  flood_wait: 'Nothing to do: it is used again when the wait ends.',
  peer_flood: 'It can still react, vote and join. Check it with @SpamBot (Spam check) and wait for the limit to lift.',
  revoked: 'The session was ended (logged out elsewhere). Remove it and add it again with its phone.',
  banned: 'Telegram banned this number. Remove it; its keys are kept until you do.',
  frozen: 'Appeal in the official Telegram app (Settings shows how); until then it can do nothing. Remove it if the appeal fails.',
  error: 'Press Check to try again; if the reason names the proxy, set a working proxy.',
};

const DELIVERY: Record<string, string> = {
  app: 'the Telegram app of that account',
  sms: 'an SMS',
  call: 'a phone call',
  flash_call: 'a flash call',
  missed_call: 'a missed call',
  email: 'the email of that account',
  fragment: 'Fragment',
  other: 'Telegram',
};

const KINDS = WORDS.en.kinds;

const KIND_BUTTONS: Record<ActionKind, string> = {
  reaction: '👍 Reaction',
  vote: '📊 Vote',
  join: '➕ Join',
  leave: '🚪 Leave',
  block: '🚫 Block',
  pm: '✉️ Private message',
  comment: '💬 Comment',
};

const ASK_TARGET: Record<ActionKind, string> = {
  reaction: 'Send the link of the message to react to (t.me/<name>/<id> or t.me/c/<channel>/<id>).',
  vote: 'Send the link of the message with the poll.',
  comment: 'Send the link of the channel post to comment under.',
  join: 'Send the chat to join: t.me/<name>, @name or an invite link t.me/+<hash>.',
  leave: 'Send the chat to leave: t.me/<name>, @name, a message link or the invite link it was joined with.',
  block: 'Send the user to block: @name or t.me/<name>.',
  pm: 'Send the user to message: @name or t.me/<name>.',
};

const OUTCOMES: Record<ActionOutcome, string> = { done: 'done', already: 'already so', requested: 'join requested (waits for the admins)' };

const OP_STATUS = WORDS.en.operation;

const TARGET_STATES = WORDS.en.target;

const CAMPAIGN_STATES = WORDS.en.campaign;

const CAMPAIGN_SETTINGS: Record<'cap' | 'daily' | 'delay', string> = {
  cap: 'Messages per account in this campaign: type a whole number from 1 to 1000.',
  daily: 'Messages per account per day over all campaigns: type a whole number from 1 to 10000.',
  delay: 'Seconds between two messages of one account: type min-max, e.g. 60-180.',
};

const KEYWORD_MODES: Record<KeywordMode, string> = { plain: 'anywhere', word: 'whole word', regex: 'regular expression' };

const WATCH_STATES: Record<WatchState | 'unknown', string> = { live: 'live', stale: 'silent (resync due)', resyncing: 'resyncing', detached: 'not watched', unknown: 'unknown' };

const SKIP_REASONS: Record<SkipReason, string> = {
  own_account: 'one of the accounts',
  ignored_sender: 'ignored sender',
  forward_channel: 'the forward channel itself',
  not_target: 'not a target chat',
  chat_kind: 'channels or private chats are off',
};

const CHAT_KINDS: Record<ChatKind, string> = { private: 'private', group: 'group', supergroup: 'supergroup', forum: 'forum', channel: 'channel' };

export const en = {
  // --- access and framework ---
  refused: 'This bot is private.',
  menuExpired: 'This menu has expired; here is the current one.',
  useButtons: 'Please answer with the buttons below.',
  expectedText: 'Please type the answer as text.',
  useMenu: 'Use the menu below.',
  unknownCommand: 'Unknown command.',
  cancelled: 'Cancelled.',
  nothingToCancel: 'Nothing to cancel.',
  webLink: (url: string) => `Sign in to the web dashboard (works once, for 10 minutes; do not forward it):\n${url}`,
  webOff: 'The web dashboard is off: the panel was started with --no-web.',
  flowReset: 'The step you were in was started by an older version of the panel (or can no longer be read); please start it again.',
  unexpected: 'Something went wrong on the panel side; it was logged. Try again.',
  inputRefused: (reason: string) => `Cannot do that: ${reason}`,
  panelRefused: (reason: string) => `Cannot do that now: ${reason}`,
  failure: (kind: FailureKind, code: string, seconds?: number) => failureEn(kind, code, seconds),
  failureKind: (kind: FailureKind) => FAILURES[kind],
  /** The engine's reason: English is the engine's own sentence. */
  reason: (_r: Reason, english: string): string => english,
  linkError: (f: LinkRefusal): string => f.error,
  cmdStart: 'Open the main menu (leaves any step in progress)',
  cmdCancel: 'Leave the current step',
  cmdWeb: 'A sign-in link to the web dashboard',
  notAvailable: 'This part of the panel is not running in this process.',

  // --- buttons shared by every screen ---
  btnBack: '« Back',
  btnCancel: '✖ Cancel',
  btnHome: '🏠 Menu',

  // --- home ---
  homeTitle: 'Telegram Panel\nChoose what to do:',
  btnStatus: '📊 Status',
  btnAccounts: '👤 Accounts',
  btnActions: '⚡ Actions',
  btnCampaigns: '✉️ Campaigns',
  btnMonitor: '🔎 Monitor',
  btnSettings: '⚙️ Settings',

  // --- schedules ---
  btnSchedules: '⏰ Schedules',
  schedulesTitle: (n: number) =>
    n === 0 ? '⏰ Schedules\n\nNothing is scheduled. Schedules are added from the command line: schedule add <when> -- <command>.' : `⏰ Schedules (${n})`,
  scheduleState: (s: ScheduleState) => ({ active: 'active', paused: 'paused', done: 'done' })[s],
  scheduleRunStatus: (s: ScheduleRunStatus) => ({ running: 'running', ok: 'done', failed: 'failed', skipped: 'skipped', interrupted: 'interrupted' })[s],
  scheduleLine: (id: number, state: string, when: string, next: string | null, last: string | null, command: string) =>
    `#${id} · ${state} · ${iso(when)}\n${iso(command)}${next ? `\nNext: ${next}` : ''}${last ? `\nLast: ${last}` : ''}`,
  btnRemoveSchedule: (id: number) => `🗑 #${id}`,
  confirmRemoveSchedule: (id: number, command: string) => `Remove schedule #${id}?\n${iso(command)}\n\nA run in progress goes on; the record of its runs stays.`,
  scheduleRemoved: (id: number) => `Schedule #${id} removed.`,
  scheduleGone: 'That schedule no longer exists.',

  // --- settings ---
  settingsTitle: '⚙️ Settings',
  languageNow: 'Language: English',
  pacingTitle: 'Pacing defaults:',
  pacingLine: (name: string, value: string, changed: boolean) => `• ${name}: ${iso(value)}${changed ? ' (changed here)' : ''}`,
  pacingNote: 'Changes apply to work started after them; the rest comes from the configuration.',
  pacingName: (field: keyof PacingConfig) => PACING_NAMES[field],
  btnResetPacing: '↺ Back to the configuration values',
  pacingRangeForm: 'seconds as min-max, e.g. 8-15',
  pacingIntForm: (lo: number, hi: number) => `a whole number from ${lo} to ${hi}`,
  pacingAsk: (name: string, now: string, form: string) => `${name}
Now: ${iso(now)}

Type the new value (${form}).`,
  pacingBadRange: 'That is not a range: type two numbers of seconds as min-max (e.g. 8-15), the first not above the second, at most 86400.',
  pacingBadInt: (lo: number, hi: number) => `That is not a whole number from ${lo} to ${hi}.`,
  saved: '✅ Saved.',

  // --- shared bits ---
  n: (x: number) => String(x),
  never: 'never',
  btnPrev: '‹ Previous',
  btnNext: 'Next ›',
  pageOf: (page: number, pages: number) => `${page}/${pages}`,
  btnRefresh: '🔄 Refresh',
  btnNo: 'No',
  detailsInFile: 'The details are in the file below.',
  fileTooLarge: 'The file is too large for a session file.',
  progress: (title: string, s: ProgressSnapshot) =>
    `${title}\n${iso(bar(s.done, s.total))}\n${[`${s.done}/${s.total}`, ...(s.ok ? [`✅ ${s.ok}`] : []), ...(s.failed ? [`❌ ${s.failed}`] : [])].join(' · ')}${s.current ? `\nNow: ${s.current}` : ''}`,

  // --- accounts ---
  status: (s: AccountStatus) => STATUS[s],
  advice: (s: AccountStatus) => ADVICE[s],
  accountsTitle: (n: number) => `👤 Accounts: ${n}`,
  btnAddAccount: '➕ Add (log in)',
  btnImport: '📥 Import a session',
  btnList: '📋 List',
  btnProblems: (n: number) => `⚠️ Problems (${n})`,
  btnCheckAll: '🩺 Check every account',
  noAccounts: 'There are no accounts yet.',
  listTitle: (n: number) => `📋 Accounts (${n}). Pick one:`,
  accountGone: 'That account no longer exists.',
  cardTitle: (name: string) => `👤 Account ${name}`,
  cardName: (first: string, username: string) => `Name: ${first} (${username})`,
  cardStatus: (status: string, since: string) => `Status: ${status}, since ${since}`,
  cardReason: (reason: string) => `Reason: ${reason}`,
  cardUntil: (until: string) => `Until: ${until}`,
  cardProxy: (proxy: string) => `Proxy: ${proxy}`,
  proxyDefault: 'the default (PROXY_URL or direct)',
  cardGroups: (n: number) => `Groups and channels: ${n}`,
  cardLastUsed: (at: string) => `Last used: ${at}`,
  btnEnable: '▶️ Enable',
  btnDisable: '⏸ Disable',
  btnCheck: '🩺 Check',
  btnSpamCheck: '🛡 Spam check',
  btnSetProxy: '🌐 Proxy',
  btnGroups: '👥 Groups',
  btnRemove: '🗑 Remove',
  btnSessions: '📱 Sessions',
  btnCodes: '🔑 Login codes',
  cardOtherSessions: (n: number) => `Other sessions (last check): ${n}`,
  sessionsTitle: (name: string, others: number) => `Sessions of ${name} · other devices: ${others}`,
  sessionLine: (device: string, app: string, place: string, active: string) => `• ${device} · ${app}\n   ${place} · ${active}`,
  sessionThisPanel: '🟢 this panel',
  sessionNow: 'now',
  btnEndOthers: '⛔ End the other sessions',
  confirmEndOthers: (n: number, name: string) => `End ${n} other session${n === 1 ? '' : 's'} of ${name}? Those devices are logged out; the panel keeps its own.`,
  btnYesEnd: '✅ Yes, end them',
  endedSessions: (n: number) => `⛔ Ended ${n} session${n === 1 ? '' : 's'}.`,
  codesTitle: (name: string) => `🔑 Login codes of ${name} (last day, newest first)`,
  codeLine: (code: string, at: string) => `${code} · ${at}`,
  codesNone: 'No login codes in the last day. Start the login on the other device, then tap Refresh.',
  // --- two-step verification from the card ---
  btnTwoFa: '🔐 Two-step',
  twofaTitle: (name: string) => `🔐 Two-step verification of ${name}`,
  twofaChoose:
    'Set a password (when the account has none), change it, or remove it. Each password you type is deleted from this chat at once and kept only in memory until Telegram has it; the panel never stores it.',
  btnTwofa: (a: TwoFactorAction): string => ({ set: '➕ Set a password', change: '🔁 Change it', remove: '🔓 Remove it' })[a],
  confirmTwofaRemove: (name: string) => `Remove the two-step password of ${name}? Then the login code alone lets anyone log in. You type the current password next.`,
  btnYesTwofaRemove: '🔓 Yes, remove it',
  btnSkip: 'Skip »',
  askTwofaHint: (name: string) => `Type a hint for the new password of ${name} (Telegram shows it to anyone logging in, so not the password itself; up to 128 characters), or tap Skip.`,
  askTwofaEmail: 'Type a recovery email address (Telegram emails a code to it, asked for next), or tap Skip.',
  askTwofaCurrent: (name: string) => `Type the current two-step password of ${name}. The message is deleted at once.`,
  askTwofaNew: (name: string) => `Type the new two-step password of ${name} (up to 256 characters). The message is deleted at once.`,
  askTwofaRepeat: 'Type the new password again.',
  askTwofaEmailCode: (email: string, length: number) => `Telegram emailed a ${length}-digit code to ${email}. Type it here (the message is deleted at once).`,
  twofaEmailCodeWrong: 'That code is wrong; type the emailed code again.',
  twofaWorking: (name: string) => `⏳ Changing the two-step password of ${name}…`,
  twofaWait: 'Telegram is answering; wait a moment.',
  twofaLost: 'The panel restarted or the step waited too long: what was typed is gone (passwords are never stored). Start again.',
  twofaIssue: (issue: TwoFactorIssue): string =>
    ({
      action: 'Pick set, change or remove.',
      current_empty: 'The current password is empty.',
      next_empty: 'The new password is empty.',
      next_too_long: 'The new password is longer than 256 characters.',
      repeat_differs: 'The two new passwords differ: type the new one again.',
      same_as_current: 'The new password is the same as the current one.',
      hint_too_long: 'The hint is longer than 128 characters.',
      hint_is_password: 'The hint may not be the password itself.',
      email_invalid: 'That is not an email address.',
      remove_extras: 'A hint or an email goes with set or change, not remove.',
    })[issue],
  /** Telegram's refusals of a two-step change, in sentences (the engine keeps Telegram's error names). */
  twofaRefused: (r: Reason, english: string): string =>
    ({
      twofa_wrong_password: 'The current two-step password is wrong.',
      twofa_not_set: 'This account has no two-step password.',
      twofa_already_set: 'This account has a two-step password already: change it instead.',
      twofa_email_code_wrong: 'The emailed code is wrong.',
      twofa_email_pending: 'The new password waits for the code emailed to the recovery address; the old state stays until then.',
    })[r.code as string] ?? english,
  twofaDone: (outcome: 'set' | 'changed' | 'removed') =>
    ({ set: '✅ Two-step password set.', changed: '✅ Two-step password changed.', removed: '🔓 Two-step password removed.' })[outcome],
  // --- pruning dead accounts ---
  btnPrune: '🧹 Prune dead accounts',
  pruneTitle: (n: number) => `🧹 Prune: ${count(n, 'account is', 'accounts are')} dead by the last check or use.`,
  pruneNone: (statuses: string) => `🧹 No account is ${statuses} by its last check or use: nothing to prune.`,
  pruneStatuses: (statuses: string) => `Counted as dead: ${statuses} (tap to change).`,
  pruneLine: (name: string, status: string, reason: string) => `• ${name} · ${status}${reason ? ` · ${reason}` : ''}`,
  pruneMore: (n: number) => `…and ${n} more (all of them are in the file).`,
  pruneNote: 'Removing deletes each account and its session keys. Their phones and reasons come as a CSV file first. Check every account first to refresh the statuses.',
  btnPruneStatus: (status: AccountStatus, on: boolean) => `${on ? '☑️' : '⬜'} ${STATUS[status]}`,
  pruneOneStatus: 'At least one status must count as dead.',
  btnYesPrune: (n: number) => `🗑 Yes, remove ${n}`,
  pruneChanged: 'The dead accounts changed since that list: here it is again.',
  pruneCaption: (n: number) => `Pruned accounts: ${count(n, 'row', 'rows')} (phone, status, reason)`,
  pruned: (n: number) => `🧹 Removed ${count(n, 'account', 'accounts')} and their session keys.`,
  // --- profile photo ---
  btnProfilePhoto: '🖼 Photo',
  askProfilePhoto: (name: string) =>
    `Send the new profile photo of ${name}: a JPEG or PNG (as a photo, or as a file to keep it uncompressed), up to 10 MB, at least 16 pixels a side. It is checked before any upload.`,
  expectedPhoto: 'Send a photo (or a JPEG or PNG file).',
  profilePhotoSaving: (name: string) => `⏳ Changing the profile photo of ${name}…`,
  profilePhotoSaved: (op: number) => `✅ Profile photo changed (operation #${op}).`,
  // --- an account's tags and profile ---
  cardTags: (tags: string) => `Tags: ${tags}`,
  btnTags: '🏷 Tags',
  btnProfile: '✏️ Profile',
  tagsTitle: (name: string) => `🏷 Tags of ${name}`,
  tagsNow: (tags: string) => `Tags: ${tags}`,
  tagsNone: 'No tags yet.',
  tagsReserveNote: (reserve: string) => `Accounts tagged ${reserve} are never picked for "N accounts" or a campaign's default accounts; pick them by name to use them.`,
  btnRemoveTag: (tag: string) => `✖ ${tag}`,
  btnAddTag: '➕ Add a tag',
  btnAddReserve: (reserve: string) => `➕ ${reserve}`,
  askTag: (name: string, reserve: string) =>
    `🏷 Type a tag for ${name}: letters, digits, _ and -, starting with a letter or digit, up to 32 characters (a leading # is dropped; case does not matter). ${reserve} keeps the account out of "N accounts".`,
  tagAdded: (tag: string) => `✅ Tagged ${tag}.`,
  tagHad: (tag: string) => `↩️ It had the tag ${tag} already.`,
  tagRemoved: (tag: string) => `✖ Tag ${tag} removed.`,
  actReserved: (n: number) => `🏷 ${count(n, 'reserve account is', 'reserve accounts are')} left out of the count; pick ${n === 1 ? 'it' : 'them'} by name to use ${n === 1 ? 'it' : 'them'}.`,
  profileTitle: (name: string) => `✏️ Profile of ${name}`,
  profileChoose: 'What to change? One field at a time; each change is paced like every action and recorded as an operation.',
  profileField: (f: keyof ProfileValues): string => ({ firstName: 'First name', lastName: 'Last name', bio: 'Bio', username: 'Username' })[f],
  askProfileValue: (f: keyof ProfileValues, name: string): string =>
    ({
      firstName: `Type the new first name of ${name} (1 to 64 characters).`,
      lastName: `Type the new last name of ${name} (up to 64 characters), or - to clear it.`,
      bio: `Type the new bio of ${name} (up to 70 characters), or - to clear it.`,
      username: `Type the new username of ${name}: 5 to 32 Latin letters, digits and underscores, starting with a letter (@ may be left out). It is checked for availability first.`,
    })[f],
  profileSaving: (field: string, name: string) => `⏳ Changing the ${field.toLowerCase()} of ${name}…`,
  profileSaved: (f: keyof ProfileValues, op: number) => `✅ ${({ firstName: 'First name', lastName: 'Last name', bio: 'Bio', username: 'Username' })[f]} changed (operation #${op}).`,
  profileUnchanged: (f: keyof ProfileValues) => `↩️ The ${({ firstName: 'first name', lastName: 'last name', bio: 'bio', username: 'username' })[f]} already had that value.`,
  usernameTaken: (name: string) => `The username ${name} is taken; nothing about the account changed. Try another.`,
  profileNotRun: 'The change did not run (stopped before the account acted).',
  enabledNow: '▶️ Enabled.',
  disabledNow: '⏸ Disabled: it takes part in nothing until enabled.',
  checking: 'Checking…',
  checkOk: 'answers',
  spamState: (state: 'clean' | 'limited' | 'unknown', until: string | null) =>
    state === 'clean' ? '@SpamBot: no limits' : state === 'limited' ? `@SpamBot: limited${until ? ` until ${until}` : ''}` : '@SpamBot: unclear answer',
  checkTitle: '🩺 Checking accounts',
  checkSummary: (ok: number, failed: number) =>
    `🩺 Check finished: ${nonZero([[ok, `${ok} ${plural('en', ok, { one: 'answers', other: 'answer' })}`], [failed, `${failed} ${plural('en', failed, { one: 'does', other: 'do' })} not`]], ', ', 'no account checked')}.`,
  confirmRemove: (name: string) => `Remove account ${name}?\nIts session keys are deleted; to use it again you must log in again.`,
  btnYesRemove: '🗑 Yes, remove',
  removed: 'Removed.',
  removedAccount: (name: string) => `🗑 Account ${name} was removed.`,
  groupsTitle: (name: string, n: number, at: string) => `👥 Groups of ${name}: ${n} (refreshed ${at})`,
  chatKind: (k: ChatKind) => CHAT_KINDS[k],
  refreshing: 'Refreshing…',
  problemsTitle: (n: number) => `⚠️ Accounts that need attention: ${n}`,
  noProblems: '✅ No account needs attention.',
  untilShort: (at: string) => `until ${at}`,
  askProxy: (name: string, now: string) => `🌐 Proxy of ${name}\nNow: ${now}\n\nSend a proxy URL (socks5://user:pass@host:port, http://host:port or tg://proxy?server=…&port=…&secret=…), or "none" for the default. The message is deleted once read.`,
  badProxy: (reason: string) => `That proxy cannot be used: ${iso(reason)}`,

  // --- add and import ---
  askPhone: '➕ Add an account\n\nSend its phone number with the country code, e.g. +15551234567.',
  askCode: (via: string, length: number | null) =>
    `Telegram sent a ${length ? `${length}-digit ` : ''}code through ${via}.\n\nType it with spaces or dashes between the digits, e.g. 1 2 3 4 5: Telegram cancels a code sent unchanged in a chat. The message is deleted once read.`,
  delivery: (d: string) => DELIVERY[d] ?? DELIVERY.other!,
  askPassword: (hint: string | null) =>
    `This account has two-step verification.${hint ? ` Hint: ${iso(hint)}.` : ''}\n\nType its password. The message is deleted once read.`,
  loginRestarted: 'The panel restarted (or the login expired), so the code or password you typed can no longer be used. A new code was sent.',
  loginLost: 'The panel restarted in the middle of this login; start again with the phone number.',
  accountAdded: '✅ The account was added.',
  askImport:
    '📥 Import a session\n\nPaste a session string (mtcute, Telethon, Pyrogram, GramJS, MTKruto) or send the session file (Telethon or Pyrogram .session, or a text file with a string). The message is deleted once read. A Telegram Desktop tdata folder is imported from the command line.',
  importNotString: 'That does not look like a session string: paste the string itself, or send the file.',
  accountImported: (format: string) => `✅ The account was imported (${iso(format)}).`,

  // --- actions ---
  actionsTitle: '⚡ Actions\nWhat should the accounts do? One account or many: you choose next.',
  kindName: (k: OperationKind) => KINDS[k],
  kindButton: (k: ActionKind) => KIND_BUTTONS[k],
  actTitle: (kind: string) => `⚡ ${kind[0]!.toUpperCase()}${kind.slice(1)}`,
  askTarget: (k: ActionKind) => ASK_TARGET[k],
  badLink: (reason: string) => `That does not fit: ${iso(reason)}`,
  actSummaryKind: (kind: string) => `Action: ${kind}`,
  actSummaryTarget: (target: string) => `Target: ${target}`,
  actSummaryEmoji: (emoji: string) => `Reaction: ${emoji}`,
  actSummaryOptions: (options: string) => `Options: ${options}`,
  actSummaryText: (text: string) => `Text: ${text}`,
  actSummaryWho: (who: string) => `Accounts: ${who}`,
  askEmoji: 'Pick a reaction, or type any emoji.',
  notAnEmoji: 'That is not one emoji. Pick a button or type a single emoji.',
  askVote: (question: string, multiple: boolean) =>
    `Poll: ${question}\n${multiple ? 'Pick one or more options, then Done (or type their numbers, e.g. 1 3).' : 'Pick an option (or type its number).'}`,
  pollClosed: 'That poll is closed: nobody can vote any more.',
  badOptions: (max: number) => `Type option numbers from 1 to ${max}, e.g. 1 or 1 3.`,
  oneOptionOnly: 'This poll takes one option only.',
  pickOneOption: 'Pick at least one option first.',
  askActText: (k: ActionKind): string => (k === 'pm' ? 'Type the message to send (plain text).' : 'Type the comment (plain text).'),
  emptyText: 'The text is empty.',
  textTooLong: (n: number, max: number) => `The text has ${count(n, 'character', 'characters')}; Telegram allows ${max}.`,
  askWho: (usable: number, unusable: number) =>
    `Which accounts? ${usable} can do this now${unusable ? ` (${unusable} cannot right now)` : ''}. Pick how many (the least recently used go first), pick them by name, or type a number.`,
  actNoUsable: (unusable: number) => `No account can do this now${unusable ? ` (${unusable} cannot right now: see Accounts → Problems)` : ': add an account first'}.`,
  btnAllUsable: (n: number) => `All usable (${n})`,
  btnPickAccounts: '☑️ Pick accounts',
  askPick: (n: number) => `Tap accounts to pick them (${n} picked), then Done.`,
  pickOneAccount: 'Pick at least one account first.',
  btnDone: '✔️ Done',
  badCount: 'Type how many accounts: a whole number from 1.',
  actCount: (n: number) => `${n} (least recently used first)`,
  actPicked: (n: number) => `${n} picked`,
  askConfirmRun: 'Run it?',
  btnRun: '▶️ Run',
  started: '▶️ Started: the progress follows below.',
  btnStopOperation: '⏹ Stop',
  opAlreadyOver: 'That work is already over.',
  opCancelling: 'Stopping: no new account starts; those acting now finish.',
  outcome: (o: ActionOutcome) => OUTCOMES[o],
  movedOn: '(moved to another account)',
  // --- campaigns ---
  campaignsTitle: (n: number) => `✉️ Campaigns (${n})`,
  noCampaigns: '✉️ No campaigns yet.',
  btnNewCampaign: '➕ New campaign',
  campaignGone: 'That campaign no longer exists.',
  targetState: (s: TargetState) => TARGET_STATES[s],
  cmpState: (s: CampaignState) => CAMPAIGN_STATES[s],
  cmpCardTitle: (name: string, state: string) => `✉️ Campaign ${name}: ${state}`,
  cmpProgress: (done: number, total: number) => `Settled ${done} of ${total}:`,
  cmpSettings: (cap: number, daily: number, delay: string, skip: boolean, accounts: number | null) =>
    `Per account: ${cap} · per day: ${daily} · delay: ${iso(delay)} s\n${skip ? 'Skips people contacted before' : 'Includes people contacted before'} · accounts: ${accounts === null ? 'every usable one' : accounts}`,
  cmpAccountsHead: 'Accounts (sent / failed / still allowed today):',
  cmpAccountLine: (name: string, sent: number, failed: number, remaining: number) => `• ${name}: ${sent} / ${failed} / ${remaining}`,
  btnRunCampaign: '▶️ Run',
  btnResume: '▶️ Resume',
  btnPause: '⏸ Pause',
  btnSettle: (n: number) => `⚖️ Settle ${n} uncertain`,
  btnExportCsv: '📤 Export CSV',
  btnExportJson: '📤 Export JSON',
  btnCancelCampaign: '✖ Cancel the campaign',
  btnOpenCampaign: '✉️ The campaign',
  cmpStarted: '▶️ Started: the progress follows below.',
  cmpPaused: '⏸ Paused: sends in flight settle first.',
  cmpPausing: 'Pausing after the sends in flight.',
  cmpCancelled: '✖ Cancelled: nothing more is sent.',
  confirmCancelCampaign: (name: string) =>
    `Cancel the campaign ${name}? Nothing more is sent, and it cannot be run again (a new campaign can). Messages not yet confirmed become uncertain.`,
  btnYesCancelCampaign: '✖ Yes, cancel it',
  settleExplain: (n: number) =>
    `${n === 1 ? '1 person is' : `${n} people are`} uncertain: a message may or may not have reached them (the account that sent it could not confirm). Decide for all of them:`,
  btnSettle_sent: '✅ Count them as sent',
  btnSettle_skip: '⏭ Skip them (never message them)',
  btnSettle_retry: '🔁 Send again on the next run (may send twice)',
  settled: (n: number) => `⚖️ ${n} settled.`,
  exporting: 'Exporting…',
  exportCaption: (name: string, n: number) => `Campaign ${name}: ${count(n, 'row', 'rows')}`,
  askCampaignName: '➕ New campaign\n\nType a name (up to 64 characters). The same name later resumes the same campaign.',
  badCampaignName: 'A name needs 1 to 64 characters and no control characters.',
  askCampaignMessage: (name: string) => `Campaign ${name}\n\nType the message to send (plain text, up to 4096 characters).`,
  askCampaignTargets:
    'Send the people to message: usernames separated by new lines, spaces or commas (@ optional), as text or as a .txt file.',
  noValidTargets: (invalid: number, examples: string[]) =>
    `No valid username in that list${invalid ? ` (${invalid} invalid, e.g. ${examples.join(', ')})` : ''}.`,
  targetsFileTooLarge: 'That file is too large for a list of usernames (5 MB at most).',
  cmpReview: (name: string, message: string, valid: number, invalid: number, examples: string[], duplicates: number) =>
    `Campaign ${name}\nMessage: ${message}\nPeople: ${valid}${duplicates ? ` (${count(duplicates, 'duplicate', 'duplicates')} collapsed)` : ''}${invalid ? `\n⚠️ ${invalid === 1 ? '1 entry is not a username and is' : `${invalid} entries are not usernames and are`} left out, e.g. ${examples.join(', ')}` : ''}\n\nCheck the settings, then Create.`,
  btnCap: (n: number) => `Per account: ${n}`,
  btnDaily: (n: number) => `Per day: ${n}`,
  btnDelay: (d: string) => `Delay: ${d} s`,
  btnSkipContacted: (skip: boolean): string => (skip ? '✅ Skip people contacted before' : '☐ Skip people contacted before'),
  btnCreateCampaign: '✅ Create',
  askCampaignSetting: (what: 'cap' | 'daily' | 'delay') => CAMPAIGN_SETTINGS[what],
  cmpCreated: (n: number) => `✅ Created with ${count(n, 'person', 'people')}.`,
  cmpReused: (n: number) => `✅ A campaign with this name and message exists: ${n} new ${plural('en', n, { one: 'person', other: 'people' })} added to it.`,
  cmpRunTitle: (name: string) => `✉️ Campaign ${name}`,
  cmpRunReport: (state: string, reason: string | null, sent: number, uncertain: number) =>
    `The run ended: ${state}${reason ? ` (${reason})` : ''}. Sent in this run: ${sent}${uncertain ? `; uncertain: ${uncertain}` : ''}.`,
  // --- status ---
  statusTitle: '📊 Status',
  statusFleet: (n: number) => `Accounts: ${n}`,
  statusUsage: (used: number, capacity: number, cap: number) => `Private messages today: ${used} of ${capacity} (${cap} per account)`,
  statusRunning: 'Running now:',
  statusNothingRunning: 'Nothing is running.',
  statusOpsRunning: (n: number) => `⚡ ${count(n, 'operation', 'operations')}`,
  statusCampaignRunning: (name: string, done: number, total: number) => `✉️ ${name}: ${done}/${total}`,
  statusRecentOps: 'Last operations:',
  statusOpLine: (id: number, kind: string, status: OperationStatus, ok: number, failed: number, at: string) =>
    `${iso(`#${id}`)} ${kind}, ${OP_STATUS[status]}${ok || failed ? `: ${nonZero([[ok, `✅ ${ok}`], [failed, `❌ ${failed}`]], ' ', '')}` : ''} · ${at}`,
  statusMonitor: (keywords: number, pending: number, lastHit: string) => `🔎 Monitor: ${count(keywords, 'keyword', 'keywords')} · ${count(pending, 'forward', 'forwards')} waiting · last hit ${lastHit}`,

  // --- monitor ---
  monTitle: '🔎 Monitor',
  monCounts: (k: number, i: number, t: number) => `Keywords: ${k} · ignored senders: ${i} · target chats: ${t}`,
  monWatching: (targetsOnly: boolean, channels: boolean, priv: boolean) =>
    `Watching: ${targetsOnly ? 'the target chats only' : `every group${channels ? ', channels' : ''}${priv ? ', private chats' : ''}`}`,
  monChannel: (c: string) => `Forward channel: ${c}`,
  monNoChannel: 'none (CHANNEL_ID is not set: hits wait in the outbox)',
  monOutbox: (pending: number, held: number, sent: number) => `Outbox: ${pending} waiting${held ? ` (${held} held: the bot cannot post there)` : ''}, ${sent} sent`,
  monLastHit: (at: string, chat: string, keywords: string) => `Last hit: ${at} in ${chat} (${keywords})`,
  monLastError: (e: string) => `Last error: ${e}`,
  monAccountsHead: 'Accounts (state · watched / chats · last update):',
  monAccountLine: (label: string, state: string, watched: number, chats: number, last: string) => `• ${label}: ${state} · ${watched}/${chats} · ${last}`,
  watchState: (s: WatchState | 'unknown') => WATCH_STATES[s],
  btnKeywords: '🔑 Keywords',
  btnIgnored: '🙈 Ignored senders',
  btnTargets: '🎯 Target chats',
  btnWatchChannels: (on: boolean) => `${on ? '✅' : '☐'} Channels`,
  btnWatchPrivate: (on: boolean) => `${on ? '✅' : '☐'} Private chats`,
  keywordsTitle: (n: number) => `🔑 Keywords (${n}). Tap one to remove it.`,
  noKeywords: '🔑 No keywords yet: nothing is forwarded.',
  btnAddKeyword: '➕ Add a keyword',
  keywordMode: (m: KeywordMode) => KEYWORD_MODES[m],
  askKeyword: (mode: string) =>
    `Type the keyword (matched ${mode}; case, Persian/Arabic letter forms and digits do not matter). Pick how it matches first if needed.`,
  keywordAdded: (k: string) => `✅ Keyword ${k} added.`,
  keywordExists: (k: string) => `The keyword ${k} is already there.`,
  keywordRemoved: (k: string) => `🗑 Keyword ${k} removed.`,
  alreadyGone: 'Already removed.',
  ignoredTitle: (n: number) => `🙈 Ignored senders (${n}). Tap one to remove it.`,
  noIgnored: '🙈 No ignored senders.',
  btnAddIgnored: '➕ Ignore a sender',
  askIgnored: 'Send the sender to ignore: a numeric user id or @username.',
  ignoredAdded: (who: string) => `✅ ${who} is ignored now.`,
  ignoredExists: (who: string) => `${who} was already ignored.`,
  ignoredRemoved: (who: string) => `🗑 ${who} is no longer ignored.`,
  targetsTitle: (n: number) => `🎯 Target chats (${n}): only these are watched. Tap one to remove it.`,
  noTargets: '🎯 No target chats: every group the accounts are in is watched.',
  btnAddTarget: '➕ Add a target chat',
  askTarget_chat: 'Send the chat: its id (-100…), @username, t.me link or a message link from it. It must be one the accounts are in (refresh the groups first).',
  targetAdded: (c: string) => `✅ ${c} is a target chat now.`,
  targetExists: (c: string) => `${c} was already a target chat.`,
  targetRemoved: (c: string) => `🗑 ${c} is no longer a target chat.`,
  monGroupsTitle: (n: number, watched: number) => `👥 Chats the accounts are in: ${n} (👁 watched: ${watched})`,
  noGroups: '👥 No chats known yet: refresh the groups.',
  skipReason: (r: SkipReason) => SKIP_REASONS[r],
  btnRefreshGroups: '🔄 Refresh from Telegram',
  refreshingGroups: '🔄 Reading every account\'s chats from Telegram…',
  groupsRefreshed: (chats: number, ok: number, failed: number) => `🔄 Refreshed: ${count(chats, 'chat', 'chats')} from ${count(ok, 'account', 'accounts')}${failed ? ` (${failed} could not be read)` : ''}.`,
  senderIgnored: (id: number) => `Sender ${id} is ignored now.`,
  senderAlreadyIgnored: (id: number) => `Sender ${id} was already ignored.`,

  opSummary: (id: number, status: OperationStatus, s: OperationSummary, reason: string | null) =>
    `Operation ${iso(`#${id}`)} ${OP_STATUS[status]}: ${nonZero(
      [
        [s.done, `✅ ${s.done} done`],
        [s.already, `↩️ ${s.already} already`],
        [s.requested, `⏳ ${s.requested} requested`],
        [s.failed, `❌ ${s.failed} failed`],
        [s.shortfall, `${s.shortfall} not done`],
      ],
      ', ',
      'nothing was done',
    )}.${reason ? `\n${iso(reason)}` : ''}`,
};

const PACING_NAMES: Record<keyof PacingConfig, string> = {
  actionDelay: 'Delay between actions (s)',
  actionConcurrency: 'Accounts acting at once',
  campaignDelay: 'Delay between campaign messages (s)',
  campaignPerAccount: 'Messages per account per campaign',
  campaignDailyCap: 'Messages per account per day',
};

export type Messages = typeof en;
