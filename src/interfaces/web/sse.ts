import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { App } from '../../app.ts';
import type { CampaignService } from '../../engine/campaigns.ts';
import type { Logger } from '../../log.ts';
import type { WebEnv } from './context.ts';

/**
 * What `/api/v1/events` streams. `operation` and `campaign` carry the engine's own progress events
 * for runs started here, and summaries (`type: 'progress'`) for runs elsewhere (the CLI, the bot,
 * another process); `hit` a monitor hit queued for the channel; `account` a status change; `reset`
 * tells a client that events were lost (the server restarted or it was away too long): read the
 * state again.
 */
export type StreamTopic = 'operation' | 'campaign' | 'hit' | 'account' | 'reset';

export interface StreamEvent {
  /** `<server epoch>.<sequence>`: the SSE id a reconnecting browser sends back as Last-Event-ID. */
  id: string;
  seq: number;
  topic: StreamTopic;
  data: unknown;
}

export interface EventHubOptions {
  /** Events kept for resuming clients (default 2000). */
  capacity?: number;
  /** How often state written by other processes is read for changes (default 2000 ms). */
  pollMs?: number;
  /** SSE comment lines that keep proxies from closing a quiet stream (default 15 s). */
  keepAliveMs?: number;
  /**
   * How long a stream gathers events before writing them (default 250 ms): each write to a
   * client costs about as much as rendering a small page, and a running campaign emits an event
   * per message.
   */
  batchMs?: number;
}

type Listener = (e: StreamEvent) => void;

export type CampaignProgress = ReturnType<CampaignService['progress']>;

/**
 * How long after its last change of state a campaign nobody runs is still counted on every poll:
 * the messages in flight when it was paused settle meanwhile.
 */
const SETTLING_MS = 60_000;

/** How long the poll's count of a campaign stands for a page refreshed by its announcement. */
export const SHARED_COUNT_MS = 1_000;

/**
 * The dashboard's live events: a bounded ring with increasing ids, so a browser that reconnects
 * with Last-Event-ID receives what it missed. Fed by the fleet's status events, by runs this
 * server starts, and by reading operations, campaigns and the monitor's outbox every `pollMs`
 * (runs in other processes and the monitor write only to the database).
 */
export class EventHub {
  readonly epoch = randomBytes(4).toString('hex');
  private readonly ring: StreamEvent[] = [];
  private seq = 0;
  private readonly listeners = new Set<Listener>();
  private readonly capacity: number;
  readonly keepAliveMs: number;
  readonly batchMs: number;
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribeFleet: (() => void) | undefined;
  /** Operations started by this server publish their own events; the poll leaves them alone. */
  readonly ownOperations = new Set<number>();
  readonly ownCampaigns = new Set<string>();
  private lastOperations = new Map<number, string>();
  private lastCampaigns = new Map<string, string>();
  /** Each campaign's state and rows mark at the last poll: unchanged, a stopped campaign is not counted again. */
  private campaignMarks = new Map<string, string>();
  private readonly counted = new Map<string, { at: number; progress: CampaignProgress }>();
  private lastHitId = -1;
  private app: App | undefined;
  private log: Logger | undefined;
  /** The poll slept while nobody listened. */
  private asleep = false;

  constructor(opts: EventHubOptions = {}) {
    this.capacity = opts.capacity ?? 2000;
    this.pollMs = opts.pollMs ?? 2000;
    this.keepAliveMs = opts.keepAliveMs ?? 15_000;
    this.batchMs = opts.batchMs ?? 250;
  }

  publish(topic: StreamTopic, data: unknown): StreamEvent {
    const seq = ++this.seq;
    const e: StreamEvent = { id: `${this.epoch}.${seq}`, seq, topic, data };
    this.ring.push(e);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const l of this.listeners) l(e);
    return e;
  }

  /**
   * For one client that missed events: not in the ring (the others lost nothing); its id is the
   * newest, so the client resumes from here once it has read the state again.
   */
  resetEvent(): StreamEvent {
    return {
      id: `${this.epoch}.${this.seq}`,
      seq: this.seq,
      topic: 'reset',
      data: { reason: 'events were lost (the panel restarted or this page was away too long): read the state again' },
    };
  }

  subscribe(listener: Listener): () => void {
    if (this.listeners.size === 0 && this.asleep) this.wakeUp();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /**
   * The events after `lastEventId`; `gap` when some are gone (another server's id, or older than
   * the ring) and the client must read the state again.
   */
  since(lastEventId: string | undefined): StreamEvent[] | 'gap' {
    if (lastEventId === undefined || lastEventId === '') return [];
    const m = /^([0-9a-f]{8})\.(\d{1,15})$/.exec(lastEventId);
    if (!m || m[1] !== this.epoch) return 'gap';
    const last = Number(m[2]);
    if (last > this.seq) return 'gap';
    const first = this.ring[0]?.seq ?? this.seq + 1;
    if (last < first - 1) return 'gap';
    return this.ring.filter((e) => e.seq > last);
  }

  /**
   * Starts following the app: the fleet's status events now, the database every `pollMs` while
   * anyone listens (reading every campaign's counts costs milliseconds each, for nobody otherwise).
   */
  attach(app: App, log: Logger): void {
    if (this.timer) return;
    this.app = app;
    this.log = log;
    this.unsubscribeFleet = app.fleet.onEvent((e) => {
      if (e.type === 'status') this.publish('account', { accountId: e.accountId, status: e.status, reason: e.reason });
    });
    // What is there at start is the state, not news.
    this.lastHitId = app.monitorService.outbox(1)[0]?.id ?? 0;
    try {
      this.poll(app, false);
    } catch (err) {
      log.warn({ err }, 'web events: reading the state failed');
    }
    this.timer = setInterval(() => {
      if (this.listeners.size === 0) {
        this.asleep = true;
        return;
      }
      try {
        this.poll(app, true);
      } catch (err) {
        log.warn({ err }, 'web events: reading the state failed');
      }
    }, this.pollMs);
    this.timer.unref();
  }

  /**
   * The poll's count of a campaign run elsewhere, if it is under `SHARED_COUNT_MS` old: the page
   * its announcement refreshes shows what was announced instead of counting again. None for runs
   * of this server, whose own events come faster than the poll.
   */
  recentProgress(name: string): CampaignProgress | undefined {
    if (this.ownCampaigns.has(name)) return undefined;
    const r = this.counted.get(name);
    return r && performance.now() - r.at < SHARED_COUNT_MS ? r.progress : undefined;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribeFleet?.();
    this.listeners.clear();
  }

  /**
   * The first listener after a quiet spell: what changed meanwhile is announced now, before the
   * listener's stream replays what it missed, so a client resuming from before loses nothing.
   */
  private wakeUp(): void {
    this.asleep = false;
    try {
      if (this.app) this.poll(this.app, true);
    } catch (err) {
      this.log?.warn({ err }, 'web events: reading the state failed');
    }
  }

  private poll(app: App, announce: boolean): void {
    for (const o of app.operationStore.list({ limit: 20 })) {
      if (this.ownOperations.has(o.id)) continue;
      const key = `${o.status}:${JSON.stringify(o.summary)}`;
      const before = this.lastOperations.get(o.id);
      if (before === key) continue;
      this.lastOperations.set(o.id, key);
      // Unchanged finished operations from before the server started are not news.
      if (announce && (before !== undefined || o.status === 'running' || o.finishedAt === null || o.finishedAt > o.startedAt)) {
        this.publish('operation', { type: 'progress', operationId: o.id, kind: o.kind, status: o.status, planned: o.planned, summary: o.summary, actor: o.actor });
      }
    }
    // Counting a campaign's rows costs milliseconds per 100,000: only those whose counts may have
    // moved are counted (one running, or stopped lately, or with a new mark), runs of this server
    // not at all (they publish their own events).
    const now = app.clock.now();
    for (const head of app.campaigns.heads()) {
      if (this.ownCampaigns.has(head.name)) continue;
      const mark = `${head.state}:${head.reason ?? ''}:${head.updatedAt}:${head.rowsMark}`;
      const seen = this.campaignMarks.get(head.name);
      this.campaignMarks.set(head.name, mark);
      if (seen === mark && head.state !== 'running' && now - head.updatedAt > SETTLING_MS) continue;
      const c = app.campaigns.progress(head.name);
      this.counted.set(c.name, { at: performance.now(), progress: c });
      const key = `${c.state}:${c.reason ?? ''}:${JSON.stringify(c.counts)}`;
      const before = this.lastCampaigns.get(c.name);
      if (before === key) continue;
      this.lastCampaigns.set(c.name, key);
      const total = Object.values(c.counts).reduce((a, b) => a + b, 0);
      if (announce) this.publish('campaign', { type: 'progress', name: c.name, state: c.state, reason: c.reason, counts: c.counts, total });
    }
    const hits = app.monitorService.outbox(50).filter((h) => h.id > this.lastHitId).reverse();
    for (const h of hits) {
      this.lastHitId = h.id;
      if (announce) {
        this.publish('hit', { id: h.id, chatId: h.chatId, chatTitle: h.chatTitle, keywords: h.keywords, accountId: h.accountId, text: h.payload.text, at: h.createdAt });
      }
    }
  }
}

const frames = new WeakMap<StreamEvent, string>();

/**
 * The event as SSE text, built once however many clients receive it (JSON.stringify never emits
 * a raw newline, so the data is one line).
 */
export function sseFrame(e: StreamEvent): string {
  let f = frames.get(e);
  if (f === undefined) {
    f = `id: ${e.id}\nevent: ${e.topic}\ndata: ${JSON.stringify(e.data)}\n\n`;
    frames.set(e, f);
  }
  return f;
}

/** The topics a client asked for (`?topics=campaign,hit`); null: all. `reset` always reaches it. */
export function topicFilter(param: string | undefined): ((e: StreamEvent) => boolean) | null {
  if (param === undefined || param.trim() === '') return null;
  const wanted = new Set(param.split(',').map((t) => t.trim()));
  wanted.add('reset');
  return (e) => wanted.has(e.topic);
}

/**
 * `/api/v1/events`: replays what the client missed (Last-Event-ID), then streams until it leaves
 * or the server stops. `?topics=` narrows it to some topics: a campaign's page needs neither
 * monitor hits nor account changes. Events go out in one write per `batchMs`.
 */
export function streamEvents(c: Context<WebEnv>, hub: EventHub, closing: AbortSignal): Response {
  const lastEventId = c.req.header('last-event-id') ?? c.req.query('lastEventId');
  const wants = topicFilter(c.req.query('topics'));
  return streamSSE(c, async (stream) => {
    const queue: StreamEvent[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = hub.subscribe((e) => {
      if (wants && !wants(e)) return;
      queue.push(e);
      wake?.();
    });
    const done = new Promise<void>((resolve) => {
      const finish = (): void => resolve();
      stream.onAbort(finish);
      if (closing.aborted) finish();
      closing.addEventListener('abort', finish, { once: true });
    });
    try {
      const missed = hub.since(lastEventId);
      if (missed === 'gap') await stream.write(sseFrame(hub.resetEvent()));
      else {
        const replay = wants ? missed.filter(wants) : missed;
        if (replay.length) await stream.write(replay.map(sseFrame).join(''));
      }
      // A comment first, so the browser's open event fires without waiting for news.
      await stream.write(': connected\n\n');
      let ended = false;
      void done.then(() => {
        ended = true;
        wake?.();
      });
      const keepAlive = setInterval(() => wake?.(), hub.keepAliveMs);
      try {
        while (!ended) {
          if (queue.length === 0) {
            let idle = true;
            await new Promise<void>((resolve) => {
              wake = () => {
                idle = queue.length === 0;
                resolve();
              };
            });
            wake = undefined;
            if (ended) break;
            if (idle && queue.length === 0) await stream.write(': keep-alive\n\n');
          }
          if (queue.length === 0) continue;
          if (hub.batchMs > 0) {
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, hub.batchMs);
              wake = () => {
                if (!ended) return;
                clearTimeout(t);
                resolve();
              };
            });
            wake = undefined;
            if (ended) break;
          }
          await stream.write(queue.splice(0).map(sseFrame).join(''));
        }
      } finally {
        clearInterval(keepAlive);
      }
    } finally {
      unsubscribe();
    }
  });
}
