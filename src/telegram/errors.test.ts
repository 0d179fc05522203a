import { HttpProxyConnectionError, MtPeerNotFoundError, MtTimeoutError, SocksProxyConnectionError, tl } from '@mtcute/node';
import { describe, expect, it } from 'vitest';
import { TelegramFailure } from '../core/failures.ts';
import { classified, classify, classifyLogin, isPasswordNeeded } from './errors.ts';

const rpc = (errorCode: number, errorMessage: string): tl.RpcError => tl.RpcError.fromTl({ errorCode, errorMessage });

describe('classify', () => {
  const table: Array<[number, string, string, string, number?]> = [
    [420, 'FLOOD_WAIT_120', 'flood_wait', 'FLOOD_WAIT_X', 120],
    [420, 'SLOWMODE_WAIT_30', 'flood_wait', 'SLOWMODE_WAIT_X', 30],
    [420, 'FLOOD_PREMIUM_WAIT_7', 'flood_wait', 'FLOOD_PREMIUM_WAIT_X', 7],
    [420, 'FLOOD_TEST_PHONE_WAIT_9', 'flood_wait', 'FLOOD_TEST_PHONE_WAIT_X', 9],
    [400, 'PEER_FLOOD', 'peer_flood', 'PEER_FLOOD'],
    [401, 'AUTH_KEY_UNREGISTERED', 'revoked', 'AUTH_KEY_UNREGISTERED'],
    [401, 'SESSION_REVOKED', 'revoked', 'SESSION_REVOKED'],
    [401, 'SESSION_EXPIRED', 'revoked', 'SESSION_EXPIRED'],
    [401, 'USER_DEACTIVATED', 'banned', 'USER_DEACTIVATED'],
    [401, 'USER_DEACTIVATED_BAN', 'banned', 'USER_DEACTIVATED_BAN'],
    [400, 'PHONE_NUMBER_BANNED', 'banned', 'PHONE_NUMBER_BANNED'],
    [420, 'FROZEN_METHOD_INVALID', 'frozen', 'FROZEN_METHOD_INVALID'],
    [406, 'AUTH_KEY_DUPLICATED', 'duplicate_session', 'AUTH_KEY_DUPLICATED'],
    [400, 'USERNAME_NOT_OCCUPIED', 'not_found', 'USERNAME_NOT_OCCUPIED'],
    [400, 'INVITE_HASH_EXPIRED', 'not_found', 'INVITE_HASH_EXPIRED'],
    [403, 'USER_PRIVACY_RESTRICTED', 'privacy_restricted', 'USER_PRIVACY_RESTRICTED'],
    [400, 'REACTION_INVALID', 'not_allowed', 'REACTION_INVALID'],
    [400, 'MESSAGE_POLL_CLOSED', 'not_allowed', 'MESSAGE_POLL_CLOSED'],
    [403, 'CHAT_WRITE_FORBIDDEN', 'not_allowed', 'CHAT_WRITE_FORBIDDEN'],
    [400, 'OPTION_INVALID', 'bad_request', 'OPTION_INVALID'],
    [500, 'RANDOM_ID_DUPLICATE', 'bad_request', 'RANDOM_ID_DUPLICATE'],
    [400, 'CHANNEL_PRIVATE', 'no_access', 'CHANNEL_PRIVATE'],
    [500, 'RPC_CALL_FAIL', 'network', 'RPC_CALL_FAIL'],
    [500, 'SOMETHING_NEW_INTERNAL', 'network', 'SOMETHING_NEW_INTERNAL'],
    [400, 'SOMETHING_NEW', 'unknown', 'SOMETHING_NEW'],
    // Codes that merely contain a known code are not that code.
    [400, 'PEER_FLOOD_EXTRA', 'unknown', 'PEER_FLOOD_EXTRA'],
    [400, 'NOT_AUTH_KEY_UNREGISTERED', 'unknown', 'NOT_AUTH_KEY_UNREGISTERED'],
    [420, 'FLOOD_WAIT_X', 'flood_wait', 'FLOOD_WAIT_X', 60],
  ];
  it.each(table)('%i %s -> %s', (code, text, kind, display, seconds) => {
    const f = classify(rpc(code, text));
    expect(f.kind).toBe(kind);
    expect(f.code).toBe(display);
    if (seconds !== undefined) expect(f.seconds).toBe(seconds);
    else expect(f.seconds).toBeUndefined();
  });

  it('maps mtcute and connection errors', () => {
    expect(classify(new MtPeerNotFoundError('x')).kind).toBe('not_found');
    expect(classify(new MtTimeoutError(1000)).kind).toBe('network');
    expect(classify(new MtTimeoutError(1000), { viaProxy: true }).kind).toBe('proxy');
    expect(classify(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })).kind).toBe('network');
    expect(classify(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), { viaProxy: true }).kind).toBe('proxy');
    expect(classify(new SocksProxyConnectionError({ host: 'h', port: 1 }, 'refused')).kind).toBe('proxy');
    expect(classify(new HttpProxyConnectionError({ host: 'h', port: 1 }, 'refused')).kind).toBe('proxy');
    expect(classify(new Error('boom')).kind).toBe('unknown');
    expect(classify('weird').kind).toBe('unknown');
    expect(classify(null).kind).toBe('unknown');
  });

  it('passes an already classified failure through and wraps thrown errors', async () => {
    const f = new TelegramFailure({ kind: 'peer_flood', code: 'PEER_FLOOD', message: 'x' });
    expect(classify(f)).toBe(f.failure);
    await expect(classified(() => Promise.reject(rpc(420, 'FLOOD_WAIT_5')))).rejects.toMatchObject({ failure: { kind: 'flood_wait', seconds: 5 } });
  });
});

describe('classifyLogin', () => {
  it.each([
    ['PHONE_NUMBER_INVALID', { kind: 'invalid_phone' }],
    ['PHONE_CODE_INVALID', { kind: 'wrong_code' }],
    ['PHONE_CODE_EXPIRED', { kind: 'expired_code' }],
    ['PASSWORD_HASH_INVALID', { kind: 'wrong_password' }],
    ['PHONE_NUMBER_BANNED', { kind: 'banned_number' }],
    ['FLOOD_WAIT_300', { kind: 'too_many_attempts', seconds: 300 }],
    ['PHONE_PASSWORD_FLOOD', { kind: 'too_many_attempts', seconds: null }],
  ])('%s', (text, expected) => {
    expect(classifyLogin(rpc(400, text))).toEqual(expected);
  });
  it('leaves other errors alone', () => {
    expect(classifyLogin(rpc(400, 'CHANNEL_PRIVATE'))).toBeUndefined();
    expect(classifyLogin(new Error('x'))).toBeUndefined();
    expect(isPasswordNeeded(rpc(401, 'SESSION_PASSWORD_NEEDED'))).toBe(true);
    expect(isPasswordNeeded(rpc(401, 'SESSION_PASSWORD_NEEDED_NOT'))).toBe(false);
  });
});
