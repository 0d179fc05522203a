import type { Context, Hono } from 'hono';
import { accountLabel, type AccountSummary } from '../../../core/accounts.ts';
import type { ProfileSpec } from '../../../core/actions.ts';
import { FAILURE_KINDS, type FailureKind } from '../../../core/failures.ts';
import type { ProfileEdit } from '../../../core/profile.ts';
import { RESERVE_TAG } from '../../../core/tags.ts';
import type { CareFailure } from '../../../engine/account-care.ts';
import { importErrorText } from '../../i18n/account-errors.ts';
import { failureText, reasonText, refusalText } from '../../i18n/reasons.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { bdi, h, isolate, type Html } from './html.ts';
import { csrfField, layout, notice, pageCtx, postButton, type Notice, type PageCtx } from './layout.ts';
import type { LiveRuns } from './live-runs.ts';

/**
 * An account's care from its page: tags, proxy, profile edit, devices and ending the others, login
 * codes, removal; and importing a session string. Every change is the engine's own call (the
 * ones the CLI and the bot make); refusals are worded in the page's language and change nothing.
 * Nothing secret comes back: a proxy shows its host only, a session string is never echoed, and
 * login codes appear only on the page asked for them (never logged).
 */

export type AccountPageRenderer = (p: PageCtx, a: AccountSummary, n: Notice) => Html;

/** A refusal in the page's language; anything else is not the operator's to fix and propagates. */
export function refusedNotice(p: PageCtx, e: unknown): Notice {
  const text = refusalText(e, p.lang);
  if (text === null) throw e;
  return { kind: 'error', text: p.t.refused(text) };
}

function careFailureText(p: PageCtx, f: CareFailure): string {
  if (f.reason) return reasonText(f.reason, p.lang, f.message);
  const kind = (FAILURE_KINDS as readonly string[]).includes(f.kind) ? (f.kind as FailureKind) : 'unknown';
  return failureText({ kind, code: f.code }, p.lang);
}

function str(f: Record<string, unknown>, k: string): string {
  const v = f[k];
  return typeof v === 'string' ? v : '';
}

/** The account page's sections for care: tags, proxy, profile, devices, login codes, removal. */
export function careSections(p: PageCtx, a: AccountSummary): Html {
  const { t } = p;
  const tags = a.tags ?? [];
  const tagSection = h`<section class="card" aria-labelledby="tags-h"><h2 id="tags-h">${t.tagsTitle}</h2>
${tags.length ? h`<ul class="plain tags">${tags.map((tag) => h`<li><span class="badge">${bdi(tag)}</span> ${postButton(p, `/accounts/${a.id}/tags`, t.removeTag(tag), { fields: { op: 'remove', tag }, cls: 'btn btn-quiet btn-small' })}</li>`)}</ul>` : h`<p class="empty">${t.noTags}</p>`}
<form method="post" action="/accounts/${a.id}/tags" class="row">${csrfField(p)}<input type="hidden" name="op" value="add"><input name="tag" required maxlength="32" aria-label="${t.fieldTag}" list="tag-ideas"><datalist id="tag-ideas"><option value="${RESERVE_TAG}"></option></datalist><button class="btn" type="submit">${t.addTag}</button></form>
<p><small>${t.reserveNote(RESERVE_TAG)}</small></p></section>`;
  // The field is never filled in: the stored URL may carry a password.
  const proxySection = h`<section class="card" aria-labelledby="proxy-h"><h2 id="proxy-h">${t.proxyTitle}</h2>
<form method="post" action="/accounts/${a.id}/proxy" class="stack">${csrfField(p)}<label>${t.proxyField}<input name="proxy" autocomplete="off" spellcheck="false" dir="ltr" placeholder="socks5://user:pass@host:1080"></label><button class="btn" type="submit">${t.proxySave}</button></form>
${a.proxyUrl ? postButton(p, `/accounts/${a.id}/proxy`, t.proxyUseDefault, { fields: { clear: '1' }, cls: 'btn btn-quiet' }) : ''}
<p><small>${t.proxyNote}</small></p></section>`;
  const profileSection = h`<section class="card" aria-labelledby="profile-h"><h2 id="profile-h">${t.profileTitle}</h2>
<form method="post" action="/accounts/${a.id}/profile" class="stack">${csrfField(p)}
<label>${t.profileFirst}<input name="firstName" maxlength="64" autocomplete="off" placeholder="${a.firstName}"></label>
<label>${t.profileLast}<input name="lastName" maxlength="64" autocomplete="off"></label>
<label>${t.profileBio}<textarea name="bio" rows="2" maxlength="70"></textarea></label>
<label>${t.profileUsername}<input name="username" maxlength="33" autocomplete="off" spellcheck="false" dir="ltr" placeholder="${a.username ? '@' + a.username : ''}"></label>
<p><small>${t.profileHelp}</small></p>
<button class="btn btn-primary" type="submit">${t.profileSave}</button></form></section>`;
  const devices = h`<section class="card" aria-labelledby="dev-h"><h2 id="dev-h">${t.devicesTitle}</h2>
${a.otherSessions !== undefined && a.otherSessions !== null ? h`<p>${t.devicesCount(a.otherSessions)}</p>` : ''}
<p><a class="btn" href="/accounts/${a.id}/devices">${t.showDevices}</a></p>
<h2>${t.codesTitle}</h2><p><small>${t.codesNote}</small></p>${postButton(p, `/accounts/${a.id}/codes`, t.showCodes)}
<h2>${t.twofaTitle}</h2><p><a class="btn" href="/accounts/${a.id}/twofa">${t.twofaOpen}</a></p></section>`;
  const removal = h`<section class="card danger-zone" aria-labelledby="rm-h"><h2 id="rm-h">${t.removeTitle}</h2>${postButton(p, `/accounts/${a.id}/remove`, t.removeStart, { cls: 'btn btn-danger' })}</section>`;
  return h`<div class="grid">${tagSection}${proxySection}${profileSection}${devices}${removal}</div>`;
}

function confirmPage(p: PageCtx, a: AccountSummary, question: string, action: string, yes: string): Html {
  const { t } = p;
  return layout(
    p,
    'accounts',
    t.accountTitle(isolate(accountLabel(a))),
    h`<section class="card narrow" role="alertdialog" aria-labelledby="confirm-q"><p id="confirm-q">${question}</p><div class="actions-row"><form method="post" action="${action}" class="inline">${csrfField(p)}<input type="hidden" name="confirm" value="yes"><button type="submit" class="btn btn-danger">${yes}</button></form> <a class="btn btn-quiet" href="/accounts/${a.id}">${t.cancel}</a></div></section>`,
  );
}

function importPage(p: PageCtx, n: Notice): Html {
  const { t } = p;
  // The textarea is never filled back in, whatever happened.
  return layout(
    p,
    'accounts',
    t.importTitle,
    h`${notice(n)}<section class="card narrow"><p>${t.importHelp}</p><form method="post" action="/accounts/import" class="stack">${csrfField(p)}<label>${t.importField}<textarea name="session" rows="5" required autocomplete="off" spellcheck="false" dir="ltr"></textarea></label><label>${t.importProxy}<input name="proxy" autocomplete="off" spellcheck="false" dir="ltr"></label><button class="btn btn-primary" type="submit">${t.importSubmit}</button></form></section>`,
  );
}

export function mountAccountCare(app: Hono<WebEnv>, deps: WebDeps, live: LiveRuns, accountPage: AccountPageRenderer): void {
  const get = (id: number): AccountSummary | undefined => deps.app.accounts.get(id, deps.app.clock.now());
  const account = (c: Context<WebEnv>): AccountSummary | undefined => get(Number(c.req.param('id')));
  const show = (c: Context<WebEnv>, p: PageCtx, id: number, n: Notice): Response | Promise<Response> => {
    const a = get(id);
    if (!a) return c.redirect('/accounts', 303);
    return c.html(accountPage(p, a, n).value, n?.kind === 'error' ? 400 : 200);
  };

  app.get('/accounts/import', (c) => c.html(importPage(pageCtx(c), null).value));

  app.post('/accounts/import', async (c) => {
    const p = pageCtx(c);
    const f = await c.req.parseBody();
    // Pasted strings break across lines; a session string holds no white space.
    const session = str(f, 'session').replace(/\s+/g, '');
    const proxy = str(f, 'proxy').trim();
    if (!session) return c.html(importPage(p, { kind: 'error', text: p.t.importEmpty }).value, 400);
    const r = await deps.app.imports.import(session, { textOnly: true, ...(proxy ? { proxyUrl: proxy } : {}) });
    if (!r.ok) return c.html(importPage(p, { kind: 'error', text: p.t.importFailed(importErrorText(r.error, p.lang)) }).value, 400);
    return c.html(accountPage(p, r.account, { kind: 'ok', text: p.t.importDone(r.format) }).value);
  });

  app.post('/accounts/:id{[0-9]+}/tags', async (c) => {
    const p = pageCtx(c);
    const a = account(c);
    if (!a) return c.notFound();
    const f = await c.req.parseBody();
    const op = str(f, 'op') === 'remove' ? 'remove' : 'add';
    let n: Notice;
    try {
      const r = deps.app.tags.change([a.id], op, str(f, 'tag'));
      n = { kind: 'ok', text: op === 'remove' ? p.t.tagRemoved(r.tag) : r.changed.length ? p.t.tagAdded(r.tag) : p.t.tagAlready(r.tag) };
    } catch (e) {
      n = refusedNotice(p, e);
    }
    return show(c, p, a.id, n);
  });

  app.post('/accounts/:id{[0-9]+}/proxy', async (c) => {
    const p = pageCtx(c);
    const a = account(c);
    if (!a) return c.notFound();
    const f = await c.req.parseBody();
    const clear = str(f, 'clear') === '1';
    const url = str(f, 'proxy').trim();
    if (!clear && !url) return show(c, p, a.id, { kind: 'error', text: p.t.proxyEmpty });
    let n: Notice;
    try {
      await deps.app.fleet.setProxy(a.id, clear ? null : url);
      n = { kind: 'ok', text: clear ? p.t.proxyCleared : p.t.proxySaved };
    } catch (e) {
      n = refusedNotice(p, e);
    }
    return show(c, p, a.id, n);
  });

  app.post('/accounts/:id{[0-9]+}/profile', async (c) => {
    const p = pageCtx(c);
    const a = account(c);
    if (!a) return c.notFound();
    const f = await c.req.parseBody();
    const edit: ProfileEdit = {};
    for (const k of ['firstName', 'lastName', 'bio', 'username'] as const) {
      const v = str(f, k);
      if (v.trim() !== '') edit[k] = v;
    }
    const spec: ProfileSpec = { kind: 'profile', edit };
    try {
      // The engine's own checks refuse a bad edit before any account acts (nothing recorded).
      deps.app.operations.check(spec, { accountIds: [a.id] });
      const id = await live.start(deps.app.operations, spec, { accountIds: [a.id] }, `web:${p.web.session?.id ?? 'token'}`);
      // The account's stored name and username are what Telegram says: ask once the edit is done.
      const off = live.subscribe((e) => {
        if (e.type !== 'finished' || e.operationId !== id) return;
        off();
        if (e.summary.done > 0) void deps.app.health.check({ ids: [a.id] }).catch((err: unknown) => deps.log.debug({ err, accountId: a.id }, 'could not refresh the account after a profile edit'));
      });
      return c.redirect(`/operations/${id}`, 303);
    } catch (e) {
      return show(c, p, a.id, refusedNotice(p, e));
    }
  });

  app.get('/accounts/:id{[0-9]+}/devices', async (c) => {
    const p = pageCtx(c);
    const { t } = p;
    const a = account(c);
    if (!a) return c.notFound();
    let body: Html;
    try {
      const r = await deps.app.accountCare.sessions(a.id);
      const rows = r.sessions.map(
        (s) =>
          h`<tr${s.current ? h` class="current"` : ''}><td>${bdi(s.device || s.platform || '?')}${s.current ? h` <span class="badge">${t.thisPanel}</span>` : ''}</td><td>${bdi(`${s.app} ${s.appVersion}`.trim())}</td><td>${bdi([s.ip, s.country].filter(Boolean).join(' · '))}</td><td>${t.time(s.activeAt || null)}</td></tr>`,
      );
      const end = r.others > 0 ? postButton(p, `/accounts/${a.id}/devices/end`, t.endOthers(r.others), { cls: 'btn btn-danger' }) : h`<p class="empty">${t.noOtherSessions}</p>`;
      body = h`<p>${t.devicesCount(r.others)}</p><div class="table-wrap"><table class="devices"><thead><tr><th scope="col">${t.colDevice}</th><th scope="col">${t.colApp}</th><th scope="col">${t.colPlace}</th><th scope="col">${t.colActive}</th></tr></thead><tbody>${rows}</tbody></table></div>${end}`;
    } catch (e) {
      body = notice(refusedNotice(p, e));
    }
    return c.html(layout(p, 'accounts', `${t.devicesTitle} · ${isolate(accountLabel(a))}`, h`${body}<p><a href="/accounts/${a.id}"><span class="back" aria-hidden="true">←</span> ${bdi(accountLabel(a))}</a></p>`).value);
  });

  app.post('/accounts/:id{[0-9]+}/devices/end', async (c) => {
    const p = pageCtx(c);
    const a = account(c);
    if (!a) return c.notFound();
    const f = await c.req.parseBody();
    try {
      if (str(f, 'confirm') !== 'yes') {
        // The question names how many devices go, as Telegram counts them now.
        const r = await deps.app.accountCare.sessions(a.id);
        if (r.others === 0) return show(c, p, a.id, { kind: 'ok', text: p.t.noOtherSessions });
        return c.html(confirmPage(p, a, p.t.endConfirm(r.others, accountLabel(a)), `/accounts/${a.id}/devices/end`, p.t.endYes(r.others)).value);
      }
      const [r] = await deps.app.accountCare.endOthers([a.id]);
      const n: Notice = r?.ok ? { kind: 'ok', text: p.t.ended(r.ended) } : { kind: 'error', text: p.t.endFailed(r?.failure ? careFailureText(p, r.failure) : '?') };
      return show(c, p, a.id, n);
    } catch (e) {
      return show(c, p, a.id, refusedNotice(p, e));
    }
  });

  // A POST, so no prefetch or history entry opens it; the page is never cached and the codes are never logged.
  app.post('/accounts/:id{[0-9]+}/codes', async (c) => {
    const p = pageCtx(c);
    const { t } = p;
    const a = account(c);
    if (!a) return c.notFound();
    let body: Html;
    try {
      const r = await deps.app.accountCare.codes(a.id);
      body = r.codes.length
        ? h`<div class="table-wrap"><table class="codes"><thead><tr><th scope="col">${t.colCode}</th><th scope="col">${t.colWhen}</th></tr></thead><tbody>${r.codes.map((x) => h`<tr><td><code class="login-code" dir="ltr">${x.code}</code></td><td>${t.time(x.date)}</td></tr>`)}</tbody></table></div>`
        : h`<p class="empty">${t.codesNone}</p>`;
    } catch (e) {
      body = notice(refusedNotice(p, e));
    }
    c.header('Cache-Control', 'no-store');
    return c.html(layout(p, 'accounts', `${t.codesTitle} · ${isolate(accountLabel(a))}`, h`<p><small>${t.codesNote}</small></p>${body}<p><a href="/accounts/${a.id}"><span class="back" aria-hidden="true">←</span> ${bdi(accountLabel(a))}</a></p>`).value);
  });

  app.post('/accounts/:id{[0-9]+}/remove', async (c) => {
    const p = pageCtx(c);
    const a = account(c);
    if (!a) return c.notFound();
    const f = await c.req.parseBody();
    const label = accountLabel(a);
    if (str(f, 'confirm') !== 'yes') return c.html(confirmPage(p, a, p.t.removeConfirm(label), `/accounts/${a.id}/remove`, p.t.removeYes).value);
    try {
      await deps.app.fleet.remove(a.id);
    } catch (e) {
      return show(c, p, a.id, refusedNotice(p, e));
    }
    return c.html(layout(p, 'accounts', p.t.accountsTitle, h`${notice({ kind: 'ok', text: p.t.removed(label) })}<p><a class="btn" href="/accounts">${p.t.accountsTitle}</a></p>`).value);
  });
}
