import { afterEach, describe, expect, it } from 'vitest';
import type { LoginStep } from '../../src/engine/login.ts';
import type { ImportResult } from '../../src/engine/import.ts';
import type { BotServices } from '../../src/interfaces/bot/services.ts';
import { cb } from '../../src/interfaces/bot/ui.ts';
import { account, FakeAccounts } from './fakes.ts';
import { ADMIN, harness, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.db.close());

function fleet(): FakeAccounts {
  return new FakeAccounts([
    account(1),
    account(2, { status: 'revoked', statusReason: 'AUTH_KEY_UNREGISTERED' }),
    account(3, { status: 'flood_wait', statusUntil: Date.UTC(2026, 0, 2), statusReason: 'FLOOD_WAIT_X on join' }),
    ...Array.from({ length: 9 }, (_, i) => account(10 + i)),
  ]);
}

/** A login service that follows a script: phone -> code (12345) -> password (secret) when asked. */
class ScriptedLogin implements NonNullable<BotServices['login']> {
  readonly seen: string[] = [];
  private open = new Map<string, 'code' | 'password'>();
  private n = 0;
  constructor(private readonly needsPassword = false) {}
  start(phone: string): Promise<LoginStep> {
    this.seen.push(`start ${phone}`);
    if (!/^\+\d{7,15}$/.test(phone.replace(/\s/g, ''))) return Promise.resolve({ step: 'failed', error: { kind: 'invalid_phone', message: 'bad' } });
    const loginId = `L${++this.n}`;
    this.open.set(loginId, 'code');
    return Promise.resolve({ step: 'code', loginId, phone: phone.replace(/\s/g, ''), delivery: 'app', codeLength: 5 });
  }
  code(loginId: string, input: string): Promise<LoginStep> {
    this.seen.push(`code ${loginId}`);
    if (this.open.get(loginId) !== 'code') return Promise.resolve({ step: 'failed', error: { kind: 'no_login', message: 'gone' } });
    const digits = input.replace(/[\s-.]/g, '');
    if (!/^\d+$/.test(digits)) return Promise.resolve({ step: 'failed', error: { kind: 'bad_code', message: 'x' }, retry: { loginId, step: 'code' } });
    if (digits !== '12345') return Promise.resolve({ step: 'failed', error: { kind: 'wrong_code', message: 'x' }, retry: { loginId, step: 'code' } });
    if (this.needsPassword) {
      this.open.set(loginId, 'password');
      return Promise.resolve({ step: 'password', loginId, hint: 'pet' });
    }
    this.open.delete(loginId);
    return Promise.resolve({ step: 'done', account: account(42, { phone: '+15551234567' }) });
  }
  password(loginId: string, pw: string): Promise<LoginStep> {
    this.seen.push(`password ${loginId}`);
    if (this.open.get(loginId) !== 'password') return Promise.resolve({ step: 'failed', error: { kind: 'no_login', message: 'gone' } });
    if (pw !== 'hunter2') return Promise.resolve({ step: 'failed', error: { kind: 'wrong_password', message: 'x' }, retry: { loginId, step: 'password' } });
    this.open.delete(loginId);
    return Promise.resolve({ step: 'done', account: account(42, { phone: '+15551234567' }) });
  }
  cancel(loginId: string): Promise<void> {
    this.seen.push(`cancel ${loginId}`);
    this.open.delete(loginId);
    return Promise.resolve();
  }
  forget(): void {
    this.open.clear();
  }
}

describe('accounts menu', () => {
  it('shows counts by status, a paged list and a card', async () => {
    h = harness({ services: { accounts: fleet() } });
    await h.text('/start');
    await h.press('Accounts');
    expect(h.screen()).toContain('Accounts: 12');
    expect(h.screen()).toContain('logged out: 1');
    await h.press('List');
    expect(h.screen()).toContain('Accounts (12)');
    expect(h.labels().filter((l) => l.includes('#'))).toHaveLength(8);
    await h.press('Next');
    expect(h.labels().filter((l) => l.includes('#'))).toHaveLength(4);
    await h.press('Previous');
    await h.press('#1 ');
    expect(h.screen()).toContain('Account #1 +15550000001 @acc1');
    expect(h.screen()).toContain('Status: 🟢 active');
    expect(h.screen()).toContain('Last used: never');
    await h.press('Back');
    expect(h.screen()).toContain('Accounts (12)');
  });

  it('disables, enables, checks, spam-checks and sets a proxy from the card', async () => {
    const accounts = fleet();
    h = harness({ services: { accounts } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('List');
    await h.press('#1 ');
    await h.press('Disable');
    expect(h.screen()).toContain('Disabled');
    expect(h.screen()).toContain('⚪ disabled');
    await h.press('Enable');
    expect(h.screen()).toContain('Enabled.');
    await h.press('🩺 Check');
    expect(h.screen()).toContain('answers');
    await h.press('Spam check');
    expect(h.screen()).toContain('@SpamBot: limited until 2026-01-09 00:00 UTC');
    await h.press('Proxy');
    expect(h.screen()).toContain('Send a proxy URL');
    await h.text('ftp://nope');
    expect(h.screen()).toContain('That proxy cannot be used');
    const bad = h.api.chat(ADMIN.id).filter((m) => !m.fromBot && m.deleted);
    expect(bad.length).toBeGreaterThan(0); // the message with a proxy URL was deleted
    await h.text('socks5://u:p@proxy.example:1080');
    expect(h.screen()).toContain('Saved.');
    expect(h.screen()).toContain('Proxy: socks5 proxy.example:1080');
    await h.press('Proxy');
    await h.text('none');
    expect(h.screen()).toContain('Proxy: the default');
    expect(accounts.calls).toEqual(['enable 1 false', 'enable 1 true', 'check 1', 'check 1 spam', 'proxy 1 set', 'proxy 1 none']);
  });

  it('removes only after confirmation; an old confirm button is expired', async () => {
    const accounts = fleet();
    h = harness({ services: { accounts } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('List');
    await h.press('#10');
    await h.press('Remove');
    expect(h.screen()).toContain('Remove account #10');
    await h.press('No');
    expect(h.screen()).toContain('Account #10');
    expect(accounts.get(10)).toBeDefined();
    await h.press('Remove');
    const confirm = h.menu();
    const yes = h.api.buttons(confirm).find((b) => b.text.includes('Yes'))!.data!;
    await h.press('Yes, remove');
    expect(h.screen()).toContain('was removed');
    expect(accounts.get(10)).toBeUndefined();
    // Pressing the confirm button again from a re-sent menu: the account is gone.
    await h.text('/start');
    await h.update(h.api.callbackUpdate(ADMIN, h.menu().messageId, yes));
    expect(h.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toBe('That account no longer exists.');
    expect(accounts.calls.filter((c) => c.startsWith('remove'))).toEqual(['remove 10']);
  });

  it('lists groups and refreshes them', async () => {
    const accounts = fleet();
    h = harness({ services: { accounts } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('List');
    await h.press('#1 ');
    await h.press('Groups');
    expect(h.screen()).toContain('Groups of #1 +15550000001 @acc1: 0 (refreshed never)');
    await h.press('Refresh');
    expect(h.screen()).toContain('Alpha group @alpha_group (supergroup)');
    expect(h.screen()).toContain('کانال خبری (channel)');
  });

  it('lists problem accounts with what to do', async () => {
    h = harness({ services: { accounts: fleet() } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('Problems (2)');
    expect(h.screen()).toContain('logged out');
    expect(h.screen()).toContain('Remove it and add it again');
    expect(h.screen()).toContain('waiting (flood limit) (until 2026-01-02 00:00 UTC)');
    await h.press('#2');
    expect(h.screen()).toContain('Reason: AUTH_KEY_UNREGISTERED');
  });

  it('checks every account with a progress message and a final report', async () => {
    const accounts = fleet();
    h = harness({ services: { accounts } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('Check every account');
    await h.clock.run(h.bot.idle());
    expect(accounts.calls).toEqual(['check 1,2,3,10,11,12,13,14', 'check 15,16,17,18']);
    expect(h.screen()).toContain('Check finished: 11 answer, 1 does not.');
    expect(h.screen()).toContain('the session was revoked');
    await h.press('Menu');
    expect(h.screen()).toContain('Telegram Panel');
  });

  it('says when the accounts service is not running', async () => {
    h = harness();
    await h.text('/start');
    await h.press('Accounts');
    expect(h.screen()).toContain('not running in this process');
    await h.press('Back');
    expect(h.screen()).toContain('Telegram Panel');
  });
});

describe('add an account', () => {
  it('phone -> code (deleted once read) -> card, with bad answers asked again', async () => {
    const login = new ScriptedLogin();
    h = harness({ services: { accounts: fleet(), login } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('Add (log in)');
    expect(h.screen()).toContain('Send its phone number');
    await h.text('my phone');
    expect(h.screen()).toContain('not a phone number Telegram accepts');
    expect(h.screen()).toContain('Send its phone number');
    await h.text('+1 555 123 4567');
    expect(h.screen()).toContain('Telegram sent a 5-digit code through the Telegram app');
    await h.text('12a45');
    expect(h.screen()).toContain('That is not a login code');
    await h.text('5 4 3 2 1');
    expect(h.screen()).toContain('The code is wrong');
    await h.update(h.api.stickerUpdate(ADMIN));
    expect(h.screen()).toContain('Please type the answer as text.');
    await h.text('1 2 3 4 5');
    expect(h.screen()).toContain('The account was added.');
    expect(h.screen()).toContain('Account #42');
    const typed = h.api.chat(ADMIN.id).filter((m) => !m.fromBot && ['12a45', '5 4 3 2 1', '1 2 3 4 5'].includes(m.text));
    expect(typed.map((m) => m.deleted)).toEqual([true, true, true]);
    expect(h.bot.runtime.store.flow(ADMIN.id)).toBeUndefined();
  });

  it('asks for the 2FA password, deletes it, and retries a wrong one', async () => {
    const login = new ScriptedLogin(true);
    h = harness({ services: { accounts: fleet(), login } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('Add (log in)');
    await h.text('+15551234567');
    await h.text('1-2-3-4-5');
    expect(h.screen()).toContain('two-step verification. Hint: pet.');
    await h.text('wrong');
    expect(h.screen()).toContain('password is wrong');
    await h.text('hunter2');
    expect(h.screen()).toContain('The account was added.');
    for (const m of h.api.chat(ADMIN.id).filter((x) => !x.fromBot && (x.text === 'wrong' || x.text === 'hunter2'))) expect(m.deleted).toBe(true);
  });

  it('keeps the phone sealed and nothing secret in the flow row', async () => {
    const login = new ScriptedLogin(true);
    h = harness({ services: { accounts: fleet(), login } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('Add (log in)');
    await h.text('+15551234567');
    await h.text('1 2 3 4 5');
    const row = h.db.prepare('SELECT data, sealed FROM bot_flows').get() as { data: string; sealed: Buffer };
    expect(row.data).not.toContain('5551234567');
    expect(row.data).not.toContain('12345');
    expect(row.sealed.toString('latin1')).not.toContain('5551234567');
  });

  it('starts again with a new code when the login was lost (restart) and cancels cleanly', async () => {
    const login = new ScriptedLogin();
    h = harness({ services: { accounts: fleet(), login } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('Add (log in)');
    await h.text('+15551234567');
    login.forget();
    await h.text('1 2 3 4 5');
    expect(h.screen()).toContain('A new code was sent.');
    expect(login.seen.filter((s) => s.startsWith('start'))).toEqual(['start +15551234567', 'start +15551234567']);
    await h.press('Cancel');
    expect(h.screen()).toContain('Cancelled.');
    expect(login.seen.at(-1)).toBe('cancel L2');
  });

  it('/start in the middle of a login leaves it and releases the login', async () => {
    const login = new ScriptedLogin();
    h = harness({ services: { accounts: fleet(), login } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('Add (log in)');
    await h.text('+15551234567');
    await h.text('/start');
    expect(login.seen.at(-1)).toBe('cancel L1');
    await h.text('1 2 3 4 5');
    expect(h.screen()).toContain('Use the menu below.');
  });

  it('a button from the phone question pressed after /cancel is expired', async () => {
    h = harness({ services: { accounts: fleet(), login: new ScriptedLogin() } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('Add (log in)');
    const old = h.menu();
    await h.text('/cancel');
    await h.update(h.api.callbackUpdate(ADMIN, old.messageId, cb('acc')));
    expect(h.api.callsOf('answerCallbackQuery').at(-1)!.payload.text).toContain('expired');
  });
});

describe('import a session', () => {
  function importer(): NonNullable<BotServices['importer']> & { inputs: string[] } {
    const inputs: string[] = [];
    return {
      inputs,
      import(input: string): Promise<ImportResult> {
        inputs.push(input);
        if (input.startsWith('1Bgood') || input.endsWith('.session')) return Promise.resolve({ ok: true, account: account(50), format: 'telethon' });
        return Promise.resolve({ ok: false, error: { kind: 'not_a_session', tried: [{ format: 'mtcute', problem: 'x' }, { format: 'telethon', problem: 'y' }], message: 'no' } });
      },
    };
  }

  it('imports a pasted string and deletes the message', async () => {
    const imp = importer();
    h = harness({ services: { accounts: fleet(), importer: imp } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('Import a session');
    await h.text('./etc/passwd');
    expect(h.screen()).toContain('does not look like a session string');
    await h.text('1Bnot-a-session-string-at-all-xxxxxxxx');
    expect(h.screen()).toContain('tried: mtcute, telethon');
    await h.text('1Bgood-session-string-xxxxxxxxxxxxxxxx');
    expect(h.screen()).toContain('The account was imported (telethon)');
    expect(imp.inputs).toHaveLength(2);
    expect(h.api.chat(ADMIN.id).filter((m) => !m.fromBot && m.text.startsWith('1B')).every((m) => m.deleted)).toBe(true);
  });

  it('imports a session file sent to the bot', async () => {
    const imp = importer();
    h = harness({ services: { accounts: fleet(), importer: imp } });
    await h.text('/start');
    await h.press('Accounts');
    await h.press('Import a session');
    await h.update(h.api.documentUpdate(ADMIN, 'acc.session', Buffer.from('SQLite format 3\0...')));
    expect(h.screen()).toContain('The account was imported');
    expect(imp.inputs[0]).toMatch(/upload\.session$/);
  });
});
