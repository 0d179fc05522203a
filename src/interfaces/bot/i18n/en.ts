import type { PacingConfig } from '../../../config.ts';
import type { FailureKind } from '../../../core/failures.ts';
import { iso } from './bidi.ts';

const FAILURES: Record<FailureKind, string> = {
  flood_wait: 'Telegram asks this account to wait',
  peer_flood: 'Telegram limits this account from messaging strangers for now',
  revoked: 'the session was revoked (logged out); add the account again',
  banned: 'the account is banned or deleted',
  frozen: 'the account is frozen and can only appeal',
  duplicate_session: 'the session was used from two places at once and Telegram ended it; add the account again',
  not_found: 'not found (no such user, chat or message)',
  privacy_restricted: "the person's privacy settings forbid this",
  not_allowed: 'not allowed there',
  bad_request: 'Telegram refused the request as invalid',
  no_access: 'the account cannot see that chat',
  network: 'network problem; try again later',
  proxy: "the account's proxy does not work",
  unknown: 'Telegram refused',
};

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

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
  unexpected: 'Something went wrong on the panel side; it was logged. Try again.',
  inputRefused: (reason: string) => `Cannot do that: ${reason}`,
  panelRefused: (reason: string) => `Cannot do that now: ${reason}`,
  failure: (kind: FailureKind, code: string, seconds?: number) =>
    `${FAILURES[kind]}${kind === 'flood_wait' && seconds !== undefined ? ` (${duration(seconds)})` : ''} [${iso(code)}]`,
  failureKind: (kind: FailureKind) => FAILURES[kind],
  cmdStart: 'Open the main menu (leaves any step in progress)',
  cmdCancel: 'Leave the current step',
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
};

const PACING_NAMES: Record<keyof PacingConfig, string> = {
  actionDelay: 'Delay between actions (s)',
  actionConcurrency: 'Accounts acting at once',
  campaignDelay: 'Delay between campaign messages (s)',
  campaignPerAccount: 'Messages per account per campaign',
  campaignDailyCap: 'Messages per account per day',
};

export type Messages = typeof en;
