import type { Context } from 'grammy';
import type { BotLanguage, FlowRecord } from '../../store/bot.ts';
import { botApiProblem } from './api-errors.ts';
import { adoptMenu, editMessage, sendView } from './render.ts';
import { FLOW_VERSION, type FlowDef } from './flows.ts';
import { messages, type Messages } from './i18n/index.ts';
import type { Runtime } from './runtime.ts';
import { clip, type View } from './ui.ts';

/**
 * One update from an admin, with what the menus need: the admin's language, their flow, and
 * ways to show a view (editing the menu message in place when the update came from it).
 */
export class Turn {
  private answered = false;
  private cachedLang: BotLanguage | undefined;

  constructor(
    readonly rt: Runtime,
    readonly ctx: Context,
    readonly adminId: number,
  ) {}

  /** The admin's private chat with the bot (menus live only there). */
  get chatId(): number {
    return this.adminId;
  }

  get lang(): BotLanguage {
    this.cachedLang ??= this.rt.store.language(this.adminId) ?? (this.ctx.from?.language_code?.startsWith('fa') ? 'fa' : 'en');
    return this.cachedLang;
  }

  setLang(lang: BotLanguage): void {
    this.rt.store.setLanguage(this.adminId, lang, this.rt.deps.clock.now());
    this.cachedLang = lang;
  }

  get t(): Messages {
    return messages(this.lang);
  }

  get now(): number {
    return this.rt.deps.clock.now();
  }

  /** Whether this update is a button press on the admin's current menu message. */
  get onMenu(): boolean {
    const msg = this.ctx.callbackQuery?.message;
    if (!msg) return false;
    const menu = this.rt.store.menu(this.adminId);
    return menu !== undefined && menu.chatId === msg.chat.id && menu.messageId === msg.message_id;
  }

  /** Answers the button press (once); a text shows as a toast, or as an alert. */
  async answer(text?: string, alert = false): Promise<void> {
    if (this.answered || !this.ctx.callbackQuery) return;
    this.answered = true;
    await this.ctx.answerCallbackQuery(text === undefined ? undefined : { text: clip(text, 200), show_alert: alert });
  }

  /** Shows a view: in place when the admin pressed a button on the menu, else as a new menu message. */
  async show(view: View): Promise<void> {
    const msg = this.ctx.callbackQuery?.message;
    if (msg && this.onMenu && (await this.edit(msg.chat.id, msg.message_id, view))) {
      await this.answer();
      return;
    }
    await this.answer();
    await this.send(view);
  }

  /** Sends a view as a new message that becomes the admin's menu. */
  async send(view: View): Promise<number> {
    const id = await sendView(this.rt, this.chatId, view);
    await adoptMenu(this.rt, this.adminId, { chatId: this.chatId, messageId: id });
    return id;
  }

  /**
   * The menu message this update came from, handed over to something else (a progress message):
   * it stops being the menu, so opening another menu later leaves its buttons alone.
   */
  releaseMenu(): { chatId: number; messageId: number } | undefined {
    const msg = this.ctx.callbackQuery?.message;
    if (!msg || !this.onMenu) return undefined;
    this.rt.store.clearMenu(this.adminId);
    return { chatId: msg.chat.id, messageId: msg.message_id };
  }

  /** Edits a message to show `view`; false when the message is gone and a new one is needed. */
  edit(chatId: number, messageId: number, view: View): Promise<boolean> {
    return editMessage(this.rt, chatId, messageId, view);
  }

  // --- flows ---

  /**
   * True when this update found a flow written by another version of the bot (or one that can no
   * longer be read) and dropped it: the admin is told to start that step again.
   */
  flowDropped = false;

  /** The admin's flow, when there is one this version of the bot can read. */
  flow(): FlowRecord | undefined {
    const rec = this.rt.store.flow(this.adminId);
    if (!rec) return undefined;
    if (rec === 'unreadable' || rec.version !== FLOW_VERSION || !this.rt.registry.flows.has(rec.flow)) {
      this.rt.store.clearFlow(this.adminId);
      this.flowDropped = true;
      return undefined;
    }
    return rec;
  }

  flowDef(rec: FlowRecord): FlowDef {
    return this.rt.registry.flows.get(rec.flow)!;
  }

  setFlow(flow: string, step: string, data: Record<string, unknown> = {}, secret?: Record<string, string>): FlowRecord {
    const rec: FlowRecord = { version: FLOW_VERSION, flow, step, data, updatedAt: this.now };
    if (secret) rec.secret = secret;
    this.rt.store.saveFlow(this.adminId, rec);
    return rec;
  }

  /** Leaves the current flow, letting it release what it holds in memory. */
  async leaveFlow(): Promise<void> {
    const rec = this.flow();
    this.rt.store.clearFlow(this.adminId);
    if (rec) await this.flowDef(rec).onLeave?.(this, rec);
  }

  /** Asks the current flow's question again (or shows the main menu when there is no flow). */
  async current(prefix?: string, fresh = false): Promise<void> {
    const rec = this.flow();
    const view: View = rec ? await this.flowDef(rec).prompt(this, rec) : await this.rt.home(this);
    const shown = prefix ? { ...view, text: `${prefix}\n\n${view.text}` } : view;
    if (fresh) {
      await this.answer();
      await this.send(shown);
    } else await this.show(shown);
  }

  /**
   * Bad input: the question is asked again in place, with the reason above it, so wrong answers
   * never pile up copies of the question (a new message only when the old one is gone).
   */
  async retry(reason: string): Promise<void> {
    const rec = this.flow();
    const view: View = rec ? await this.flowDef(rec).prompt(this, rec) : await this.rt.home(this);
    const shown = { ...view, text: `⚠️ ${reason}\n\n${view.text}` };
    const menu = this.rt.store.menu(this.adminId);
    await this.answer();
    if (menu && (await this.edit(menu.chatId, menu.messageId, shown))) return;
    await this.send(shown);
  }

  /** Deletes the admin's message (one carrying a code, password or session string). */
  async deleteIncoming(): Promise<void> {
    const msg = this.ctx.message;
    if (!msg) return;
    try {
      await this.rt.api.deleteMessage(msg.chat.id, msg.message_id);
    } catch (e) {
      // Gone already is fine; anything else must not stop the flow, but the admin should know.
      if (botApiProblem(e) !== 'message_gone') this.rt.deps.log.warn({ err: e }, 'could not delete a message carrying a secret');
    }
  }
}
