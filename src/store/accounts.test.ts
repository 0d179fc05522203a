import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { failureReason } from '../core/stored-reasons.ts';
import { describeEngines, engineFixture } from '../../test/support/engines.ts';
import { AccountExistsError, AccountStore } from './accounts.ts';
import type { SqliteDb } from './db.ts';
import { LeaseStore } from './leases.ts';
import { Secrets } from './secrets.ts';
import type { Db } from './sql.ts';

function open() {
  const db = engineFixture().db;
  const secrets = new Secrets(randomBytes(32));
  return { db, secrets, store: new AccountStore(db, secrets) };
}

/** Every byte the store keeps at rest: the file (and its WAL) on SQLite, every table's values on PostgreSQL. */
function bytesAtRest(db: Db, dir: string | null): Buffer {
  if (db.dialect === 'sqlite') {
    (db as SqliteDb).pragma('wal_checkpoint(TRUNCATE)');
    return Buffer.concat(readdirSync(dir!).filter((f) => f.startsWith('panel.db')).map((f) => readFileSync(join(dir!, f))));
  }
  const tables = db.prepare<[], { t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema()").all();
  const parts: Buffer[] = [];
  for (const { t: table } of tables) {
    for (const row of db.prepare<[], Record<string, unknown>>(`SELECT * FROM ${table}`).all()) {
      for (const v of Object.values(row)) parts.push(Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
    }
  }
  return Buffer.concat(parts);
}

const T0 = Date.UTC(2026, 5, 1);
const someone = { phone: '+15550001', userId: 1001, username: 'alice_acc', firstName: 'Alice' };

describeEngines('AccountStore', (t) => {
  it('stores an account with its session in one go and lists it', () => {
    const { store } = open();
    const key = randomBytes(256);
    const id = store.create(someone, { authKeys: [{ dc: 2, key }], kv: [{ key: 'self', value: Buffer.from('me') }] }, T0);
    const [a] = store.list(T0);
    expect(a).toMatchObject({ id, phone: '+15550001', userId: 1001, username: 'alice_acc', status: 'active', enabled: true, groupsCount: 0, proxyUrl: null });
    expect(Buffer.from(store.sessions.authKey(id, 2)!).equals(key)).toBe(true);
    expect(Buffer.from(store.sessions.kvGet(id, 'self')!).toString()).toBe('me');
  });

  it('refuses the same Telegram user or phone twice and stores nothing', () => {
    const { store } = open();
    store.create(someone, { authKeys: [], kv: [] }, T0);
    expect(() => store.create({ ...someone, phone: '+15550002' }, { authKeys: [{ dc: 2, key: randomBytes(256) }], kv: [] }, T0)).toThrow(AccountExistsError);
    expect(() => store.create({ ...someone, userId: 2002 }, { authKeys: [], kv: [] }, T0)).toThrow(/already stored as account 1/);
    expect(store.list(T0)).toHaveLength(1);
  });

  it('keeps no raw auth key, session value or peer name in the database file', () => {
    const { db, store } = open();
    const key = randomBytes(256);
    const id = store.create(someone, { authKeys: [{ dc: 2, key }], kv: [{ key: 'self', value: Buffer.from('SELF-MARKER-1234567') }] }, T0);
    store.sessions.setTempKey(id, 2, 0, key.subarray(0, 128), T0 + 1000);
    store.sessions.storePeer(id, { id: 777, accessHash: '123456789', isMin: false, usernames: ['secretpeername'], updated: 1, phone: '99988877', complete: Buffer.from('COMPLETE-MARKER') });
    store.setProxy(id, { url: 'socks5://user:hunter2pass@10.0.0.1:1080', label: 'socks5://user:***@10.0.0.1:1080' });
    const bytes = bytesAtRest(db, t.dir);
    // Any 16-byte window of the key would do; check several.
    for (let i = 0; i + 16 <= 256; i += 48) expect(bytes.includes(key.subarray(i, i + 16))).toBe(false);
    for (const marker of ['SELF-MARKER-1234567', 'COMPLETE-MARKER', 'secretpeername', '99988877', 'hunter2pass']) {
      expect(bytes.includes(Buffer.from(marker))).toBe(false);
    }
    expect(store.sessions.peerByUsername(id, 'SecretPeerName')?.id).toBe(777);
    expect(store.sessions.peerByPhone(id, '99988877')?.accessHash).toBe('123456789');
    expect(store.proxyUrl(id)).toBe('socks5://user:hunter2pass@10.0.0.1:1080');
    expect(store.get(id, T0)?.proxyUrl).toBe('socks5://user:***@10.0.0.1:1080');
  });

  it('finds peers only by their current names and never returns min peers by name', () => {
    const { store } = open();
    const id = store.create(someone, { authKeys: [], kv: [] }, T0);
    const peer = { id: 5, accessHash: '1', isMin: false, usernames: ['oldname'], updated: 1, complete: Buffer.from('x') };
    store.sessions.storePeer(id, peer);
    store.sessions.storePeer(id, { ...peer, usernames: ['newname'] });
    expect(store.sessions.peerByUsername(id, 'oldname')).toBeNull();
    expect(store.sessions.peerByUsername(id, 'newname')?.id).toBe(5);
    store.sessions.storePeer(id, { ...peer, id: 6, isMin: true, usernames: ['minpeer'] });
    expect(store.sessions.peerByUsername(id, 'minpeer')).toBeNull();
    expect(store.sessions.peerById(id, 6)?.isMin).toBe(true);
  });

  it('keeps sessions of different accounts apart', () => {
    const { store } = open();
    const a = store.create(someone, { authKeys: [{ dc: 2, key: randomBytes(256) }], kv: [] }, T0);
    const b = store.create({ ...someone, phone: '+15550009', userId: 9 }, { authKeys: [{ dc: 4, key: randomBytes(256) }], kv: [] }, T0);
    expect(store.sessions.authKey(a, 4)).toBeNull();
    expect(store.sessions.authKey(b, 2)).toBeNull();
    store.sessions.deleteAllKeys(a);
    expect(store.sessions.authKey(b, 4)).not.toBeNull();
  });

  it('persists statuses with time and reason, parks, and derives disabled and lapsed waits', () => {
    const { store } = open();
    const id = store.create(someone, { authKeys: [], kv: [] }, T0);
    const banned = (message: string) => failureReason({ kind: 'banned', code: 'USER_DEACTIVATED_BAN', message });
    store.setStatus(id, 'banned', banned('the account is banned'), T0 + 10);
    store.setStatus(id, 'banned', banned('still banned'), T0 + 20);
    expect(store.get(id, T0 + 30)).toMatchObject({
      status: 'banned',
      statusReason: 'still banned',
      statusReasonCode: { code: 'telegram_failure', params: { kind: 'banned', code: 'USER_DEACTIVATED_BAN' } },
      statusSince: T0 + 10,
    });
    store.setEnabled(id, false);
    // A problem status shows through disabling; the operator must still see it.
    expect(store.get(id, T0 + 30)).toMatchObject({ status: 'banned', enabled: false });
    store.setStatus(id, 'active', null, T0 + 40);
    expect(store.get(id, T0 + 50)).toMatchObject({ status: 'disabled', enabled: false, statusReason: 'disabled by the operator', statusReasonCode: { code: 'account_disabled_by_operator' } });
    store.setEnabled(id, true);
    store.setStatus(id, 'flood_wait', { code: 'account_flood_wait', params: { code: 'FLOOD_WAIT_X', call: 'join' } }, T0 + 50, T0 + 5000);
    expect(store.get(id, T0 + 60)).toMatchObject({ statusReason: 'FLOOD_WAIT_X on join', statusReasonCode: { code: 'account_flood_wait', params: { call: 'join' } } });
    store.park(id, 'join', T0 + 5000, 'FLOOD_WAIT_X');
    store.park(id, 'join', T0 + 3000, 'FLOOD_WAIT_X');
    expect(store.get(id, T0 + 60)).toMatchObject({ status: 'flood_wait', statusUntil: T0 + 5000 });
    expect(store.parks(T0 + 60).get(id)).toEqual({ join: T0 + 5000 });
    expect(store.get(id, T0 + 5000)).toMatchObject({ status: 'active', statusUntil: null });
    expect(store.parks(T0 + 5000).get(id)).toBeUndefined();
  });

  it('tags accounts, finds them by phone, user and any-case username, and keeps what Telegram last said of them', () => {
    const { store } = open();
    const a = store.create(someone, { authKeys: [], kv: [] }, T0);
    const b = store.create({ phone: '+15550002', userId: 1002, username: null, firstName: 'Bob', proxy: { url: 'socks5://h:1', label: 'socks5://h:1' } }, { authKeys: [], kv: [] }, T0);
    expect(store.addTag(a, 'reserve')).toBe(true);
    expect(store.addTag(a, 'reserve')).toBe(false);
    expect(store.addTag(a, 'eu')).toBe(true);
    expect(store.addTag(b, 'eu')).toBe(true);
    expect(store.addTag(999, 'eu')).toBe(false);
    expect(store.tags(a)).toEqual(['eu', 'reserve']);
    expect(store.list(T0).map((x) => x.tags)).toEqual([['eu', 'reserve'], ['eu']]);
    expect(store.removeTag(a, 'reserve')).toBe(true);
    expect(store.removeTag(a, 'reserve')).toBe(false);
    expect(store.get(a, T0)?.tags).toEqual(['eu']);

    expect(store.byPhone('+15550002')).toBe(b);
    expect(store.byUserId(1001)).toBe(a);
    expect(store.byPhone('+19999')).toBeUndefined();
    expect(store.byUsername('ALICE_acc')).toEqual([a]);
    store.setProfile(b, { username: 'Alice_Acc', firstName: 'Bobby' });
    expect(store.byUsername('alice_acc')).toEqual([a, b]);
    expect(store.get(b, T0)).toMatchObject({ username: 'Alice_Acc', firstName: 'Bobby' });

    store.setOtherSessions(a, 2, T0 + 1);
    store.markUsed(a, T0 + 2);
    expect(store.get(a, T0)).toMatchObject({ otherSessions: 2, lastUsedAt: T0 + 2 });
    expect(store.proxyUrl(b)).toBe('socks5://h:1');
    store.setProxy(b, null);
    expect(store.proxyUrl(b)).toBeNull();
    expect(store.get(b, T0)?.proxyUrl).toBeNull();

    store.setStatus(a, 'flood_wait', null, T0 + 3, T0 + 100);
    store.setEnabled(a, false);
    expect(store.rawStatus(a)).toEqual({ status: 'flood_wait', reason: null, until: T0 + 100, enabled: false });
    expect(store.rawStatus(999)).toBeUndefined();
    store.park(a, 'pm', T0 + 100, 'PEER_FLOOD');
    store.park(b, 'join', T0 + 100, 'FLOOD_WAIT_X');
    store.clearParks(a);
    expect([...store.parks(T0).keys()]).toEqual([b]);
  });

  it('adds and removes single groups beside a full refresh, keeping the count', () => {
    const { store } = open();
    const id = store.create(someone, { authKeys: [], kv: [] }, T0);
    store.replaceGroups(id, [{ id: -1001, kind: 'supergroup', title: 'One', username: null }], T0);
    store.addGroup(id, { id: -1002, kind: 'channel', title: 'two', username: 'two' });
    store.addGroup(id, { id: -1001, kind: 'forum', title: 'One, renamed', username: null });
    expect(store.groups(id)).toEqual({
      chats: [
        { id: -1001, kind: 'forum', title: 'One, renamed', username: null },
        { id: -1002, kind: 'channel', title: 'two', username: 'two' },
      ],
      refreshedAt: T0,
    });
    expect(store.get(id, T0)?.groupsCount).toBe(2);
    store.removeGroup(id, -1001);
    expect(store.groups(id).chats.map((c) => c.id)).toEqual([-1002]);
    expect(store.get(id, T0)?.groupsCount).toBe(1);
  });

  it('stores groups and removes everything of an account on remove', () => {
    const { db, store } = open();
    const id = store.create(someone, { authKeys: [{ dc: 2, key: randomBytes(256) }], kv: [{ key: 'k', value: Buffer.from('v') }] }, T0);
    store.replaceGroups(id, [
      { id: -1001, kind: 'supergroup', title: 'Beta', username: 'beta' },
      { id: -5, kind: 'group', title: 'alpha', username: null },
    ], T0);
    expect(store.get(id, T0)?.groupsCount).toBe(2);
    expect(store.groups(id).chats.map((c) => c.title)).toEqual(['alpha', 'Beta']);
    store.park(id, 'pm', T0 + 1, 'FLOOD_WAIT_X');
    new LeaseStore(db).acquire(id, 'me', T0, 1000);
    expect(store.remove(id)).toBe(true);
    for (const t of ['account_groups', 'account_parks', 'leases', 'session_auth_keys', 'session_kv']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${t}`).get()).toEqual({ n: 0 });
    }
  });
});

describeEngines('LeaseStore', () => {
  it('lets one owner hold an account, refuses others until it expires or is released', () => {
    const { db, store } = open();
    const id = store.create(someone, { authKeys: [], kv: [] }, T0);
    const leases = new LeaseStore(db);
    expect(leases.acquire(id, 'A', T0, 1000)).toEqual({ ok: true });
    expect(leases.acquire(id, 'B', T0 + 500, 1000)).toMatchObject({ ok: false, holder: { owner: 'A', expiresAt: T0 + 1000 } });
    expect(leases.renew('A', [id], T0 + 900, 1000)).toEqual([]);
    expect(leases.acquire(id, 'B', T0 + 1500, 1000).ok).toBe(false);
    expect(leases.acquire(id, 'B', T0 + 2000, 1000).ok).toBe(true);
    // A lost its lease: renewing says so.
    expect(leases.renew('A', [id], T0 + 2100, 1000)).toEqual([id]);
    leases.release(id, 'A');
    expect(leases.holder(id)?.owner).toBe('B');
    leases.release(id, 'B');
    expect(leases.holder(id)).toBeUndefined();
  });

  it('lists what others hold in force, skipping the dead, and forgets or releases all of an owner', () => {
    const { db } = open();
    const leases = new LeaseStore(db);
    leases.acquire(1, 'A', T0, 1000);
    leases.acquire(2, 'B', T0, 1000);
    leases.acquire(3, 'B', T0, 5000);
    leases.acquire(4, 'dead', T0, 5000);
    leases.acquire(5, 'me', T0, 5000);
    expect(leases.heldElsewhere('me', T0 + 1000, (o) => o === 'dead')).toEqual(new Map([[3, 'B']]));
    expect(leases.heldElsewhere('me', T0, () => false)).toEqual(
      new Map([
        [1, 'A'],
        [2, 'B'],
        [3, 'B'],
        [4, 'dead'],
      ]),
    );
    expect(leases.liveHolder(3, 'me', T0, () => false)).toBe('B');
    expect(leases.liveHolder(5, 'me', T0, () => false)).toBeNull();
    leases.forget(3);
    expect(leases.holder(3)).toBeUndefined();
    leases.releaseAll('B');
    expect(leases.holder(2)).toBeUndefined();
    expect(leases.holder(1)?.owner).toBe('A');
  });

  it('takes over at once from a holder known to be dead', () => {
    const { db, store } = open();
    const id = store.create(someone, { authKeys: [], kv: [] }, T0);
    const leases = new LeaseStore(db);
    leases.acquire(id, 'dead', T0, 60_000);
    expect(leases.acquire(id, 'B', T0 + 1, 60_000, (o) => o === 'dead').ok).toBe(true);
  });
});
