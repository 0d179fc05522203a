import type { tl } from '@mtcute/core';
import type { BoxMessageRow, ChannelMessageRow, ChatRow } from '../rows.ts';
import { fail, sec, type CallContext } from './context.ts';
import { canReadChat } from './messages.ts';
import { boxMessageTl, channelMessageTl, chatPeer, getChat, PeerSet, resolveChannelInput, resolveInput } from './tl.ts';

const DIFF_LIMIT = 100;

/**
 * How far behind a client may be and still get every update back. Past these gaps Telegram
 * answers `differenceTooLong` / `channelDifferenceTooLong` and the client jumps ahead (losing the
 * middle); worlds may set smaller bounds in sim_meta to make that happen in tests.
 */
export const DEFAULT_DIFF_TOO_LONG = 10_000;
export const DEFAULT_CHANNEL_DIFF_TOO_LONG = 1000;

function bound(ctx: CallContext, key: 'diff_too_long' | 'channel_diff_too_long', fallback: number): number {
  const row = ctx.db.prepare('SELECT value FROM sim_meta WHERE key = ?').get(key) as { value: string } | undefined;
  const n = row === undefined ? NaN : Number(row.value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function stateOf(ctx: CallContext): tl.updates.RawState {
  const pts = (ctx.db.prepare('SELECT pts FROM users WHERE id = ?').get(ctx.me.id) as { pts: number }).pts;
  return { _: 'updates.state', pts, qts: 0, date: sec(ctx.now), seq: 0, unreadCount: 0 };
}

export function getState(ctx: CallContext): tl.updates.RawState {
  return stateOf(ctx);
}

/**
 * `updateChannelTooLong` for every channel or supergroup of the account that gained messages
 * since `date` (seconds), as Telegram tells a client which channel gaps to fetch. The pts given is
 * the channel's as of `date`, for a client that stored none for that channel.
 */
function channelGaps(ctx: CallContext, date: number): tl.RawUpdateChannelTooLong[] {
  const since = date * 1000;
  const rows = ctx.db
    .prepare(
      `SELECT c.id, (SELECT coalesce(max(id), 0) FROM channel_messages WHERE chat_id = c.id AND date < ?) AS pts_then
       FROM members m JOIN chats c ON c.id = m.chat_id
       WHERE m.user_id = ? AND c.kind != 'group' AND EXISTS (SELECT 1 FROM channel_messages WHERE chat_id = c.id AND date >= ?)
       ORDER BY c.id`,
    )
    .all(since, ctx.me.id, since) as Array<{ id: number; pts_then: number }>;
  // mtcute reads pts 0 as "unknown"; 1 loses at most a channel's very first message.
  return rows.map((r) => ({ _: 'updateChannelTooLong', channelId: r.id, pts: Math.max(1, r.pts_then) }));
}

/**
 * The account's missed updates since (pts, date): its own message box in pages of DIFF_LIMIT
 * (`differenceSlice` until the last), then the channels with new messages; `differenceTooLong`
 * when the box is more than the world's bound behind.
 */
export function getDifference(ctx: CallContext, req: tl.updates.RawGetDifferenceRequest): tl.updates.TypeDifference {
  const state = stateOf(ctx);
  if (state.pts - req.pts > bound(ctx, 'diff_too_long', DEFAULT_DIFF_TOO_LONG)) return { _: 'updates.differenceTooLong', pts: state.pts };
  // A message new since req.pts comes as it is now (edited or not); an edit of one the client
  // already had comes as updateEditMessage at the edit's pts. Both in pts order.
  const rows = ctx.db
    .prepare(
      `SELECT *, CASE WHEN pts > @pts THEN pts ELSE edit_pts END AS at_pts FROM box_messages
       WHERE owner_id = @me AND (pts > @pts OR edit_pts > @pts) ORDER BY at_pts LIMIT @limit`,
    )
    .all({ me: ctx.me.id, pts: req.pts, limit: DIFF_LIMIT + 1 }) as Array<BoxMessageRow & { at_pts: number }>;
  const more = rows.length > DIFF_LIMIT;
  const page = rows.slice(0, DIFF_LIMIT);
  const peers = new PeerSet();
  const newMessages: tl.TypeMessage[] = [];
  const edits: tl.TypeUpdate[] = [];
  for (const r of page) {
    if (r.pts > req.pts) newMessages.push(boxMessageTl(r, peers));
    else edits.push({ _: 'updateEditMessage', message: boxMessageTl(r, peers), pts: r.at_pts, ptsCount: 1 });
  }
  if (more) {
    return {
      _: 'updates.differenceSlice',
      newMessages,
      newEncryptedMessages: [],
      otherUpdates: edits,
      ...peers.build(ctx),
      // The date stays the client's, so the last page still names the channels changed since then.
      intermediateState: { ...state, pts: page[page.length - 1]!.at_pts, date: req.date },
    };
  }
  const gaps = channelGaps(ctx, req.date);
  if (newMessages.length === 0 && edits.length === 0 && gaps.length === 0) return { _: 'updates.differenceEmpty', date: state.date, seq: 0 };
  for (const g of gaps) peers.chat(g.channelId);
  return { _: 'updates.difference', newMessages, newEncryptedMessages: [], otherUpdates: [...edits, ...gaps], ...peers.build(ctx), state };
}

/**
 * A channel's messages after `pts`, in pages of the client's limit; past the world's bound, the
 * latest messages only (`channelDifferenceTooLong`), as Telegram does.
 */
export function getChannelDifference(ctx: CallContext, req: tl.updates.RawGetChannelDifferenceRequest): tl.updates.TypeChannelDifference {
  const chat = resolveChannelInput(ctx, req.channel);
  if (!canReadChat(ctx, chat)) throw fail.badRequest('CHANNEL_PRIVATE');
  if (req.pts >= chat.pts) return { _: 'updates.channelDifferenceEmpty', final: true, pts: chat.pts, timeout: 30 };
  const limit = Math.max(1, Math.min(req.limit || DIFF_LIMIT, DIFF_LIMIT));
  const tooLong = bound(ctx, 'channel_diff_too_long', DEFAULT_CHANNEL_DIFF_TOO_LONG);
  if (chat.pts - req.pts > tooLong) {
    const latest = (ctx.db.prepare('SELECT * FROM channel_messages WHERE chat_id = ? ORDER BY id DESC LIMIT ?').all(chat.id, Math.min(limit, tooLong)) as ChannelMessageRow[]).reverse();
    const entry = dialogEntries(ctx).find((e) => e.chat?.id === chat.id);
    const rendered = renderDialogs(ctx, entry ? [entry] : []);
    const peers = new PeerSet().chat(chat.id);
    const messages = latest.map((r) => channelMessageTl(ctx, r, chat, peers));
    const built = peers.build(ctx);
    const dialog = rendered.dialogs[0] ?? {
      _: 'dialog',
      peer: chatPeer(chat),
      topMessage: chat.pts,
      readInboxMaxId: chat.pts,
      readOutboxMaxId: chat.pts,
      unreadCount: 0,
      unreadMentionsCount: 0,
      unreadReactionsCount: 0,
      unreadPollVotesCount: 0,
      notifySettings: { _: 'peerNotifySettings' },
      pts: chat.pts,
    };
    return { _: 'updates.channelDifferenceTooLong', final: true, timeout: 30, dialog, messages, chats: built.chats, users: built.users };
  }
  const rows = ctx.db.prepare('SELECT * FROM channel_messages WHERE chat_id = ? AND id > ? ORDER BY id LIMIT ?').all(chat.id, req.pts, limit) as ChannelMessageRow[];
  const last = rows.length > 0 ? rows[rows.length - 1]!.id : chat.pts;
  const peers = new PeerSet().chat(chat.id);
  const newMessages = rows.map((r) => channelMessageTl(ctx, r, chat, peers));
  return { _: 'updates.channelDifference', final: last >= chat.pts, pts: last, timeout: 30, newMessages, otherUpdates: [], ...peers.build(ctx) };
}

interface DialogEntry {
  key: string;
  peer: tl.TypePeer;
  date: number;
  top: number;
  chat?: ChatRow;
  box?: BoxMessageRow;
  channelMsg?: ChannelMessageRow;
}

/** Every dialog of the account, newest first (ties broken by key so paging is stable). */
function dialogEntries(ctx: CallContext): DialogEntry[] {
  const out: DialogEntry[] = [];
  const chats = ctx.db.prepare('SELECT c.*, m.joined_at FROM members m JOIN chats c ON c.id = m.chat_id WHERE m.user_id = ?').all(ctx.me.id) as Array<
    ChatRow & { joined_at: number }
  >;
  for (const c of chats) {
    if (c.kind === 'group') {
      const box = ctx.db
        .prepare("SELECT * FROM box_messages WHERE owner_id = ? AND peer_kind = 'chat' AND peer_id = ? ORDER BY id DESC LIMIT 1")
        .get(ctx.me.id, c.id) as BoxMessageRow | undefined;
      out.push({ key: `c${c.id}`, peer: chatPeer(c), date: box?.date ?? c.joined_at, top: box?.id ?? 0, chat: c, box });
    } else {
      const msg = c.pts > 0 ? (ctx.db.prepare('SELECT * FROM channel_messages WHERE chat_id = ? AND id = ?').get(c.id, c.pts) as ChannelMessageRow | undefined) : undefined;
      out.push({ key: `c${c.id}`, peer: chatPeer(c), date: Math.max(msg?.date ?? 0, c.joined_at), top: msg?.id ?? 0, chat: c, channelMsg: msg });
    }
  }
  const privates = ctx.db
    .prepare("SELECT * FROM box_messages b WHERE owner_id = ? AND peer_kind = 'user' AND id = (SELECT max(id) FROM box_messages WHERE owner_id = b.owner_id AND peer_kind = 'user' AND peer_id = b.peer_id)")
    .all(ctx.me.id) as BoxMessageRow[];
  for (const b of privates) out.push({ key: `u${b.peer_id}`, peer: { _: 'peerUser', userId: b.peer_id }, date: b.date, top: b.id, box: b });
  return out.sort((a, b) => b.date - a.date || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
}

function renderDialogs(ctx: CallContext, entries: DialogEntry[]): { dialogs: tl.TypeDialog[]; messages: tl.TypeMessage[]; users: tl.TypeUser[]; chats: tl.TypeChat[] } {
  const peers = new PeerSet();
  const messages: tl.TypeMessage[] = [];
  const dialogs = entries.map((e): tl.RawDialog => {
    if (e.chat) peers.chat(e.chat.id);
    else if (e.peer._ === 'peerUser') peers.user(e.peer.userId);
    if (e.box) messages.push(boxMessageTl(e.box, peers));
    if (e.channelMsg && e.chat) messages.push(channelMessageTl(ctx, e.channelMsg, e.chat, peers));
    return {
      _: 'dialog',
      peer: e.peer,
      topMessage: e.top,
      readInboxMaxId: e.top,
      readOutboxMaxId: e.top,
      unreadCount: 0,
      unreadMentionsCount: 0,
      unreadReactionsCount: 0,
      unreadPollVotesCount: 0,
      notifySettings: { _: 'peerNotifySettings' },
      pts: e.chat && e.chat.kind !== 'group' ? e.chat.pts : undefined,
    };
  });
  return { dialogs, messages, ...peers.build(ctx) };
}

function peerKey(ctx: CallContext, peer: tl.TypeInputPeer): string | undefined {
  if (peer._ === 'inputPeerEmpty') return undefined;
  const r = resolveInput(ctx, peer);
  return r.kind === 'user' ? `u${r.user.id}` : `c${r.chat.id}`;
}

export function getDialogs(ctx: CallContext, req: tl.messages.RawGetDialogsRequest): tl.messages.TypeDialogs {
  // Archive folder (1) is empty in the simulator.
  const all = req.folderId === 1 ? [] : dialogEntries(ctx);
  let start = 0;
  const key = peerKey(ctx, req.offsetPeer);
  const at = key === undefined ? -1 : all.findIndex((e) => e.key === key);
  if (at >= 0) start = at + 1;
  else if (req.offsetDate > 0) {
    start = all.findIndex((e) => sec(e.date) < req.offsetDate);
    if (start === -1) start = all.length;
  }
  const limit = Math.max(0, Math.min(req.limit || 100, 100));
  const page = all.slice(start, start + limit);
  const rendered = renderDialogs(ctx, page);
  if (start === 0 && page.length === all.length) return { _: 'messages.dialogs', ...rendered };
  return { _: 'messages.dialogsSlice', count: all.length, ...rendered };
}

export function getPinnedDialogs(ctx: CallContext): tl.messages.RawPeerDialogs {
  return { _: 'messages.peerDialogs', dialogs: [], messages: [], chats: [], users: [], state: stateOf(ctx) };
}

export function getPeerDialogs(ctx: CallContext, req: tl.messages.RawGetPeerDialogsRequest): tl.messages.RawPeerDialogs {
  const keys = new Set(req.peers.map((p) => (p._ === 'inputDialogPeer' ? peerKey(ctx, p.peer) : undefined)).filter((k): k is string => k !== undefined));
  const entries = dialogEntries(ctx).filter((e) => keys.has(e.key));
  return { _: 'messages.peerDialogs', ...renderDialogs(ctx, entries), state: stateOf(ctx) };
}

export { getChat };
