import { describe, expect, it } from 'vitest';
import {
  MAX_CHANNEL_ID,
  describeLink,
  formatLink,
  formatMessageLink,
  isLinkRefusal,
  parseLink,
  toJoinTarget,
  toLeaveTarget,
  toMessageTarget,
  toUsername,
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
    expect(refused).toEqual({ error: expect.stringMatching(/only by its invite link/) });
  });
  it('reactions, votes and comments need a message link and say so', () => {
    expect(toMessageTarget(msg('pyforum', 456, { topicId: 7, commentId: 3 }))).toEqual({
      chat: { username: 'pyforum' },
      messageId: 456,
      topicId: 7,
      commentId: 3,
    });
    expect(toMessageTarget(priv(12, 5))).toEqual({ chat: { channelId: 12 }, messageId: 5 });
    expect(toMessageTarget(peer('durov'), 'a reaction')).toEqual({ error: expect.stringMatching(/^a reaction needs a message link.*@durov/) });
    expect(toMessageTarget(inv('AbCdEfgh'), 'a vote')).toEqual({ error: expect.stringMatching(/^a vote needs a message link.*invite link/) });
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
    expect(toUsername(msg('durov', 5), 'a block')).toEqual({ error: expect.stringMatching(/^a block needs a user.*message link/) });
    expect(toUsername(inv('AbCdEfgh'))).toEqual({ error: expect.stringMatching(/invite link/) });
  });
});
