/**
 * Posts the monitor's forwards to the channel with the Bot API (`ForwardSender` for
 * `engine/outbox-sender.ts`). It sleeps and retries nothing itself: it reports what Telegram said
 * (sent, retry after N s, refused) and the outbox sender decides when to try again, so a restart
 * loses no wait and no row. The "ignore this sender" button is handled by the admin bot.
 */
import { Api, GrammyError, HttpError } from 'grammy';
import type { InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity } from 'grammy/types';
import type { ForwardButton, ForwardMessage } from '../../core/forward-format.ts';
import type { ForwardItem, ForwardOutcome, ForwardSender } from '../../engine/outbox-sender.ts';

/** CHANNEL_ID as the Bot API takes it: a number for `-100…`, the text for `@name`. */
export function channelChatId(channelId: string): number | string {
  const v = channelId.trim();
  return /^-?\d+$/.test(v) ? Number(v) : v.startsWith('@') ? v : `@${v}`;
}

function button(b: ForwardButton): InlineKeyboardButton {
  return 'url' in b ? { text: b.text, url: b.url } : { text: b.text, callback_data: b.callbackData };
}

/** The Bot API parameters of one forward (plain text with entities, no parse mode, no preview). */
export function sendMessageOptions(message: ForwardMessage): {
  entities: MessageEntity[];
  reply_markup?: InlineKeyboardMarkup;
  link_preview_options: { is_disabled: true };
} {
  const entities: MessageEntity[] = message.entities.map((e) => ({ type: e.type, offset: e.offset, length: e.length }));
  const markup = message.buttons.length > 0 ? { inline_keyboard: message.buttons.map((row) => row.map(button)) } : undefined;
  return { entities, ...(markup ? { reply_markup: markup } : {}), link_preview_options: { is_disabled: true } };
}

/** What a Bot API error means for the outbox; read from the numeric code only. */
export function classifySendError(e: unknown): ForwardOutcome {
  if (e instanceof GrammyError) {
    if (e.error_code === 429) {
      const seconds = e.parameters.retry_after;
      return { status: 'retry', afterMs: seconds !== undefined ? seconds * 1000 : null, reason: `flood limit (${e.description})` };
    }
    if (e.error_code >= 500) return { status: 'retry', afterMs: null, reason: `Telegram server error ${e.error_code}` };
    // 400 (chat not found, bad request), 401 (bad token), 403 (not an admin of the channel):
    // the operator has to act; the row waits for that.
    return { status: 'refused', reason: e.description };
  }
  if (e instanceof HttpError) return { status: 'retry', afterMs: null, reason: `network error talking to the Bot API: ${e.message}` };
  return { status: 'retry', afterMs: null, reason: e instanceof Error ? e.message : String(e) };
}

/** grammY types its signal with the `abort-controller` polyfill; Node's is the same at runtime. */
type GrammySignal = Parameters<Api['sendMessage']>[3];

export class BotForwarder implements ForwardSender {
  private readonly chatId: number | string;

  /** `api` without retry transformers: waits belong to the outbox. */
  constructor(
    private readonly api: Api,
    channelId: string,
  ) {
    this.chatId = channelChatId(channelId);
  }

  async send(item: ForwardItem, signal?: AbortSignal): Promise<ForwardOutcome> {
    try {
      const sent = await this.api.sendMessage(this.chatId, item.message.text, sendMessageOptions(item.message), signal as GrammySignal);
      return { status: 'sent', messageId: sent.message_id };
    } catch (e) {
      return classifySendError(e);
    }
  }
}

export interface ForwarderOptions {
  /** For tests and local Bot API servers. */
  apiRoot?: string;
  /** HTTP agent for PROXY_URL. */
  agent?: unknown;
  timeoutSeconds?: number;
}

/** A forwarder with its own `Api` client (no transformers). */
export function createBotForwarder(token: string, channelId: string, opts: ForwarderOptions = {}): BotForwarder {
  const api = new Api(token, {
    ...(opts.apiRoot !== undefined ? { apiRoot: opts.apiRoot } : {}),
    timeoutSeconds: opts.timeoutSeconds ?? 60,
    ...(opts.agent !== undefined ? { baseFetchConfig: { agent: opts.agent, compress: true } } : {}),
  });
  return new BotForwarder(api, channelId);
}
