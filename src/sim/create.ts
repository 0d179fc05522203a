/**
 * Builds a world deterministically from a seed: the same options give the same accounts,
 * people, chats, posts and links (`sim create` prints them).
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import { DEFAULT_BUDGETS } from './faults.ts';
import { CHANNEL_SUFFIXES, CHAT_SUFFIXES, FIRST_NAMES, LAST_NAMES, PHRASES, POLL_QUESTIONS, Rng, TOPICS } from './rng.ts';
import { seedDevices } from './rpc/account.ts';
import { makeVerifier } from './srp.ts';
import { openWorld, type SimWorld, type WorldSummary } from './world.ts';
import { addBoxMessage, addChannelMessage } from './write.ts';

export interface CreateWorldOptions {
  /** Fleet accounts (the operator's own). */
  accounts?: number;
  /** Other people (with and without usernames, privacy-restricted, deleted, bots). */
  users?: number;
  /** Chats an account can join (channels come with their own discussion group). */
  groups?: number;
  seed?: string | number;
  /** `default` installs Telegram-like rule budgets (see faults.ts); `none` installs none. */
  faults?: 'none' | 'default';
}

export const CREATE_LIMITS = { accounts: [1, 1000], users: [0, 100_000], groups: [0, 1000] } as const;

/** Where the world's own clock starts; seeded messages are dated before it. */
export const WORLD_EPOCH = Date.UTC(2026, 0, 1);

type ChatPlan = 'public_group' | 'public_channel' | 'private_group' | 'request_group' | 'forum' | 'basic_group' | 'private_channel' | 'request_invite_group';
const PLANS: readonly ChatPlan[] = ['public_group', 'public_channel', 'private_group', 'request_group', 'forum', 'basic_group', 'private_channel', 'request_invite_group'];

const LIMITED_REACTIONS = ['👍', '❤', '🔥', '🎉'];

/** Creates `path` as a new world and returns its summary. Refuses to touch an existing file. */
export function createWorld(path: string, opts: CreateWorldOptions = {}): WorldSummary {
  const o = {
    accounts: opts.accounts ?? 5,
    users: opts.users ?? 50,
    groups: opts.groups ?? 8,
    seed: opts.seed ?? 1,
    faults: opts.faults ?? 'default',
  };
  for (const key of ['accounts', 'users', 'groups'] as const) {
    const [min, max] = CREATE_LIMITS[key];
    if (!Number.isInteger(o[key]) || o[key] < min || o[key] > max) throw new InputError(`--${key} must be a whole number from ${min} to ${max}`);
  }
  if (existsSync(path) && statSync(path).isFile() && statSync(path).size > 0) {
    throw new InputError(`${path} already exists; it was left untouched. Delete it or choose another file for the new world`);
  }
  const world = openWorld(path, { create: true });
  try {
    world.db.transaction(() => seed(world, o))();
    return world.summary();
  } finally {
    world.close();
  }
}

/** Creates a world and keeps it open (for tests and the demo). */
export function createAndOpenWorld(path: string, opts: CreateWorldOptions = {}): { world: SimWorld; summary: WorldSummary } {
  const summary = createWorld(path, opts);
  return { world: openWorld(path), summary };
}

interface Person {
  id: number;
  username: string | null;
  restricted: boolean;
}

function seed(world: SimWorld, o: Required<CreateWorldOptions>): void {
  const db = world.db;
  const rng = new Rng(o.seed);
  world.setMeta('seed', String(o.seed));
  world.setMeta('secret', createHash('sha256').update(`telegram-panel-sim:${o.seed}`).digest('hex'));
  world.setMeta('clock', 'wall');
  world.setMeta('created_with', JSON.stringify(o));
  const taken = new Set<string>();
  const uniqueName = (base: string): string => {
    let name = base.toLowerCase().replace(/[^a-z0-9_]/g, '').slice(0, 28);
    if (!/^[a-z]/.test(name)) name = `u${name}`;
    while (name.length < 5) name += 'x';
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name}${n}`;
    taken.add(candidate);
    return candidate;
  };

  const insertUser = db.prepare(
    `INSERT INTO users (id, kind, first_name, last_name, username, phone, deleted, privacy, login_code, password, srp_salt1, srp_salt2, srp_v, created_at)
     VALUES (@id, @kind, @first, @last, @username, @phone, @deleted, @privacy, @code, @password, @salt1, @salt2, @v, @created)`,
  );

  // The fleet: the operator's own accounts.
  const fleet: number[] = [];
  for (let i = 0; i < o.accounts; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const id = 7_000_000_000 + i * 101 + rng.int(0, 99);
    const password = i % 3 === 1 ? `${rng.pick(TOPICS).toLowerCase()}-${rng.digits(4)}` : null;
    const salt1 = password ? rng.bytes(40) : null;
    const salt2 = password ? rng.bytes(16) : null;
    insertUser.run({
      id,
      kind: 'fleet',
      first,
      last,
      username: uniqueName(`${first}_${last}_${i + 1}`),
      phone: `+99966${String(i + 1).padStart(5, '0')}`,
      deleted: 0,
      privacy: 'everybody',
      code: String(rng.int(10000, 99999)),
      password,
      salt1,
      salt2,
      v: password && salt1 && salt2 ? makeVerifier(password, salt1, salt2) : null,
      created: WORLD_EPOCH - 400 * 86_400_000,
    });
    fleet.push(id);
  }

  // Everyone else.
  const people: Person[] = [];
  const missing: string[] = [];
  for (let i = 0; i < o.users; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const id = 5_000_000_000 + i * 53 + rng.int(0, 49);
    const roll = rng.next();
    const kind = roll < 0.05 ? 'bot' : 'person';
    const deleted = kind === 'person' && roll >= 0.05 && roll < 0.1;
    const noUsername = !deleted && kind === 'person' && roll >= 0.1 && roll < 0.18;
    const restricted = kind === 'person' && !deleted && roll >= 0.18 && roll < 0.28;
    let username: string | null = noUsername ? null : uniqueName(kind === 'bot' ? `${first}${rng.pick(TOPICS)}bot` : `${first}${last}${rng.int(1, 99)}`);
    if (kind === 'bot' && username && !username.endsWith('bot')) username = `${username}bot`;
    if (deleted && username) {
      missing.push(username);
      username = null;
    }
    insertUser.run({
      id,
      kind,
      first: deleted ? 'Deleted' : first,
      last: deleted ? 'Account' : kind === 'bot' ? null : last,
      username,
      phone: null,
      deleted: deleted ? 1 : 0,
      privacy: restricted ? 'contacts' : 'everybody',
      code: null,
      password: null,
      salt1: null,
      salt2: null,
      v: null,
      created: WORLD_EPOCH - rng.int(30, 2000) * 86_400_000,
    });
    if (!deleted) people.push({ id, username, restricted });
  }
  // Telegram's anti-spam bot, which answers accounts asking about their limits.
  insertUser.run({
    id: 178220800,
    kind: 'bot',
    first: 'Spam Info Bot',
    last: null,
    username: 'SpamBot',
    phone: null,
    deleted: 0,
    privacy: 'everybody',
    code: null,
    password: null,
    salt1: null,
    salt2: null,
    v: null,
    created: WORLD_EPOCH - 3000 * 86_400_000,
  });
  taken.add('spambot');
  for (let i = 0; i < 5; i++) {
    let name: string;
    do name = `${rng.pick(FIRST_NAMES).toLowerCase()}_${rng.pick(TOPICS).toLowerCase()}_${rng.digits(3)}`;
    while (taken.has(name));
    taken.add(name);
    missing.push(name);
  }
  world.setMeta('missing_usernames', JSON.stringify(missing));

  // A few people are each fleet account's contacts (they may be messaged without spam limits).
  // Privacy-restricted people know none of the fleet, so they refuse every account alike.
  const humans = people.filter((p) => p.username !== null && !p.restricted);
  for (const f of fleet) {
    for (let k = 0; k < Math.min(2, humans.length); k++) {
      const p = rng.pick(humans);
      db.prepare('INSERT OR IGNORE INTO contacts (user_id, contact_id) VALUES (?, ?), (?, ?)').run(f, p.id, p.id, f);
    }
  }

  // Chats.
  let pollSeq = 0;
  const addPoll = (question: string, options: string[], multiple: boolean, closed: boolean, voters: number[]): number => {
    const id = ++pollSeq;
    db.prepare('INSERT INTO polls (id, question, multiple, closed) VALUES (?, ?, ?, ?)').run(id, question, multiple ? 1 : 0, closed ? 1 : 0);
    options.forEach((text, idx) => db.prepare('INSERT INTO poll_options (poll_id, idx, text) VALUES (?, ?, ?)').run(id, idx, text));
    for (const v of voters) {
      db.prepare('INSERT OR IGNORE INTO poll_votes (poll_id, user_id, idx, at) VALUES (?, ?, ?, ?)').run(id, v, rng.int(0, options.length - 1), WORLD_EPOCH - 3600_000);
    }
    return id;
  };
  const insertChat = db.prepare(
    `INSERT INTO chats (id, kind, forum, title, about, username, linked_chat_id, join_request, reactions, created_at)
     VALUES (@id, @kind, @forum, @title, @about, @username, @linked, @joinRequest, @reactions, @created)`,
  );
  const addMembers = (chatId: number, count: number): number[] => {
    const chosen = new Set<number>();
    const pool = people.filter(() => true);
    while (chosen.size < Math.min(count, pool.length)) chosen.add(rng.pick(pool).id);
    const ids = [...chosen].sort((a, b) => a - b);
    ids.forEach((uid, idx) =>
      db.prepare('INSERT INTO members (chat_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)').run(chatId, uid, idx === 0 ? 'creator' : 'member', WORLD_EPOCH - 90 * 86_400_000),
    );
    return ids;
  };
  const addInvite = (chatId: number, requestNeeded: boolean): void => {
    db.prepare('INSERT INTO invites (hash, chat_id, request_needed) VALUES (?, ?, ?)').run(rng.token(16), chatId, requestNeeded ? 1 : 0);
  };
  let t = WORLD_EPOCH - 7 * 86_400_000;
  const tick = (): number => (t += rng.int(60_000, 3_600_000));

  for (let g = 0; g < o.groups; g++) {
    const plan = PLANS[g % PLANS.length]!;
    const topic = rng.pick(TOPICS);
    const kind = plan === 'basic_group' ? 'group' : plan === 'public_channel' || plan === 'private_channel' ? 'channel' : 'supergroup';
    const title = `${topic} ${rng.pick(kind === 'channel' ? CHANNEL_SUFFIXES : CHAT_SUFFIXES)}${g >= PLANS.length ? ` ${Math.floor(g / PLANS.length) + 1}` : ''}`;
    const isPublic = plan === 'public_group' || plan === 'public_channel' || plan === 'request_group' || plan === 'forum';
    const id = kind === 'group' ? 900_000 + g * 37 + rng.int(0, 30) : 1_900_000_000 + g * 1009 + rng.int(0, 999);
    const username = isPublic ? uniqueName(`${topic}_${plan === 'public_channel' ? 'news' : 'chat'}_${g + 1}`) : null;
    insertChat.run({
      id,
      kind,
      forum: plan === 'forum' ? 1 : 0,
      title,
      about: `Everything about ${topic.toLowerCase()}.`,
      username,
      linked: null,
      joinRequest: plan === 'request_group' ? 1 : 0,
      reactions: g % 3 === 0 ? JSON.stringify(LIMITED_REACTIONS) : null,
      created: WORLD_EPOCH - 200 * 86_400_000,
    });
    if (!isPublic) addInvite(id, plan === 'request_invite_group');
    const members = addMembers(id, rng.int(5, 15));
    const speakers = members.length > 0 ? members : [];

    if (kind === 'group') {
      for (let k = 0; k < rng.int(3, 6) && speakers.length > 0; k++) {
        const from = rng.pick(speakers);
        const now = tick();
        for (const uid of members) addBoxMessage(db, now, { ownerId: uid, peerKind: 'chat', peerId: id, fromId: from, text: rng.pick(PHRASES) });
      }
      continue;
    }

    if (kind === 'supergroup') {
      if (plan === 'forum') {
        for (const name of ['General talk', 'Questions', 'Off-topic']) {
          const topicMsg = addChannelMessage(db, tick(), { id }, { fromUserId: members[0] ?? null, text: '', service: `topic:${name}` });
          db.prepare('INSERT INTO topics (chat_id, id, title) VALUES (?, ?, ?)').run(id, topicMsg.id, name);
          for (let k = 0; k < 2 && speakers.length > 0; k++) {
            addChannelMessage(db, tick(), { id }, { fromUserId: rng.pick(speakers), text: rng.pick(PHRASES), replyTo: topicMsg.id, topId: topicMsg.id });
          }
        }
      } else {
        for (let k = 0; k < rng.int(4, 8) && speakers.length > 0; k++) addChannelMessage(db, tick(), { id }, { fromUserId: rng.pick(speakers), text: rng.pick(PHRASES) });
        if (speakers.length > 0) {
          const q = POLL_QUESTIONS[g % POLL_QUESTIONS.length]!;
          addChannelMessage(db, tick(), { id }, { fromUserId: speakers[0]!, text: '', pollId: addPoll(q.q, q.options, false, false, speakers.slice(1, 4)) });
        }
      }
      continue;
    }

    // A channel with its own discussion group: every post is copied there, comments reply to the copy.
    const discId = 1_900_000_000 + g * 1009 + 500 + rng.int(0, 400);
    insertChat.run({
      id: discId,
      kind: 'supergroup',
      forum: 0,
      title: `${title} Chat`,
      about: `Comments for ${title}.`,
      username: null,
      linked: id,
      joinRequest: 0,
      reactions: null,
      created: WORLD_EPOCH - 200 * 86_400_000,
    });
    db.prepare('UPDATE chats SET linked_chat_id = ? WHERE id = ?').run(discId, id);
    const discMembers = addMembers(discId, rng.int(3, 8));
    const posts = rng.int(4, 6);
    for (let k = 0; k < posts; k++) {
      let pollId: number | null = null;
      let text = rng.pick(PHRASES);
      if (k === 1 || k === 2 || k === 3) {
        const q = POLL_QUESTIONS[(g + k) % POLL_QUESTIONS.length]!;
        pollId = addPoll(q.q, q.options, k === 2, k === 3, members.slice(0, 3));
        text = '';
      }
      const when = tick();
      const post = addChannelMessage(db, when, { id }, { fromUserId: null, text, pollId });
      const copy = addChannelMessage(db, when, { id: discId }, { fromUserId: null, text, fwdChatId: id, fwdMsgId: post.id, pollId });
      for (let c = 0; c < rng.int(0, 3) && discMembers.length > 0; c++) {
        addChannelMessage(db, tick(), { id: discId }, { fromUserId: rng.pick(discMembers), text: rng.pick(PHRASES), replyTo: copy.id, topId: copy.id });
      }
    }
  }

  // Other phones and desktops logged into each account, from their own random stream so the
  // rest of a seed's world stays as it was before devices existed.
  const devices = new Rng(`${o.seed}:devices`);
  for (const id of fleet) seedDevices(db, id, devices.int(0, 3), (n) => devices.int(0, n - 1), WORLD_EPOCH);

  // Real accounts have long histories: start every message box somewhere past zero.
  db.prepare('UPDATE users SET pts = pts + 100 + (id % 900)').run();
  if (o.faults === 'default') for (const b of DEFAULT_BUDGETS) world.setBudget(b.method, b.max, b.windowMs);
  // Seeding pushed nothing to anyone: start the event log afresh.
  db.prepare('DELETE FROM events').run();
}
