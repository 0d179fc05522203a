import type {
  IAuthKeysRepository,
  IKeyValueRepository,
  IPeersRepository,
  IReferenceMessagesRepository,
  IStorageDriver,
  ITelegramStorageProvider,
  MemoryStorage,
} from '@mtcute/node';
import type { SessionSnapshot, SessionStore } from '../store/sessions.ts';

export interface PanelStorageOptions {
  /**
   * Never let mtcute replace or delete a stored permanent auth key. mtcute drops a key the
   * server no longer knows and makes a new one (and `logOut` wipes them); for a stored account
   * that would destroy what the operator may still recover, so the key is kept and the
   * account is reported instead (see `onKeyDropped`).
   */
  protectKeys?: boolean;
  /** Called when mtcute tried to drop or replace a protected key of `dc`. */
  onKeyDropped?: (dc: number) => void;
}

class AuthKeys implements IAuthKeysRepository {
  constructor(
    private readonly store: SessionStore,
    private readonly accountId: number,
    private readonly opts: PanelStorageOptions,
  ) {}

  set(dc: number, key: Uint8Array | null): void {
    if (this.opts.protectKeys) {
      const existing = this.store.authKey(this.accountId, dc);
      if (existing && (key === null || !Buffer.from(existing).equals(Buffer.from(key)))) {
        this.opts.onKeyDropped?.(dc);
        return;
      }
    }
    this.store.setAuthKey(this.accountId, dc, key);
  }

  get(dc: number): Uint8Array | null {
    return this.store.authKey(this.accountId, dc);
  }

  setTemp(dc: number, idx: number, key: Uint8Array | null, expires: number): void {
    this.store.setTempKey(this.accountId, dc, idx, key, expires);
  }

  getTemp(dc: number, idx: number, now: number): Uint8Array | null {
    return this.store.tempKey(this.accountId, dc, idx, now);
  }

  deleteByDc(dc: number): void {
    if (this.opts.protectKeys && this.store.authKey(this.accountId, dc)) {
      this.opts.onKeyDropped?.(dc);
      return;
    }
    this.store.deleteKeysOfDc(this.accountId, dc);
  }

  deleteAll(): void {
    if (this.opts.protectKeys && this.store.authKeyDcs(this.accountId).length > 0) {
      this.opts.onKeyDropped?.(0);
      return;
    }
    this.store.deleteAllKeys(this.accountId);
  }
}

class KeyValue implements IKeyValueRepository {
  constructor(
    private readonly store: SessionStore,
    private readonly accountId: number,
  ) {}

  set(key: string, value: Uint8Array): void {
    this.store.kvSet(this.accountId, key, value);
  }

  get(key: string): Uint8Array | null {
    return this.store.kvGet(this.accountId, key);
  }

  delete(key: string): void {
    this.store.kvDelete(this.accountId, key);
  }

  deleteAll(): void {
    this.store.kvDeleteAll(this.accountId);
  }
}

class Peers implements IPeersRepository {
  constructor(
    private readonly sessions: SessionStore,
    private readonly accountId: number,
  ) {}

  store(peer: IPeersRepository.PeerInfo): void {
    this.sessions.storePeer(this.accountId, peer);
  }

  getById(id: number): IPeersRepository.PeerInfo | null {
    return this.sessions.peerById(this.accountId, id);
  }

  getByUsername(username: string): IPeersRepository.PeerInfo | null {
    return this.sessions.peerByUsername(this.accountId, username);
  }

  getByPhone(phone: string): IPeersRepository.PeerInfo | null {
    return this.sessions.peerByPhone(this.accountId, phone);
  }

  deleteAll(): void {
    this.sessions.deleteAllPeers(this.accountId);
  }
}

class RefMessages implements IReferenceMessagesRepository {
  constructor(
    private readonly sessions: SessionStore,
    private readonly accountId: number,
  ) {}

  store(peerId: number, chatId: number, msgId: number): void {
    this.sessions.storeRef(this.accountId, peerId, chatId, msgId);
  }

  getByPeer(peerId: number): [number, number] | null {
    return this.sessions.refByPeer(this.accountId, peerId);
  }

  delete(chatId: number, msgIds: number[]): void {
    this.sessions.deleteRefs(this.accountId, chatId, msgIds);
  }

  deleteByPeer(peerId: number): void {
    this.sessions.deleteRefsOfPeer(this.accountId, peerId);
  }

  deleteAll(): void {
    this.sessions.deleteAllRefs(this.accountId);
  }
}

/**
 * mtcute storage for one account inside panel.db. Writes go straight to SQLite (WAL), so there
 * is nothing to flush and many accounts share one database file.
 */
export class PanelStorage implements ITelegramStorageProvider {
  readonly driver: IStorageDriver = {};
  readonly authKeys: IAuthKeysRepository;
  readonly kv: IKeyValueRepository;
  readonly peers: IPeersRepository;
  readonly refMessages: IReferenceMessagesRepository;

  constructor(store: SessionStore, accountId: number, opts: PanelStorageOptions = {}) {
    this.authKeys = new AuthKeys(store, accountId, opts);
    this.kv = new KeyValue(store, accountId);
    this.peers = new Peers(store, accountId);
    this.refMessages = new RefMessages(store, accountId);
  }
}

/** What a login or import client holds in memory, ready to be stored with the new account. */
export function snapshotOf(storage: MemoryStorage): SessionSnapshot {
  const authKeys = [...storage.authKeys.state.authKeys.entries()].map(([dc, key]) => ({ dc, key }));
  const kv = [...storage.kv.state.entries()].map(([key, value]) => ({ key, value }));
  return { authKeys, kv };
}
