import { randomBytes } from 'node:crypto';
import { MemoryStorage } from '@mtcute/node';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { AccountStore } from '../store/accounts.ts';
import { openPanelDb } from '../store/db.ts';
import { Secrets } from '../store/secrets.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { buildClient } from './client.ts';
import { PanelStorage, snapshotOf } from './storage.ts';

function store(): AccountStore {
  return new AccountStore(openPanelDb(tempDir()), new Secrets(randomBytes(32)));
}

describe('PanelStorage', () => {
  it('keeps a stored auth key whatever mtcute asks, and reports the attempt', () => {
    const s = store();
    const key = randomBytes(256);
    const id = s.create({ phone: '+15550001', userId: 1, username: null, firstName: 'A' }, { authKeys: [{ dc: 2, key }], kv: [] }, 0);
    const dropped: number[] = [];
    const p = new PanelStorage(s.sessions, id, { protectKeys: true, onKeyDropped: (dc) => dropped.push(dc) });
    // What mtcute does on a transport 404 (it forgets the key and makes another) and on logOut.
    void p.authKeys.set(2, null);
    void p.authKeys.set(2, randomBytes(256));
    void p.authKeys.deleteByDc(2);
    void p.authKeys.deleteAll();
    expect(dropped).toEqual([2, 2, 2, 0]);
    expect(Buffer.from(s.sessions.authKey(id, 2)!).equals(key)).toBe(true);
    // Keys of other data centers (media, exported auth) are mtcute's to manage.
    void p.authKeys.set(4, randomBytes(256));
    expect(s.sessions.authKeyDcs(id).sort()).toEqual([2, 4]);
  });

  it('holds a whole mtcute session for one account among many: an imported session reads back the same', async () => {
    const s = store();
    const other = s.create({ phone: '+15550002', userId: 2, username: null, firstName: 'B' }, { authKeys: [{ dc: 2, key: randomBytes(256) }], kv: [] }, 0);
    const mem = new MemoryStorage();
    const tmp = buildClient({ apiId: 1, apiHash: 'x', storage: mem, log: silentLogger, disableUpdates: true });
    const dc = { id: 4, ipAddress: '149.154.167.91', port: 443 };
    const authKey = randomBytes(256);
    await tmp.client.importSession({ primaryDcs: { main: dc, media: dc }, authKey, self: { userId: 3, isBot: false, isPremium: false, usernames: [] } }, true);
    await tmp.destroy();
    const id = s.create({ phone: '+15550003', userId: 3, username: null, firstName: 'C' }, snapshotOf(mem), 0);

    const client = buildClient({ apiId: 1, apiHash: 'x', storage: new PanelStorage(s.sessions, id), log: silentLogger, disableUpdates: true });
    const exported = await client.client.exportSession();
    await client.destroy();
    const back = buildClient({ apiId: 1, apiHash: 'x', storage: new MemoryStorage(), log: silentLogger, disableUpdates: true });
    await back.client.importSession(exported, true);
    const data = await back.client.exportSession();
    await back.destroy();
    expect(data).toBe(exported);
    expect(Buffer.from(s.sessions.authKey(id, 4)!).equals(authKey)).toBe(true);
    expect(s.sessions.authKey(other, 4)).toBeNull();
  });
});
