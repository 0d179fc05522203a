import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { HINT_MAX, PASSWORD_MAX, TWO_FACTOR_ACTIONS, twoFactorIssue, type TwoFactorAction, type TwoFactorInput } from '../../../core/account-care.ts';
import { accountLabel, type AccountSummary } from '../../../core/accounts.ts';
import { FAILURE_KINDS, type FailureKind } from '../../../core/failures.ts';
import type { AccountCareService, CareFailure, TwoFactorResult } from '../../../engine/account-care.ts';
import { failureText, reasonText } from '../../i18n/reasons.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { refusedNotice } from './account-care.ts';
import { bdi, h, isolate, type Html } from './html.ts';
import { csrfField, layout, notice, pageCtx, postButton, type Notice, type PageCtx } from './layout.ts';

/**
 * An account's two-step password from its page: set, change, remove (after a confirmation that
 * asks for the current password), with an optional hint and recovery email, through the service
 * `accounts 2fa` and the bot call. Passwords travel in the POST that uses them and live only in
 * that call: no field is ever filled back in, nothing is logged or stored, and these pages are
 * never cached. A recovery email's code is asked on a page of its own while the call waits for it
 * (in this process's memory, bound to the browser session, forgotten after a few minutes).
 */

/** An emailed code not typed within this long gives up (the new password keeps waiting at Telegram). */
const FORGET_MS = 5 * 60_000;

type Step = { kind: 'ask'; attempt: number; length: number } | { kind: 'done'; result?: TwoFactorResult; error?: unknown };

/** One two-step call in flight: its steps (an emailed code asked for, then the end) one at a time. */
class TwoFactorRun {
  private wake: ((s: Step) => void) | null = null;
  private queued: Step | null = null;
  /** Set while the service waits for the emailed code; null gives up. */
  give: ((code: string | null) => void) | null = null;

  constructor(care: AccountCareService, accountId: number, input: TwoFactorInput) {
    care
      .twoFactor([accountId], input, (_id, attempt, length) =>
        new Promise<string | null>((resolve) => {
          this.give = (code) => {
            this.give = null;
            resolve(code);
          };
          this.emit({ kind: 'ask', attempt, length });
        }),
      )
      .then(
        (rs) => this.emit({ kind: 'done', result: rs[0] }),
        (error: unknown) => this.emit({ kind: 'done', error }),
      );
  }

  private emit(s: Step): void {
    const w = this.wake;
    if (w) {
      this.wake = null;
      w(s);
    } else this.queued = s;
  }

  next(): Promise<Step> {
    const q = this.queued;
    if (q) {
      this.queued = null;
      return Promise.resolve(q);
    }
    return new Promise((resolve) => (this.wake = resolve));
  }
}

interface Pending {
  run: TwoFactorRun;
  sessionId: string;
  accountId: number;
  email: string;
  /** Digits in the emailed code, as Telegram said. */
  length: number;
  timer: NodeJS.Timeout;
}

function str(f: Record<string, unknown>, k: string): string {
  const v = f[k];
  return typeof v === 'string' ? v : '';
}

function careFailureText(p: PageCtx, f: CareFailure | null): string {
  if (!f) return failureText({ kind: 'unknown', code: 'UNKNOWN' }, p.lang);
  if (f.reason) return reasonText(f.reason, p.lang, f.message);
  const kind = (FAILURE_KINDS as readonly string[]).includes(f.kind) ? (f.kind as FailureKind) : 'unknown';
  return failureText({ kind, code: f.code }, p.lang);
}

function passwordField(name: string, label: string, autocomplete: 'off' | 'new-password'): Html {
  return h`<label>${label}<input name="${name}" type="password" required maxlength="${PASSWORD_MAX}" autocomplete="${autocomplete}" spellcheck="false" dir="ltr"></label>`;
}

function extras(p: PageCtx): Html {
  const { t } = p;
  return h`<label>${t.twofaHint}<input name="hint" maxlength="${HINT_MAX}" autocomplete="off"></label>
<label>${t.twofaEmail}<input name="email" type="email" autocomplete="off" spellcheck="false" dir="ltr"></label>
<p><small>${t.twofaEmailNote}</small></p>`;
}

function back(a: AccountSummary): Html {
  return h`<p><a href="/accounts/${a.id}"><span class="back" aria-hidden="true">←</span> ${bdi(accountLabel(a))}</a></p>`;
}

function twofaPage(p: PageCtx, a: AccountSummary, n: Notice): Html {
  const { t } = p;
  const action = `/accounts/${a.id}/twofa`;
  const set = h`<section class="card" aria-labelledby="tf-set-h"><h2 id="tf-set-h">${t.twofaSetTitle}</h2><form method="post" action="${action}" class="stack" autocomplete="off">${csrfField(p)}<input type="hidden" name="action" value="set">
${passwordField('next', t.twofaNew, 'new-password')}${passwordField('repeat', t.twofaRepeat, 'new-password')}${extras(p)}
<button class="btn btn-primary" type="submit">${t.twofaSet}</button></form></section>`;
  const change = h`<section class="card" aria-labelledby="tf-chg-h"><h2 id="tf-chg-h">${t.twofaChangeTitle}</h2><form method="post" action="${action}" class="stack" autocomplete="off">${csrfField(p)}<input type="hidden" name="action" value="change">
${passwordField('current', t.twofaCurrent, 'off')}${passwordField('next', t.twofaNew, 'new-password')}${passwordField('repeat', t.twofaRepeat, 'new-password')}${extras(p)}
<button class="btn btn-primary" type="submit">${t.twofaChange}</button></form></section>`;
  const remove = h`<section class="card danger-zone" aria-labelledby="tf-rm-h"><h2 id="tf-rm-h">${t.twofaRemoveTitle}</h2>${postButton(p, action, t.twofaRemoveStart, { fields: { action: 'remove' }, cls: 'btn btn-danger' })}</section>`;
  return layout(p, 'accounts', `${t.twofaTitle} · ${isolate(accountLabel(a))}`, h`${notice(n)}<p><small>${t.twofaNote}</small></p><div class="grid">${set}${change}${remove}</div>${back(a)}`);
}

/** The confirmation of a removal is where the current password is typed: it is never carried over. */
function removeConfirmPage(p: PageCtx, a: AccountSummary, n: Notice): Html {
  const { t } = p;
  return layout(
    p,
    'accounts',
    `${t.twofaTitle} · ${isolate(accountLabel(a))}`,
    h`${notice(n)}<section class="card narrow" role="alertdialog" aria-labelledby="tf-q"><p id="tf-q">${t.twofaRemoveConfirm(accountLabel(a))}</p><form method="post" action="/accounts/${a.id}/twofa" class="stack" autocomplete="off">${csrfField(p)}<input type="hidden" name="action" value="remove"><input type="hidden" name="confirm" value="yes">${passwordField('current', t.twofaCurrent, 'off')}<div class="actions-row"><button type="submit" class="btn btn-danger">${t.twofaRemoveYes}</button> <a class="btn btn-quiet" href="/accounts/${a.id}/twofa">${t.cancel}</a></div></form></section>`,
  );
}

function emailCodePage(p: PageCtx, a: AccountSummary, key: string, email: string, length: number, n: Notice): Html {
  const { t } = p;
  const action = `/accounts/${a.id}/twofa/email`;
  return layout(
    p,
    'accounts',
    `${t.twofaTitle} · ${isolate(accountLabel(a))}`,
    h`${notice(n)}<section class="card narrow"><p>${t.twofaEmailAsk(email, length)}</p><form method="post" action="${action}" class="stack" autocomplete="off">${csrfField(p)}<input type="hidden" name="key" value="${key}"><label>${t.twofaEmailCode}<input name="code" required autocomplete="one-time-code" inputmode="numeric" maxlength="16" dir="ltr"></label><button class="btn btn-primary" type="submit">${t.twofaEmailSubmit}</button></form>${postButton(p, action, t.twofaEmailGiveUp, { fields: { key, giveup: '1' }, cls: 'btn btn-quiet' })}</section>`,
  );
}

function outcomeNotice(p: PageCtx, step: Extract<Step, { kind: 'done' }>): Notice {
  if (step.error !== undefined) return refusedNotice(p, step.error);
  const r = step.result;
  if (r?.ok && r.outcome !== null && r.outcome !== 'email_pending') return { kind: 'ok', text: p.t.twofaDone(r.outcome) };
  return { kind: 'error', text: p.t.twofaFailed(careFailureText(p, r?.failure ?? null)) };
}

export function mountAccountTwoFactor(app: Hono<WebEnv>, deps: WebDeps): void {
  const pending = new Map<string, Pending>();
  const account = (c: Context<WebEnv>): AccountSummary | undefined => deps.app.accounts.get(Number(c.req.param('id')), deps.app.clock.now());
  const forget = (key: string): void => {
    const e = pending.get(key);
    if (!e) return;
    pending.delete(key);
    clearTimeout(e.timer);
    e.run.give?.(null);
  };
  /** These pages take passwords and codes: never kept by the browser or a proxy. */
  const html = (c: Context<WebEnv>, page: Html, status: 200 | 400 = 200): Response => {
    c.header('Cache-Control', 'no-store');
    return c.html(page.value, status);
  };

  /** The call's next step as a page: the emailed code asked for, or the outcome. */
  const answer = async (c: Context<WebEnv>, p: PageCtx, a: AccountSummary, key: string, run: TwoFactorRun, email: string): Promise<Response> => {
    const step = await run.next();
    if (step.kind === 'ask') {
      if (!pending.has(key)) {
        const timer = setTimeout(() => forget(key), FORGET_MS);
        timer.unref();
        pending.set(key, { run, sessionId: p.web.session?.id ?? '', accountId: a.id, email, length: step.length, timer });
      }
      const n: Notice = step.attempt > 1 ? { kind: 'error', text: p.t.twofaEmailWrong } : null;
      return html(c, emailCodePage(p, a, key, email, step.length, n), n ? 400 : 200);
    }
    forget(key);
    const n = outcomeNotice(p, step);
    return html(c, twofaPage(p, deps.app.accounts.get(a.id, deps.app.clock.now()) ?? a, n), n?.kind === 'error' ? 400 : 200);
  };

  app.get('/accounts/:id{[0-9]+}/twofa', (c) => {
    const a = account(c);
    if (!a) return c.notFound();
    return html(c, twofaPage(pageCtx(c), a, null));
  });

  app.post('/accounts/:id{[0-9]+}/twofa', async (c) => {
    const p = pageCtx(c);
    const a = account(c);
    if (!a) return c.notFound();
    const f = await c.req.parseBody();
    const action: TwoFactorAction | undefined = TWO_FACTOR_ACTIONS.find((x) => x === str(f, 'action'));
    if (!action) return html(c, twofaPage(p, a, { kind: 'error', text: p.t.twofaIssue('action') }), 400);
    if (action === 'remove' && str(f, 'confirm') !== 'yes') return html(c, removeConfirmPage(p, a, null));
    const hint = str(f, 'hint').trim();
    const email = str(f, 'email').trim();
    const input: TwoFactorInput = {
      action,
      current: action === 'set' ? null : str(f, 'current'),
      next: action === 'remove' ? null : str(f, 'next'),
      ...(action !== 'remove' ? { repeat: str(f, 'repeat') } : {}),
      ...(action !== 'remove' && hint !== '' ? { hint } : {}),
      ...(action !== 'remove' && email !== '' ? { email } : {}),
    };
    // The same rules the service checks, worded here; nothing reaches Telegram when one is broken.
    const issue = twoFactorIssue(input);
    if (issue) {
      const n: Notice = { kind: 'error', text: p.t.twofaIssue(issue.issue) };
      return html(c, action === 'remove' ? removeConfirmPage(p, a, n) : twofaPage(p, a, n), 400);
    }
    const key = randomBytes(18).toString('base64url');
    return answer(c, p, a, key, new TwoFactorRun(deps.app.accountCare, a.id, input), email);
  });

  app.post('/accounts/:id{[0-9]+}/twofa/email', async (c) => {
    const p = pageCtx(c);
    const a = account(c);
    if (!a) return c.notFound();
    const f = await c.req.parseBody();
    const key = str(f, 'key');
    const e = pending.get(key);
    // Only the browser that started the change may answer for it, and only while the call waits.
    if (!e || e.accountId !== a.id || e.sessionId !== (p.web.session?.id ?? '') || !e.run.give) {
      return html(c, twofaPage(p, a, { kind: 'error', text: p.t.twofaLost }), 400);
    }
    const code = str(f, 'giveup') === '1' ? null : str(f, 'code').replace(/\s+/g, '');
    if (code === '') return html(c, emailCodePage(p, a, key, e.email, e.length, { kind: 'error', text: p.t.twofaEmailWrong }), 400);
    e.run.give(code);
    return answer(c, p, a, key, e.run, e.email);
  });
}
