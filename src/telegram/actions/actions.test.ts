import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStorage, type tl } from '@mtcute/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.ts';
import { isTelegramFailure, type Failure } from '../../core/failures.ts';
import type { MessageTarget } from '../../core/session.ts';
import { silentLogger } from '../../log.ts';
import { createAndOpenWorld } from '../../sim/create.ts';
import type { SimWorld, WorldSummary } from '../../sim/world.ts';
import { buildClient } from '../client.ts';
import { MtcuteAccountSession } from '../session.ts';

/**
 * Every account action and refusal through the production TelegramClient and session class,
 * against the simulated world (which gives every account its own access hashes).
 */

interface ChatRow {
  id: number;
  kind: string;
  username: string | null;
  linked_chat_id: number | null;
  join_request: number;
  forum: number;
  reactions: string | null;
}

let dir: string;
let world: SimWorld;
let summary: WorldSummary;
const sessions: MtcuteAccountSession[] = [];
let A: MtcuteAccountSession;
let B: MtcuteAccountSession;
let idA: number;
let idB: number;

async function login(index: number, session?: string): Promise<MtcuteAccountSession> {
  const acc = summary.accounts[index]!;
  const built = buildClient({ apiId: 1, apiHash: 'sim', storage: new MemoryStorage(), log: silentLogger, override: () => world.attach() });
  await built.client.start({
    ...(session ? { session } : {}),
    phone: acc.phone,
    code: () => Promise.resolve(acc.code),
    password: () => Promise.resolve(acc.password ?? ''),
    codeSentCallback: () => undefined,
  });
  const s = new MtcuteAccountSession({ accountId: index + 1, built, clock: systemClock, log: silentLogger });
  sessions.push(s);
  return s;
}

function chats(): ChatRow[] {
  return world.db.prepare('SELECT * FROM chats ORDER BY id').all() as ChatRow[];
}
function inviteOf(chatId: number): string {
  return (world.db.prepare('SELECT hash FROM invites WHERE chat_id = ? AND revoked = 0 LIMIT 1').get(chatId) as { hash: string }).hash;
}
function userId(username: string): number {
  return (world.db.prepare('SELECT id FROM users WHERE username = ?').get(username) as { id: number }).id;
}

/** Runs `fn`, expecting a classified refusal; returns it. */
async function refusal(fn: () => Promise<unknown>): Promise<Failure> {
  try {
    await fn();
  } catch (e) {
    if (isTelegramFailure(e)) return e.failure;
    throw e;
  }
  throw new Error('expected a refusal, got success');
}

// The seeded world (seed fixed): one chat of each kind.
let channel: ChatRow & { username: string };
let privateChannel: ChatRow;
let publicGroup: ChatRow & { username: string };
let requestGroup: ChatRow & { username: string };
let basicGroup: ChatRow;
let requestInvite: string;
let textPost: number;
let singlePoll: number;
let multiPoll: number;
let closedPoll: number;
let person: string;
let restricted: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tp-actions-'));
  ({ world, summary } = createAndOpenWorld(join(dir, 'world.db'), { accounts: 3, users: 40, groups: 8, seed: 11, faults: 'none' }));
  const all = chats();
  channel = all.find((c) => c.kind === 'channel' && c.username !== null) as typeof channel;
  privateChannel = all.find((c) => c.kind === 'channel' && c.username === null)!;
  publicGroup = all.find((c) => c.kind === 'supergroup' && c.username !== null && !c.join_request && !c.forum) as typeof publicGroup;
  requestGroup = all.find((c) => c.kind === 'supergroup' && c.join_request === 1) as typeof requestGroup;
  basicGroup = all.find((c) => c.kind === 'group')!;
  requestInvite = (world.db.prepare('SELECT hash FROM invites WHERE request_needed = 1 LIMIT 1').get() as { hash: string }).hash;
  const posts = world.db
    .prepare('SELECT m.id, p.multiple, p.closed, m.poll_id FROM channel_messages m LEFT JOIN polls p ON p.id = m.poll_id WHERE m.chat_id = ? ORDER BY m.id')
    .all(channel.id) as Array<{ id: number; multiple: number | null; closed: number | null; poll_id: number | null }>;
  textPost = posts.find((p) => p.poll_id === null)!.id;
  singlePoll = posts.find((p) => p.poll_id !== null && !p.multiple && !p.closed)!.id;
  multiPoll = posts.find((p) => p.poll_id !== null && p.multiple === 1)!.id;
  closedPoll = posts.find((p) => p.poll_id !== null && p.closed === 1)!.id;
  const people = world.db
    .prepare("SELECT username, privacy FROM users WHERE kind = 'person' AND deleted = 0 AND username IS NOT NULL ORDER BY id")
    .all() as Array<{ username: string; privacy: string }>;
  person = people.find((p) => p.privacy === 'everybody')!.username;
  restricted = people.find((p) => p.privacy === 'contacts')!.username;
  [A, B] = await Promise.all([login(0), login(1)]);
  idA = (await A.me()).userId;
  idB = (await B.me()).userId;
}, 90_000);

afterAll(async () => {
  for (const s of sessions) await s.close();
  world?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (messageId: number): MessageTarget => ({ chat: { username: channel.username }, messageId });

describe('join', () => {
  it('joins a public channel by name, then reports already', async () => {
    expect(await A.join({ kind: 'public', username: channel.username })).toBe('done');
    expect(world.isMember(String(channel.id), idA)).toBe(true);
    expect(await A.join({ kind: 'public', username: channel.username })).toBe('already');
  });

  it('asks to join a chat that approves members: requested', async () => {
    expect(await A.join({ kind: 'public', username: requestGroup.username })).toBe('requested');
    expect(world.hasJoinRequest(String(requestGroup.id), idA)).toBe(true);
    expect(world.isMember(String(requestGroup.id), idA)).toBe(false);
  });

  it('joins by invite link, then reports already; a request invite reports requested', async () => {
    const hash = inviteOf(privateChannel.id);
    expect(await A.join({ kind: 'invite', hash })).toBe('done');
    expect(world.isMember(String(privateChannel.id), idA)).toBe(true);
    expect(await A.join({ kind: 'invite', hash })).toBe('already');
    expect(await A.join({ kind: 'invite', hash: requestInvite })).toBe('requested');
  });

  it('refuses an unknown invite and a person given as a chat', async () => {
    expect((await refusal(() => A.join({ kind: 'invite', hash: 'AAAAAAAAAAAAAAAA' }))).kind).toBe('not_found');
    const f = await refusal(() => A.join({ kind: 'public', username: person }));
    expect(f).toMatchObject({ kind: 'bad_request', code: 'NOT_A_CHAT' });
  });
});

describe('per-account resolution', () => {
  it('each account acts with its own access hash; one account’s hash is refused for another', async () => {
    expect(await B.join({ kind: 'public', username: channel.username })).toBe('done');
    const peerA = (await A.raw.resolvePeer(channel.username)) as tl.RawInputPeerChannel;
    const peerB = (await B.raw.resolvePeer(channel.username)) as tl.RawInputPeerChannel;
    expect(peerA.channelId).toBe(peerB.channelId);
    expect(peerA.accessHash.eq(peerB.accessHash)).toBe(false);
    // Reusing A's resolved peer in B's client is what the original did; Telegram refuses it.
    await expect(B.raw.call({ _: 'channels.getFullChannel', channel: { _: 'inputChannel', channelId: peerA.channelId, accessHash: peerA.accessHash } })).rejects.toThrow(
      /CHANNEL_INVALID/,
    );
    expect(await A.react(post(textPost), '👍')).toBe('done');
    expect(await B.react(post(textPost), '🔥')).toBe('done');
    expect(world.reactions(String(channel.id), textPost)).toEqual([
      { userId: Math.min(idA, idB), emoji: idA < idB ? '👍' : '🔥' },
      { userId: Math.max(idA, idB), emoji: idA < idB ? '🔥' : '👍' },
    ]);
  });

  it('finds a private channel by id through its dialogs; an account outside it gets no_access', async () => {
    // A fresh client of account C (empty peer cache) that is a member: the id resolves via its dialogs.
    const C = await login(2);
    expect(await C.join({ kind: 'invite', hash: inviteOf(privateChannel.id) })).toBe('done');
    const exported = await C.raw.exportSession();
    await C.close();
    const C2 = await login(2, exported);
    expect(await C2.raw.storage.peers.getById(-1_000_000_000_000 - privateChannel.id)).toBeNull();
    const target: MessageTarget = { chat: { channelId: privateChannel.id }, messageId: 1 };
    expect(await C2.react(target, '👍')).toBe('done');
    const f = await refusal(() => B.react(target, '👍'));
    expect(f).toMatchObject({ kind: 'no_access', code: 'CHANNEL_NOT_VISIBLE' });
    expect(f.message).toContain(String(privateChannel.id));
    // Leaving a channel the account cannot see: it is not in it.
    expect(await B.leave({ channelId: privateChannel.id })).toBe('already');
  });
});

describe('reaction', () => {
  it('reacts with any emoji, reports already, and resolves a public channel by id too', async () => {
    const byId: MessageTarget = { chat: { channelId: channel.id }, messageId: textPost };
    expect(await A.react(byId, '🎉')).toBe('done');
    expect(world.reactions(String(channel.id), textPost)).toContainEqual({ userId: idA, emoji: '🎉' });
    expect(await A.react(post(textPost), '🎉')).toBe('already');
  });

  it('refuses an emoji the chat does not allow, listing the allowed ones', async () => {
    const msg = (world.db.prepare('SELECT id FROM channel_messages WHERE chat_id = ? AND poll_id IS NULL ORDER BY id LIMIT 1').get(publicGroup.id) as { id: number }).id;
    const target: MessageTarget = { chat: { username: publicGroup.username }, messageId: msg };
    const f = await refusal(() => A.react(target, '😡'));
    expect(f).toMatchObject({ kind: 'not_allowed', code: 'REACTION_NOT_ALLOWED' });
    for (const e of JSON.parse(publicGroup.reactions!) as string[]) expect(f.message).toContain(e);
    // "❤️" as keyboards type it is the reaction "❤".
    expect(await A.join({ kind: 'public', username: publicGroup.username })).toBe('done');
    expect(await A.react(target, '❤️')).toBe('done');
    expect(world.reactions(String(publicGroup.id), msg)).toContainEqual({ userId: idA, emoji: '❤' });
  });

  it('refuses a missing message and a missing chat', async () => {
    expect(await refusal(() => A.react(post(99_999), '👍'))).toMatchObject({ kind: 'not_found' });
    expect(await refusal(() => A.react({ chat: { username: summary.missingUsernames[0]! }, messageId: 1 }, '👍'))).toMatchObject({ kind: 'not_found' });
  });
});

describe('poll and vote', () => {
  it('reads a poll and votes with 1-based options, then reports already', async () => {
    const info = await A.poll(post(singlePoll));
    expect(info.multiple).toBe(false);
    expect(info.closed).toBe(false);
    expect(info.options.length).toBeGreaterThan(1);
    const before = world.poll(String(channel.id), singlePoll).votes;
    expect(await A.vote(post(singlePoll), [2])).toBe('done');
    const after = world.poll(String(channel.id), singlePoll).votes;
    expect(after[1]).toBe(before[1]! + 1);
    expect(await A.vote(post(singlePoll), [2])).toBe('already');
  });

  it('takes several options in a multiple-choice poll', async () => {
    expect((await A.poll(post(multiPoll))).multiple).toBe(true);
    const before = world.poll(String(channel.id), multiPoll).votes;
    expect(await A.vote(post(multiPoll), [1, 3])).toBe('done');
    const after = world.poll(String(channel.id), multiPoll).votes;
    expect([after[0]! - before[0]!, after[1]! - before[1]!, after[2]! - before[2]!]).toEqual([1, 0, 1]);
  });

  it('refuses out-of-range and several options in a single-choice poll, listing the options', async () => {
    const info = await B.poll(post(singlePoll));
    const range = await refusal(() => B.vote(post(singlePoll), [info.options.length + 1]));
    expect(range).toMatchObject({ kind: 'bad_request', code: 'OPTION_OUT_OF_RANGE' });
    expect(range.message).toContain(`1. ${info.options[0]}`);
    const several = await refusal(() => B.vote(post(singlePoll), [1, 2]));
    expect(several).toMatchObject({ kind: 'bad_request', code: 'SINGLE_CHOICE_POLL' });
    expect(several.message).toContain(`2. ${info.options[1]}`);
  });

  it('refuses a closed poll and a message without a poll', async () => {
    const closed = await refusal(() => A.vote(post(closedPoll), [1]));
    expect(closed).toMatchObject({ kind: 'not_allowed', code: 'POLL_CLOSED' });
    expect(closed.message).toContain('1. ');
    expect((await A.poll(post(closedPoll))).closed).toBe(true);
    expect(await refusal(() => A.vote(post(textPost), [1]))).toMatchObject({ kind: 'bad_request', code: 'NOT_A_POLL' });
    expect(await refusal(() => A.poll(post(textPost)))).toMatchObject({ kind: 'bad_request', code: 'NOT_A_POLL' });
  });
});

describe('comment', () => {
  it('comments in the post’s discussion thread, and answers a comment when the link names one', async () => {
    const disc = String(channel.linked_chat_id);
    const copy = world.messages(disc).find((m) => m.topId === null && m.text !== '' && m.replyTo === null && m.fromUserId === null && m.id > 0)!;
    const postId = (world.db.prepare('SELECT fwd_msg_id AS p FROM channel_messages WHERE chat_id = ? AND id = ?').get(channel.linked_chat_id, copy.id) as { p: number }).p;
    const text = 'Nice *post* [x](y) <b>z</b>';
    const { messageId } = await A.comment(post(postId), text);
    const mine = world.messages(disc).find((m) => m.id === messageId)!;
    expect(mine).toMatchObject({ fromUserId: idA, text, replyTo: copy.id, topId: copy.id });
    // Nothing in the channel itself.
    expect(world.messages(String(channel.id)).some((m) => m.text === text)).toBe(false);

    const answer = await B.comment({ ...post(postId), commentId: messageId }, 'agreed');
    expect(world.messages(disc).find((m) => m.id === answer.messageId)).toMatchObject({ fromUserId: idB, replyTo: messageId, topId: copy.id });
    // A comment link points at the comment in the discussion group, which each account finds through the post.
    expect(await B.react({ ...post(postId), commentId: messageId }, '👍')).toBe('done');
    expect(world.reactions(disc, messageId)).toEqual([{ userId: idB, emoji: '👍' }]);
  });

  it('refuses a post without comments', async () => {
    const now = world.now();
    world.db.prepare("INSERT INTO chats (id, kind, title, username, created_at) VALUES (1999999001, 'channel', 'Quiet', 'quiet_news_x', ?)").run(now);
    world.db.prepare("INSERT INTO members (chat_id, user_id, role, joined_at) VALUES (1999999001, ?, 'creator', ?)").run(userId(person), now);
    const { messageId } = world.post('@quiet_news_x', 'no comments here');
    const f = await refusal(() => A.comment({ chat: { username: 'quiet_news_x' }, messageId }, 'hello'));
    expect(f).toMatchObject({ kind: 'not_allowed', code: 'NO_COMMENTS' });
    expect(f.message).toContain('this post has no comments');
  });

  it('in a forum, replies inside the topic', async () => {
    const forum = chats().find((c) => c.forum === 1)! as ChatRow & { username: string };
    const topic = world.db.prepare('SELECT id FROM topics WHERE chat_id = ? ORDER BY id LIMIT 1').get(forum.id) as { id: number };
    const msg = world.db.prepare('SELECT id FROM channel_messages WHERE chat_id = ? AND top_id = ? AND service IS NULL ORDER BY id LIMIT 1').get(forum.id, topic.id) as { id: number };
    expect(await A.join({ kind: 'public', username: forum.username })).toBe('done');
    const { messageId } = await A.comment({ chat: { username: forum.username }, messageId: msg.id, topicId: topic.id }, 'in the topic');
    expect(world.messages(String(forum.id)).find((m) => m.id === messageId)).toMatchObject({ fromUserId: idA, replyTo: msg.id, topId: topic.id });
  });

  it('in a group, replies to the message', async () => {
    const msg = (world.db.prepare('SELECT id FROM channel_messages WHERE chat_id = ? AND poll_id IS NULL ORDER BY id LIMIT 1').get(publicGroup.id) as { id: number }).id;
    const { messageId } = await A.comment({ chat: { username: publicGroup.username }, messageId: msg }, 'reply');
    expect(world.messages(String(publicGroup.id)).find((m) => m.id === messageId)).toMatchObject({ fromUserId: idA, text: 'reply', replyTo: msg });
  });
});

describe('private message', () => {
  it('sends plain text as it is, once per random id, and finds it afterwards', async () => {
    const since = world.now();
    const text = '**not bold** __nor italic__ [link](https://example.com) <i>x</i> `code`';
    const randomId = 0x7fff_0000_1234_5678n;
    const first = await A.sendMessage(person, text, randomId);
    const sent = world.deliveries().filter((d) => d.text === text);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe(person);
    // A resend with the same random id (after a crash) delivers nothing and names the same message.
    const again = await A.sendMessage(person, text, randomId);
    expect(again.messageId).toBe(first.messageId);
    expect(world.deliveries().filter((d) => d.text === text)).toHaveLength(1);

    expect(await A.findSent(person, text, since)).toBe(true);
    expect(await A.findSent(person, 'something else', since)).toBe(false);
    expect(await A.findSent(person, text, world.now() + 60_000)).toBe(false);
    expect(await B.findSent(person, text, since)).toBe(false);
  });

  it('refuses a person whose privacy forbids it and a name nobody has', async () => {
    expect(await refusal(() => B.sendMessage(restricted, 'hi', 1n))).toMatchObject({ kind: 'privacy_restricted' });
    expect(await refusal(() => B.sendMessage(summary.missingUsernames[1]!, 'hi', 2n))).toMatchObject({ kind: 'not_found' });
  });
});

describe('block and leave', () => {
  it('blocks a person, then reports already; refuses a chat', async () => {
    expect(await B.block(person)).toBe('done');
    expect(world.isBlocked(idB, person)).toBe(true);
    expect(await B.block(person)).toBe('already');
    expect(await refusal(() => B.block(channel.username))).toMatchObject({ kind: 'bad_request', code: 'NOT_A_USER' });
  });

  it('leaves a channel by name, then reports already', async () => {
    expect(await B.leave({ username: channel.username })).toBe('done');
    expect(world.isMember(String(channel.id), idB)).toBe(false);
    expect(await B.leave({ username: channel.username })).toBe('already');
  });

  it('leaves a basic group by its invite link, then reports already', async () => {
    const hash = inviteOf(basicGroup.id);
    expect(await B.join({ kind: 'invite', hash })).toBe('done');
    expect(world.isMember(String(basicGroup.id), idB)).toBe(true);
    expect(await B.leave({ inviteHash: hash })).toBe('done');
    expect(world.isMember(String(basicGroup.id), idB)).toBe(false);
    expect(await B.leave({ inviteHash: hash })).toBe('already');
  });
});

describe('flood waits', () => {
  it('come back at once as a flood_wait failure, without mtcute sleeping', async () => {
    world.setFault(summary.accounts[1]!.phone, 'flood:120:messages.sendReaction');
    try {
      const f = await refusal(() => B.react(post(textPost), '👍'));
      expect(f).toMatchObject({ kind: 'flood_wait', seconds: 120 });
    } finally {
      world.clearFault(summary.accounts[1]!.phone);
    }
  });
});
