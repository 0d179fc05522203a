import { InputFile } from 'grammy';
import { stripIsolates } from './i18n/bidi.ts';
import type { MenuRef } from '../../store/bot.ts';
import { adoptMenu, editMessage, sendView } from './render.ts';
import type { Runtime } from './runtime.ts';
import { MAX_TEXT, type Keyboard, type View } from './ui.ts';

export interface ProgressSnapshot {
  done: number;
  total: number;
  ok: number;
  failed: number;
  /** The account acting now, as the admin knows it. */
  current?: string | undefined;
}

export interface FinalReport {
  /** A few lines that always fit in the message. */
  summary: string;
  /** One line per result; sent as a document when they do not fit under the summary. */
  details: string[];
  fileName: string;
  /** Told in place of the details when they went into the document. */
  detailsInFile: string;
  keyboard?: Keyboard;
  /**
   * The admin whose menu the report becomes (its buttons then work like any menu's), unless they
   * opened another menu meanwhile: then the report shows no buttons, and theirs stays live.
   */
  menuOf?: number;
}

export interface ProgressOptions {
  /** The least time between two edits of the message (Telegram tolerates about one a second). */
  intervalMs?: number;
  signal?: AbortSignal;
}

/** A text bar of `width` cells. */
export function bar(done: number, total: number, width = 12): string {
  const ratio = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
  const full = Math.round(ratio * width);
  return '▓'.repeat(full) + '░'.repeat(width - full) + ` ${Math.round(ratio * 100)}%`;
}

/**
 * One message that follows a long piece of work: edited at most once per interval (by the
 * Clock) with the newest state, never queuing stale states behind a slow or rate-limited edit,
 * then turned into the final report.
 */
export class ProgressReporter {
  private messageId: number | undefined;
  private latest: ProgressSnapshot = { done: 0, total: 0, ok: 0, failed: 0 };
  private lastEditAt = -Infinity;
  private inFlight: Promise<void> | undefined;
  private waiting = false;
  private dirty = false;
  private closed = false;
  private readonly timerCtl = new AbortController();
  private readonly intervalMs: number;
  private readonly signal: AbortSignal;

  constructor(
    private readonly rt: Runtime,
    private readonly chatId: number,
    private readonly render: (s: ProgressSnapshot) => View,
    opts: ProgressOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 2000;
    this.signal = opts.signal ? AbortSignal.any([opts.signal, this.timerCtl.signal]) : this.timerCtl.signal;
  }

  get id(): number | undefined {
    return this.messageId;
  }

  private get now(): number {
    return this.rt.deps.clock.now();
  }

  /**
   * Shows the first state: in `over` (the screen that started the work, which turns into its
   * progress so no stale copy stays above it), or in a new message.
   */
  async begin(s: ProgressSnapshot, over?: MenuRef): Promise<void> {
    this.latest = s;
    this.lastEditAt = this.now;
    const view = this.render(s);
    if (over && over.chatId === this.chatId && (await editMessage(this.rt, over.chatId, over.messageId, view, this.signal))) this.messageId = over.messageId;
    else this.messageId = await sendView(this.rt, this.chatId, view);
  }

  update(s: ProgressSnapshot): void {
    if (this.closed) return;
    this.latest = s;
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.waiting || this.inFlight || !this.dirty || this.messageId === undefined) return;
    const wait = this.lastEditAt + this.intervalMs - this.now;
    if (wait <= 0) {
      this.inFlight = this.flush().finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
      return;
    }
    this.waiting = true;
    this.rt.deps.clock.sleep(wait, this.signal).then(
      () => {
        this.waiting = false;
        this.schedule();
      },
      () => {
        this.waiting = false;
      },
    );
  }

  private async flush(): Promise<void> {
    this.dirty = false;
    this.lastEditAt = this.now;
    try {
      await editMessage(this.rt, this.chatId, this.messageId!, this.render(this.latest), this.signal);
    } catch (e) {
      if (!this.signal.aborted) this.rt.deps.log.warn({ err: e }, 'could not update a progress message');
    }
    // An edit that waited out a 429 went through just now: the next one keeps its distance from it.
    this.lastEditAt = this.now;
  }

  /** Replaces the progress with the report; details that do not fit come as a document. */
  async finish(report: FinalReport): Promise<void> {
    this.closed = true;
    this.timerCtl.abort();
    await this.inFlight;
    const wait = this.lastEditAt + this.intervalMs - this.now;
    if (wait > 0) await this.rt.deps.clock.sleep(wait);
    const full = report.details.length > 0 ? `${report.summary}\n\n${report.details.join('\n')}` : report.summary;
    const fits = full.length <= MAX_TEXT;
    const becomesMenu = report.menuOf !== undefined && this.rt.store.menu(report.menuOf) === undefined;
    const view: View = { text: fits ? full : `${report.summary}\n\n${report.detailsInFile}`, keyboard: becomesMenu ? report.keyboard : [] };
    this.lastEditAt = this.now;
    const edited = this.messageId !== undefined && (await editMessage(this.rt, this.chatId, this.messageId, view));
    if (!edited) this.messageId = await sendView(this.rt, this.chatId, view);
    if (becomesMenu) await adoptMenu(this.rt, report.menuOf!, { chatId: this.chatId, messageId: this.messageId! });
    if (!fits) {
      await this.rt.api.sendDocument(this.chatId, new InputFile(Buffer.from(stripIsolates(report.details.join('\n')) + '\n', 'utf8'), report.fileName));
    }
  }
}
