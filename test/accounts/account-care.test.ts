import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.ts';
import { AccountCareService } from '../../src/engine/account-care.ts';
import { silentLogger } from '../../src/log.ts';
import { enrol, simPanel, type SimPanel } from '../support/sim-panel.ts';

/**
 * Account care through the production mtcute client against the simulated Telegram: the devices
 * logged into an account, the two-step password and login codes.
 */
let panel: SimPanel;
afterEach(async () => {
  await panel.close();
});

const DAY = 24 * 3600_000;

describe('sessions and devices', () => {
  it("lists the panel's own session and the account's other devices, and ends the others once the panel's session is a day old", { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 3, seed: 11 });
    const app = panel.open();
    // An account that has seeded devices besides the one the panel logs in with.
    const acc = panel.summary.accounts.find((a) => panel.world.devices(a.phone).length > 0)!;
    const seeded = panel.world.devices(acc.phone).length;
    const id = await enrol(app, acc);

    const listed = await app.accountCare.sessions(id);
    expect(listed.others).toBe(seeded);
    expect(listed.sessions).toHaveLength(seeded + 1);
    const own = listed.sessions.filter((s) => s.current);
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ id: '0', app: 'mtcute' });
    expect(own[0]!.device).toMatch(/^mtcute on /);
    for (const s of listed.sessions.filter((x) => !x.current)) {
      expect(s.id).not.toBe('0');
      expect(s.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(s.country).not.toBe('');
      expect(s.activeAt).toBeGreaterThan(0);
    }

    // A session logged in moments ago may not end others (Telegram's rule).
    const [fresh] = await app.accountCare.endOthers([id]);
    expect(fresh).toMatchObject({ ok: false, ended: 0, failure: { kind: 'too_fresh', code: 'FRESH_RESET_AUTHORISATION_FORBIDDEN', reason: { code: 'sessions_too_fresh' } } });
    expect(panel.world.devices(acc.phone)).toHaveLength(seeded + 1);

    panel.world.setTime(Date.now() + DAY + 60_000);
    const [done] = await app.accountCare.endOthers([id]);
    expect(done).toMatchObject({ ok: true, ended: seeded, failure: null });
    const left = panel.world.devices(acc.phone);
    expect(left).toHaveLength(1);
    expect(left[0]!.keyId).not.toBeNull();
    // The panel's own session goes on working.
    expect((await app.accountCare.sessions(id)).others).toBe(0);
    await expect((await app.fleet.session(id)).me()).resolves.toMatchObject({ phone: acc.phone });
  });

  it('ends another real session of the account: that client is logged out', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 2, seed: 12 });
    const acc = panel.summary.accounts.find((a) => a.password === null)!;
    const first = panel.open();
    const id = await enrol(first, acc);
    // A second panel (its own data folder) logged into the same account: another device.
    const other = simPanel({ accounts: 1, seed: 99 });
    try {
      const second = other.open({ connection: () => panel.world.attach() });
      const otherId = await enrol(second, acc);
      expect((await first.accountCare.sessions(id)).sessions.some((s) => !s.current && s.device.startsWith('mtcute on '))).toBe(true);
      panel.world.setTime(Date.now() + DAY + 60_000);
      const [r] = await first.accountCare.endOthers([id]);
      expect(r!.ok).toBe(true);
      const after = await second.fleet
        .session(otherId)
        .then((s) => s.me())
        .then(
          () => 'alive',
          (e: unknown) => (e as { failure?: { kind: string } }).failure?.kind ?? 'failed',
        );
      expect(after).toBe('revoked');
    } finally {
      await other.close();
    }
  });
});

describe('two-step verification', () => {
  it('sets, changes and removes the password; a wrong current password fails that account only', { timeout: 120_000 }, async () => {
    panel = simPanel({ accounts: 3, seed: 13 });
    const app = panel.open();
    const plain = panel.summary.accounts.filter((a) => a.password === null);
    const withPw = panel.summary.accounts.find((a) => a.password !== null)!;
    expect(plain.length).toBeGreaterThanOrEqual(2);
    const a = await enrol(app, plain[0]!);
    const b = await enrol(app, plain[1]!);
    const c = await enrol(app, withPw);

    const set = await app.accountCare.twoFactor([a, b], { action: 'set', current: null, next: 'first secret', hint: 'the first' });
    expect(set.map((r) => [r.ok, r.outcome])).toEqual([
      [true, 'set'],
      [true, 'set'],
    ]);
    expect(panel.world.checkPassword(plain[0]!.phone, 'first secret')).toBe(true);
    expect(panel.world.passwordState(plain[0]!.phone)).toMatchObject({ enabled: true, hint: 'the first' });

    // Setting where one is set already is refused per account.
    const again = await app.accountCare.twoFactor([c], { action: 'set', current: null, next: 'x y z' });
    expect(again[0]).toMatchObject({ ok: false, failure: { kind: 'has_password', reason: { code: 'twofa_already_set' } } });

    // One current password for three accounts: right for a and b, wrong for c.
    const changed = await app.accountCare.twoFactor([a, c, b], { action: 'change', current: 'first secret', next: 'second secret' });
    expect(changed.map((r) => [r.accountId, r.ok, r.outcome, r.failure?.kind ?? null])).toEqual([
      [a, true, 'changed', null],
      [c, false, null, 'wrong_password'],
      [b, true, 'changed', null],
    ]);
    expect(changed[1]!.failure).toMatchObject({ code: 'PASSWORD_HASH_INVALID', reason: { code: 'twofa_wrong_password' } });
    expect(panel.world.checkPassword(plain[0]!.phone, 'second secret')).toBe(true);
    expect(panel.world.checkPassword(withPw.phone, withPw.password!)).toBe(true);
    // No password, message or reason carries either password.
    expect(JSON.stringify(changed)).not.toMatch(/secret/);

    const removed = await app.accountCare.twoFactor([a], { action: 'remove', current: 'second secret', next: null });
    expect(removed[0]).toMatchObject({ ok: true, outcome: 'removed' });
    expect(panel.world.passwordState(plain[0]!.phone).enabled).toBe(false);
    const none = await app.accountCare.twoFactor([a], { action: 'remove', current: 'second secret', next: null });
    expect(none[0]).toMatchObject({ ok: false, failure: { kind: 'no_password' } });

    // Bad input is refused before any account acts.
    await expect(app.accountCare.twoFactor([b], { action: 'change', current: 'second secret', next: 'n', repeat: 'm' })).rejects.toThrow(/differ/);
    await expect(app.accountCare.twoFactor([b], { action: 'set', current: null, next: 'same', hint: 'same' })).rejects.toThrow(/hint/);
    expect(panel.world.checkPassword(plain[1]!.phone, 'second secret')).toBe(true);
  });

  it('confirms a recovery email with the emailed code; a wrong code can be typed again', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 2, seed: 14 });
    const app = panel.open();
    const acc = panel.summary.accounts.find((x) => x.password === null)!;
    const id = await enrol(app, acc);
    const emailed = panel.world.passwordEmailCode(acc.phone, 'owner@example.com');
    const asked: number[] = [];
    const [r] = await app.accountCare.twoFactor([id], { action: 'set', current: null, next: 'with mail', email: 'owner@example.com' }, (accountId, attempt) => {
      expect(accountId).toBe(id);
      asked.push(attempt);
      return Promise.resolve(attempt === 1 ? '000000' : emailed);
    });
    expect(asked).toEqual([1, 2]);
    expect(r).toMatchObject({ ok: true, outcome: 'set' });
    expect(panel.world.passwordState(acc.phone)).toEqual({ enabled: true, hint: null, email: 'owner@example.com' });
    expect(panel.world.checkPassword(acc.phone, 'with mail')).toBe(true);
  });

  it('leaves the new password waiting when no emailed code is given', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 2, seed: 15 });
    const app = panel.open();
    const acc = panel.summary.accounts.find((x) => x.password === null)!;
    const id = await enrol(app, acc);
    const [r] = await app.accountCare.twoFactor([id], { action: 'set', current: null, next: 'waiting', email: 'w@example.com' }, () => Promise.resolve(null));
    expect(r).toMatchObject({ ok: false, outcome: 'email_pending', failure: { kind: 'email_unconfirmed' } });
    expect(panel.world.passwordState(acc.phone).enabled).toBe(false);
    const session = await app.fleet.session(id);
    expect(await session.cloudPassword!()).toMatchObject({ enabled: false, emailPending: 'w***@example.com' });
  });
});

describe('login codes', () => {
  it('the codes of a login started elsewhere: a wait sees the new code, and later reads list it', { timeout: 60_000 }, async () => {
    panel = simPanel({ accounts: 2, seed: 16 });
    const app = panel.open();
    const acc = panel.summary.accounts.find((x) => x.password === null)!;
    const id = await enrol(app, acc);
    const elsewhere = simPanel({ accounts: 1, seed: 98 });
    try {
      const phone = elsewhere.open({ connection: () => panel.world.attach() });
      let started: Promise<unknown> | undefined;
      const waited = await app.accountCare.codes(id, {
        wait: true,
        onWaiting: () => {
          // Someone starts a login for this account's phone on another device.
          started = phone.logins.start(acc.phone);
        },
      });
      await started;
      expect(waited.fresh?.code).toBe(acc.code);
      expect(waited.codes[0]?.code).toBe(acc.code);
      const later = await app.accountCare.codes(id);
      expect(later.fresh).toBeNull();
      expect(later.codes.map((c) => c.code)).toContain(acc.code);
    } finally {
      await elsewhere.close();
    }
  });

  it('a wait with no new login ends without a code', { timeout: 30_000 }, async () => {
    panel = simPanel({ accounts: 1, seed: 17 });
    const app = panel.open();
    const id = await enrol(app, panel.summary.accounts[0]!);
    const care = new AccountCareService({ pool: app.fleet, clock: systemClock, log: silentLogger });
    const r = await care.codes(id, { wait: true, waitMs: 200 });
    expect(r.fresh).toBeNull();
  });
});
