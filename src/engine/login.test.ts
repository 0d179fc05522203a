import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { simPanel, type SimPanel } from '../../test/support/sim-panel.ts';
import type { ConnectionOverride } from '../telegram/client.ts';
import type { LoginStep } from './login.ts';
import type { SqliteDb } from '../store/db.ts';

type RpcCallMiddleware = ConnectionOverride['middleware'];

let panel: SimPanel;
afterEach(async () => {
  await panel.close();
});

function rows(p: SimPanel, table: string): number {
  const app = p.open();
  const n = (app.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return n;
}

/** Expects `step` to be `kind`, narrowing it. */
function expectStep<K extends LoginStep['step']>(step: LoginStep, kind: K): Extract<LoginStep, { step: K }> {
  if (step.step !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(step)}`);
  return step as Extract<LoginStep, { step: K }>;
}

describe('LoginService against the simulator', () => {
  it('logs in with a code given with separators and stores the account with its session', async () => {
    panel = simPanel();
    const acc = panel.summary.accounts.find((a) => a.password === null)!;
    const app = panel.open();
    const code = expectStep(await app.logins.start(acc.phone), 'code');
    expect(code.codeLength).toBe(5);
    const spaced = acc.code.split('').join(' ');
    const done = expectStep(await app.logins.code(code.loginId, spaced), 'done');
    expect(done.account).toMatchObject({ phone: acc.phone, username: acc.username, status: 'active', enabled: true });
    expect(app.accounts.sessions.authKeyDcs(done.account.id)).toHaveLength(1);
    expect(app.logins.open).toBe(0);
    // The stored session works on its own: the fleet connects it with getMe.
    const s = await app.fleet.session(done.account.id);
    expect((await s.me()).userId).toBe(done.account.userId);
    // The real auth key Telegram (the simulator) agreed on is nowhere in the database files.
    const [dc] = app.accounts.sessions.authKeyDcs(done.account.id);
    const key = Buffer.from(app.accounts.sessions.authKey(done.account.id, dc!)!);
    expect(key).toHaveLength(256);
    (app.db as SqliteDb).pragma('wal_checkpoint(TRUNCATE)');
    const dataDir = panel.config.dataDir;
    const bytes = Buffer.concat(readdirSync(dataDir).filter((f) => f.startsWith('panel.db')).map((f) => readFileSync(join(dataDir, f))));
    for (let i = 0; i + 16 <= 256; i += 16) expect(bytes.includes(key.subarray(i, i + 16))).toBe(false);
  });

  it('asks for the 2FA password, lets a wrong one be retried, then stores', async () => {
    panel = simPanel();
    const acc = panel.summary.accounts.find((a) => a.password !== null);
    if (!acc) throw new Error('the seeded world has no 2FA account');
    const app = panel.open();
    const code = expectStep(await app.logins.start(acc.phone), 'code');
    const pw = expectStep(await app.logins.code(code.loginId, acc.code.split('').join('-')), 'password');
    const wrong = expectStep(await app.logins.password(pw.loginId, 'not-the-password'), 'failed');
    expect(wrong.error.kind).toBe('wrong_password');
    expect(wrong.retry).toEqual({ loginId: pw.loginId, step: 'password' });
    expect(rows(panel, 'accounts')).toBe(0);
    const done = expectStep(await app.logins.password(pw.loginId, acc.password!), 'done');
    expect(done.account.phone).toBe(acc.phone);
  });

  it('tells a wrong code from a malformed one and lets both be retried', async () => {
    panel = simPanel();
    const acc = panel.summary.accounts.find((a) => a.password === null)!;
    const app = panel.open();
    const code = expectStep(await app.logins.start(acc.phone), 'code');
    const letters = expectStep(await app.logins.code(code.loginId, '12a45'), 'failed');
    expect(letters.error.kind).toBe('bad_code');
    expect(letters.retry?.step).toBe('code');
    const wrongDigits = acc.code === '11111' ? '22222' : '11111';
    const wrong = expectStep(await app.logins.code(code.loginId, wrongDigits), 'failed');
    expect(wrong.error.kind).toBe('wrong_code');
    expect(wrong.retry?.step).toBe('code');
    expectStep(await app.logins.code(code.loginId, acc.code.split('').join('.')), 'done');
  });

  it('reports an expired code and ends that login', async () => {
    panel = simPanel();
    const acc = panel.summary.accounts.find((a) => a.password === null)!;
    const app = panel.open();
    panel.world.setTime(Date.UTC(2026, 1, 1));
    const code = expectStep(await app.logins.start(acc.phone), 'code');
    panel.world.advance(11 * 60_000);
    const expired = expectStep(await app.logins.code(code.loginId, acc.code), 'failed');
    expect(expired.error.kind).toBe('expired_code');
    expect(expired.retry).toBeUndefined();
    expect(app.logins.open).toBe(0);
    expect(expectStep(await app.logins.code(code.loginId, acc.code), 'failed').error.kind).toBe('no_login');
    // Starting again works.
    const again = expectStep(await app.logins.start(acc.phone), 'code');
    expectStep(await app.logins.code(again.loginId, acc.code), 'done');
  });

  it('refuses a malformed phone locally and a banned number from Telegram, storing nothing', async () => {
    panel = simPanel();
    const app = panel.open();
    expect(expectStep(await app.logins.start('12ab'), 'failed').error.kind).toBe('invalid_phone');
    expect(expectStep(await app.logins.start('+1 23'), 'failed').error.kind).toBe('invalid_phone');
    const acc = panel.summary.accounts[0]!;
    panel.world.setFault(acc.phone, 'banned');
    expect(expectStep(await app.logins.start(acc.phone), 'failed').error.kind).toBe('banned_number');
    expect(rows(panel, 'accounts')).toBe(0);
    expect(rows(panel, 'session_auth_keys')).toBe(0);
  });

  it('reports too many attempts with the wait Telegram gives', async () => {
    panel = simPanel();
    const acc = panel.summary.accounts.find((a) => a.password === null)!;
    // The simulator does not limit login attempts: answer signIn with the flood error Telegram sends.
    const flood: RpcCallMiddleware = async (ctx, next) => {
      if (ctx.request._ === 'auth.signIn') return { _: 'mt_rpc_error', errorCode: 420, errorMessage: 'FLOOD_WAIT_3600' };
      return next(ctx);
    };
    const app = panel.open({
      connection: () => {
        const att = panel.world.attach();
        const inner = att.middleware;
        return { ...att, bind: (c) => att.bind(c), close: () => att.close(), middleware: (ctx, next) => flood(ctx, () => inner(ctx, next)) };
      },
    });
    const code = expectStep(await app.logins.start(acc.phone), 'code');
    const res = expectStep(await app.logins.code(code.loginId, acc.code), 'failed');
    expect(res.error).toMatchObject({ kind: 'too_many_attempts', seconds: 3600 });
    expect(res.error.message).toMatch(/60 min/);
    expect(app.logins.open).toBe(0);
  });

  it('refuses a phone that is already stored before sending a code', async () => {
    panel = simPanel();
    const acc = panel.summary.accounts.find((a) => a.password === null)!;
    const app = panel.open();
    const first = expectStep(await app.logins.start(acc.phone), 'code');
    const done = expectStep(await app.logins.code(first.loginId, acc.code), 'done');
    const again = expectStep(await app.logins.start(acc.phone), 'failed');
    expect(again.error).toMatchObject({ kind: 'already_exists', accountId: done.account.id });
    expect(rows(panel, 'accounts')).toBe(1);
  });

  it('leaves nothing behind when a login is abandoned', async () => {
    panel = simPanel();
    const acc = panel.summary.accounts.find((a) => a.password !== null)!;
    const app = panel.open();
    const code = expectStep(await app.logins.start(acc.phone), 'code');
    const pw = expectStep(await app.logins.code(code.loginId, acc.code), 'password');
    await app.logins.cancel(pw.loginId);
    expect(app.logins.open).toBe(0);
    for (const t of ['accounts', 'session_auth_keys', 'session_kv', 'session_peers', 'leases']) expect(rows(panel, t)).toBe(0);
    expect(expectStep(await app.logins.password(pw.loginId, acc.password!), 'failed').error.kind).toBe('no_login');
  });
});
