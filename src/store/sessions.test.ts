import { randomBytes } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../test/support/engines.ts';
import { AccountStore } from './accounts.ts';
import { Secrets } from './secrets.ts';
import type { SessionStore, StoredPeer } from './sessions.ts';

const T0 = Date.UTC(2026, 5, 1);

describeEngines('SessionStore', (t) => {
  let sessions: SessionStore;
  let a: number;
  let b: number;
  beforeEach(() => {
    const accounts = new AccountStore(t.db, new Secrets(randomBytes(32)));
    a = accounts.create({ phone: '+15550001', userId: 1001, username: null, firstName: 'A' }, { authKeys: [], kv: [] }, T0);
    b = accounts.create({ phone: '+15550002', userId: 1002, username: null, firstName: 'B' }, { authKeys: [], kv: [] }, T0);
    sessions = accounts.sessions;
  });

  it('keeps auth keys per data center, and forgets one or all', () => {
    const k2 = randomBytes(256);
    const k4 = randomBytes(256);
    sessions.setAuthKey(a, 2, k2);
    sessions.setAuthKey(a, 4, randomBytes(256));
    sessions.setAuthKey(a, 4, k4);
    sessions.setAuthKey(b, 2, randomBytes(256));
    expect(sessions.authKeyDcs(a).sort()).toEqual([2, 4]);
    expect(Buffer.from(sessions.authKey(a, 4)!).equals(k4)).toBe(true);
    sessions.setAuthKey(a, 4, null);
    expect(sessions.authKey(a, 4)).toBeNull();
    expect(Buffer.from(sessions.authKey(a, 2)!).equals(k2)).toBe(true);
    expect(sessions.authKeyDcs(b)).toEqual([2]);
  });

  it('keeps temporary keys until they expire, and drops them with their data center', () => {
    const tk = randomBytes(256);
    sessions.setTempKey(a, 2, 0, tk, T0 + 1000);
    sessions.setTempKey(a, 2, 1, randomBytes(256), T0 + 1000);
    sessions.setTempKey(a, 4, 0, randomBytes(256), T0 + 1000);
    expect(Buffer.from(sessions.tempKey(a, 2, 0, T0 + 999)!).equals(tk)).toBe(true);
    expect(sessions.tempKey(a, 2, 0, T0 + 1000)).toBeNull();
    sessions.setTempKey(a, 2, 1, null, 0);
    expect(sessions.tempKey(a, 2, 1, T0)).toBeNull();
    sessions.setAuthKey(a, 2, randomBytes(256));
    sessions.setAuthKey(a, 4, randomBytes(256));
    sessions.deleteKeysOfDc(a, 2);
    expect(sessions.authKey(a, 2)).toBeNull();
    expect(sessions.tempKey(a, 2, 0, T0)).toBeNull();
    expect(sessions.authKey(a, 4)).not.toBeNull();
    expect(sessions.tempKey(a, 4, 0, T0)).not.toBeNull();
    sessions.deleteAllKeys(a);
    expect(sessions.authKeyDcs(a)).toEqual([]);
    expect(sessions.tempKey(a, 4, 0, T0)).toBeNull();
  });

  it('keeps key-value entries as bytes', () => {
    sessions.kvSet(a, 'self', Buffer.from([0, 1, 2, 255]));
    sessions.kvSet(a, 'state', Buffer.from('s1'));
    sessions.kvSet(a, 'state', Buffer.from('s2'));
    sessions.kvSet(b, 'state', Buffer.from('other'));
    expect(Buffer.from(sessions.kvGet(a, 'self')!)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(Buffer.from(sessions.kvGet(a, 'state')!).toString()).toBe('s2');
    sessions.kvDelete(a, 'self');
    expect(sessions.kvGet(a, 'self')).toBeNull();
    sessions.kvDeleteAll(a);
    expect(sessions.kvGet(a, 'state')).toBeNull();
    expect(Buffer.from(sessions.kvGet(b, 'state')!).toString()).toBe('other');
  });

  it('finds peers by id, username and phone, and forgets them all', () => {
    const peer: StoredPeer = { id: 9_000_000_001, accessHash: '-8000000000000000001', isMin: false, usernames: ['Alice', 'alice_two'], updated: T0, phone: '15550009', complete: randomBytes(40) };
    sessions.storePeer(a, peer);
    expect(sessions.peerById(a, peer.id)).toEqual(peer);
    expect(sessions.peerByUsername(a, 'ALICE_TWO')?.id).toBe(peer.id);
    expect(sessions.peerByPhone(a, '15550009')?.accessHash).toBe(peer.accessHash);
    expect(sessions.peerById(b, peer.id)).toBeNull();
    expect(sessions.peerByUsername(b, 'alice')).toBeNull();
    sessions.deleteAllPeers(a);
    expect(sessions.peerById(a, peer.id)).toBeNull();
    expect(sessions.peerByUsername(a, 'alice')).toBeNull();
  });

  it('keeps reference messages per peer, newest first, and forgets them by message, peer or account', () => {
    sessions.storeRef(a, 7, -1001, 10);
    sessions.storeRef(a, 7, -1001, 30);
    sessions.storeRef(a, 7, -1001, 30);
    sessions.storeRef(a, 7, -1002, 20);
    sessions.storeRef(a, 8, -1001, 40);
    sessions.storeRef(b, 7, -1001, 50);
    expect(sessions.refByPeer(a, 7)).toEqual([-1001, 30]);
    sessions.deleteRefs(a, -1001, [30, 99]);
    expect(sessions.refByPeer(a, 7)).toEqual([-1002, 20]);
    sessions.deleteRefsOfPeer(a, 7);
    expect(sessions.refByPeer(a, 7)).toBeNull();
    expect(sessions.refByPeer(a, 8)).toEqual([-1001, 40]);
    sessions.deleteAllRefs(a);
    expect(sessions.refByPeer(a, 8)).toBeNull();
    expect(sessions.refByPeer(b, 7)).toEqual([-1001, 50]);
  });

  it('replaces a whole session at a re-login of the same user', () => {
    sessions.setAuthKey(a, 2, randomBytes(256));
    sessions.setTempKey(a, 2, 0, randomBytes(256), T0 + 1000);
    sessions.kvSet(a, 'old', Buffer.from('x'));
    sessions.storePeer(a, { id: 5, accessHash: '1', isMin: false, usernames: ['p'], updated: 1, complete: Buffer.from('c') });
    sessions.storeRef(a, 5, -1, 1);
    const key = randomBytes(256);
    sessions.replace(a, { authKeys: [{ dc: 4, key }], kv: [{ key: 'new', value: Buffer.from('y') }] });
    expect(sessions.authKeyDcs(a)).toEqual([4]);
    expect(Buffer.from(sessions.authKey(a, 4)!).equals(key)).toBe(true);
    expect(sessions.tempKey(a, 2, 0, T0)).toBeNull();
    expect(sessions.kvGet(a, 'old')).toBeNull();
    expect(Buffer.from(sessions.kvGet(a, 'new')!).toString()).toBe('y');
    expect(sessions.peerById(a, 5)).toBeNull();
    expect(sessions.refByPeer(a, 5)).toBeNull();
  });
});
