import { STORED_REASON_CODES } from './stored-reasons.ts';

/**
 * Why the engine refused something, as a code with the values the wording needs. The English
 * sentence stays on the error (logs, CLI); interfaces that speak another language word the code.
 * Every code here has a text in each bot language (a test walks REASON_CODES).
 */
export const REASON_CODES = [
  // kept with records (campaign, operation and account reasons); English words in stored-reasons.ts
  ...STORED_REASON_CODES,
  // campaigns
  'campaign_name_invalid',
  'campaign_message_empty',
  /** length, max */
  'campaign_message_too_long',
  /** invalid (entries that were not usernames) */
  'campaign_no_valid_targets',
  /** value */
  'campaign_bad_number',
  /** min, max */
  'campaign_bad_delay',
  /** name */
  'campaign_name_taken',
  /** name */
  'campaign_cancelled',
  /** name */
  'campaign_unknown',
  /** name, state */
  'campaign_over',
  /** accounts (as typed), fleet (enabled accounts) */
  'campaign_unknown_accounts',
  /** name, owner (the process running it) */
  'campaign_leased',
  // operations
  /** value */
  'accounts_count_invalid',
  /** wanted, usable; held (how many other panel processes hold) and holders (those processes), when any */
  'accounts_too_few',
  'accounts_none_named',
  /** accounts (ids, comma separated) */
  'accounts_not_usable',
  // the fleet's accounts
  /** accounts (ids, comma separated) */
  'account_unknown',
  /** account (its label), owner (the process holding it) */
  'account_held_elsewhere',
  /**
   * detail (what is wrong with the URL, English; never the password or secret); problem (its
   * code, core/proxy-url.ts) and that problem's params, when it came from the parser
   */
  'proxy_invalid',
  // account tags and profiles
  /** value */
  'tag_invalid',
  /** tag */
  'tag_no_accounts',
  /** detail (the English problems) */
  'profile_invalid',
  /** detail: size | content */
  'profile_photo_bad',
  'profile_needs_named',
  // actions, checked before any account acts
  /** field: channel | message | topic | comment */
  'action_bad_id',
  /** value, rule (core/usernames.ts) */
  'action_bad_username',
  /** value (a username typed with @ or capitals) */
  'action_username_form',
  'action_bad_invite',
  'action_text_empty',
  /** length, max */
  'action_text_too_long',
  /** value */
  'action_not_emoji',
  'vote_bad_option',
  'vote_option_twice',
  /** kind */
  'action_unknown',
  // votes, checked against the poll before any account votes; options: the poll's options, listed
  'poll_closed',
  'poll_option_missing',
  /** value (the options not in the poll), count (how many it has), options */
  'poll_option_out_of_range',
  /** count (how many were chosen), options */
  'poll_single_choice',
  // links typed by the operator; the parser's own code and sentence ride along as `link`
  'link_refused',
  // monitor rules
  'keyword_empty',
  'keyword_invisible_only',
  /** length, max */
  'keyword_too_long',
  /** detail (the regular-expression engine's own words) */
  'keyword_bad_regex',
  /** ref */
  'keyword_ambiguous',
  /** ref */
  'keyword_unknown',
  /** value */
  'sender_bad_id',
  /** value */
  'sender_bad',
  /** ref */
  'ignored_unknown',
  /** value; the link's own reason rides along as `link` */
  'chat_bad_link',
  'chat_invite_link',
  /** value */
  'chat_not_joined',
  /** value */
  'chat_not_target',
  // schedules
  /** id */
  'schedule_unknown',
  /** id (a one-time schedule that has run) */
  'schedule_over',
  /** kind (a job kind the scheduler does not know) */
  'schedule_kind_unknown',
  // schedule times as typed (engine/schedule-when.ts); value: the text as typed
  /** value (the zone name) */
  'schedule_bad_time_zone',
  /** value */
  'schedule_span_zero',
  /** value */
  'schedule_no_such_date',
  /** value, tz */
  'schedule_in_past',
  /** value */
  'schedule_bad_when',
  /** value, detail (the cron parser's own words) */
  'schedule_bad_cron',
  /** value */
  'schedule_cron_never',
  // account care
  'sessions_too_fresh',
  'twofa_wrong_password',
  'twofa_not_set',
  'twofa_already_set',
  'twofa_email_code_wrong',
  'twofa_email_pending',
  /** issue (core/account-care.ts TwoFactorIssue); max for the too-long ones */
  'twofa_input_invalid',
  /** what: sessions | service_messages */
  'care_unsupported',
  // accounts prune; statuses: the prunable ones, listed
  /** statuses */
  'prune_status_missing',
  /** value (the statuses given that cannot be pruned), statuses */
  'prune_status_invalid',
  // workers
  'worker_pin_both',
  // export files (--out); path as typed
  /** path, file: key | database, location (the protected file) */
  'export_protected',
  /** path, example (a file path inside it) */
  'export_is_folder',
  /** path */
  'export_exists',
  /** path */
  'export_not_file',
  /** path, folder */
  'export_no_folder',
  /** path, detail (the system's error code) */
  'export_write_failed',
  // web dashboard access
  'web_token_name_invalid',
  /** name */
  'web_token_name_taken',
  /** ref */
  'web_token_unknown',
  /** id */
  'web_session_unknown',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

export type ReasonParams = Readonly<Record<string, string | number>>;

/** A link refusal carried inside a reason (links have their own codes in core/links.ts). */
export interface NestedLinkReason {
  code: string;
  params?: object;
  error: string;
}

export interface Reason {
  code: ReasonCode;
  params: ReasonParams;
  link?: NestedLinkReason;
}

export function reason(code: ReasonCode, params: ReasonParams = {}, link?: NestedLinkReason): Reason {
  return link ? { code, params, link } : { code, params };
}
