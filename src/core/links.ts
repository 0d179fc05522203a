/**
 * Reads what operators paste (t.me / telegram.me / telegram.dog / tg:// links, @name, name) into
 * the targets actions need. Pure: it never asks Telegram, so a link that parses may still name
 * something missing; what it refuses would fail for every account anyway, so it is refused
 * before any account acts, with the reason and the form that would work.
 */
import type { ChatRef, JoinTarget, LeaveTarget, MessageTarget } from './session.ts';
import { escapeInvisible, stripInvisible } from './text.ts';
import { normalizeUsername, usernameProblem } from './usernames.ts';

export type ParsedLink =
  | { kind: 'message'; chat: ChatRef; messageId: number; topicId?: number; commentId?: number }
  | { kind: 'invite'; hash: string }
  | { kind: 'peer'; username: string };

export type LinkParse = { ok: true; link: ParsedLink } | { ok: false; error: string };

/** Why a parsed link does not fit the action it was given to. */
export interface LinkRefusal {
  error: string;
}

/** Message, topic and comment ids are 32-bit on Telegram's side. */
export const MAX_MESSAGE_ID = 2_147_483_647;
/** The largest channel id the `-100…` marked form can hold (TDLib's MAX_CHANNEL_ID). */
export const MAX_CHANNEL_ID = 1_000_000_000_000 - 2 ** 31;

const HOSTS = new Set(['t.me', 'telegram.me', 'telegram.dog']);
const INVITE_HASH = /^[A-Za-z0-9_-]{4,64}$/;
const EXPECTED = 'expected a t.me link (t.me/<name>/<id>, t.me/c/<channel>/<id>, t.me/+<hash>), a tg:// link, @name or name';

type Step<T> = { ok: true; value: T } | { ok: false; error: string };

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });
const clip = (s: string): string => escapeInvisible(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/**
 * Path words on t.me that are not chats. Those that are valid usernames would otherwise be
 * resolved as one; the rest get a clearer reason than the username rules would give.
 */
const UNSUPPORTED_PATHS: Record<string, string> = {
  addlist: 'folder links (t.me/addlist/…) are not supported: join each chat of the folder by its own link',
  addstickers: 'sticker set links (t.me/addstickers/…) are not supported: they name a sticker set, not a chat or message',
  addemoji: 'emoji set links (t.me/addemoji/…) are not supported: they name an emoji set, not a chat or message',
  addtheme: 'theme links (t.me/addtheme/…) are not supported: they name a theme, not a chat or message',
  setlanguage: 'language links (t.me/setlanguage/…) are not supported: they name a language pack, not a chat or message',
  bg: 'wallpaper links (t.me/bg/…) are not supported: they name a wallpaper, not a chat or message',
  proxy: 'proxy links (t.me/proxy?…) are not supported here: set PROXY_URL instead',
  socks: 'proxy links (t.me/socks?…) are not supported here: set PROXY_URL instead',
  share: 'share links (t.me/share/…) are not supported: they carry text, not a chat or message',
  msg: 'share links (t.me/msg?…) are not supported: they carry text, not a chat or message',
  login: 'login code links (t.me/login/…) are not supported: type login codes when an account is added',
  confirmphone: 'phone confirmation links are not supported',
  invoice: 'invoice links (t.me/invoice/…) are not supported: they name a payment, not a chat or message',
  giftcode: 'gift code links (t.me/giftcode/…) are not supported',
  boost: 'boost links (t.me/boost/…) are not supported: use t.me/<name> to name the channel',
  contact: 'contact token links (t.me/contact/…) are not supported: use t.me/<name> or @name',
  m: 'business chat links (t.me/m/…) are not supported: use t.me/<name> or @name',
  iv: 'Instant View links (t.me/iv?…) are not supported: they show a web page, not a chat or message',
  nft: 'collectible gift links (t.me/nft/…) are not supported',
};

/**
 * Query parameters that change what a link means. Ignoring them would make the panel do
 * something else than the link asks (e.g. open a bot without its referral payload), so they are
 * refused; every other query part (`single`, `t`, `embed`, `utm_*`, …) is harmless and ignored.
 */
const REFUSED_PARAMS: Record<string, string> = {
  start: 'bot start links (?start=…) are not supported: the panel never presses Start with a payload; name the bot as t.me/<bot> or @bot',
  startgroup: 'links that add a bot to a group (?startgroup) are not supported: name the bot as t.me/<bot> or @bot',
  startchannel: 'links that add a bot to a channel (?startchannel) are not supported: name the bot as t.me/<bot> or @bot',
  admin: 'links that add a bot as an admin (?admin=…) are not supported: name the bot as t.me/<bot> or @bot',
  startapp: 'Mini App links (?startapp) are not supported: name the bot as t.me/<bot> or @bot',
  appname: 'Mini App links (appname=…) are not supported: name the bot as t.me/<bot> or @bot',
  attach: 'attachment menu links (?attach=…) are not supported: name the bot as t.me/<bot> or @bot',
  startattach: 'attachment menu links (?startattach) are not supported: name the bot as t.me/<bot> or @bot',
  game: 'game links (?game=…) are not supported: name the bot as t.me/<bot> or @bot',
  voicechat: 'video chat links (?voicechat) are not supported: use t.me/<name> to name the chat',
  videochat: 'video chat links (?videochat) are not supported: use t.me/<name> to name the chat',
  livestream: 'live stream links (?livestream) are not supported: use t.me/<name> to name the chat',
  boost: 'boost links (?boost) are not supported: use t.me/<name> to name the channel',
  story: 'story links are not supported: use t.me/<name> to name the chat, or t.me/<name>/<id> for a message',
  phone: 'phone number links are not supported: an account can resolve a number only when it is in its contacts; use @name or t.me/<name>',
};

/** Parses one pasted link or name. Never throws. */
export function parseLink(input: string): LinkParse {
  // Links copied out of Telegram carry invisible direction marks: no link or name holds one.
  const text = stripInvisible(input).trim();
  if (text === '') return fail(`empty input: ${EXPECTED}`);
  if (text.length > 2048) return fail(`input of ${text.length} characters is too long for a Telegram link: ${EXPECTED}`);
  if (/^tg:/i.test(text)) return parseTg(text);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme && !/^https?$/i.test(scheme[1] ?? '')) {
    return fail(`unsupported scheme "${clip(scheme[0])}": use an https://t.me/… link or tg://resolve, tg://privatepost or tg://join`);
  }
  if (!scheme && !/[./]/.test(text)) return parseBareName(text);
  // A scheme-relative //t.me/… is what some pages put in their hrefs.
  return parseWeb(scheme ? text.slice(scheme[0].length) : text.replace(/^\/\//, ''));
}

function parseBareName(text: string): LinkParse {
  const name = normalizeUsername(text);
  if (name.startsWith('+')) {
    return fail(`"${clip(text)}" is not a name: paste an invite link whole (t.me/+<hash>); phone numbers are not supported`);
  }
  const problem = usernameProblem(name);
  if (problem) return fail(`bad username: ${problem}; ${EXPECTED}`);
  return { ok: true, link: { kind: 'peer', username: name } };
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
  let segments = (slash >= 0 ? body.slice(slash + 1) : '').split('/').filter((s) => s !== '');

  let host = hostRaw.toLowerCase();
  if (host.startsWith('www.')) host = host.slice(4);
  if (!HOSTS.has(host)) {
    // <name>.t.me is Telegram's subdomain form of t.me/<name>.
    const sub = host.endsWith('.t.me') ? host.slice(0, -'.t.me'.length) : undefined;
    if (sub === undefined || usernameProblem(sub) !== undefined || sub in UNSUPPORTED_PATHS || sub === 'joinchat') {
      if (hostRaw === '') return fail(`the link has no host: ${EXPECTED}`);
      return fail(`unknown host "${clip(hostRaw)}": only t.me, telegram.me and telegram.dog links (or tg:// links) are accepted`);
    }
    segments = [sub, ...segments];
  }
  const params = parseQuery(query);
  if (!params.ok) return params;
  return parseTmePath(segments, params.value);
}

function parseTmePath(segments: string[], params: Map<string, string>): LinkParse {
  const [first, ...more] = segments;
  if (first === undefined) return fail('the link names no chat: add a name, e.g. t.me/durov or t.me/durov/123');
  if (first.startsWith('+')) return parsePlusInvite(first.slice(1), more);
  if (first.startsWith('$')) return fail('invoice links (t.me/$…) are not supported: they name a payment, not a chat or message');
  const word = first.toLowerCase();
  if (word === 'joinchat') {
    if (more.length === 0) return fail('t.me/joinchat/ needs the invite hash after it: t.me/joinchat/<hash> or t.me/+<hash>');
    if (more.length > 1) return fail(`unexpected "/${clip(more.slice(1).join('/'))}" after the invite hash: use t.me/joinchat/<hash>`);
    return invite(more[0] ?? '');
  }
  if (word === 'c') return parsePrivate(more, params);
  if (word === 's') {
    if (more.length === 0) return fail('t.me/s/ needs a channel name after it: t.me/s/<name> or t.me/s/<name>/<id>');
    return parsePublic(more, params);
  }
  const unsupported = UNSUPPORTED_PATHS[word];
  if (unsupported !== undefined) return fail(unsupported);
  return parsePublic(segments, params);
}

function parsePlusInvite(hash: string, more: string[]): LinkParse {
  if (/^\d+$/.test(hash)) {
    return fail('phone number links (t.me/+<digits>) are not supported: an account can resolve a number only when it is in its contacts; use @name or t.me/<name>');
  }
  if (more.length > 0) return fail(`unexpected "/${clip(more.join('/'))}" after the invite hash: use t.me/+<hash>`);
  return invite(hash);
}

function invite(hash: string): LinkParse {
  if (hash === '') return fail('the invite link has no hash: use t.me/+<hash> or t.me/joinchat/<hash>');
  if (!INVITE_HASH.test(hash)) {
    return fail(`bad invite hash "${clip(hash)}": an invite hash has 4 to 64 letters, digits, "_" or "-" (t.me/+<hash>)`);
  }
  return { ok: true, link: { kind: 'invite', hash } };
}

/** t.me/<name>[/<topic>]/<id>, t.me/<name>. */
function parsePublic(segments: string[], params: Map<string, string>): LinkParse {
  const [nameRaw = '', a, b, ...extra] = segments;
  const username = nameRaw.toLowerCase();
  const problem = usernameProblem(username);
  if (problem) return fail(`bad chat name in the link: ${problem}`);
  const refused = refusedParam(params);
  if (refused) return fail(refused);
  if (extra.length > 0) return fail(`unexpected "/${clip(extra.join('/'))}" at the end: use t.me/${username}/<id> or t.me/${username}/<topic>/<id>`);
  if (a === undefined) return peerOnly(username, params, (key) => `t.me/${username}/<post id>?${key}=<id>`);
  if (a.toLowerCase() === 's') return fail(REFUSED_PARAMS.story ?? 'story links are not supported');
  if (b === undefined && /^[a-z]/i.test(a)) {
    return fail(`expected a message id after t.me/${username}/, got "${clip(a)}" (Mini App and other bot links are not supported): use t.me/${username}/<id>`);
  }
  return message({ username }, a, b, params);
}

/** t.me/c/<channel>[/<topic>]/<id>. */
function parsePrivate(segments: string[], params: Map<string, string>): LinkParse {
  const [channelRaw, a, b, ...extra] = segments;
  if (channelRaw === undefined) return fail('t.me/c/ needs a channel id and a message id: t.me/c/<channel>/<id>');
  if (/^-100\d+$/.test(channelRaw)) {
    return fail(`the channel id in a link has no -100 prefix: use t.me/c/${channelRaw.slice(4)}/<id> instead of "${clip(channelRaw)}"`);
  }
  const channel = parseId(channelRaw, 'channel id', MAX_CHANNEL_ID);
  if (!channel.ok) return channel;
  if (a === undefined) {
    return fail(`t.me/c/${channel.value} names a private chat, not a message: add the message id (t.me/c/${channel.value}/<id>); a private chat is joined by its invite link (t.me/+<hash>)`);
  }
  if (extra.length > 0) return fail(`unexpected "/${clip(extra.join('/'))}" at the end: use t.me/c/${channel.value}/<id> or t.me/c/${channel.value}/<topic>/<id>`);
  if (a.toLowerCase() === 's') return fail(REFUSED_PARAMS.story ?? 'story links are not supported');
  return message({ channelId: channel.value }, a, b, params);
}

/** `a` is the message id, or the topic id when `b` (the message id) follows. */
function message(chat: ChatRef, a: string, b: string | undefined, params: Map<string, string>): LinkParse {
  const first = parseId(a, b === undefined ? 'message id' : 'topic id', MAX_MESSAGE_ID);
  if (!first.ok) return first;
  let topicId: number | undefined;
  let messageId = first.value;
  if (b !== undefined) {
    const second = parseId(b, 'message id', MAX_MESSAGE_ID);
    if (!second.ok) return second;
    topicId = first.value;
    messageId = second.value;
  }
  const thread = threadParam(params);
  if (!thread.ok) return thread;
  if (thread.value !== undefined) {
    if (topicId !== undefined && topicId !== thread.value) {
      return fail(`the link names topic ${topicId} in its path but thread ${thread.value} in its query: keep one of them`);
    }
    topicId = thread.value;
  }
  const comment = idParam(params, 'comment', 'comment id');
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
    if (params.has(key)) return fail(`${key}= needs a post: use ${withPost(key)}`);
  }
  return { ok: true, link: { kind: 'peer', username } };
}

function parseTg(text: string): LinkParse {
  const match = /^tg:(?:\/\/)?([^?#]*)(?:\?([^#]*))?/i.exec(text);
  const action = (match?.[1] ?? '').toLowerCase().replace(/\/+$/, '');
  const params = parseQuery(match?.[2] ?? '');
  if (!params.ok) return params;
  const p = params.value;
  switch (action) {
    case 'resolve': {
      if (p.has('phone')) return fail(REFUSED_PARAMS.phone ?? 'phone number links are not supported');
      const domain = p.get('domain');
      if (domain === undefined || domain === '') return fail('tg://resolve needs domain=<name>: tg://resolve?domain=<name>[&post=<id>]');
      const username = domain.toLowerCase();
      const problem = usernameProblem(username);
      if (problem) return fail(`bad chat name in the link: ${problem}`);
      const refused = refusedParam(p);
      if (refused) return fail(refused);
      const post = p.get('post');
      if (post === undefined) return peerOnly(username, p, (key) => `tg://resolve?domain=${username}&post=<post id>&${key}=<id>`);
      return message({ username }, post, undefined, p);
    }
    case 'privatepost': {
      const channelRaw = p.get('channel');
      if (channelRaw === undefined) return fail('tg://privatepost needs channel=<id> and post=<id>: tg://privatepost?channel=<id>&post=<id>');
      if (/^-100\d+$/.test(channelRaw)) return fail(`the channel id in a link has no -100 prefix: use channel=${channelRaw.slice(4)}`);
      const channel = parseId(channelRaw, 'channel id', MAX_CHANNEL_ID);
      if (!channel.ok) return channel;
      const post = p.get('post');
      if (post === undefined) return fail(`tg://privatepost needs post=<id>: tg://privatepost?channel=${channel.value}&post=<id>`);
      return message({ channelId: channel.value }, post, undefined, p);
    }
    case 'join': {
      const hash = p.get('invite');
      if (hash === undefined) return fail('tg://join needs invite=<hash>: tg://join?invite=<hash>');
      return invite(hash);
    }
    case 'addlist':
      return fail(UNSUPPORTED_PATHS.addlist ?? '');
    case 'addstickers':
    case 'addemoji':
    case 'addtheme':
    case 'setlanguage':
    case 'bg':
    case 'proxy':
    case 'socks':
    case 'login':
    case 'invoice':
    case 'giftcode':
    case 'boost':
    case 'contact':
    case 'nft':
    case 'confirmphone':
    case 'msg':
    case 'share':
      return fail((UNSUPPORTED_PATHS[action] ?? '').replace(`t.me/${action}`, `tg://${action}`));
    case 'user':
    case 'openmessage':
      return fail(`tg://${action} links name a user by numeric id, which other accounts cannot resolve: use @name or t.me/<name>`);
    case 'message':
      return fail(UNSUPPORTED_PATHS.m ?? '');
    case '':
      return fail(`"${clip(text)}" names no action: use tg://resolve?domain=<name>, tg://privatepost?channel=<id>&post=<id> or tg://join?invite=<hash>`);
    default:
      return fail(`tg://${clip(action)} links are not supported: only tg://resolve, tg://privatepost and tg://join are`);
  }
}

function refusedParam(params: Map<string, string>): string | undefined {
  for (const key of params.keys()) {
    const reason = REFUSED_PARAMS[key];
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** `?thread=` and `?topic=` both name the forum topic (or comment thread) of a message. */
function threadParam(params: Map<string, string>): Step<number | undefined> {
  const thread = idParam(params, 'thread', 'thread id');
  const topic = idParam(params, 'topic', 'topic id');
  if (!thread.ok) return thread;
  if (!topic.ok) return topic;
  if (thread.value !== undefined && topic.value !== undefined && thread.value !== topic.value) {
    return fail(`the link names thread ${thread.value} and topic ${topic.value}: keep one of them`);
  }
  return { ok: true, value: thread.value ?? topic.value };
}

function idParam(params: Map<string, string>, key: string, what: string): Step<number | undefined> {
  const raw = params.get(key);
  if (raw === undefined) return { ok: true, value: undefined };
  return parseId(raw, what, MAX_MESSAGE_ID);
}

function parseId(raw: string, what: string, max: number): Step<number> {
  if (!/^\d+$/.test(raw)) return fail(`bad ${what} "${clip(raw)}": expected a whole number from 1 to ${max}`);
  const value = Number(raw);
  if (value === 0) return fail(`bad ${what} 0: ids start at 1`);
  if (value > max) return fail(`bad ${what} ${clip(raw)}: it is larger than ${max}, the largest a ${what} can be`);
  return { ok: true, value };
}

/**
 * Keys are matched in any case; values are percent-decoded. A key given twice with different
 * values is ambiguous and refused.
 */
function parseQuery(query: string): Step<Map<string, string>> {
  const params = new Map<string, string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = (eq >= 0 ? part.slice(0, eq) : part).toLowerCase();
    const rawValue = eq >= 0 ? part.slice(eq + 1) : '';
    let value: string;
    try {
      value = decodeURIComponent(rawValue);
    } catch {
      // Only a value the link's meaning depends on needs decoding; tracking junk is ignored.
      if (key in REFUSED_PARAMS || ['domain', 'post', 'channel', 'invite', 'comment', 'thread', 'topic'].includes(key)) {
        return fail(`bad query part "${clip(part)}": it is not valid percent-encoding`);
      }
      value = rawValue;
    }
    const before = params.get(key);
    if (before !== undefined && before !== value) return fail(`the link gives ${clip(key)} twice ("${clip(before)}" and "${clip(value)}"): keep one`);
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
  return 'error' in value && typeof value.error === 'string';
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
      return { error: `a t.me/c/${link.chat.channelId}/… link names a private chat, which can be joined only by its invite link (t.me/+<hash>)` };
  }
}

/** The message a reaction, vote or comment acts on. `action` names it in the refusal. */
export function toMessageTarget(link: ParsedLink, action = 'this action'): MessageTarget | LinkRefusal {
  if (link.kind !== 'message') {
    const got = link.kind === 'invite' ? 'an invite link' : `a link to @${link.username}, not to one of its messages`;
    return { error: `${action} needs a message link such as t.me/<name>/<id> or t.me/c/<channel>/<id>; got ${got}` };
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
  return { error: `${action} needs a user: @name, name or t.me/<name>; got ${got}` };
}
