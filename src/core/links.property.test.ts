import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CHANNEL_ID, MAX_MESSAGE_ID, RESERVED_LINK_WORDS, formatLink, formatMessageLink, isReservedLinkWord, parseLink, type LinkParse, type ParsedLink } from './links.ts';
import type { ChatRef } from './session.ts';
import { isUsername } from './usernames.ts';


const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz');
const username = fc
  .tuple(letter, fc.array(fc.oneof(alnum, alnum.map((c) => `_${c}`)), { minLength: 3, maxLength: 31 }))
  .map(([first, rest]) => (first + rest.join('')).slice(0, 32))
  .filter((name) => isUsername(name) && !isReservedLinkWord(name));
const messageId = fc.integer({ min: 1, max: MAX_MESSAGE_ID });
const channelId = fc.integer({ min: 1, max: MAX_CHANNEL_ID });
// An all-digit hash after "+" would be a phone number link.
const hash = fc.stringMatching(/^[A-Za-z0-9_-]{4,64}$/).filter((h) => /\D/.test(h));
const chat: fc.Arbitrary<ChatRef> = fc.oneof(
  username.map((u) => ({ username: u })),
  channelId.map((id) => ({ channelId: id })),
);

const messageLink: fc.Arbitrary<ParsedLink> = fc
  .record({ chat, messageId, topicId: fc.option(messageId, { nil: undefined }), commentId: fc.option(messageId, { nil: undefined }) })
  .map(({ chat: c, messageId: m, topicId, commentId }) => ({
    kind: 'message' as const,
    chat: c,
    messageId: m,
    ...(topicId !== undefined ? { topicId } : {}),
    ...(commentId !== undefined ? { commentId } : {}),
  }));
const link: fc.Arbitrary<ParsedLink> = fc.oneof(
  messageLink,
  hash.map((h) => ({ kind: 'invite' as const, hash: h })),
  username.map((u) => ({ kind: 'peer' as const, username: u })),
);

/** How an operator might write the same link: scheme, host, case, spaces, harmless query parts. */
const style = fc.record({
  web: fc.boolean(),
  scheme: fc.constantFrom('', 'http://', 'https://', 'HTTPS://', 'Http://'),
  host: fc.constantFrom('t.me', 'telegram.me', 'telegram.dog', 'T.ME', 'Telegram.Me', 'TELEGRAM.DOG'),
  www: fc.constantFrom('', 'www.', 'WWW.'),
  upper: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
  before: fc.constantFrom('', ' ', '  ', '\t', '\n', ' \u00a0'),
  after: fc.constantFrom('', ' ', '\n', '\r\n', '\t '),
  slash: fc.boolean(),
  preview: fc.boolean(),
  topicInQuery: fc.boolean(),
  joinchat: fc.boolean(),
  at: fc.constantFrom('t.me', '@', 'bare', 'resolve'),
  harmless: fc.constantFrom('', 'single', 'utm_source=share', 't=10', 'embed=1&mode=tme', 'single&utm_campaign=x'),
});
type Style = typeof style extends fc.Arbitrary<infer S> ? S : never;

function recase(text: string, upper: boolean[]): string {
  return [...text].map((ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch.toLowerCase())).join('');
}

function query(parts: string[]): string {
  const kept = parts.filter((p) => p !== '');
  return kept.length > 0 ? `?${kept.join('&')}` : '';
}

/** Writes `l` in the given style; only letters whose case Telegram ignores change case. */
function render(l: ParsedLink, s: Style): string {
  const wrap = (body: string): string => `${s.before}${body}${s.after}`;
  const c = (text: string): string => recase(text, s.upper);
  if (!s.web) {
    switch (l.kind) {
      case 'invite':
        return wrap(`${c('tg://join')}?${c('invite')}=${l.hash}`);
      case 'peer':
        if (s.at === '@') return wrap(`@${c(l.username)}`);
        if (s.at === 'bare') return wrap(c(l.username));
        return wrap(`${c('tg://resolve')}?${c('domain')}=${c(l.username)}${s.harmless !== '' ? `&${s.harmless}` : ''}`);
      case 'message': {
        const head = 'username' in l.chat ? `${c('tg://resolve')}?${c('domain')}=${c(l.chat.username)}` : `${c('tg://privatepost')}?${c('channel')}=${l.chat.channelId}`;
        const parts = [`${c('post')}=${l.messageId}`];
        if (l.topicId !== undefined) parts.push(`${c('thread')}=${l.topicId}`);
        if (l.commentId !== undefined) parts.push(`${c('comment')}=${l.commentId}`);
        if (s.harmless !== '') parts.push(s.harmless);
        return wrap(`${head}&${parts.join('&')}`);
      }
    }
  }
  const base = `${s.scheme}${s.www}${s.host}/`;
  const end = s.slash ? '/' : '';
  switch (l.kind) {
    case 'invite':
      return wrap(s.joinchat ? `${base}${c('joinchat')}/${l.hash}${end}` : `${base}+${l.hash}${end}`);
    case 'peer':
      return wrap(`${base}${s.preview ? c('s/') : ''}${c(l.username)}${end}${query([s.harmless])}`);
    case 'message': {
      const chatPath = 'username' in l.chat ? `${s.preview ? c('s/') : ''}${c(l.chat.username)}` : `${c('c')}/${l.chat.channelId}`;
      const topicPath = l.topicId !== undefined && !s.topicInQuery ? `/${l.topicId}` : '';
      const parts: string[] = [s.harmless];
      if (l.topicId !== undefined && s.topicInQuery) parts.push(`${c('thread')}=${l.topicId}`);
      if (l.commentId !== undefined) parts.push(`${c('comment')}=${l.commentId}`);
      return wrap(`${base}${chatPath}${topicPath}/${l.messageId}${end}${query(parts)}`);
    }
  }
}

/** Strings built from the pieces links are made of, to reach deep into the parser. */
const linkish = fc
  .array(
    fc.oneof(
      fc.constantFrom('t.me', 'telegram.me', 'tg://', 'tg:', 'https://', 'www.', '/', '+', 'c/', 's/', 'joinchat/', '@', '?', '&', '=', '#', '%', '%2', '-100', ' '),
      fc.constantFrom('comment', 'thread', 'topic', 'post', 'domain', 'channel', 'invite', 'start', 'resolve', 'privatepost', 'join', 'single'),
      fc.nat().map(String),
      fc.constantFrom('0', '2147483648', '99999999999999999999999', '1e3', '0x10'),
      username,
      fc.constantFrom(...RESERVED_LINK_WORDS),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

/** Whatever comes out of the parser is well formed, whatever went in. */
function expectWellFormed(input: string): void {
  const r = parseLink(input);
  if (!r.ok) {
    expect(typeof r.error).toBe('string');
    expect(r.error.length).toBeGreaterThan(0);
    expect(r.error.length).toBeLessThan(400);
    return;
  }
  const l = r.link;
  const id = (n: number | undefined, max: number): void => {
    if (n === undefined) return;
    expect(Number.isSafeInteger(n) && n >= 1 && n <= max).toBe(true);
  };
  switch (l.kind) {
    case 'peer':
      expect(isUsername(l.username)).toBe(true);
      expect(isReservedLinkWord(l.username)).toBe(false);
      break;
    case 'invite':
      expect(l.hash).toMatch(/^[A-Za-z0-9_-]{4,64}$/);
      break;
    case 'message':
      if ('username' in l.chat) {
        expect(isUsername(l.chat.username)).toBe(true);
        expect(isReservedLinkWord(l.chat.username)).toBe(false);
      } else id(l.chat.channelId, MAX_CHANNEL_ID);
      id(l.messageId, MAX_MESSAGE_ID);
      id(l.topicId, MAX_MESSAGE_ID);
      id(l.commentId, MAX_MESSAGE_ID);
      break;
  }
  // Anything accepted is written back canonically and reads the same again.
  expect(parseLink(formatLink(l))).toEqual(r);
}

/** The scheme (or tg:, or //) and what precedes it: never encoded, as no client decodes it. */
const LEAD = /^[\s\p{Cf}]*(?:[a-z][a-z0-9+.-]*:\/\/|tg:(?:\/\/)?|\/\/)?/iu;

/**
 * Writes some characters of a link as %XX escapes: letters, digits, "_", "-", and "." only where
 * `dots` allows (a bare "t%2Eme" would no longer look like a link); "+" only before the query,
 * where a raw "+" is a plus and not a space.
 */
function encodeSome(text: string, pick: boolean[], upperHex: boolean, dots: boolean): string {
  const start = LEAD.exec(text)?.[0].length ?? 0;
  const queryAt = text.indexOf('?');
  let out = text.slice(0, start);
  for (let i = start; i < text.length; i++) {
    const ch = text[i] ?? '';
    const encodable = /[A-Za-z0-9_-]/.test(ch) || (dots && ch === '.') || (ch === '+' && (queryAt < 0 || i < queryAt));
    if (encodable && pick[i % pick.length]) {
      const hex = ch.charCodeAt(0).toString(16).padStart(2, '0');
      out += `%${upperHex ? hex.toUpperCase() : hex}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Reserved words that start link kinds the parser reads itself (t.me/c/…, t.me/s/…, t.me/joinchat/…). */
const READ_HERE = new Set(['c', 's', 'joinchat']);

const picks = fc.array(fc.boolean(), { minLength: 1, maxLength: 9 });

/** What two parses must share to read alike: the link, or the failure's code. */
function outcome(r: LinkParse): unknown {
  return r.ok ? r : { ok: false, code: r.code };
}

describe('parseLink properties', () => {
  it('every valid link round-trips through formatLink', () => {
    fc.assert(
      fc.property(link, (l) => {
        expect(parseLink(formatLink(l))).toEqual({ ok: true, link: l });
      }),
      { numRuns: 500 },
    );
  });

  it('formatMessageLink gives a link that parses to the same chat and message', () => {
    fc.assert(
      fc.property(chat, messageId, (c, m) => {
        expect(parseLink(formatMessageLink(c, m))).toEqual({ ok: true, link: { kind: 'message', chat: c, messageId: m } });
      }),
      { numRuns: 300 },
    );
  });

  it('case, whitespace, scheme, host and harmless query variants parse the same', () => {
    fc.assert(
      fc.property(link, style, (l, s) => {
        expect(parseLink(render(l, s))).toEqual({ ok: true, link: l });
      }),
      { numRuns: 1000 },
    );
  });

  it('invite hashes keep their case however the rest is written', () => {
    fc.assert(
      fc.property(hash, style, (h, s) => {
        const r = parseLink(render({ kind: 'invite', hash: h }, s));
        expect(r.ok && r.link.kind === 'invite' && r.link.hash).toBe(h);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws and returns a well-formed result for arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), expectWellFormed), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), expectWellFormed), { numRuns: 500 });
  });

  it('never throws and returns a well-formed result for link-like strings', () => {
    fc.assert(fc.property(linkish, expectWellFormed), { numRuns: 2000 });
  });

  it('never throws and returns a well-formed result for valid links with random edits', () => {
    const edit = fc.record({ at: fc.nat(), op: fc.constantFrom('insert', 'delete', 'replace'), ch: fc.constantFrom(...'/+?&=#%@.-_ 0aZ:') });
    fc.assert(
      fc.property(link, style, fc.array(edit, { minLength: 1, maxLength: 4 }), (l, s, edits) => {
        let text = render(l, s);
        for (const e of edits) {
          const i = text.length === 0 ? 0 : e.at % text.length;
          text = e.op === 'insert' ? text.slice(0, i) + e.ch + text.slice(i) : e.op === 'delete' ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + e.ch + text.slice(i + 1);
        }
        expectWellFormed(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('an id out of range is refused, never clamped', () => {
    fc.assert(
      fc.property(username, fc.oneof(fc.constant(0), fc.integer({ min: MAX_MESSAGE_ID + 1, max: Number.MAX_SAFE_INTEGER })), (u, bad) => {
        const r = parseLink(`https://t.me/${u}/${bad}`);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error).toMatch(/bad message id/);
      }),
      { numRuns: 200 },
    );
  });

  it('an encoded and an unencoded form of the same link parse alike', () => {
    fc.assert(
      fc.property(link, style, picks, fc.boolean(), (l, s, pick, upper) => {
        const plain = render(l, s);
        if (s.at === '@' || s.at === 'bare') return; // names are not links: nothing in them is decoded
        expect(parseLink(encodeSome(plain, pick, upper, true))).toEqual({ ok: true, link: l });
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(linkish, picks, fc.boolean(), (text, pick, upper) => {
        // A "%" already there would change meaning once its digits are escaped; a bare name is no link.
        fc.pre(!text.includes('%') && (/^\s*tg:/i.test(text) || /[./]/.test(text)));
        expect(outcome(parseLink(encodeSome(text, pick, upper, false)))).toEqual(outcome(parseLink(text)));
      }),
      { numRuns: 2000 },
    );
  });

  it('no reserved word is ever a username, in any form, case or encoding', () => {
    const form = fc.constantFrom(
      (w: string) => `https://t.me/${w}`,
      (w: string, id: number) => `https://t.me/${w}/${id}`,
      (w: string, id: number) => `t.me/s/${w}/${id}`,
      (w: string, id: number) => `https://telegram.me/${w}/${id}/${id}?single`,
      (w: string) => `https://${w}.t.me`,
      (w: string, id: number) => `${w}.t.me/${id}`,
      (w: string) => `tg://resolve?domain=${w}`,
      (w: string, id: number) => `tg:resolve?domain=${w}&post=${id}`,
      (w: string) => `@${w}`,
      (w: string) => w,
    );
    fc.assert(
      fc.property(fc.constantFrom(...RESERVED_LINK_WORDS), fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), messageId, form, picks, fc.boolean(), (word, upper, id, write, pick, encode) => {
        const text = write(recase(word, upper), id);
        const input = encode && !text.startsWith('@') && /[./:]/.test(text) ? encodeSome(text, pick, false, false) : text;
        const r = parseLink(input);
        if (r.ok) {
          const name = r.link.kind === 'peer' ? r.link.username : r.link.kind === 'message' && 'username' in r.link.chat ? r.link.chat.username : undefined;
          expect(name).not.toBe(word);
        }
        // A word for a link kind the panel does not act on is refused as that, not as a bad name.
        if (!READ_HERE.has(word)) expect(r.ok ? 'ok' : r.code).toMatch(/^(unsupported_link|reserved_word)$/);
      }),
      { numRuns: 2000 },
    );
  });
});
