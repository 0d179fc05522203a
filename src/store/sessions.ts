import type { Db } from './db.ts';
import type { Secrets } from './secrets.ts';

/** A cached peer as mtcute describes it (see IPeersRepository.PeerInfo), kept sealed per account. */
export interface StoredPeer {
  id: number;
  accessHash: string;
  isMin: boolean;
  usernames: string[];
  updated: number;
  phone?: string;
  complete: Uint8Array;
}

/** Everything a fresh session needs to be stored in one go (after a login or an import). */
export interface SessionSnapshot {
  authKeys: Array<{ dc: number; key: Uint8Array }>;
  kv: Array<{ key: string; value: Uint8Array }>;
}

interface SealedPeer {
  h: string;
  u: string[];
  p?: string;
  c: string;
}

/**
 * mtcute's per-account session data in panel.db. Auth keys, key-value entries (dcs, self,
 * updates state, salts) and peers are sealed with the panel secret; usernames and phones of
 * peers are found through keyed digests, so the file holds no name in clear.
 */
export class SessionStore {
  private readonly q;

  constructor(
    private readonly db: Db,
    private readonly secrets: Secrets,
  ) {
    this.q = {
      getKey: db.prepare<[number, number], { key: Buffer }>('SELECT key FROM session_auth_keys WHERE account_id = ? AND dc = ?'),
      setKey: db.prepare('INSERT INTO session_auth_keys (account_id, dc, key) VALUES (?, ?, ?) ON CONFLICT (account_id, dc) DO UPDATE SET key = excluded.key'),
      delKey: db.prepare('DELETE FROM session_auth_keys WHERE account_id = ? AND dc = ?'),
      delKeys: db.prepare('DELETE FROM session_auth_keys WHERE account_id = ?'),
      keyDcs: db.prepare<[number], { dc: number }>('SELECT dc FROM session_auth_keys WHERE account_id = ?'),
      getTemp: db.prepare<[number, number, number, number], { key: Buffer }>(
        'SELECT key FROM session_temp_keys WHERE account_id = ? AND dc = ? AND idx = ? AND expires > ?',
      ),
      setTemp: db.prepare('INSERT INTO session_temp_keys (account_id, dc, idx, key, expires) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, dc, idx) DO UPDATE SET key = excluded.key, expires = excluded.expires'),
      delTemp: db.prepare('DELETE FROM session_temp_keys WHERE account_id = ? AND dc = ? AND idx = ?'),
      delTempDc: db.prepare('DELETE FROM session_temp_keys WHERE account_id = ? AND dc = ?'),
      delTemps: db.prepare('DELETE FROM session_temp_keys WHERE account_id = ?'),
      kvGet: db.prepare<[number, string], { value: Buffer }>('SELECT value FROM session_kv WHERE account_id = ? AND key = ?'),
      kvSet: db.prepare('INSERT INTO session_kv (account_id, key, value) VALUES (?, ?, ?) ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value'),
      kvDel: db.prepare('DELETE FROM session_kv WHERE account_id = ? AND key = ?'),
      kvDelAll: db.prepare('DELETE FROM session_kv WHERE account_id = ?'),
      peerSet: db.prepare(`INSERT INTO session_peers (account_id, peer_id, is_min, updated, data) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (account_id, peer_id) DO UPDATE SET is_min = excluded.is_min, updated = excluded.updated, data = excluded.data`),
      peerGet: db.prepare<[number, number], { data: Buffer; is_min: number; updated: number }>(
        'SELECT data, is_min, updated FROM session_peers WHERE account_id = ? AND peer_id = ?',
      ),
      peerByLookup: db.prepare<[number, string], { data: Buffer; is_min: number; updated: number; peer_id: number }>(
        `SELECT p.data, p.is_min, p.updated, p.peer_id FROM session_peer_lookup l
         JOIN session_peers p ON p.account_id = l.account_id AND p.peer_id = l.peer_id
         WHERE l.account_id = ? AND l.lookup = ? AND p.is_min = 0`,
      ),
      lookupDelPeer: db.prepare('DELETE FROM session_peer_lookup WHERE account_id = ? AND peer_id = ?'),
      lookupSet: db.prepare('INSERT INTO session_peer_lookup (account_id, lookup, peer_id) VALUES (?, ?, ?) ON CONFLICT (account_id, lookup) DO UPDATE SET peer_id = excluded.peer_id'),
      peersDelAll: db.prepare('DELETE FROM session_peers WHERE account_id = ?'),
      lookupDelAll: db.prepare('DELETE FROM session_peer_lookup WHERE account_id = ?'),
      refSet: db.prepare('INSERT INTO session_ref_messages (account_id, peer_id, chat_id, msg_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      refGet: db.prepare<[number, number], { chat_id: number; msg_id: number }>(
        'SELECT chat_id, msg_id FROM session_ref_messages WHERE account_id = ? AND peer_id = ? ORDER BY msg_id DESC LIMIT 1',
      ),
      refDel: db.prepare('DELETE FROM session_ref_messages WHERE account_id = ? AND chat_id = ? AND msg_id = ?'),
      refDelPeer: db.prepare('DELETE FROM session_ref_messages WHERE account_id = ? AND peer_id = ?'),
      refDelAll: db.prepare('DELETE FROM session_ref_messages WHERE account_id = ?'),
    };
  }

  // Auth keys ------------------------------------------------------------------------------

  authKey(accountId: number, dc: number): Uint8Array | null {
    const row = this.q.getKey.get(accountId, dc);
    return row ? this.secrets.decrypt(row.key) : null;
  }

  authKeyDcs(accountId: number): number[] {
    return this.q.keyDcs.all(accountId).map((r) => r.dc);
  }

  setAuthKey(accountId: number, dc: number, key: Uint8Array | null): void {
    if (key === null) this.q.delKey.run(accountId, dc);
    else this.q.setKey.run(accountId, dc, this.secrets.encrypt(key));
  }

  tempKey(accountId: number, dc: number, idx: number, now: number): Uint8Array | null {
    const row = this.q.getTemp.get(accountId, dc, idx, now);
    return row ? this.secrets.decrypt(row.key) : null;
  }

  setTempKey(accountId: number, dc: number, idx: number, key: Uint8Array | null, expires: number): void {
    if (key === null) this.q.delTemp.run(accountId, dc, idx);
    else this.q.setTemp.run(accountId, dc, idx, this.secrets.encrypt(key), expires);
  }

  deleteKeysOfDc(accountId: number, dc: number): void {
    this.db.transaction(() => {
      this.q.delKey.run(accountId, dc);
      this.q.delTempDc.run(accountId, dc);
    })();
  }

  deleteAllKeys(accountId: number): void {
    this.db.transaction(() => {
      this.q.delKeys.run(accountId);
      this.q.delTemps.run(accountId);
    })();
  }

  // Key-value ------------------------------------------------------------------------------

  kvGet(accountId: number, key: string): Uint8Array | null {
    const row = this.q.kvGet.get(accountId, key);
    return row ? this.secrets.decrypt(row.value) : null;
  }

  kvSet(accountId: number, key: string, value: Uint8Array): void {
    this.q.kvSet.run(accountId, key, this.secrets.encrypt(value));
  }

  kvDelete(accountId: number, key: string): void {
    this.q.kvDel.run(accountId, key);
  }

  kvDeleteAll(accountId: number): void {
    this.q.kvDelAll.run(accountId);
  }

  // Peers ----------------------------------------------------------------------------------

  storePeer(accountId: number, peer: StoredPeer): void {
    const sealed: SealedPeer = { h: peer.accessHash, u: peer.usernames, c: Buffer.from(peer.complete).toString('base64') };
    if (peer.phone !== undefined) sealed.p = peer.phone;
    this.db.transaction(() => {
      this.q.peerSet.run(accountId, peer.id, peer.isMin ? 1 : 0, peer.updated, this.secrets.encrypt(JSON.stringify(sealed)));
      this.q.lookupDelPeer.run(accountId, peer.id);
      for (const u of peer.usernames) this.q.lookupSet.run(accountId, this.secrets.lookup('u:' + u.toLowerCase()), peer.id);
      if (peer.phone) this.q.lookupSet.run(accountId, this.secrets.lookup('p:' + peer.phone), peer.id);
    })();
  }

  peerById(accountId: number, id: number): StoredPeer | null {
    const row = this.q.peerGet.get(accountId, id);
    return row ? this.openPeer(id, row) : null;
  }

  peerByUsername(accountId: number, username: string): StoredPeer | null {
    const row = this.q.peerByLookup.get(accountId, this.secrets.lookup('u:' + username.toLowerCase()));
    return row ? this.openPeer(row.peer_id, row) : null;
  }

  peerByPhone(accountId: number, phone: string): StoredPeer | null {
    const row = this.q.peerByLookup.get(accountId, this.secrets.lookup('p:' + phone));
    return row ? this.openPeer(row.peer_id, row) : null;
  }

  deleteAllPeers(accountId: number): void {
    this.db.transaction(() => {
      this.q.lookupDelAll.run(accountId);
      this.q.peersDelAll.run(accountId);
    })();
  }

  private openPeer(id: number, row: { data: Buffer; is_min: number; updated: number }): StoredPeer {
    const s = JSON.parse(this.secrets.decryptText(row.data)) as SealedPeer;
    const peer: StoredPeer = { id, accessHash: s.h, isMin: row.is_min === 1, usernames: s.u, updated: row.updated, complete: Buffer.from(s.c, 'base64') };
    if (s.p !== undefined) peer.phone = s.p;
    return peer;
  }

  // Reference messages -----------------------------------------------------------------------

  storeRef(accountId: number, peerId: number, chatId: number, msgId: number): void {
    this.q.refSet.run(accountId, peerId, chatId, msgId);
  }

  refByPeer(accountId: number, peerId: number): [number, number] | null {
    const row = this.q.refGet.get(accountId, peerId);
    return row ? [row.chat_id, row.msg_id] : null;
  }

  deleteRefs(accountId: number, chatId: number, msgIds: number[]): void {
    this.db.transaction(() => {
      for (const m of msgIds) this.q.refDel.run(accountId, chatId, m);
    })();
  }

  deleteRefsOfPeer(accountId: number, peerId: number): void {
    this.q.refDelPeer.run(accountId, peerId);
  }

  deleteAllRefs(accountId: number): void {
    this.q.refDelAll.run(accountId);
  }

  // Whole sessions ---------------------------------------------------------------------------

  /** Writes a fresh session; call inside the transaction that creates the account. */
  writeSnapshot(accountId: number, snapshot: SessionSnapshot): void {
    for (const k of snapshot.authKeys) this.setAuthKey(accountId, k.dc, k.key);
    for (const e of snapshot.kv) this.kvSet(accountId, e.key, e.value);
  }

  /** Replaces everything stored for the account with `snapshot` (a re-login of the same user). */
  replace(accountId: number, snapshot: SessionSnapshot): void {
    this.db.transaction(() => {
      this.deleteAllKeys(accountId);
      this.kvDeleteAll(accountId);
      this.deleteAllPeers(accountId);
      this.deleteAllRefs(accountId);
      this.writeSnapshot(accountId, snapshot);
    })();
  }
}
