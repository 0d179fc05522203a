import { describe, expect, it } from 'vitest';
import {
  MAX_CHANNEL_ID,
  describeLink,
  formatLink,
  formatMessageLink,
  isLinkRefusal,
  isReservedLinkWord,
  parseLink,
  RESERVED_LINK_WORDS,
  toJoinTarget,
  toLeaveTarget,
  toMessageTarget,
  toUsername,
  type LinkErrorCode,
  type LinkErrorParams,
  type ParsedLink,
} from './links.ts';

const msg = (username: string, messageId: number, extra: { topicId?: number; commentId?: number } = {}): ParsedLink => ({
  kind: 'message',
  chat: { username },
  messageId,
  ...extra,
});
const priv = (channelId: number, messageId: number, extra: { topicId?: number; commentId?: number } = {}): ParsedLink => ({
  kind: 'message',
  chat: { channelId },
  messageId,
  ...extra,
});
const peer = (username: string): ParsedLink => ({ kind: 'peer', username });
const inv = (hash: string): ParsedLink => ({ kind: 'invite', hash });

const ACCEPTED: [string, ParsedLink][] = [
  ['t.me/durov/123', msg('durov', 123)],
  ['https://t.me/durov/123', msg('durov', 123)],
  ['http://t.me/durov/123', msg('durov', 123)],
  ['HTTPS://WWW.T.ME/Durov/123', msg('durov', 123)],
  ['  https://t.me/durov/123 \n', msg('durov', 123)],
  ['https://telegram.me/durov/123', msg('durov', 123)],
  ['https://telegram.dog/durov/123', msg('durov', 123)],
  ['www.telegram.me/durov/123', msg('durov', 123)],
  ['https://t.me/durov/123/', msg('durov', 123)],
  ['https://t.me/durov/123?single', msg('durov', 123)],
  ['https://t.me/durov/123?single&utm_source=x&t=15#frag', msg('durov', 123)],
  ['https://t.me/s/durov/123', msg('durov', 123)],
  ['https://t.me/s/durov', peer('durov')],
  ['https://t.me/durov/123?comment=45', msg('durov', 123, { commentId: 45 })],
  ['https://t.me/pyforum/7/456', msg('pyforum', 456, { topicId: 7 })],
  ['https://t.me/pyforum/456?thread=7', msg('pyforum', 456, { topicId: 7 })],
  ['https://t.me/pyforum/7/456?thread=7', msg('pyforum', 456, { topicId: 7 })],
  ['https://t.me/pyforum/456?topic=7', msg('pyforum', 456, { topicId: 7 })],
  ['https://t.me/c/1234567890/55', priv(1234567890, 55)],
  ['t.me/C/1234567890/55', priv(1234567890, 55)],
  ['https://t.me/c/1234567890/3/55', priv(1234567890, 55, { topicId: 3 })],
  ['https://t.me/c/1234567890/55?thread=3', priv(1234567890, 55, { topicId: 3 })],
  ['https://t.me/c/1234567890/55?comment=9', priv(1234567890, 55, { commentId: 9 })],
  [`https://t.me/c/${MAX_CHANNEL_ID}/2147483647`, priv(MAX_CHANNEL_ID, 2147483647)],
  ['https://t.me/+AbCdEf_12-xy', inv('AbCdEf_12-xy')],
  ['T.ME/+AbCdEf_12-xy', inv('AbCdEf_12-xy')],
  ['https://t.me/joinchat/AAAAAEHbEkejzxUjAUCzYA', inv('AAAAAEHbEkejzxUjAUCzYA')],
  ['https://t.me/JoinChat/AAAAAEHbEkejzxUjAUCzYA/', inv('AAAAAEHbEkejzxUjAUCzYA')],
  ['https://t.me/durov', peer('durov')],
  ['t.me/Durov_Channel', peer('durov_channel')],
  ['https://t.me/durov?utm_medium=share', peer('durov')],
  ['@Durov', peer('durov')],
  ['durov', peer('durov')],
  ['  @durov  ', peer('durov')],
  ['https://durov.t.me', peer('durov')],
  ['durov.t.me/123', msg('durov', 123)],
  ['//t.me/durov', peer('durov')],
  ['tg://resolve?domain=durov', peer('durov')],
  ['tg://resolve?domain=Durov&post=123', msg('durov', 123)],
  ['TG://RESOLVE?DOMAIN=durov&POST=123&single', msg('durov', 123)],
  ['tg:resolve?domain=durov&post=123&comment=4', msg('durov', 123, { commentId: 4 })],
  ['tg://resolve?domain=pyforum&post=456&thread=7', msg('pyforum', 456, { topicId: 7 })],
  ['tg://privatepost?channel=1234567890&post=55', priv(1234567890, 55)],
  ['tg://privatepost?channel=1234567890&post=55&thread=3&comment=8', priv(1234567890, 55, { topicId: 3, commentId: 8 })],
  ['tg://join?invite=AbCdEf_12-xy', inv('AbCdEf_12-xy')],
  ['tg://join?invite=AAAAAEHbEkejzxUjAUCzYA', inv('AAAAAEHbEkejzxUjAUCzYA')],
  ['https://t.me/abcd', peer('abcd')],
  ['https://t.me/durov/007', msg('durov', 7)],
  // Path segments, hosts and query keys are percent-decoded the way tdlib's LinkManager reads them.
  ['https://t.me/+aba%30aba', inv('aba0aba')],
  ['https://t.me/joinchat/aba%30aba', inv('aba0aba')],
  ['https://t.me/%2BAbCdEfgh', inv('AbCdEfgh')],
  ['https://t.me/%20AbCdEfgh', inv('AbCdEfgh')],
  ['https://telegram.dog/tele%63ram', peer('telecram')],
  ['https://telegram.dog/tele%67ram/1', msg('telegram', 1)],
  ['https://t.me/c/%312345/%3123', priv(12345, 123)],
  ['tg:resolve?domain=user%31name&post=%312345', msg('user1name', 12345)],
  ['tg://%72esolve?domain=durov', peer('durov')],
  ['https://www%2Etelegram.me/durov/1', msg('durov', 1)],
  ['%54.me/durov', peer('durov')],
  ['https://t.me/durov/1?%63omment=2', msg('durov', 1, { commentId: 2 })],
  ['https://t.me/durov?utm_source=a+b%20c', peer('durov')],
  ['https://t.me/durov?utm_source=%zz', peer('durov')],
  // tdlib drops any number of leading s/ segments, whatever follows them.
  ['www.t.me/s/%73/%73/s/%73/joinchat/AbCd', inv('AbCd')],
  ['https://t.me/s/c/1234567890/55', priv(1234567890, 55)],
  ['https://t.me/s/+AbCdEfgh', inv('AbCdEfgh')],
  ['shares.t.me', peer('shares')],
  ['https://t.me/calls/5', msg('calls', 5)],
  // Words that name Object.prototype members are ordinary names and query keys.
  ['https://t.me/constructor', peer('constructor')],
  ['constructor.t.me', peer('constructor')],
  ['tg://resolve?domain=constructor', peer('constructor')],
  ['https://t.me/durov?constructor=1&__proto__=2&tostring', peer('durov')],
];

/** Each refused input with a piece of the reason that must be in the message. */
const REFUSED: [string, RegExp][] = [
  ['', /empty input/],
  ['   ', /empty input/],
  ['https://example.com/durov/1', /unknown host "example\.com".*t\.me, telegram\.me and telegram\.dog/],
  ['https://t.me.evil.com/durov', /unknown host/],
  ['https://telegram.org/durov', /unknown host/],
  ['https://', /no host/],
  ['ftp://t.me/durov', /unsupported scheme "ftp:\/\/"/],
  ['https://t.me', /names no chat/],
  ['https://t.me/', /names no chat/],
  ['https://t.me/durov/0', /bad message id 0/],
  ['https://t.me/durov/-5', /bad message id "-5"/],
  ['https://t.me/durov/2147483648', /larger than 2147483647/],
  ['https://t.me/durov/99999999999999999999999', /larger than/],
  ['https://t.me/durov/12abc', /bad message id "12abc": expected a whole number/],
  ['https://t.me/durovbot/myapp', /Mini App/],
  ['https://t.me/durov/abc/5', /bad topic id "abc"/],
  ['https://t.me/durov/1/2/3', /unexpected "\/3"/],
  ['https://t.me/durov/123?comment=abc', /bad comment id "abc"/],
  ['https://t.me/durov/123?comment=0', /bad comment id 0/],
  ['https://t.me/durov?comment=5', /needs a post.*t\.me\/durov\/<post id>\?comment=/],
  ['https://t.me/pyforum/7/456?thread=8', /topic 7.*thread 8/],
  ['https://t.me/durov/1?comment=2&comment=3', /twice/],
  ['https://t.me/dur', /too short/],
  ['https://t.me/1durov', /must start with a Latin letter/],
  ['https://t.me/durov_', /must not end with an underscore/],
  ['https://t.me/du__rov', /two underscores/],
  ['https://t.me/дуров', /Latin letter/],
  ['@du', /too short/],
  ['hello world', /only Latin letters/],
  ['12345', /must start with a Latin letter/],
  ['https://t.me/c/1234567890', /names a private chat, not a message.*t\.me\/c\/1234567890\/<id>/],
  ['https://t.me/c/-1001234567890/5', /no -100 prefix.*t\.me\/c\/1234567890\/<id>/],
  ['https://t.me/c/0/5', /bad channel id 0/],
  [`https://t.me/c/${MAX_CHANNEL_ID + 1}/5`, /bad channel id .* larger than/],
  ['https://t.me/c/abc/5', /bad channel id "abc"/],
  ['https://t.me/c/', /needs a channel id/],
  ['https://t.me/+79001234567', /phone number links.*not supported/],
  ['+79001234567', /phone numbers are not supported/],
  ['https://t.me/+', /has no hash/],
  ['https://t.me/+ab', /bad invite hash "ab"/],
  ['https://t.me/+abc$def', /bad invite hash/],
  ['https://t.me/+AbCdEfgh/extra', /after the invite hash/],
  ['https://t.me/joinchat/', /needs the invite hash/],
  ['https://t.me/addlist/AbCdEfgh', /folder links.*not supported/],
  ['tg://addlist?slug=AbCdEfgh', /folder links.*not supported/],
  ['https://t.me/addstickers/Animals', /sticker set links.*not supported/],
  ['https://t.me/addemoji/Emoji', /emoji set links/],
  ['https://t.me/proxy?server=1.2.3.4&port=443&secret=ab', /proxy links.*PROXY_URL/],
  ['tg://proxy?server=1.2.3.4&port=443&secret=ab', /tg:\/\/proxy.*PROXY_URL/],
  ['https://t.me/share/url?url=x', /share links/],
  ['https://t.me/durovbot?start=ref123', /bot start links.*t\.me\/<bot>/],
  ['tg://resolve?domain=durovbot&start=ref123', /bot start links/],
  ['https://t.me/durovbot?startgroup=x', /add a bot to a group/],
  ['https://t.me/durovbot?startapp', /Mini App/],
  ['https://t.me/durov?videochat', /video chat links/],
  ['https://t.me/durov/s/5', /story links/],
  ['https://t.me/boost/durov', /boost links/],
  ['https://t.me/$AbCdEf', /invoice links/],
  ['https://t.me/m/AbCdEf', /business chat links/],
  ['tg://resolve?phone=79001234567', /phone number links/],
  ['tg://resolve', /needs domain=/],
  ['tg://resolve?domain=durov&post=x', /bad message id "x"/],
  ['tg://privatepost?post=5', /needs channel=/],
  ['tg://privatepost?channel=123', /needs post=/],
  ['tg://privatepost?channel=-100123&post=5', /no -100 prefix: use channel=123/],
  ['tg://join', /needs invite=/],
  ['tg://join?invite=a%2', /not valid percent-encoding/],
  ['tg://user?id=123', /numeric id/],
  ['tg://settings', /tg:\/\/settings links are not supported: only tg:\/\/resolve, tg:\/\/privatepost and tg:\/\/join/],
  ['tg://', /names no action/],
  [`https://t.me/${'a'.repeat(3000)}`, /too long/],
  // Reserved path words are link kinds, never chats (tdlib LinkManager, Telegram Desktop).
  ['https://t.me/call/123456', /group call links \(t\.me\/call\/…\) are not supported/],
  ['https://t.me/call', /group call links/],
  ['https://t.me/CALL/123456', /group call links/],
  ['https://t.me/c%61ll/123456', /group call links/],
  ['https://t.me/s/call/123456', /group call links/],
  ['https://t.me/auction', /gift auction links/],
  ['https://t.me/auction/abacaba', /gift auction links/],
  ['https://t.me/addstyle/abacabaabc', /text style links/],
  ['https://t.me/auth', /web login links/],
  ['https://t.me/login/12345', /login code links/],
  ['https://t.me/i/userpic/320/durov.jpg', /image links/],
  ['https://t.me/nft/Gift-1', /collectible gift links/],
  ['https://t.me/contact/AbCdEf', /contact token links/],
  ['https://t.me/%24AbCdEf', /invoice links/],
  ['call.t.me', /"call" is a word Telegram keeps for its own links, never a username: group call links/],
  ['https://call.t.me/123456', /"call" is a word Telegram keeps/],
  ['auth.t.me', /"auth" is a word Telegram keeps.*web login/],
  ['auction.t.me', /"auction" is a word Telegram keeps/],
  ['addstyle.t.me', /"addstyle" is a word Telegram keeps/],
  ['joinchat.t.me', /"joinchat" is a word Telegram keeps.*invite link/],
  ['web.t.me', /Telegram Web addresses/],
  ['https://k.t.me/', /Telegram Web addresses/],
  ['tg://resolve?domain=call', /"call" is a word Telegram keeps/],
  ['tg://resolve?domain=call&post=123456', /"call" is a word Telegram keeps/],
  ['tg://resolve?domain=Joinchat', /"joinchat" is a word Telegram keeps/],
  ['tg://resolve?domain=c%61ll', /"call" is a word Telegram keeps/],
  ['@auction', /"auction" is a word Telegram keeps/],
  ['boost', /"boost" is a word Telegram keeps/],
  ['tg://call?slug=abcdef', /group call links \(tg:\/\/call\/…\)/],
  ['tg://stargift_auction?slug=abcdef', /gift auction links/],
  ['tg://addstyle?slug=abcdefabc', /text style links/],
  ['tg://oauth?token=12345', /web login links/],
  ['tg://message?slug=abc', /business chat links/],
  // Encoded query keys are the keys they spell.
  ['tg:resolve?domain=durov&voice%63hat=abc', /video chat links/],
  ['https://telegram.dog/tele%63ram?voi%63e%63hat=t%63st', /video chat links/],
  ['https://t.me/durovbot?%73tart=ref', /bot start links/],
  ['https://t.me/durov/1?comment=2&%63omment=3', /twice/],
  // Malformed escapes are refused, not guessed.
  ['https://t.me/dur%ov', /"dur%ov" is not valid percent-encoding/],
  ['https://t.me/durov%2', /not valid percent-encoding/],
  ['https://t.me/%FFdurov', /not valid percent-encoding/],
  ['https://t%2.me/durov', /not valid percent-encoding/],
  ['https://t.me/durov?voice%zzhat', /not valid percent-encoding/],
  ['https://t.me/durov/1?comment=%3', /not valid percent-encoding/],
  ['tg://res%olve?domain=durov', /not valid percent-encoding/],
  // Decoding happens once per segment, after the path is split.
  ['https://t.me/joinchat/aba%20aba', /bad invite hash "aba aba"/],
  ['https://t.me/dur%2Fov/5', /bad chat name.*"dur\/ov"/],
  ['https://t.me/durov%252F5', /bad chat name.*"durov%2f5"/],
];

describe('parseLink accepts what operators paste', () => {
  it('has a table of at least 40 accepted forms', () => {
    expect(ACCEPTED.length).toBeGreaterThanOrEqual(40);
  });
  it.each(ACCEPTED)('%j', (input, expected) => {
    expect(parseLink(input)).toEqual({ ok: true, link: expected });
  });
});

describe('parseLink refuses everything else with the reason', () => {
  it('has a table of at least 40 refused forms', () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(40);
  });
  it.each(REFUSED)('%j', (input, reason) => {
    const result = parseLink(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(reason);
  });
  it('keeps every reason short enough to show, even for huge inputs', () => {
    for (const [input] of REFUSED) {
      const result = parseLink(input);
      if (!result.ok) expect(result.error.length).toBeLessThan(400);
    }
  });
});

/** Refusals with the machine code and params a translated reason is built from. */
const CODED: [string, LinkErrorCode, LinkErrorParams | undefined][] = [
  ['', 'empty', undefined],
  ['ftp://t.me/durov', 'unsupported_scheme', { value: 'ftp://' }],
  ['https://example.com/durov', 'unknown_host', { value: 'example.com' }],
  ['https://t.me/', 'no_chat', undefined],
  ['https://t.me/dur', 'bad_username', { value: 'dur', rule: 'too_short' }],
  ['@du__rov', 'bad_username', { value: 'du__rov', rule: 'double_underscore' }],
  ['https://t.me/call/123456', 'unsupported_link', { kind: 'group_call', word: 'call' }],
  ['call.t.me', 'reserved_word', { word: 'call', kind: 'group_call' }],
  ['tg://resolve?domain=joinchat', 'reserved_word', { word: 'joinchat' }],
  ['https://t.me/durovbot?start=x', 'unsupported_link', { kind: 'bot_start' }],
  ['https://t.me/+79001234567', 'unsupported_link', { kind: 'phone_number' }],
  ['tg://user?id=1', 'unsupported_link', { kind: 'user_id' }],
  ['tg://proxy?server=x', 'unsupported_link', { kind: 'proxy', word: 'proxy' }],
  ['https://t.me/dur%ov', 'bad_percent_encoding', { value: 'dur%ov' }],
  ['+123', 'not_a_name', { value: '+123' }],
  ['https://t.me/+ab', 'bad_invite_hash', { value: 'ab' }],
  ['https://t.me/joinchat', 'invite_without_hash', undefined],
  ['https://t.me/durov/1/2/3', 'unexpected_path', { value: '3' }],
  ['https://t.me/durovbot/app', 'expected_message_id', { username: 'durovbot', value: 'app' }],
  ['https://t.me/c/123', 'private_chat_without_message', { channel: 123 }],
  ['https://t.me/c/-100123/5', 'channel_id_prefix', { value: '123' }],
  ['https://t.me/durov/1x', 'bad_id', { field: 'message', value: '1x', max: 2147483647 }],
  ['https://t.me/durov/1?comment=0', 'zero_id', { field: 'comment' }],
  ['https://t.me/c/99999999999999/1', 'id_too_large', { field: 'channel', value: '99999999999999', max: MAX_CHANNEL_ID }],
  ['https://t.me/pyforum/7/456?thread=8', 'conflicting_thread', { topic: 7, thread: 8 }],
  ['https://t.me/durov/1?comment=2&comment=3', 'duplicate_param', { key: 'comment', value: '2', other: '3' }],
  ['https://t.me/durov?comment=5', 'param_needs_post', { key: 'comment' }],
  ['tg://privatepost?channel=5', 'missing_param', { action: 'privatepost', key: 'post' }],
  ['tg://', 'no_action', undefined],
  ['tg://settings', 'unsupported_action', { action: 'settings' }],
];

describe('every refusal carries a machine code beside its English reason', () => {
  it.each(CODED)('%j', (input, code, params) => {
    const result = parseLink(input);
    expect(result).toEqual(params === undefined ? { ok: false, code, error: expect.any(String) } : { ok: false, code, params, error: expect.any(String) });
  });
  it('codes every refusal of the reason table', () => {
    for (const [input] of REFUSED) {
      const result = parseLink(input);
      expect(!result.ok && /^[a-z_]+$/.test(result.code)).toBe(true);
    }
  });
});

describe('reserved path words', () => {
  it('t.me/call/123456 is a group call link, not message 123456 in @call', () => {
    expect(parseLink('https://t.me/call/123456')).toMatchObject({ ok: false, code: 'unsupported_link', params: { kind: 'group_call' } });
  });
  it('lists each word once, lowercase, and knows them in any case', () => {
    expect(new Set(RESERVED_LINK_WORDS).size).toBe(RESERVED_LINK_WORDS.length);
    for (const word of RESERVED_LINK_WORDS) {
      expect(word).toBe(word.toLowerCase());
      expect(isReservedLinkWord(word.toUpperCase())).toBe(true);
    }
    expect(isReservedLinkWord('durov')).toBe(false);
    expect(isReservedLinkWord('constructor')).toBe(false);
  });
  it("holds tdlib's disallowed subdomains and the path words Telegram reads before a username", () => {
    const tdlibSubdomains = ['addemoji', 'addlist', 'addstickers', 'addstyle', 'addtheme', 'auction', 'auth', 'boost', 'call', 'confirmphone', 'contact', 'giftcode', 'invoice', 'joinchat', 'login', 'm', 'nft', 'proxy', 'setlanguage', 'share', 'socks', 'web', 'a', 'k', 'z'];
    const tdlibPathWords = ['c', 'bg', 'i', 'iv', 'msg'];
    for (const word of [...tdlibSubdomains, ...tdlibPathWords]) expect(RESERVED_LINK_WORDS).toContain(word);
  });
});

describe('invite hashes keep their case', () => {
  it('only the host and path words are case-insensitive', () => {
    expect(parseLink('HTTPS://TELEGRAM.ME/JOINCHAT/aBcDeFgH')).toEqual({ ok: true, link: inv('aBcDeFgH') });
    expect(parseLink('TG://JOIN?INVITE=aBcDeFgH')).toEqual({ ok: true, link: inv('aBcDeFgH') });
  });
});

describe('formatting', () => {
  it('formats message links for public and private chats', () => {
    expect(formatMessageLink({ username: 'durov' }, 5)).toBe('https://t.me/durov/5');
    expect(formatMessageLink({ channelId: 1234567890 }, 5)).toBe('https://t.me/c/1234567890/5');
  });
  it('formats topics, comments, invites and peers so they parse back', () => {
    const links: ParsedLink[] = [msg('pyforum', 456, { topicId: 7, commentId: 3 }), priv(12, 3, { commentId: 1 }), inv('AbCdEfgh'), peer('durov')];
    for (const link of links) expect(parseLink(formatLink(link))).toEqual({ ok: true, link });
    expect(formatLink(links[0]!)).toBe('https://t.me/pyforum/7/456?comment=3');
  });
  it('describes links for people', () => {
    expect(describeLink(msg('pyforum', 456, { topicId: 7, commentId: 3 }))).toBe('message 456 in @pyforum, topic 7, comment 3');
    expect(describeLink(priv(12, 3))).toBe('message 3 in private chat 12');
    expect(describeLink(inv('AbCdEfgh'))).toBe('invite link (hash AbCdEfgh)');
    expect(describeLink(peer('durov'))).toBe('chat or user @durov');
  });
});

describe('targets for actions', () => {
  it('join takes a name, an invite or a public post link, and refuses a private post link', () => {
    expect(toJoinTarget(peer('durov'))).toEqual({ kind: 'public', username: 'durov' });
    expect(toJoinTarget(inv('AbCdEfgh'))).toEqual({ kind: 'invite', hash: 'AbCdEfgh' });
    expect(toJoinTarget(msg('durov', 5))).toEqual({ kind: 'public', username: 'durov' });
    const refused = toJoinTarget(priv(12, 5));
    expect(isLinkRefusal(refused)).toBe(true);
    expect(refused).toEqual({ error: expect.stringMatching(/only by its invite link/), code: 'join_needs_invite', params: { channel: 12 } });
  });
  it('reactions, votes and comments need a message link and say so', () => {
    expect(toMessageTarget(msg('pyforum', 456, { topicId: 7, commentId: 3 }))).toEqual({
      chat: { username: 'pyforum' },
      messageId: 456,
      topicId: 7,
      commentId: 3,
    });
    expect(toMessageTarget(priv(12, 5))).toEqual({ chat: { channelId: 12 }, messageId: 5 });
    expect(toMessageTarget(peer('durov'), 'a reaction')).toEqual({
      error: expect.stringMatching(/^a reaction needs a message link.*@durov/),
      code: 'needs_message_link',
      params: { action: 'a reaction', got: 'peer', username: 'durov' },
    });
    expect(toMessageTarget(inv('AbCdEfgh'), 'a vote')).toMatchObject({ error: expect.stringMatching(/^a vote needs a message link.*invite link/), code: 'needs_message_link' });
  });
  it('leave takes any chat: by name, by the chat of a message, or by invite', () => {
    expect(toLeaveTarget(peer('durov'))).toEqual({ username: 'durov' });
    expect(toLeaveTarget(msg('durov', 5))).toEqual({ username: 'durov' });
    expect(toLeaveTarget(priv(12, 5))).toEqual({ channelId: 12 });
    expect(toLeaveTarget(inv('AbCdEfgh'))).toEqual({ inviteHash: 'AbCdEfgh' });
    expect(isLinkRefusal(toLeaveTarget(peer('durov')))).toBe(false);
  });
  it('block and private messages need a user name', () => {
    expect(toUsername(peer('durov'))).toBe('durov');
    expect(toUsername(msg('durov', 5), 'a block')).toEqual({
      error: expect.stringMatching(/^a block needs a user.*message link/),
      code: 'needs_user',
      params: { action: 'a block', got: 'message' },
    });
    expect(toUsername(inv('AbCdEfgh'))).toMatchObject({ error: expect.stringMatching(/invite link/), code: 'needs_user' });
  });
});
