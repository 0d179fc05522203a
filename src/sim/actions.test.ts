import { Long, tl, type Message } from '@mtcute/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggedInClient, type SimClient } from './client.ts';
import { makeTestWorld, rpcError, type TestWorld } from './test-support.ts';
import { openWorld } from './world.ts';

let t: TestWorld;
let a: SimClient;
let b: SimClient;
let aId: number;
let bId: number;

beforeAll(async () => {
  t = makeTestWorld({ seed: 'actions', accounts: 2, users: 40, groups: 8 });
  a = await loggedInClient(t.world, t.summary.accounts[0]!.phone);
  b = await loggedInClient(t.world, t.summary.accounts[1]!.phone);
  aId = (await a.client.getMe()).id;
  bId = (await b.client.getMe()).id;
});

afterAll(async () => {
  await a.close();
  await b.close();
  t.cleanup();
});

/** Links of groups by what they are, read back from the world. */
function groups(): Array<{ link: string; kind: string; joinRequest: boolean; invite: boolean; requestInvite: boolean }> {
  return t.summary.groups.map((g) => {
    const chat = t.world.findChat(g.link);
    const inv = t.world.db.prepare('SELECT request_needed FROM invites WHERE chat_id = ?').get(chat.id) as { request_needed: number } | undefined;
    return { link: g.link, kind: chat.kind, joinRequest: chat.join_request === 1, invite: g.link.includes('/+'), requestInvite: inv?.request_needed === 1 };
  });
}

function parseLink(link: string): { chat: string; id: number } {
  const m = /t\.me\/(?:c\/)?([^/]+)\/(\d+)$/.exec(link)!;
  return { chat: m[1]!, id: Number(m[2]) };
}

describe('actions through the production TelegramClient', () => {
  it('resolves usernames and reports missing ones', async () => {
    const peer = await a.client.resolvePeer(t.summary.usernames[0]!);
    expect(peer._).toBe('inputPeerUser');
    const raw = await rpcError(() => a.client.call({ _: 'contacts.resolveUsername', username: t.summary.missingUsernames[0]! }));
    expect(raw.text).toBe('USERNAME_NOT_OCCUPIED');
  });

  it('joins public chats and invite links, files join requests, and leaves', async () => {
    const g = groups();
    const pub = g.find((x) => !x.invite && !x.joinRequest && x.kind === 'supergroup')!;
    const res = await a.client.joinChat(pub.link.replace('https://t.me/', '@'));
    expect(res.status).toBe('ok');
    expect(t.world.isMember(pub.link, aId)).toBe(true);

    const inv = g.find((x) => x.invite && !x.requestInvite && x.kind === 'supergroup')!;
    expect((await a.client.joinChat(inv.link)).status).toBe('ok');
    expect(t.world.isMember(inv.link, aId)).toBe(true);
    expect((await rpcError(() => a.client.joinChat(inv.link))).text).toBe('USER_ALREADY_PARTICIPANT');

    const req = g.find((x) => x.joinRequest)!;
    expect((await a.client.joinChat(req.link.replace('https://t.me/', '@'))).status).toBe('request_sent');
    expect(t.world.hasJoinRequest(req.link, aId)).toBe(true);
    expect(t.world.isMember(req.link, aId)).toBe(false);
    const reqInv = g.find((x) => x.requestInvite)!;
    expect((await a.client.joinChat(reqInv.link)).status).toBe('request_sent');
    expect(t.world.hasJoinRequest(reqInv.link, aId)).toBe(true);

    const basic = g.find((x) => x.kind === 'group')!;
    const joinedBasic = await a.client.joinChat(basic.link);
    expect(joinedBasic.status).toBe('ok');
    if (joinedBasic.status !== 'ok') throw new Error('not joined');
    await a.client.leaveChat(joinedBasic.chat.id);
    expect(t.world.isMember(basic.link, aId)).toBe(false);

    await a.client.leaveChat(pub.link.replace('https://t.me/', '@'));
    expect(t.world.isMember(pub.link, aId)).toBe(false);
    expect((await rpcError(() => a.client.leaveChat(pub.link.replace('https://t.me/', '@')))).text).toBe('USER_NOT_PARTICIPANT');
  });

  it('reacts with allowed emoji and refuses others', async () => {
    const post = t.summary.posts.find((p) => p.link.includes('t.me/c/') === false)!;
    const { chat, id } = parseLink(post.link);
    const chatRow = t.world.findChat(`@${chat}`);
    const allowed: string[] = chatRow.reactions ? (JSON.parse(chatRow.reactions) as string[]) : ['👍'];
    await a.client.sendReaction({ chatId: `@${chat}`, message: id, emoji: allowed[0]! });
    expect(t.world.reactions(`@${chat}`, id)).toContainEqual({ userId: aId, emoji: allowed[0]! });
    const e = await rpcError(() => a.client.sendReaction({ chatId: `@${chat}`, message: id, emoji: chatRow.reactions ? '🤡' : 'not-an-emoji' }));
    expect(e.text).toBe('REACTION_INVALID');
    // A restricted chat exists in every world, and refuses emoji outside its list.
    const restricted = t.world.db.prepare("SELECT * FROM chats WHERE reactions IS NOT NULL AND username IS NOT NULL AND kind = 'supergroup'").get() as
      | { username: string; pts: number }
      | undefined;
    if (restricted) {
      await a.client.joinChat(`@${restricted.username}`);
      expect((await rpcError(() => a.client.sendReaction({ chatId: `@${restricted.username}`, message: restricted.pts, emoji: '🤡' }))).text).toBe('REACTION_INVALID');
      await a.client.sendReaction({ chatId: `@${restricted.username}`, message: restricted.pts, emoji: '👍' });
    }
  });

  it('votes in single and multiple choice polls and is refused on a closed poll', async () => {
    const single = t.summary.posts.find((p) => p.poll && !p.poll.multiple && !p.link.includes('/c/'))!;
    const multiple = t.summary.posts.find((p) => p.poll?.multiple && !p.link.includes('/c/'))!;
    const s = parseLink(single.link);
    const poll1 = await a.client.sendVote({ chatId: `@${s.chat}`, message: s.id, options: [1] });
    expect(poll1.answers[1]!.chosen).toBe(true);
    expect(t.world.poll(`@${s.chat}`, s.id).votes[1]).toBeGreaterThanOrEqual(1);
    expect((await rpcError(() => a.client.sendVote({ chatId: `@${s.chat}`, message: s.id, options: [0, 1] }))).text).toBe('OPTIONS_TOO_MUCH');

    const m = parseLink(multiple.link);
    const poll2 = await a.client.sendVote({ chatId: `@${m.chat}`, message: m.id, options: [0, 2] });
    expect(poll2.answers.filter((x) => x.chosen)).toHaveLength(2);

    t.world.closePoll(`@${s.chat}`, s.id);
    expect((await rpcError(() => b.client.sendVote({ chatId: `@${s.chat}`, message: s.id, options: [0] }))).text).toBe('MESSAGE_POLL_CLOSED');
  });

  it('comments under a channel post through its discussion message', async () => {
    const post = t.summary.posts.find((p) => p.hasComments && !p.link.includes('/c/'))!;
    const { chat, id } = parseLink(post.link);
    const disc = await a.client.getDiscussionMessage({ chatId: `@${chat}`, message: id });
    expect(disc).not.toBeNull();
    const sent = await a.client.sendText(`@${chat}`, 'first!', { commentTo: id });
    const channel = t.world.findChat(`@${chat}`);
    const inGroup = t.world.messages(String(channel.linked_chat_id));
    const mine = inGroup.find((x) => x.id === sent.id)!;
    expect(mine.text).toBe('first!');
    expect(mine.fromUserId).toBe(aId);
    expect(mine.topId).toBe(disc!.id);
  });

  it('comments under a private channel post as a member of the channel only', async () => {
    const post = t.summary.posts.find((p) => p.hasComments && p.link.includes('/c/'))!;
    const { chat, id } = parseLink(post.link);
    const channel = t.world.findChat(chat);
    const invite = t.summary.groups.find((g) => t.world.findChat(g.link).id === channel.id)!;
    expect((await b.client.joinChat(invite.link)).status).toBe('ok');
    const sent = await b.client.sendText(-1e12 - channel.id, 'members only', { commentTo: id });
    expect(t.world.messages(String(channel.linked_chat_id)).find((m) => m.id === sent.id)!.fromUserId).toBe(bId);
    expect(t.world.isMember(String(channel.linked_chat_id), bId)).toBe(false);
  });

  it('lists forum topics and posts into one', async () => {
    const forum = t.world.db.prepare('SELECT username FROM chats WHERE forum = 1').get() as { username: string };
    const topics = await a.client.getForumTopics(`@${forum.username}`);
    expect(topics.map((x) => x.title).sort()).toEqual(['General talk', 'Off-topic', 'Questions']);
    await a.client.joinChat(`@${forum.username}`);
    const q = topics.find((x) => x.title === 'Questions')!;
    const sent = await a.client.sendText(`@${forum.username}`, 'a question', { replyTo: q.id });
    expect(t.world.messages(`@${forum.username}`).find((m) => m.id === sent.id)!.topId).toBe(q.id);
  });

  it('blocks a user', async () => {
    const target = t.summary.usernames[3]!;
    await a.client.blockUser(target);
    expect(t.world.isBlocked(aId, target)).toBe(true);
  });

  it('sends a private message into the delivery log, and a repeated random_id delivers nothing', async () => {
    const to = t.world.db.prepare("SELECT username FROM users WHERE kind = 'person' AND privacy = 'everybody' AND username IS NOT NULL ORDER BY id DESC").get() as { username: string };
    const before = t.world.deliveries().length;
    const peer = await b.client.resolvePeer(to.username);
    const randomId = Long.fromString('123456789012345');
    await b.client.call({ _: 'messages.sendMessage', peer, message: 'hello once', randomId });
    const e = await rpcError(() => b.client.call({ _: 'messages.sendMessage', peer, message: 'hello once', randomId }));
    expect([e.code, e.text]).toEqual([500, 'RANDOM_ID_DUPLICATE']);
    const after = t.world.deliveries();
    expect(after).toHaveLength(before + 1);
    expect(after[after.length - 1]).toMatchObject({ from: t.summary.accounts[1]!.phone, to: to.username, text: 'hello once', randomId: '123456789012345' });
    const history = await b.client.getHistory(to.username);
    expect(history.filter((m) => m.text === 'hello once')).toHaveLength(1);
  });

  it('pages through dialogs and stops with the right count', async () => {
    const g = groups().filter((x) => !x.joinRequest && !x.requestInvite);
    for (const x of g) {
      if (!t.world.isMember(x.link, bId)) await b.client.joinChat(x.invite ? x.link : x.link.replace('https://t.me/', '@'));
    }
    const expected = (t.world.db.prepare('SELECT count(*) AS n FROM members WHERE user_id = ?').get(bId) as { n: number }).n +
      (t.world.db.prepare("SELECT count(DISTINCT peer_id) AS n FROM box_messages WHERE owner_id = ? AND peer_kind = 'user'").get(bId) as { n: number }).n;
    expect(expected).toBeGreaterThan(5);
    const seen: number[] = [];
    for await (const d of b.client.iterDialogs({ chunkSize: 2 })) seen.push(d.peer.id);
    expect(seen).toHaveLength(expected);
    expect(new Set(seen).size).toBe(expected);
  });

  it('pushes new messages to a handler after startUpdatesLoop', async () => {
    await b.client.startUpdatesLoop();
    const pub = groups().find((x) => !x.invite && !x.joinRequest && x.kind === 'supergroup')!;
    if (!t.world.isMember(pub.link, bId)) await b.client.joinChat(pub.link.replace('https://t.me/', '@'));
    const got: Message[] = [];
    const arrived = new Promise<void>((resolve) => {
      b.client.onNewMessage.add((m) => {
        got.push(m);
        if (got.some((x) => x.text === 'keyword alert') && got.some((x) => x.text === 'psst, b')) resolve();
      });
    });
    t.world.post(pub.link, 'keyword alert');
    // A private message from the other fleet account reaches b too.
    const bUser = t.world.accounts()[1]!.username!;
    await a.client.sendText(bUser, 'psst, b');
    await arrived;
    const post = got.find((x) => x.text === 'keyword alert')!;
    expect(post.chat.username).toBe(pub.link.replace('https://t.me/', ''));
    expect(got.find((x) => x.text === 'psst, b')!.sender.id).toBe(aId);
  });

  it('pushes a post written through another handle on the file (as `sim post` from another process does)', async () => {
    const pub = groups().find((x) => !x.invite && !x.joinRequest && x.kind === 'supergroup')!;
    const other = openWorld(t.path);
    const arrived = new Promise<Message>((resolve) => {
      b.client.onNewMessage.add((m) => {
        if (m.text === 'from elsewhere') resolve(m);
      });
    });
    try {
      other.post(pub.link, 'from elsewhere');
    } finally {
      other.close();
    }
    expect((await arrived).chat.username).toBe(pub.link.replace('https://t.me/', ''));
  });

  it('answers a privacy-restricted user with USER_PRIVACY_RESTRICTED', async () => {
    const row = t.world.db.prepare("SELECT username FROM users WHERE privacy = 'contacts' AND username IS NOT NULL").get() as { username: string };
    const e = await rpcError(() => a.client.sendText(row.username, 'hi'));
    expect([e.code, e.text]).toEqual([403, 'USER_PRIVACY_RESTRICTED']);
    expect(tl.RpcError.is(e, 'USER_PRIVACY_RESTRICTED')).toBe(true);
  });
});
