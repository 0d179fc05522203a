import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cutGraphemes,
  formatForward,
  ignoreSenderCallback,
  messageLink,
  parseIgnoreSenderCallback,
  TELEGRAM_TEXT_LIMIT,
  truncateWithEntities,
  type TextEntity,
} from './forward-format.ts';
import type { ChatInfo, IncomingMessage } from './session.ts';

const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemesOf = (s: string): string[] => [...seg.segment(s)].map((x) => x.segment);

function msg(chat: ChatInfo, text = 'hello', messageId = 42): IncomingMessage {
  return { chat, messageId, sender: { id: 777, name: 'Sara K', username: 'sara', isBot: false }, text, date: 0 };
}

describe('messageLink', () => {
  it('builds the link for each chat kind', () => {
    expect(messageLink({ id: -1001234567890, kind: 'supergroup', title: 'x', username: 'pubgroup' }, 5)).toEqual({ url: 'https://t.me/pubgroup/5' });
    expect(messageLink({ id: -1001234567890, kind: 'channel', title: 'x', username: 'news' }, 6)).toEqual({ url: 'https://t.me/news/6' });
    expect(messageLink({ id: -1001234567890, kind: 'supergroup', title: 'x', username: null }, 7)).toEqual({ url: 'https://t.me/c/1234567890/7' });
    expect(messageLink({ id: -1009876543210, kind: 'channel', title: 'x', username: null }, 8)).toEqual({ url: 'https://t.me/c/9876543210/8' });
    expect(messageLink({ id: -1001111111111, kind: 'forum', title: 'x', username: null }, 9)).toEqual({ url: 'https://t.me/c/1111111111/9' });
    expect(messageLink({ id: -4012345, kind: 'group', title: 'x', username: null }, 1)).toEqual({ url: null, reason: 'basic groups have no message links' });
    expect(messageLink({ id: 5550001, kind: 'private', title: 'x', username: 'someone' }, 1)).toEqual({ url: null, reason: 'private chats have no message links' });
  });
});

describe('cutGraphemes', () => {
  it('never splits a surrogate pair, combining sequence, ZWJ emoji or flag', () => {
    expect(cutGraphemes('ab😀', 3)).toBe('ab');
    expect(cutGraphemes('abe\u0301x', 3)).toBe('ab');
    expect(cutGraphemes('a👩‍👩‍👧b', 5)).toBe('a');
    expect(cutGraphemes('a🇮🇷🇩🇪', 4)).toBe('a');
    expect(cutGraphemes('a🇮🇷🇩🇪', 7)).toBe('a🇮🇷');
    expect(cutGraphemes('short', 10)).toBe('short');
  });

  it('returns the longest whole-grapheme prefix within the limit', () => {
    const unit = fc.constantFrom('a', 'ب', 'e\u0301', '😀', '👩‍👩‍👧', '🇮🇷', 'ی\u200c', 'ﷺ', ' ', '\u064e');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), fc.nat(120), (parts, limit) => {
        const text = parts.join('');
        const cut = cutGraphemes(text, limit);
        expect(cut.length).toBeLessThanOrEqual(Math.max(limit, 0));
        expect(text.startsWith(cut)).toBe(true);
        const all = graphemesOf(text);
        const mine = graphemesOf(cut);
        expect(mine).toEqual(all.slice(0, mine.length));
        const next = all[mine.length];
        if (next !== undefined) expect(cut.length + next.length).toBeGreaterThan(limit);
      }),
      { numRuns: 500 },
    );
  });
});

describe('truncateWithEntities', () => {
  it('clips entities to the cut and drops those past it', () => {
    const entities: TextEntity[] = [
      { type: 'bold', offset: 0, length: 3 },
      { type: 'blockquote', offset: 4, length: 10 },
      { type: 'code', offset: 12, length: 2 },
    ];
    const out = truncateWithEntities('abc defghijklmn', entities, 9);
    expect(out.text).toBe('abc defg…');
    expect(out.entities).toEqual([
      { type: 'bold', offset: 0, length: 3 },
      { type: 'blockquote', offset: 4, length: 4 },
    ]);
  });
});

describe('formatForward', () => {
  const chat: ChatInfo = { id: -1001234567890, kind: 'supergroup', title: 'Crypto Traders', username: null };

  it('names the account, sender, chat, keywords and link, with buttons', () => {
    const f = formatForward({ accountLabel: '#3 @acc3', message: msg(chat, 'buy USDT now'), keywords: ['usdt', 'buy'] });
    expect(f.text).toContain('Keywords: usdt, buy');
    expect(f.text).toContain('Chat: Crypto Traders (supergroup, -1001234567890)');
    expect(f.text).toContain('From: Sara K @sara · id 777');
    expect(f.text).toContain('Seen by: #3 @acc3');
    expect(f.text).toContain('Link: https://t.me/c/1234567890/42');
    expect(f.text.endsWith('buy USDT now')).toBe(true);
    const quote = f.entities.find((e) => e.type === 'blockquote')!;
    expect(f.text.slice(quote.offset, quote.offset + quote.length)).toBe('buy USDT now');
    expect(f.buttons).toEqual([[{ text: 'Open message', url: 'https://t.me/c/1234567890/42' }], [{ text: 'Ignore this sender', callbackData: 'mon:ignore:777' }]]);
  });

  it('explains a missing link and has no open button for basic groups and private chats', () => {
    const f = formatForward({ accountLabel: '#1', message: msg({ id: -4012345, kind: 'group', title: 'Family', username: null }), keywords: ['x'] });
    expect(f.text).toContain('Link: none (basic groups have no message links)');
    expect(f.buttons).toEqual([[{ text: 'Ignore this sender', callbackData: 'mon:ignore:777' }]]);
  });

  it('stays within the limit without splitting graphemes or entities, for any text', () => {
    const unit = fc.constantFrom('a', 'سلام ', 'e\u0301', '😀', '👩‍👩‍👧', '🇮🇷', '\n', '<b>&amp;');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 3000 }), fc.array(fc.string({ maxLength: 200 }), { maxLength: 15 }), fc.string({ maxLength: 300 }), (parts, keywords, title) => {
        const text = parts.join('');
        const f = formatForward({ accountLabel: 'acc', message: msg({ ...chat, title }, text), keywords });
        expect(f.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
        for (const e of f.entities) {
          expect(e.offset + e.length).toBeLessThanOrEqual(f.text.length);
          const c = f.text.charCodeAt(e.offset + e.length - 1);
          expect(c >= 0xd800 && c <= 0xdbff).toBe(false);
        }
        const quote = f.entities.find((e) => e.type === 'blockquote');
        if (quote && text.trim() !== '') {
          const shown = f.text.slice(quote.offset, quote.offset + quote.length);
          const body = text.trim();
          if (shown === body) return;
          expect(shown.endsWith('…')).toBe(true);
          const kept = shown.slice(0, -1);
          expect(body.startsWith(kept)).toBe(true);
          const all = graphemesOf(body);
          expect(graphemesOf(kept)).toEqual(all.slice(0, graphemesOf(kept).length));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('round-trips the ignore-sender callback', () => {
    expect(parseIgnoreSenderCallback(ignoreSenderCallback(123456789))).toBe(123456789);
    expect(parseIgnoreSenderCallback('mon:ignore:abc')).toBeNull();
    expect(parseIgnoreSenderCallback('other')).toBeNull();
  });
});
