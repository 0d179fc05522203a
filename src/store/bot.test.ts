import { randomBytes } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../test/support/engines.ts';
import { BotStore, type FlowRecord } from './bot.ts';
import { Secrets } from './secrets.ts';

const T0 = Date.UTC(2026, 5, 1);
const ADMIN = 5_000_000_001;

describeEngines('BotStore', (t) => {
  let key: Buffer;
  let store: BotStore;
  beforeEach(() => {
    key = randomBytes(32);
    store = new BotStore(t.db, new Secrets(key));
  });

  it('keeps the admin language and live menu independently of each other', () => {
    expect(store.language(ADMIN)).toBeUndefined();
    expect(store.menu(ADMIN)).toBeUndefined();
    store.setMenu(ADMIN, { chatId: ADMIN, messageId: 10 }, T0);
    expect(store.language(ADMIN)).toBeUndefined();
    store.setLanguage(ADMIN, 'fa', T0 + 1);
    store.setMenu(ADMIN, { chatId: ADMIN, messageId: 11 }, T0 + 2);
    expect(store.language(ADMIN)).toBe('fa');
    expect(store.menu(ADMIN)).toEqual({ chatId: ADMIN, messageId: 11 });
    store.setLanguage(ADMIN, 'en', T0 + 3);
    expect(store.menu(ADMIN)).toEqual({ chatId: ADMIN, messageId: 11 });
    store.clearMenu(ADMIN);
    expect(store.menu(ADMIN)).toBeUndefined();
    expect(store.language(ADMIN)).toBe('en');
    expect(store.language(ADMIN + 1)).toBeUndefined();
  });

  it('keeps a flow with its sealed part, and calls one sealed with another key unreadable', () => {
    const flow: FlowRecord = { version: 3, flow: 'add-account', step: 'code', data: { phone: '+15550001', n: 2 }, secret: { hash: 'abc' }, updatedAt: T0 };
    store.saveFlow(ADMIN, flow);
    expect(store.flow(ADMIN)).toEqual(flow);
    const raw = t.db.prepare<[number], { sealed: Buffer; data: string }>('SELECT sealed, data FROM bot_flows WHERE admin_id = ?').get(ADMIN)!;
    expect(Buffer.isBuffer(raw.sealed)).toBe(true);
    expect(raw.sealed.includes(Buffer.from('abc'))).toBe(false);
    const plain: FlowRecord = { version: 3, flow: 'campaign', step: 'message', data: { name: 'x' }, updatedAt: T0 + 1 };
    store.saveFlow(ADMIN, plain);
    expect(store.flow(ADMIN)).toEqual(plain);
    store.saveFlow(ADMIN, flow);
    expect(new BotStore(t.db, new Secrets(randomBytes(32))).flow(ADMIN)).toBe('unreadable');
    store.clearFlow(ADMIN);
    expect(store.flow(ADMIN)).toBeUndefined();
  });

  it('answers a stranger once per window and counts every attempt', () => {
    const stranger = 7_000_000_007;
    expect(store.refusalAttempts(stranger)).toBe(0);
    expect(store.shouldRefuse(stranger, T0, 1000)).toBe(true);
    expect(store.shouldRefuse(stranger, T0 + 500, 1000)).toBe(false);
    expect(store.shouldRefuse(stranger, T0 + 999, 1000)).toBe(false);
    expect(store.shouldRefuse(stranger, T0 + 1000, 1000)).toBe(true);
    expect(store.refusalAttempts(stranger)).toBe(4);
    expect(store.refusalAttempts(stranger + 1)).toBe(0);
  });

  it('keeps the pacing the operator set, across a reopen', () => {
    expect(store.pacing()).toEqual({});
    store.setPacing({ actionConcurrency: 3 }, T0);
    store.setPacing({ actionConcurrency: 4, campaignDailyCap: 20 }, T0 + 1);
    expect(new BotStore(t.reopen(), new Secrets(key)).pacing()).toEqual({ actionConcurrency: 4, campaignDailyCap: 20 });
  });
});
