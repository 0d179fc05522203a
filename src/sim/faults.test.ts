import { Long, MtTimeoutError, tl } from '@mtcute/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loggedInClient, simClient, type SimClient } from './client.ts';
import { makeTestWorld, rpcError, type TestWorld } from './test-support.ts';

let t: TestWorld;
let c: SimClient;
let phone: string;

beforeAll(async () => {
  t = makeTestWorld({ seed: 'faults', accounts: 2, users: 40, groups: 2, faults: 'none' });
  phone = t.summary.accounts[0]!.phone;
  c = await loggedInClient(t.world, phone);
});

afterEach(() => {
  t.world.clearFault(phone);
  for (const b of t.world.budgets()) t.world.clearBudget(b.method);
  t.world.useWallClock();
});

afterAll(async () => {
  await c.close();
  t.cleanup();
});

const resolve = (username: string): Promise<unknown> => c.client.call({ _: 'contacts.resolveUsername', username });

/** People the account has never talked to and who accept messages from anyone. */
function strangers(n: number): string[] {
  const me = t.world.account(phone).id;
  return (
    t.world.db
      .prepare(
        `SELECT username FROM users WHERE kind = 'person' AND deleted = 0 AND privacy = 'everybody' AND username IS NOT NULL
         AND id NOT IN (SELECT contact_id FROM contacts WHERE user_id = ?) ORDER BY id LIMIT ?`,
      )
      .all(me, n) as Array<{ username: string }>
  ).map((r) => r.username);
}

describe('faults reach the production client as the right tl.RpcError', () => {
  it('FLOOD_WAIT_X once a per-method budget is used up, lifting as world time passes', async () => {
    t.world.setTime(Date.UTC(2026, 5, 1));
    t.world.setBudget('contacts.resolveUsername', 2, 3600_000);
    await resolve(t.summary.usernames[0]!);
    t.world.advance(600_000);
    await resolve(t.summary.usernames[1]!);
    const e = await rpcError(() => resolve(t.summary.usernames[2]!));
    if (!tl.RpcError.is(e, 'FLOOD_WAIT_%d')) throw e;
    expect(e.code).toBe(420);
    expect(e.seconds).toBe(3000);
    t.world.advance(3000_000);
    await resolve(t.summary.usernames[2]!);
  });

  it('FLOOD_WAIT_X on demand for one method only', async () => {
    t.world.setFault(phone, 'flood:120:messages.sendMessage');
    const e = await rpcError(() => c.client.sendText(t.summary.usernames[0]!, 'hi'));
    if (!tl.RpcError.is(e, 'FLOOD_WAIT_%d')) throw e;
    expect(e.seconds).toBe(120);
    await resolve(t.summary.usernames[0]!);
    t.world.clearFault(phone, 'flood');
    await c.client.sendText(t.summary.usernames[0]!, 'hi');
  });

  it('PEER_FLOOD after the budget of messages to strangers, while contacts still get messages; @SpamBot tells', async () => {
    // Past the window of anything sent by earlier tests.
    t.world.setTime(Date.now() + 3 * 86_400_000);
    t.world.setBudget('peer_flood', 2, 86_400_000);
    const [s1, s2, s3] = strangers(3);
    await c.client.sendText(s1!, 'one');
    await c.client.sendText(s2!, 'two');
    const e = await rpcError(() => c.client.sendText(s3!, 'three'));
    expect([e.code, e.text]).toEqual([400, 'PEER_FLOOD']);
    const contact = t.world.db
      .prepare('SELECT u.username FROM contacts k JOIN users u ON u.id = k.contact_id WHERE k.user_id = ? AND u.username IS NOT NULL')
      .get(t.world.account(phone).id) as { username: string };
    await c.client.sendText(contact.username, 'hello friend');
    await c.client.sendText('SpamBot', '/start');
    const [reply] = await c.client.getHistory('SpamBot', { limit: 1 });
    expect(reply!.text).toContain('limited');
    expect(t.world.deliveries().map((d) => d.to)).not.toContain('SpamBot');
  });

  it('PEER_FLOOD on demand', async () => {
    t.world.setFault(phone, 'peer-flood');
    const [s] = strangers(10).slice(5);
    expect((await rpcError(() => c.client.sendText(s!, 'x'))).text).toBe('PEER_FLOOD');
  });

  it('USERNAME_NOT_OCCUPIED for a missing username', async () => {
    const e = await rpcError(() => resolve(t.summary.missingUsernames[0]!));
    expect([e.code, e.text]).toEqual([400, 'USERNAME_NOT_OCCUPIED']);
  });

  it('USER_DEACTIVATED_BAN for a banned account, PHONE_NUMBER_BANNED at login', async () => {
    t.world.setFault(phone, 'banned');
    const e = await rpcError(() => c.client.getMe());
    expect([e.code, e.text]).toEqual([401, 'USER_DEACTIVATED_BAN']);
    const fresh = simClient(t.world);
    try {
      expect((await rpcError(() => fresh.client.sendCode({ phone }))).text).toBe('PHONE_NUMBER_BANNED');
    } finally {
      await fresh.close();
    }
    t.world.clearFault(phone);
    expect((await c.client.getMe()).id).toBe(t.world.account(phone).id);
  });

  it('FROZEN_METHOD_INVALID for writes of a frozen account, reads still work', async () => {
    t.world.setFault(phone, 'frozen');
    const e = await rpcError(() => c.client.sendText(t.summary.usernames[1]!, 'x'));
    expect([e.code, e.text]).toEqual([420, 'FROZEN_METHOD_INVALID']);
    expect((await c.client.getMe()).id).toBe(t.world.account(phone).id);
  });

  it('slow answers: the caller timeout fires as MtTimeoutError, patient callers get the answer', async () => {
    t.world.setFault(phone, 'slow:400');
    await expect(c.client.call({ _: 'users.getUsers', id: [{ _: 'inputUserSelf' }] }, { timeout: 50 })).rejects.toBeInstanceOf(MtTimeoutError);
    const [me] = await c.client.call({ _: 'users.getUsers', id: [{ _: 'inputUserSelf' }] });
    expect(me!._).toBe('user');
  });

  it('dropped connections: mtcute reconnects and the answer still comes', async () => {
    const states: string[] = [];
    const onState = (s: string): void => void states.push(s);
    c.client.onConnectionState.add(onState);
    t.world.setFault(phone, 'drop:200');
    const me = await c.client.getMe();
    c.client.onConnectionState.remove(onState);
    expect(me.id).toBe(t.world.account(phone).id);
    expect(states).toContain('connecting');
  });

  it('AUTH_KEY_DUPLICATED on demand for the account\'s current sessions', async () => {
    const other = await loggedInClient(t.world, t.summary.accounts[1]!.phone);
    try {
      t.world.setFault(t.summary.accounts[1]!.phone, 'duplicated');
      const e = await rpcError(() => other.client.call({ _: 'messages.sendMessage', peer: { _: 'inputPeerSelf' }, message: 'x', randomId: Long.ONE }));
      expect([e.code, e.text]).toEqual([406, 'AUTH_KEY_DUPLICATED']);
    } finally {
      await other.close();
    }
  });
});
