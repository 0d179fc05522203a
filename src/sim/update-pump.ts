/**
 * Pushes new messages to attached clients from the world's event log. The log also carries
 * events written by other processes (e.g. `sim post`), so while clients are bound it is polled.
 */
import type { tl } from '@mtcute/core';
import type { SimAttachmentImpl } from './attachment.ts';
import type { BoxMessageRow, ChannelMessageRow, UserRow } from './rows.ts';
import type { AuthRow } from './rpc/context.ts';
import { boxMessageTl, channelMessageTl, getChat, getUser, PeerSet } from './rpc/tl.ts';
import type { Db } from './world-file.ts';

/** What the pump reads from the world. */
export interface PumpWorld {
  readonly db: Db;
  readonly secret: string;
  now(): number;
}

interface EventRow {
  id: number;
  kind: 'box' | 'channel';
  user_id: number | null;
  chat_id: number | null;
  msg_id: number;
  actor: string | null;
  edit: number;
}

const PAGE = 1000;
const POLL_MS = 200;

export class UpdatePump {
  private lastEventId: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly world: PumpWorld,
    private readonly attachments: ReadonlySet<SimAttachmentImpl>,
  ) {
    this.lastEventId = (world.db.prepare('SELECT coalesce(max(id), 0) AS id FROM events').get() as { id: number }).id;
  }

  /** Polls the log while any client is bound, and stops polling when none is. */
  schedule(): void {
    const bound = [...this.attachments].some((a) => a.isBound);
    if (bound && !this.timer && !this.stopped) {
      this.timer = setInterval(() => this.pump(), POLL_MS);
      this.timer.unref();
    } else if (!bound && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Pushes every new event to the bound clients it concerns. */
  pump(): void {
    if (this.stopped) return;
    const { db } = this.world;
    const events = db.prepare(`SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ${PAGE}`).all(this.lastEventId) as EventRow[];
    if (events.length === 0) return;
    this.lastEventId = events[events.length - 1]!.id;
    const targets: Array<{ att: SimAttachmentImpl; keyId: string; user: UserRow }> = [];
    for (const att of this.attachments) {
      const keyId = att.boundKeyId;
      if (!att.isBound || !keyId) continue;
      const auth = db.prepare('SELECT * FROM authorizations WHERE key_id = ?').get(keyId) as AuthRow | undefined;
      if (auth?.state !== 'active' || auth.user_id === null) continue;
      const user = getUser({ db }, auth.user_id);
      if (user) targets.push({ att, keyId, user });
    }
    if (targets.length === 0) return;
    const now = this.world.now();
    for (const ev of events) {
      for (const t of targets) {
        if (ev.actor === t.keyId) continue;
        const ctx = { db, now, secret: this.world.secret, me: t.user };
        const peers = new PeerSet();
        let update: tl.TypeUpdate | undefined;
        if (ev.kind === 'box' && ev.user_id === t.user.id) {
          const m = db.prepare('SELECT * FROM box_messages WHERE owner_id = ? AND id = ?').get(t.user.id, ev.msg_id) as BoxMessageRow | undefined;
          if (m && ev.edit) update = { _: 'updateEditMessage', message: boxMessageTl(m, peers), pts: m.edit_pts!, ptsCount: 1 };
          else if (m) update = { _: 'updateNewMessage', message: boxMessageTl(m, peers), pts: m.pts, ptsCount: 1 };
        } else if (ev.kind === 'channel' && ev.chat_id !== null) {
          if (!db.prepare('SELECT 1 FROM members WHERE chat_id = ? AND user_id = ?').get(ev.chat_id, t.user.id)) continue;
          const chat = getChat({ db }, ev.chat_id);
          const m = db.prepare('SELECT * FROM channel_messages WHERE chat_id = ? AND id = ?').get(ev.chat_id, ev.msg_id) as ChannelMessageRow | undefined;
          if (chat && m) update = { _: 'updateNewChannelMessage', message: channelMessageTl(ctx, m, chat, peers), pts: m.id, ptsCount: 1 };
        }
        if (!update) continue;
        t.att.push({ _: 'updates', updates: [update], ...peers.build(ctx), date: Math.floor(now / 1000), seq: 0 });
      }
    }
    if (events.length === PAGE) this.pump();
  }
}
