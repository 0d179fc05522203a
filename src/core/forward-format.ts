/**
 * The text the monitor posts to the forward channel for one hit: who saw it, who wrote it, where,
 * which keywords, a link that works for the chat kind, and the message itself cut at Telegram's
 * limit without splitting a character, a grapheme or an entity. Plain text plus entities (no
 * parse mode), so nothing in a message can break the markup.
 */
import { formatMessageLink } from './links.ts';
import type { ChatInfo, ChatKind, IncomingMessage } from './session.ts';

/** Telegram's limit for a message text, in UTF-16 code units after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** The subset of Bot API `MessageEntity` the monitor uses; offsets and lengths in UTF-16 units. */
export interface TextEntity {
  type: 'bold' | 'italic' | 'code' | 'blockquote';
  offset: number;
  length: number;
}

export type ForwardButton = { text: string; url: string } | { text: string; callbackData: string };

export interface ForwardMessage {
  text: string;
  entities: TextEntity[];
  /** Rows of inline buttons. */
  buttons: ForwardButton[][];
}

/** The seen message's own text in a forward (its quote, after the header lines); empty when it had none. */
export function forwardBody(m: ForwardMessage): string {
  const quote = m.entities.find((e) => e.type === 'blockquote');
  return quote ? m.text.slice(quote.offset, quote.offset + quote.length) : '';
}

export type MessageLink = { url: string } | { url: null; reason: string };

/** Marked ids of channels and supergroups are -100 followed by the channel id. */
const CHANNEL_ID_OFFSET = 1_000_000_000_000;

/** A link to the message that works for the chat kind, or why there is none. */
export function messageLink(chat: ChatInfo, messageId: number): MessageLink {
  if (chat.kind === 'private') return { url: null, reason: 'private chats have no message links' };
  if (chat.kind === 'group') return { url: null, reason: 'basic groups have no message links' };
  if (chat.username) return { url: formatMessageLink({ username: chat.username }, messageId) };
  if (chat.id <= -CHANNEL_ID_OFFSET) return { url: formatMessageLink({ channelId: -chat.id - CHANNEL_ID_OFFSET }, messageId) };
  return { url: null, reason: `chat id ${chat.id} is not a channel id` };
}

export const IGNORE_SENDER_CALLBACK = 'mon:ignore:';

/** Callback data of the "ignore this sender" button (the admin bot handles it). */
export function ignoreSenderCallback(senderId: number): string {
  return `${IGNORE_SENDER_CALLBACK}${senderId}`;
}

/** The sender id in "ignore this sender" callback data, or null when `data` is something else. */
export function parseIgnoreSenderCallback(data: string): number | null {
  if (!data.startsWith(IGNORE_SENDER_CALLBACK)) return null;
  const rest = data.slice(IGNORE_SENDER_CALLBACK.length);
  return /^-?\d{1,16}$/.test(rest) ? Number(rest) : null;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The longest prefix of `text` that is at most `maxUnits` UTF-16 code units and ends on a
 * grapheme boundary (so never inside a surrogate pair, a combining sequence, an emoji ZWJ
 * sequence or a flag).
 */
export function cutGraphemes(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  if (maxUnits <= 0) return '';
  // A boundary at p depends only on what precedes p and the code point at p.
  const window = text.slice(0, maxUnits + 2);
  let best = 0;
  for (const s of graphemes.segment(window)) {
    if (s.index > maxUnits) break;
    best = s.index;
  }
  return text.slice(0, best);
}

/**
 * Cuts `text` to `limit` code units (with `ellipsis` appended when cut) and clips the entities to
 * what is left: an entity never runs past the end, and one left empty is dropped.
 */
export function truncateWithEntities(text: string, entities: readonly TextEntity[], limit: number, ellipsis = '…'): { text: string; entities: TextEntity[] } {
  if (text.length <= limit) return { text, entities: [...entities] };
  const kept = cutGraphemes(text, Math.max(0, limit - ellipsis.length));
  const out: TextEntity[] = [];
  for (const e of entities) {
    if (e.offset >= kept.length) continue;
    const length = Math.min(e.length, kept.length - e.offset);
    if (length > 0) out.push({ ...e, length });
  }
  return { text: kept + ellipsis, entities: out };
}

/** Builds text and entities together so offsets are always right. */
class Composer {
  text = '';
  entities: TextEntity[] = [];

  add(part: string, type?: TextEntity['type']): this {
    if (type !== undefined && part.length > 0) this.entities.push({ type, offset: this.text.length, length: part.length });
    this.text += part;
    return this;
  }
}

/** `text` cut to `max` code units on a grapheme boundary, with an ellipsis when cut. */
function short(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : cutGraphemes(oneLine, max - 1) + '…';
}

const KIND_LABEL: Record<ChatKind, string> = {
  private: 'private chat',
  group: 'basic group',
  supergroup: 'supergroup',
  forum: 'forum',
  channel: 'channel',
};

const MAX_KEYWORDS_SHOWN = 10;

export interface ForwardInput {
  /** How the operator knows the account that saw the message (e.g. `#3 @name`). */
  accountLabel: string;
  message: IncomingMessage;
  /** The matched keywords as the operator typed them. */
  keywords: readonly string[];
}

/** The forward for one hit, within `limit` code units. */
export function formatForward(input: ForwardInput, limit = TELEGRAM_TEXT_LIMIT): ForwardMessage {
  const { message, keywords } = input;
  const { chat, sender } = message;
  const link = messageLink(chat, message.messageId);
  const c = new Composer();

  const shown = keywords.slice(0, MAX_KEYWORDS_SHOWN).map((k) => short(k, 64));
  const more = keywords.length > MAX_KEYWORDS_SHOWN ? ` and ${keywords.length - MAX_KEYWORDS_SHOWN} more` : '';
  c.add('Keywords: ', 'bold').add(shown.join(', ') + more + '\n');

  c.add('Chat: ', 'bold').add(short(chat.title || String(chat.id), 128));
  c.add(chat.username ? ` @${chat.username}` : '').add(` (${KIND_LABEL[chat.kind]}, ${chat.id})\n`);

  c.add('From: ', 'bold');
  if (sender) {
    c.add(short(sender.name || 'no name', 128)).add(sender.username ? ` @${sender.username}` : '').add(' · id ').add(String(sender.id), 'code');
    c.add(sender.isBot ? ' (bot)\n' : '\n');
  } else {
    c.add('the chat itself (anonymous)\n');
  }

  c.add('Seen by: ', 'bold').add(short(input.accountLabel, 64) + '\n');
  c.add('Link: ', 'bold').add(link.url ?? `none (${link.reason})`);

  const body = message.text.trim();
  if (body !== '') {
    c.add('\n\n');
    const room = limit - c.text.length;
    const cut = body.length <= room ? body : cutGraphemes(body, Math.max(0, room - 1)) + '…';
    c.add(cut, 'blockquote');
  }

  const { text, entities } = truncateWithEntities(c.text, c.entities, limit);
  const buttons: ForwardButton[][] = [];
  if (link.url !== null) buttons.push([{ text: 'Open message', url: link.url }]);
  if (sender) buttons.push([{ text: 'Ignore this sender', callbackData: ignoreSenderCallback(sender.id) }]);
  return { text, entities, buttons };
}
