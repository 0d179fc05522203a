/**
 * Reads what operators paste (t.me / telegram.me / telegram.dog / tg:// links, @name, name) into
 * the targets actions need. Pure: it never asks Telegram, so a link that parses may still name
 * something missing; what it refuses would fail for every account anyway, so it is refused
 * before any account acts, with the reason and the form that would work.
 *
 * Telegram's own clients are the reference for how a link reads: tdlib's
 * td/telegram/LinkManager.cpp (get_link_info, parse_t_me_link_query, parse_tg_link_query) and
 * Telegram Desktop's Telegram/SourceFiles/core/local_url_handlers.cpp (TryConvertUrlToLocal).
 */
import type { ChatRef, JoinTarget, LeaveTarget, MessageTarget } from './session.ts';
import { escapeInvisible, stripInvisible } from './text.ts';
import { normalizeUsername, usernameProblem, usernameRule, type UsernameRule } from './usernames.ts';

export type ParsedLink =
  | { kind: 'message'; chat: ChatRef; messageId: number; topicId?: number; commentId?: number }
  | { kind: 'invite'; hash: string }
  | { kind: 'peer'; username: string };

/** Telegram link kinds the parser recognises but no action works on. */
export type UnsupportedLinkKind =
  | 'folder'
  | 'sticker_set'
  | 'emoji_set'
  | 'theme'
  | 'text_style'
  | 'language'
  | 'wallpaper'
  | 'proxy'
  | 'share'
  | 'login_code'
  | 'web_login'
  | 'phone_confirmation'
  | 'invoice'
  | 'gift_code'
  | 'gift_auction'
  | 'collectible_gift'
  | 'boost'
  | 'contact_token'
  | 'business_chat'
  | 'group_call'
  | 'instant_view'
  | 'image'
  | 'web_client'
  | 'bot_start'
  | 'bot_add_to_group'
  | 'bot_add_to_channel'
  | 'bot_admin'
  | 'mini_app'
  | 'attachment_menu'
  | 'game'
  | 'video_chat'
  | 'live_stream'
  | 'story'
  | 'phone_number'
  | 'user_id';

/** Which id of a link a failure is about. */
export type LinkIdField = 'message' | 'topic' | 'thread' | 'comment' | 'channel';

/**
 * Why a link was refused, for interfaces that word reasons in another language; `error` keeps the
 * English wording. The params each code fills:
 * - `empty`, `no_host`, `no_chat`, `invite_without_hash`, `no_action`: none
 * - `too_long`: length · `unsupported_scheme`, `unknown_host`, `bad_percent_encoding`, `not_a_name`,
 *   `bad_invite_hash`: value
 * - `bad_username`: value, rule · `reserved_word`: word, kind (absent for words the parser reads
 *   itself: c, s, joinchat) · `unsupported_link`: kind, and word when a path word decided it
 * - `unexpected_path`: value (the extra path) · `expected_message_id`: username, value
 * - `private_chat_without_message`: channel · `channel_id_prefix`: value (the id without -100)
 * - `bad_id`: field, value, max · `zero_id`: field · `id_too_large`: field, value, max
 * - `conflicting_thread`: topic, thread · `duplicate_param`: key, value, other
 * - `param_needs_post`: key · `missing_param`: action, key · `unsupported_action`: action
 * - refusals of a parsed link for an action: `join_needs_invite`: channel; `needs_message_link`:
 *   action, got, username (when got is peer); `needs_user`: action, got
 */
export type LinkErrorCode =
  | 'empty'
  | 'too_long'
  | 'unsupported_scheme'
  | 'no_host'
  | 'unknown_host'
  | 'bad_percent_encoding'
  | 'no_chat'
  | 'not_a_name'
  | 'bad_username'
  | 'reserved_word'
  | 'unsupported_link'
  | 'invite_without_hash'
  | 'bad_invite_hash'
  | 'unexpected_path'
  | 'expected_message_id'
  | 'private_chat_without_message'
  | 'channel_id_prefix'
  | 'bad_id'
  | 'zero_id'
  | 'id_too_large'
  | 'conflicting_thread'
  | 'duplicate_param'
  | 'param_needs_post'
  | 'missing_param'
  | 'no_action'
  | 'unsupported_action'
  | 'join_needs_invite'
  | 'needs_message_link'
  | 'needs_user';

/** The parts of the input a reason names; strings are clipped and show invisible characters escaped. */
export interface LinkErrorParams {
  value?: string;
  other?: string;
  word?: string;
  kind?: UnsupportedLinkKind;
  rule?: UsernameRule;
  field?: LinkIdField;
  max?: number;
  length?: number;
  key?: string;
  action?: string;
  username?: string;
  channel?: number;
  topic?: number;
  thread?: number;
  got?: ParsedLink['kind'];
}

export interface LinkFailure {
  ok: false;
  error: string;
  code: LinkErrorCode;
  params?: LinkErrorParams;
}

export type LinkParse = { ok: true; link: ParsedLink } | LinkFailure;

/** Why a parsed link does not fit the action it was given to. */
export interface LinkRefusal {
  error: string;
  code: LinkErrorCode;
  params?: LinkErrorParams;
}

/** Message, topic and comment ids are 32-bit on Telegram's side. */
export const MAX_MESSAGE_ID = 2_147_483_647;
/** The largest channel id the `-100…` marked form can hold (TDLib's MAX_CHANNEL_ID). */
export const MAX_CHANNEL_ID = 1_000_000_000_000 - 2 ** 31;

const HOSTS = new Set(['t.me', 'telegram.me', 'telegram.dog']);
const INVITE_HASH = /^[A-Za-z0-9_-]{4,64}$/;
const EXPECTED = 'expected a t.me link (t.me/<name>/<id>, t.me/c/<channel>/<id>, t.me/+<hash>), a tg:// link, @name or name';

type Step<T> = { ok: true; value: T } | LinkFailure;

function fail(code: LinkErrorCode, error: string, params?: LinkErrorParams): LinkFailure {
  return params === undefined ? { ok: false, code, error } : { ok: false, code, error, params };
}
const clip = (s: string): string => escapeInvisible(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** Own keys only: a pasted word such as "constructor" must not find Object.prototype's. */
function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

interface Reserved {
  reason: string;
  /** Absent for the words the parser reads itself. */
  kind?: UnsupportedLinkKind;
}

/**
 * Words Telegram keeps for its own links: a first path segment (t.me/<word>), never a name in
 * <word>.t.me, tg://resolve?domain=<word>, @<word> or <word>. Sources, per entry:
 *   [sub]  tdlib LinkManager::get_link_info, `disallowed_subdomains` (never <word>.t.me)
 *   [path] tdlib LinkManager::parse_t_me_link_query, matched before the path is read as a username
 *   [desk] Telegram Desktop core/local_url_handlers.cpp, TryConvertUrlToLocal's t.me patterns
 * A word that is also a valid username would otherwise resolve to whoever holds the name; the
 * short ones get a clearer reason than the username rules would give.
 */
const RESERVED_WORDS: Readonly<Record<string, Reserved>> = {
  // [sub] [path] [desk]
  addemoji: { kind: 'emoji_set', reason: 'emoji set links (t.me/addemoji/…) are not supported: they name an emoji set, not a chat or message' },
  // [sub] [path] [desk]
  addlist: { kind: 'folder', reason: 'folder links (t.me/addlist/…) are not supported: join each chat of the folder by its own link' },
  // [sub] [path] [desk]
  addstickers: { kind: 'sticker_set', reason: 'sticker set links (t.me/addstickers/…) are not supported: they name a sticker set, not a chat or message' },
  // [sub] [path]
  addstyle: { kind: 'text_style', reason: 'text style links (t.me/addstyle/…) are not supported: they name a text style, not a chat or message' },
  // [sub] [path] [desk]
  addtheme: { kind: 'theme', reason: 'theme links (t.me/addtheme/…) are not supported: they name a theme, not a chat or message' },
  // [sub] [path]
  auction: { kind: 'gift_auction', reason: 'gift auction links (t.me/auction/…) are not supported: they name a gift auction, not a chat or message' },
  // [sub]; its tg: form is tg://oauth
  auth: { kind: 'web_login', reason: 'web login links (auth.t.me, tg://oauth) are not supported: they sign in to a website, not a chat or message' },
  // [path] [desk]
  bg: { kind: 'wallpaper', reason: 'wallpaper links (t.me/bg/…) are not supported: they name a wallpaper, not a chat or message' },
  // [sub] [path] [desk]
  boost: { kind: 'boost', reason: 'boost links (t.me/boost/…) are not supported: use t.me/<name> to name the channel' },
  // [sub] [path] [desk]
  call: { kind: 'group_call', reason: 'group call links (t.me/call/…) are not supported: they name a call, not a chat or message' },
  // [sub] [path] [desk]
  confirmphone: { kind: 'phone_confirmation', reason: 'phone confirmation links (t.me/confirmphone?…) are not supported' },
  // [sub] [path]
  contact: { kind: 'contact_token', reason: 'contact token links (t.me/contact/…) are not supported: use t.me/<name> or @name' },
  // [sub] [path]
  giftcode: { kind: 'gift_code', reason: 'gift code links (t.me/giftcode/…) are not supported' },
  // [path]: userpic images (t.me/i/userpic/…), excluded from usernames by name
  i: { kind: 'image', reason: "image links (t.me/i/…) are not supported: they are files on Telegram's site, not a chat or message" },
  // [sub] [path] [desk]
  invoice: { kind: 'invoice', reason: 'invoice links (t.me/invoice/…) are not supported: they name a payment, not a chat or message' },
  // [path] [desk]
  iv: { kind: 'instant_view', reason: 'Instant View links (t.me/iv?…) are not supported: they show a web page, not a chat or message' },
  // [sub] [path]
  login: { kind: 'login_code', reason: 'login code links (t.me/login/…) are not supported: type login codes when an account is added' },
  // [sub] [path] [desk]
  m: { kind: 'business_chat', reason: 'business chat links (t.me/m/…) are not supported: use t.me/<name> or @name' },
  // [path]: the older name of t.me/share
  msg: { kind: 'share', reason: 'share links (t.me/msg/…) are not supported: they carry text, not a chat or message' },
  // [sub] [path] [desk]
  nft: { kind: 'collectible_gift', reason: 'collectible gift links (t.me/nft/…) are not supported' },
  // [sub] [path] [desk]
  proxy: { kind: 'proxy', reason: 'proxy links (t.me/proxy?…) are not supported here: set PROXY_URL instead' },
  // [sub] [path] [desk]
  setlanguage: { kind: 'language', reason: 'language links (t.me/setlanguage/…) are not supported: they name a language pack, not a chat or message' },
  // [sub] [path] [desk]
  share: { kind: 'share', reason: 'share links (t.me/share/…) are not supported: they carry text, not a chat or message' },
  // [sub] [path] [desk]
  socks: { kind: 'proxy', reason: 'proxy links (t.me/socks?…) are not supported here: set PROXY_URL instead' },
  // [sub]: Telegram Web's own hosts (tdlib's web build reads them as t.me)
  web: { kind: 'web_client', reason: 'Telegram Web addresses (web.t.me, a.t.me, k.t.me, z.t.me) are not chats: use t.me/<name> or @name' },
  a: { kind: 'web_client', reason: 'Telegram Web addresses (web.t.me, a.t.me, k.t.me, z.t.me) are not chats: use t.me/<name> or @name' },
  k: { kind: 'web_client', reason: 'Telegram Web addresses (web.t.me, a.t.me, k.t.me, z.t.me) are not chats: use t.me/<name> or @name' },
  z: { kind: 'web_client', reason: 'Telegram Web addresses (web.t.me, a.t.me, k.t.me, z.t.me) are not chats: use t.me/<name> or @name' },
  // Words the parser reads itself. [path] [desk]
  c: { reason: 't.me/c/<channel>/<id> names a message of a private chat' },
  // [sub] [path] [desk]
  joinchat: { reason: 't.me/joinchat/<hash> is an invite link' },
  // tdlib get_link_info drops t.me/s/ (a channel's web preview) before reading the path
  s: { reason: 't.me/s/<name> is the web preview of a channel' },
};

/** Every word Telegram keeps for its own links; none is ever a chat's or user's name. */
export const RESERVED_LINK_WORDS: readonly string[] = Object.keys(RESERVED_WORDS);

export function isReservedLinkWord(word: string): boolean {
  return Object.hasOwn(RESERVED_WORDS, word.toLowerCase());
}

/** tg:<action> forms of the reserved link kinds (tdlib parse_tg_link_query): action -> word. */
const TG_RESERVED_ACTIONS: Readonly<Record<string, string>> = {
  addemoji: 'addemoji',
  addlist: 'addlist',
  addstickers: 'addstickers',
  addstyle: 'addstyle',
  addtheme: 'addtheme',
  bg: 'bg',
  boost: 'boost',
  call: 'call',
  confirmphone: 'confirmphone',
  contact: 'contact',
  giftcode: 'giftcode',
  invoice: 'invoice',
  login: 'login',
  message: 'm',
  msg: 'msg',
  msg_url: 'msg',
  share: 'share',
  nft: 'nft',
  oauth: 'auth',
  proxy: 'proxy',
  setlanguage: 'setlanguage',
  socks: 'socks',
  stargift_auction: 'auction',
};

interface RefusedParam {
  kind: UnsupportedLinkKind;
  reason: string;
}

/**
 * Query parameters that change what a link means. Ignoring them would make the panel do
 * something else than the link asks (e.g. open a bot without its referral payload), so they are
 * refused; every other query part (`single`, `t`, `embed`, `utm_*`, …) is harmless and ignored.
 */
const REFUSED_PARAMS: Readonly<Record<string, RefusedParam>> = {
  start: { kind: 'bot_start', reason: 'bot start links (?start=…) are not supported: the panel never presses Start with a payload; name the bot as t.me/<bot> or @bot' },
  startgroup: { kind: 'bot_add_to_group', reason: 'links that add a bot to a group (?startgroup) are not supported: name the bot as t.me/<bot> or @bot' },
  startchannel: { kind: 'bot_add_to_channel', reason: 'links that add a bot to a channel (?startchannel) are not supported: name the bot as t.me/<bot> or @bot' },
  admin: { kind: 'bot_admin', reason: 'links that add a bot as an admin (?admin=…) are not supported: name the bot as t.me/<bot> or @bot' },
  startapp: { kind: 'mini_app', reason: 'Mini App links (?startapp) are not supported: name the bot as t.me/<bot> or @bot' },
  appname: { kind: 'mini_app', reason: 'Mini App links (appname=…) are not supported: name the bot as t.me/<bot> or @bot' },
  attach: { kind: 'attachment_menu', reason: 'attachment menu links (?attach=…) are not supported: name the bot as t.me/<bot> or @bot' },
  startattach: { kind: 'attachment_menu', reason: 'attachment menu links (?startattach) are not supported: name the bot as t.me/<bot> or @bot' },
  game: { kind: 'game', reason: 'game links (?game=…) are not supported: name the bot as t.me/<bot> or @bot' },
  voicechat: { kind: 'video_chat', reason: 'video chat links (?voicechat) are not supported: use t.me/<name> to name the chat' },
  videochat: { kind: 'video_chat', reason: 'video chat links (?videochat) are not supported: use t.me/<name> to name the chat' },
  livestream: { kind: 'live_stream', reason: 'live stream links (?livestream) are not supported: use t.me/<name> to name the chat' },
  boost: { kind: 'boost', reason: 'boost links (?boost) are not supported: use t.me/<name> to name the channel' },
  story: { kind: 'story', reason: 'story links are not supported: use t.me/<name> to name the chat, or t.me/<name>/<id> for a message' },
  phone: { kind: 'phone_number', reason: 'phone number links are not supported: an account can resolve a number only when it is in its contacts; use @name or t.me/<name>' },
};

/** Query keys whose values decide the target: a value that does not decode is refused, not skipped. */
const TARGET_KEYS = new Set(['domain', 'post', 'channel', 'invite', 'comment', 'thread', 'topic']);

const STORY = REFUSED_PARAMS.story as RefusedParam;
const PHONE = REFUSED_PARAMS.phone as RefusedParam;

function unsupported(kind: UnsupportedLinkKind, reason: string, word?: string): LinkFailure {
  return fail('unsupported_link', reason, word === undefined ? { kind } : { kind, word });
}

/** Parses one pasted link or name. Never throws. */
export function parseLink(input: string): LinkParse {
  // Links copied out of Telegram carry invisible direction marks: no link or name holds one.
  const text = stripInvisible(input).trim();
  if (text === '') return fail('empty', `empty input: ${EXPECTED}`);
  if (text.length > 2048) return fail('too_long', `input of ${text.length} characters is too long for a Telegram link: ${EXPECTED}`, { length: text.length });
  if (/^tg:/i.test(text)) return parseTg(text);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme && !/^https?$/i.test(scheme[1] ?? '')) {
    return fail('unsupported_scheme', `unsupported scheme "${clip(scheme[0])}": use an https://t.me/… link or tg://resolve, tg://privatepost or tg://join`, { value: clip(scheme[0]) });
  }
  if (!scheme && !/[./]/.test(text)) return parseBareName(text);
  // A scheme-relative //t.me/… is what some pages put in their hrefs.
  return parseWeb(scheme ? text.slice(scheme[0].length) : text.replace(/^\/\//, ''));
}

/**
 * Why `name` cannot name a chat, or undefined when it can. A reserved word is checked first: it
 * is never a username, and its reason says what the word is for.
 */
function nameFailure(name: string, badName: (problem: string) => string): LinkFailure | undefined {
  const reserved = reservedFailure(name);
  if (reserved) return reserved;
  const problem = usernameProblem(name);
  if (problem === undefined) return undefined;
  const rule = usernameRule(name);
  return fail('bad_username', badName(problem), rule === undefined ? { value: clip(name) } : { value: clip(name), rule });
}

function reservedFailure(word: string): LinkFailure | undefined {
  const reserved = lookup(RESERVED_WORDS, word);
  if (reserved === undefined) return undefined;
  const params: LinkErrorParams = reserved.kind === undefined ? { word } : { word, kind: reserved.kind };
  return fail('reserved_word', `"${word}" is a word Telegram keeps for its own links, never a username: ${reserved.reason}`, params);
}

const badChatName = (problem: string): string => `bad chat name in the link: ${problem}`;

function parseBareName(text: string): LinkParse {
  const name = normalizeUsername(text);
  if (name.startsWith('+')) {
    return fail('not_a_name', `"${clip(text)}" is not a name: paste an invite link whole (t.me/+<hash>); phone numbers are not supported`, { value: clip(text) });
  }
  const bad = nameFailure(name, (problem) => `bad username: ${problem}; ${EXPECTED}`);
  if (bad) return bad;
  return { ok: true, link: { kind: 'peer', username: name } };
}

/**
 * Decodes %XX escapes as Telegram's clients do (tdlib url_decode): in query parts "+" is a space.
 * Where the clients would keep a malformed escape as it stands, it is refused here: such a link
 * was damaged on its way, and guessing could name another chat.
 */
function percentDecode(raw: string, plusIsSpace: boolean): string | undefined {
  const text = plusIsSpace ? raw.replace(/\+/g, ' ') : raw;
  if (!text.includes('%')) return text;
  if (/%(?![0-9a-f]{2})/i.test(text)) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    // Escapes that do not spell UTF-8 text, e.g. %FF.
    return undefined;
  }
}

function badEscape(part: string): LinkFailure {
  return fail('bad_percent_encoding', `"${clip(part)}" is not valid percent-encoding: each "%" needs two hex digits after it, and together they must spell UTF-8 text`, { value: clip(part) });
}

/** http(s) or schemeless: host, path segments, query. */
function parseWeb(rest: string): LinkParse {
  let body = rest;
  const hashAt = body.indexOf('#');
  if (hashAt >= 0) body = body.slice(0, hashAt);
  const queryAt = body.indexOf('?');
  const query = queryAt >= 0 ? body.slice(queryAt + 1) : '';
  if (queryAt >= 0) body = body.slice(0, queryAt);
  const slash = body.indexOf('/');
  const hostRaw = slash >= 0 ? body.slice(0, slash) : body;
  if (hostRaw === '') return fail('no_host', `the link has no host: ${EXPECTED}`);
  // Segments are split before they are decoded, so an encoded "/" stays inside its segment.
  let segments: string[] = [];
  for (const raw of (slash >= 0 ? body.slice(slash + 1) : '').split('/')) {
    if (raw === '') continue;
    const decoded = percentDecode(raw, false);
    if (decoded === undefined) return badEscape(raw);
    // t.me/%20<hash> is an invite whose "+" some sender turned into a space; the clients accept it.
    segments.push(/^%20/.test(raw) ? `+${decoded.slice(1)}` : decoded);
  }

  const hostDecoded = percentDecode(hostRaw, false);
  if (hostDecoded === undefined) return badEscape(hostRaw);
  let host = hostDecoded.toLowerCase();
  if (host.startsWith('www.')) host = host.slice(4);
  if (!HOSTS.has(host)) {
    // <name>.t.me is Telegram's subdomain form of t.me/<name>.
    const sub = host.endsWith('.t.me') ? host.slice(0, -'.t.me'.length) : undefined;
    const reserved = sub === undefined ? undefined : reservedFailure(sub);
    if (reserved) return reserved;
    if (sub === undefined || usernameProblem(sub) !== undefined) {
      return fail('unknown_host', `unknown host "${clip(hostRaw)}": only t.me, telegram.me and telegram.dog links (or tg:// links) are accepted`, { value: clip(hostRaw) });
    }
    segments = [sub, ...segments];
  }
  const params = parseQuery(query);
  if (!params.ok) return params;
  return parseTmePath(segments, params.value);
}

function parseTmePath(path: string[], params: Map<string, string>): LinkParse {
  let segments = path;
  const preview = segments[0]?.toLowerCase() === 's';
  // t.me/s/<name> is a channel's web preview; tdlib drops any number of leading s/ segments.
  while (segments[0]?.toLowerCase() === 's') segments = segments.slice(1);
  const [first, ...more] = segments;
  if (first === undefined) {
    if (preview) return fail('no_chat', 't.me/s/ needs a channel name after it: t.me/s/<name> or t.me/s/<name>/<id>');
    return fail('no_chat', 'the link names no chat: add a name, e.g. t.me/durov or t.me/durov/123');
  }
  if (first.startsWith('+')) return parsePlusInvite(first.slice(1), more);
  if (first.startsWith('$')) return unsupported('invoice', 'invoice links (t.me/$…) are not supported: they name a payment, not a chat or message');
  const word = first.toLowerCase();
  if (word === 'joinchat') {
    if (more.length === 0) return fail('invite_without_hash', 't.me/joinchat/ needs the invite hash after it: t.me/joinchat/<hash> or t.me/+<hash>');
    if (more.length > 1) return unexpectedPath(more.slice(1), 'after the invite hash', 't.me/joinchat/<hash>');
    return invite(more[0] ?? '');
  }
  if (word === 'c') return parsePrivate(more, params);
  const reserved = lookup(RESERVED_WORDS, word);
  if (reserved?.kind !== undefined) return unsupported(reserved.kind, reserved.reason, word);
  return parsePublic(segments, params);
}

function unexpectedPath(extra: string[], where: 'after the invite hash' | 'at the end', use: string): LinkFailure {
  const value = clip(extra.join('/'));
  return fail('unexpected_path', `unexpected "/${value}" ${where}: use ${use}`, { value });
}

function parsePlusInvite(hash: string, more: string[]): LinkParse {
  if (/^\d+$/.test(hash)) {
    return unsupported('phone_number', 'phone number links (t.me/+<digits>) are not supported: an account can resolve a number only when it is in its contacts; use @name or t.me/<name>');
  }
  if (more.length > 0) return unexpectedPath(more, 'after the invite hash', 't.me/+<hash>');
  return invite(hash);
}

function invite(hash: string): LinkParse {
  if (hash === '') return fail('invite_without_hash', 'the invite link has no hash: use t.me/+<hash> or t.me/joinchat/<hash>');
  if (!INVITE_HASH.test(hash)) {
    return fail('bad_invite_hash', `bad invite hash "${clip(hash)}": an invite hash has 4 to 64 letters, digits, "_" or "-" (t.me/+<hash>)`, { value: clip(hash) });
  }
  return { ok: true, link: { kind: 'invite', hash } };
}

/** t.me/<name>[/<topic>]/<id>, t.me/<name>. */
function parsePublic(segments: string[], params: Map<string, string>): LinkParse {
  const [nameRaw = '', a, b, ...extra] = segments;
  const username = nameRaw.toLowerCase();
  const bad = nameFailure(username, badChatName);
  if (bad) return bad;
  const refused = refusedParam(params);
  if (refused) return refused;
  if (extra.length > 0) return unexpectedPath(extra, 'at the end', `t.me/${username}/<id> or t.me/${username}/<topic>/<id>`);
  if (a === undefined) return peerOnly(username, params, (key) => `t.me/${username}/<post id>?${key}=<id>`);
  if (a.toLowerCase() === 's') return unsupported(STORY.kind, STORY.reason);
  if (b === undefined && /^[a-z]/i.test(a)) {
    return fail(
      'expected_message_id',
      `expected a message id after t.me/${username}/, got "${clip(a)}" (Mini App and other bot links are not supported): use t.me/${username}/<id>`,
      { username, value: clip(a) },
    );
  }
  return message({ username }, a, b, params);
}

/** t.me/c/<channel>[/<topic>]/<id>. */
function parsePrivate(segments: string[], params: Map<string, string>): LinkParse {
  const [channelRaw, a, b, ...extra] = segments;
  if (channelRaw === undefined) return fail('no_chat', 't.me/c/ needs a channel id and a message id: t.me/c/<channel>/<id>');
  if (/^-100\d+$/.test(channelRaw)) {
    const value = clip(channelRaw.slice(4));
    return fail('channel_id_prefix', `the channel id in a link has no -100 prefix: use t.me/c/${value}/<id> instead of "${clip(channelRaw)}"`, { value });
  }
  const channel = parseId(channelRaw, 'channel', MAX_CHANNEL_ID);
  if (!channel.ok) return channel;
  if (a === undefined) {
    return fail(
      'private_chat_without_message',
      `t.me/c/${channel.value} names a private chat, not a message: add the message id (t.me/c/${channel.value}/<id>); a private chat is joined by its invite link (t.me/+<hash>)`,
      { channel: channel.value },
    );
  }
  if (extra.length > 0) return unexpectedPath(extra, 'at the end', `t.me/c/${channel.value}/<id> or t.me/c/${channel.value}/<topic>/<id>`);
  if (a.toLowerCase() === 's') return unsupported(STORY.kind, STORY.reason);
  return message({ channelId: channel.value }, a, b, params);
}

/** `a` is the message id, or the topic id when `b` (the message id) follows. */
function message(chat: ChatRef, a: string, b: string | undefined, params: Map<string, string>): LinkParse {
  const first = parseId(a, b === undefined ? 'message' : 'topic', MAX_MESSAGE_ID);
  if (!first.ok) return first;
  let topicId: number | undefined;
  let messageId = first.value;
  if (b !== undefined) {
    const second = parseId(b, 'message', MAX_MESSAGE_ID);
    if (!second.ok) return second;
    topicId = first.value;
    messageId = second.value;
  }
  const thread = threadParam(params);
  if (!thread.ok) return thread;
  if (thread.value !== undefined) {
    if (topicId !== undefined && topicId !== thread.value) {
      return fail('conflicting_thread', `the link names topic ${topicId} in its path but thread ${thread.value} in its query: keep one of them`, {
        topic: topicId,
        thread: thread.value,
      });
    }
    topicId = thread.value;
  }
  const comment = idParam(params, 'comment');
  if (!comment.ok) return comment;
  return {
    ok: true,
    link: {
      kind: 'message',
      chat,
      messageId,
      ...(topicId !== undefined ? { topicId } : {}),
      ...(comment.value !== undefined ? { commentId: comment.value } : {}),
    },
  };
}

/** A chat or user link; post-only parameters make no sense without a post. */
function peerOnly(username: string, params: Map<string, string>, withPost: (key: string) => string): LinkParse {
  for (const key of ['comment', 'thread', 'topic']) {
    if (params.has(key)) return fail('param_needs_post', `${key}= needs a post: use ${withPost(key)}`, { key });
  }
  return { ok: true, link: { kind: 'peer', username } };
}

function parseTg(text: string): LinkParse {
  const match = /^tg:(?:\/\/)?([^?#]*)(?:\?([^#]*))?/i.exec(text);
  const rawAction = (match?.[1] ?? '').replace(/\/+$/, '');
  const decoded = percentDecode(rawAction, false);
  if (decoded === undefined) return badEscape(rawAction);
  const action = decoded.toLowerCase();
  const params = parseQuery(match?.[2] ?? '');
  if (!params.ok) return params;
  const p = params.value;
  switch (action) {
    case 'resolve': {
      if (p.has('phone')) return unsupported(PHONE.kind, PHONE.reason);
      const domain = p.get('domain');
      if (domain === undefined || domain === '') {
        return fail('missing_param', 'tg://resolve needs domain=<name>: tg://resolve?domain=<name>[&post=<id>]', { action, key: 'domain' });
      }
      const username = domain.toLowerCase();
      const bad = nameFailure(username, badChatName);
      if (bad) return bad;
      const refused = refusedParam(p);
      if (refused) return refused;
      const post = p.get('post');
      if (post === undefined) return peerOnly(username, p, (key) => `tg://resolve?domain=${username}&post=<post id>&${key}=<id>`);
      return message({ username }, post, undefined, p);
    }
    case 'privatepost': {
      const channelRaw = p.get('channel');
      if (channelRaw === undefined) {
        return fail('missing_param', 'tg://privatepost needs channel=<id> and post=<id>: tg://privatepost?channel=<id>&post=<id>', { action, key: 'channel' });
      }
      if (/^-100\d+$/.test(channelRaw)) {
        const value = clip(channelRaw.slice(4));
        return fail('channel_id_prefix', `the channel id in a link has no -100 prefix: use channel=${value}`, { value });
      }
      const channel = parseId(channelRaw, 'channel', MAX_CHANNEL_ID);
      if (!channel.ok) return channel;
      const post = p.get('post');
      if (post === undefined) {
        return fail('missing_param', `tg://privatepost needs post=<id>: tg://privatepost?channel=${channel.value}&post=<id>`, { action, key: 'post' });
      }
      return message({ channelId: channel.value }, post, undefined, p);
    }
    case 'join': {
      const hash = p.get('invite');
      if (hash === undefined) return fail('missing_param', 'tg://join needs invite=<hash>: tg://join?invite=<hash>', { action, key: 'invite' });
      return invite(hash);
    }
    case 'user':
    case 'openmessage':
      return unsupported('user_id', `tg://${action} links name a user by numeric id, which other accounts cannot resolve: use @name or t.me/<name>`);
    case '':
      return fail('no_action', `"${clip(text)}" names no action: use tg://resolve?domain=<name>, tg://privatepost?channel=<id>&post=<id> or tg://join?invite=<hash>`);
    default: {
      const word = lookup(TG_RESERVED_ACTIONS, action);
      const reserved = word === undefined ? undefined : lookup(RESERVED_WORDS, word);
      if (word !== undefined && reserved?.kind !== undefined) {
        return unsupported(reserved.kind, reserved.reason.replace(`t.me/${word}`, `tg://${action}`), word);
      }
      return fail('unsupported_action', `tg://${clip(action)} links are not supported: only tg://resolve, tg://privatepost and tg://join are`, { action: clip(action) });
    }
  }
}

function refusedParam(params: Map<string, string>): LinkFailure | undefined {
  for (const key of params.keys()) {
    const refused = lookup(REFUSED_PARAMS, key);
    if (refused !== undefined) return unsupported(refused.kind, refused.reason);
  }
  return undefined;
}

/** `?thread=` and `?topic=` both name the forum topic (or comment thread) of a message. */
function threadParam(params: Map<string, string>): Step<number | undefined> {
  const thread = idParam(params, 'thread');
  const topic = idParam(params, 'topic');
  if (!thread.ok) return thread;
  if (!topic.ok) return topic;
  if (thread.value !== undefined && topic.value !== undefined && thread.value !== topic.value) {
    return fail('conflicting_thread', `the link names thread ${thread.value} and topic ${topic.value}: keep one of them`, { topic: topic.value, thread: thread.value });
  }
  return { ok: true, value: thread.value ?? topic.value };
}

function idParam(params: Map<string, string>, key: 'thread' | 'topic' | 'comment'): Step<number | undefined> {
  const raw = params.get(key);
  if (raw === undefined) return { ok: true, value: undefined };
  return parseId(raw, key, MAX_MESSAGE_ID);
}

function parseId(raw: string, field: LinkIdField, max: number): Step<number> {
  const what = `${field} id`;
  if (!/^\d+$/.test(raw)) return fail('bad_id', `bad ${what} "${clip(raw)}": expected a whole number from 1 to ${max}`, { field, value: clip(raw), max });
  const value = Number(raw);
  if (value === 0) return fail('zero_id', `bad ${what} 0: ids start at 1`, { field });
  if (value > max) return fail('id_too_large', `bad ${what} ${clip(raw)}: it is larger than ${max}, the largest a ${what} can be`, { field, value: clip(raw), max });
  return { ok: true, value };
}

/**
 * Keys are decoded and matched in any case, so an encoded key (voice%63hat) is the key it spells;
 * values are decoded. A key given twice with different values is ambiguous and refused.
 */
function parseQuery(query: string): Step<Map<string, string>> {
  const params = new Map<string, string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq >= 0 ? part.slice(0, eq) : part;
    const decodedKey = percentDecode(rawKey, true);
    if (decodedKey === undefined) return badEscape(part);
    const key = decodedKey.toLowerCase();
    const rawValue = eq >= 0 ? part.slice(eq + 1) : '';
    let value = percentDecode(rawValue, true);
    if (value === undefined) {
      // Only a value the link's meaning depends on needs decoding; tracking junk is ignored.
      if (TARGET_KEYS.has(key) || Object.hasOwn(REFUSED_PARAMS, key)) return badEscape(part);
      value = rawValue;
    }
    const before = params.get(key);
    if (before !== undefined && before !== value) {
      return fail('duplicate_param', `the link gives ${clip(key)} twice ("${clip(before)}" and "${clip(value)}"): keep one`, {
        key: clip(key),
        value: clip(before),
        other: clip(value),
      });
    }
    params.set(key, value);
  }
  return { ok: true, value: params };
}

// ---- Building links and targets ----------------------------------------------------------

/** The canonical https link of a message: t.me/<name>/<id> or t.me/c/<channel>/<id>. */
export function formatMessageLink(chat: ChatRef, messageId: number): string {
  return 'username' in chat ? `https://t.me/${chat.username}/${messageId}` : `https://t.me/c/${chat.channelId}/${messageId}`;
}

/** The canonical https link of any parsed link; `parseLink(formatLink(l))` gives `l` back. */
export function formatLink(link: ParsedLink): string {
  switch (link.kind) {
    case 'invite':
      return `https://t.me/+${link.hash}`;
    case 'peer':
      return `https://t.me/${link.username}`;
    case 'message': {
      const base = 'username' in link.chat ? `https://t.me/${link.chat.username}` : `https://t.me/c/${link.chat.channelId}`;
      const path = link.topicId !== undefined ? `${base}/${link.topicId}/${link.messageId}` : `${base}/${link.messageId}`;
      return link.commentId !== undefined ? `${path}?comment=${link.commentId}` : path;
    }
  }
}

/** A short human description, e.g. "message 12 in @durov, comment 5". */
export function describeLink(link: ParsedLink): string {
  switch (link.kind) {
    case 'invite':
      return `invite link (hash ${link.hash})`;
    case 'peer':
      return `chat or user @${link.username}`;
    case 'message': {
      const where = 'username' in link.chat ? `@${link.chat.username}` : `private chat ${link.chat.channelId}`;
      const topic = link.topicId !== undefined ? `, topic ${link.topicId}` : '';
      const comment = link.commentId !== undefined ? `, comment ${link.commentId}` : '';
      return `message ${link.messageId} in ${where}${topic}${comment}`;
    }
  }
}

export function isLinkRefusal(value: object): value is LinkRefusal {
  return 'error' in value && typeof value.error === 'string' && 'code' in value && typeof value.code === 'string';
}

/**
 * What to join. A message link in a public chat joins that chat (operators paste post links);
 * a t.me/c/ link cannot be joined by id, only by its invite link.
 */
export function toJoinTarget(link: ParsedLink): JoinTarget | LinkRefusal {
  switch (link.kind) {
    case 'invite':
      return { kind: 'invite', hash: link.hash };
    case 'peer':
      return { kind: 'public', username: link.username };
    case 'message':
      if ('username' in link.chat) return { kind: 'public', username: link.chat.username };
      return {
        error: `a t.me/c/${link.chat.channelId}/… link names a private chat, which can be joined only by its invite link (t.me/+<hash>)`,
        code: 'join_needs_invite',
        params: { channel: link.chat.channelId },
      };
  }
}

/** The message a reaction, vote or comment acts on. `action` names it in the refusal. */
export function toMessageTarget(link: ParsedLink, action = 'this action'): MessageTarget | LinkRefusal {
  if (link.kind !== 'message') {
    const got = link.kind === 'invite' ? 'an invite link' : `a link to @${link.username}, not to one of its messages`;
    return {
      error: `${action} needs a message link such as t.me/<name>/<id> or t.me/c/<channel>/<id>; got ${got}`,
      code: 'needs_message_link',
      params: link.kind === 'peer' ? { action, got: link.kind, username: link.username } : { action, got: link.kind },
    };
  }
  return {
    chat: link.chat,
    messageId: link.messageId,
    ...(link.topicId !== undefined ? { topicId: link.topicId } : {}),
    ...(link.commentId !== undefined ? { commentId: link.commentId } : {}),
  };
}

/** The chat to leave: the named chat, the chat of a message, or the chat an invite leads to. */
export function toLeaveTarget(link: ParsedLink): LeaveTarget | LinkRefusal {
  switch (link.kind) {
    case 'invite':
      return { inviteHash: link.hash };
    case 'peer':
      return { username: link.username };
    case 'message':
      return link.chat;
  }
}

/** The user a block or private message goes to: only a name fits (@name, name or t.me/<name>). */
export function toUsername(link: ParsedLink, action = 'this action'): string | LinkRefusal {
  if (link.kind === 'peer') return link.username;
  const got = link.kind === 'invite' ? 'an invite link' : 'a message link';
  return { error: `${action} needs a user: @name, name or t.me/<name>; got ${got}`, code: 'needs_user', params: { action, got: link.kind } };
}
