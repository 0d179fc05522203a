import type { Hono } from 'hono';
import { ACCOUNT_STATUSES, accountLabel, type AccountStatus, type AccountSummary } from '../../../core/accounts.ts';
import type { CallKind } from '../../../core/actions.ts';
import { InputError } from '../../../core/errors.ts';
import { reason } from '../../../core/reasons.ts';
import { loginErrorText } from '../../i18n/account-errors.ts';
import { failureText, refusalText, storedReasonText } from '../../i18n/reasons.ts';
import { parseProxyUrl } from '../../../core/proxy-url.ts';
import type { CheckResult } from '../../../engine/health.ts';
import type { LoginStep } from '../../../engine/login.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { careSections, mountAccountCare, refusedNotice } from './account-care.ts';
import { bdi, h, isolate, type Html } from './html.ts';
import { csrfField, layout, notice, pageCtx, postButton, type Notice, type PageCtx } from './layout.ts';
import type { LiveRuns } from './live-runs.ts';
import { hasTag } from '../../../core/tags.ts';

/** Only the proxy's host and port: its user, password or MTProxy secret are never shown. */
export function proxyHost(url: string | null): string | null {
  if (!url) return null;
  const parsed = parseProxyUrl(url, { echo: false });
  return parsed.ok ? `${parsed.spec.host}:${parsed.spec.port}` : '?';
}

type Sort = 'id' | 'status' | 'used';

function statusBadge(p: PageCtx, s: AccountStatus): Html {
  return h`<span class="badge status-${s}">${p.t.status(s)}</span>`;
}

/** The status reason in the page's language (rows from before reason codes keep their English words). */
function reasonOf(p: PageCtx, a: AccountSummary): string | null {
  return storedReasonText(a.statusReasonCode, a.statusReason, p.lang);
}

/** Why a check failed: the status it left, else Telegram's refusal by its kind. */
function checkFailure(p: PageCtx, r: CheckResult | undefined): string {
  return storedReasonText(r?.reasonCode, r?.reason ?? null, p.lang) ?? (r?.failure ? failureText(r.failure, p.lang) : '?');
}

function matches(a: AccountSummary, q: string): boolean {
  if (!q) return true;
  const needle = q.toLowerCase().replace(/^@/, '');
  return [String(a.id), a.phone, a.username ?? '', a.firstName].some((f) => f.toLowerCase().includes(needle));
}

/** The proxy filter: `with` or `without` one, or the accounts behind one host. */
function proxyMatches(a: AccountSummary, proxy: string): boolean {
  if (proxy === '') return true;
  const host = proxyHost(a.proxyUrl);
  return proxy === 'with' ? host !== null : proxy === 'without' ? host === null : host === proxy;
}

function listPage(p: PageCtx, deps: WebDeps, q: string, status: string, sort: Sort, n: Notice, tag = '', proxy = ''): Html {
  const { t } = p;
  const all = deps.app.accounts.list(deps.app.clock.now());
  const hosts = [...new Set(all.flatMap((a) => proxyHost(a.proxyUrl) ?? []))].sort();
  const shown = all
    .filter((a) => matches(a, q) && (status === '' || a.status === status) && (tag === '' || hasTag(a, tag)) && proxyMatches(a, proxy))
    .sort((x, y) =>
      sort === 'status' ? ACCOUNT_STATUSES.indexOf(x.status) - ACCOUNT_STATUSES.indexOf(y.status) || x.id - y.id : sort === 'used' ? (y.lastUsedAt ?? 0) - (x.lastUsedAt ?? 0) : x.id - y.id,
    );
  const filters = h`<form method="get" action="/accounts" class="filters" role="search">
<label>${t.search}<input type="search" name="q" value="${q}" placeholder="${t.searchPlaceholder}"></label>
<label>${t.filter}<select name="status"><option value="">${t.allStatuses}</option>${ACCOUNT_STATUSES.map((s) => h`<option value="${s}"${s === status ? ' selected' : ''}>${t.status(s)}</option>`)}</select></label>
<label>${t.fieldTag}<select name="tag"><option value="">${t.allTags}</option>${[...new Set(all.flatMap((a) => a.tags ?? []))].sort().map((x) => h`<option value="${x}"${x === tag ? ' selected' : ''}>${x}</option>`)}</select></label>
<label>${t.colProxy}<select name="proxy"><option value="">${t.allProxies}</option><option value="with"${proxy === 'with' ? ' selected' : ''}>${t.proxyWith}</option><option value="without"${proxy === 'without' ? ' selected' : ''}>${t.proxyWithout}</option>${hosts.map((x) => h`<option value="${x}"${x === proxy ? ' selected' : ''}>${x}</option>`)}</select></label>
<label>${t.sortBy}<select name="sort">${(
    [
      ['id', t.sortId],
      ['status', t.sortStatus],
      ['used', t.sortLastUsed],
    ] as const
  ).map(([v, l]) => h`<option value="${v}"${v === sort ? ' selected' : ''}>${l}</option>`)}</select></label>
<button type="submit" class="btn">${t.filter}</button>
</form>`;
  const rows = shown.map(
    (a) => h`<tr><td><input type="checkbox" name="ids" value="${a.id}" form="bulk" aria-label="${t.selectOne(accountLabel(a))}"></td><td><a href="/accounts/${a.id}">${bdi(accountLabel(a))}</a>${a.tags?.length ? h` <small class="tags">${a.tags.map((x) => h`<span class="badge">${bdi(x)}</span> `)}</small>` : ''}</td><td>${statusBadge(p, a.status)}${reasonOf(p, a) ? h`<small class="reason">${bdi(reasonOf(p, a)!)}</small>` : ''}</td><td>${proxyHost(a.proxyUrl) ? bdi(proxyHost(a.proxyUrl)!) : t.proxyDefault}</td><td>${t.n(a.groupsCount)}</td><td>${t.time(a.lastUsedAt)}</td></tr>`,
  );
  const table = shown.length
    ? h`<div class="table-wrap"><table class="accounts"><thead><tr><th scope="col"><input type="checkbox" data-select-all="ids" aria-label="${t.selectAll}"></th><th scope="col">${t.colAccount}</th><th scope="col">${t.colStatus}</th><th scope="col">${t.colProxy}</th><th scope="col">${t.colGroups}</th><th scope="col">${t.colLastUsed}</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : h`<p class="empty">${all.length ? t.noMatch : t.noAccounts}</p>`;
  // The checkboxes belong to this form by their form attribute, so the table stays one table.
  const bulk = shown.length
    ? h`<form method="post" action="/accounts/bulk" id="bulk" class="row bulk" aria-label="${t.bulkTitle}">${csrfField(p)}<label>${t.bulkAction}<select name="op"><option value="enable">${t.enable}</option><option value="disable">${t.disable}</option><option value="check">${t.check}</option><option value="tag_add">${t.bulkTagAdd}</option><option value="tag_remove">${t.bulkTagRemove}</option></select></label><label>${t.fieldTag}<input name="tag" maxlength="32" class="short"></label><button type="submit" class="btn">${t.bulkApply}</button></form>`
    : h``;
  return layout(p, 'accounts', t.accountsTitle, h`${notice(n)}<p><a class="btn btn-primary" href="/accounts/add">${t.addTitle}</a> <a class="btn" href="/accounts/import">${t.importTitle}</a> <a class="btn" href="/accounts/prune">${t.pruneTitle}</a></p>${filters}${bulk}${table}`);
}

function accountPage(p: PageCtx, deps: WebDeps, a: AccountSummary, n: Notice): Html {
  const { t } = p;
  const groups = deps.app.accounts.groups(a.id);
  const field = (name: string, value: Html | string): Html => h`<div><dt>${name}</dt><dd>${value}</dd></div>`;
  const facts = h`<dl class="facts">
${field(t.fieldName, bdi(a.firstName + (a.username ? ` @${a.username}` : '')))}
${field(t.fieldStatus, statusBadge(p, a.status))}
${field(t.fieldSince, t.time(a.statusSince))}
${a.statusUntil ? field(t.fieldUntil, t.time(a.statusUntil)) : ''}
${reasonOf(p, a) ? field(t.fieldReason, bdi(reasonOf(p, a)!)) : ''}
${field(t.fieldProxy, proxyHost(a.proxyUrl) ? bdi(proxyHost(a.proxyUrl)!) : t.proxyDefault)}
${field(t.fieldGroups, t.n(a.groupsCount))}
${field(t.fieldLastUsed, t.time(a.lastUsedAt))}
${field(t.fieldAdded, t.time(a.createdAt))}
</dl>`;
  const actions = h`<div class="actions-row">
${a.enabled ? postButton(p, `/accounts/${a.id}/disable`, t.disable) : postButton(p, `/accounts/${a.id}/enable`, t.enable, { cls: 'btn btn-primary' })}
${postButton(p, `/accounts/${a.id}/check`, t.check)}
${postButton(p, `/accounts/${a.id}/check`, t.spamCheck, { fields: { spam: '1' } })}
</div>`;
  const now = deps.app.clock.now();
  const parks = Object.entries(deps.app.accounts.parks(now).get(a.id) ?? {}) as Array<[CallKind, number]>;
  const waits = parks.length
    ? h`<div class="table-wrap"><table class="waits"><thead><tr><th scope="col">${t.colCallKind}</th><th scope="col">${t.colTimeLeft}</th><th scope="col">${t.fieldUntil}</th></tr></thead><tbody>${parks
        .sort((x, y) => x[1] - y[1])
        .map(([k, until]) => h`<tr data-kind="${k}"><td>${k === 'check' ? t.callCheck : t.kindName(k)}</td><td>${t.timeLeft(until - now)}</td><td>${t.time(until)}</td></tr>`)}</tbody></table></div>`
    : h`<p class="empty">${t.noWaits}</p>`;
  const history = deps.app.accounts.statusHistory(a.id, 50);
  const historyTable = history.length
    ? h`<div class="table-wrap"><table class="status-history"><thead><tr><th scope="col">${t.colWhen}</th><th scope="col">${t.colStatus}</th><th scope="col">${t.fieldReason}</th></tr></thead><tbody>${history.map((x) => {
        const why = storedReasonText(x.reasonCode, x.reason, p.lang);
        return h`<tr><td>${t.time(x.at)}</td><td>${statusBadge(p, x.status)}${x.until ? h` <small>${t.fieldUntil} ${t.time(x.until)}</small>` : ''}</td><td>${why ? bdi(why) : ''}</td></tr>`;
      })}</tbody></table></div>`
    : h`<p class="empty">${t.noStatusHistory}</p>`;
  const groupList = groups.chats.length
    ? h`<ul class="plain cols">${groups.chats.slice(0, 200).map((g) => h`<li>${bdi(g.title)}${g.username ? h` <small>${bdi('@' + g.username)}</small>` : ''}</li>`)}</ul>`
    : h`<p class="empty">${t.noGroups}</p>`;
  return layout(p, 'accounts', t.accountTitle(isolate(accountLabel(a))), h`${notice(n)}${facts}${actions}<section aria-labelledby="waits-h"><h2 id="waits-h">${t.waitsTitle}</h2>${waits}</section><section aria-labelledby="history-h"><h2 id="history-h">${t.statusHistoryTitle}</h2>${historyTable}</section>${careSections(p, a)}<section><h2>${t.groupsTitle}</h2>${groupList}</section>`);
}

type AddState = { step: 'phone' } | { step: 'code'; loginId: string; via: string } | { step: 'password'; loginId: string; hint: string | null };

function addPage(p: PageCtx, s: AddState, n: Notice): Html {
  const { t } = p;
  // The code and the password fields are never filled back in, and the browser is asked not to keep them.
  const form =
    s.step === 'phone'
      ? h`<form method="post" action="/accounts/add" class="stack">${csrfField(p)}<input type="hidden" name="step" value="phone"><label>${t.addPhone}<input name="phone" type="tel" required autocomplete="off" dir="ltr" placeholder="+15551234567"></label><button class="btn btn-primary" type="submit">${t.addStart}</button></form>`
      : s.step === 'code'
        ? h`<form method="post" action="/accounts/add" class="stack">${csrfField(p)}<input type="hidden" name="step" value="code"><input type="hidden" name="login" value="${s.loginId}"><p>${t.addCodeHelp(s.via)}</p><label>${t.addCode}<input name="code" required autocomplete="one-time-code" inputmode="numeric" dir="ltr"></label><button class="btn btn-primary" type="submit">${t.addSubmit}</button></form>`
        : h`<form method="post" action="/accounts/add" class="stack">${csrfField(p)}<input type="hidden" name="step" value="password"><input type="hidden" name="login" value="${s.loginId}"><p>${t.addPasswordHelp(s.hint)}</p><label>${t.addPassword}<input name="password" type="password" required autocomplete="off" dir="ltr"></label><button class="btn btn-primary" type="submit">${t.addSubmit}</button></form>`;
  const cancel = s.step === 'phone' ? h`` : postButton(p, '/accounts/add', t.addCancel, { fields: { step: 'cancel', login: s.loginId }, cls: 'btn btn-quiet' });
  return layout(p, 'accounts', t.addTitle, h`${notice(n)}<section class="card narrow">${form}${cancel}</section>`);
}

export function mountAccounts(app: Hono<WebEnv>, deps: WebDeps, live: LiveRuns): void {
  const get = (id: number): AccountSummary | undefined => deps.app.accounts.get(id, deps.app.clock.now());
  mountAccountCare(app, deps, live, (p, a, n) => accountPage(p, deps, a, n));

  app.get('/accounts', (c) => {
    const sort = c.req.query('sort');
    return c.html(listPage(pageCtx(c), deps, c.req.query('q') ?? '', c.req.query('status') ?? '', sort === 'status' || sort === 'used' ? sort : 'id', null, c.req.query('tag') ?? '', c.req.query('proxy') ?? '').value);
  });

  // Several accounts at once: the same fleet, health and tag calls as one account's buttons.
  app.post('/accounts/bulk', async (c) => {
    const p = pageCtx(c);
    const f = await c.req.parseBody({ all: true });
    const raw = f.ids;
    const ids = [...new Set((Array.isArray(raw) ? raw : [raw]).filter((x): x is string => typeof x === 'string' && /^\d+$/.test(x)).map(Number))];
    const op = typeof f.op === 'string' ? f.op : '';
    const tag = typeof f.tag === 'string' ? f.tag : '';
    let n: Notice;
    if (ids.length === 0) n = { kind: 'error', text: p.t.bulkNone };
    else if ((op === 'tag_add' || op === 'tag_remove') && tag.trim() === '') n = { kind: 'error', text: p.t.bulkNeedTag };
    else {
      try {
        // A selection naming an account that is gone (removed meanwhile) changes nothing.
        const missing = ids.filter((id) => !get(id)).map((id) => `#${id}`).join(', ');
        if (missing) throw new InputError(`there is no account ${missing}`, reason('account_unknown', { accounts: missing }));
        const known = ids;
        switch (op) {
          case 'enable':
          case 'disable':
            for (const id of known) {
              await deps.app.fleet.setEnabled(id, op === 'enable');
              if (op === 'enable') void deps.app.fleet.session(id).catch((e: unknown) => deps.log.debug({ err: e, accountId: id }, 'enabled account did not connect'));
            }
            n = { kind: 'ok', text: p.t.bulkChanged(known.length) };
            break;
          case 'check': {
            const r = await deps.app.health.check({ ids: known });
            const ok = r.filter((x) => x.ok).length;
            n = { kind: ok === r.length ? 'ok' : 'error', text: p.t.bulkChecked(ok, r.length - ok) };
            break;
          }
          case 'tag_add':
          case 'tag_remove': {
            const r = deps.app.tags.change(ids, op === 'tag_add' ? 'add' : 'remove', tag);
            n = { kind: 'ok', text: p.t.bulkChanged(r.changed.length) };
            break;
          }
          default:
            n = { kind: 'error', text: p.t.bulkNone };
        }
      } catch (e) {
        n = refusedNotice(p, e);
      }
    }
    return c.html(listPage(p, deps, '', '', 'id', n).value, n?.kind === 'error' && op !== 'check' ? 400 : 200);
  });

  app.get('/accounts/:id{[0-9]+}', (c) => {
    const a = get(Number(c.req.param('id')));
    if (!a) return c.notFound();
    return c.html(accountPage(pageCtx(c), deps, a, null).value);
  });

  app.post('/accounts/:id{[0-9]+}/:op{enable|disable|check}', async (c) => {
    const p = pageCtx(c);
    const id = Number(c.req.param('id'));
    if (!get(id)) return c.notFound();
    let n: Notice;
    try {
      switch (c.req.param('op')) {
        case 'enable':
          await deps.app.fleet.setEnabled(id, true);
          void deps.app.fleet.session(id).catch((e: unknown) => deps.log.debug({ err: e, accountId: id }, 'enabled account did not connect'));
          n = { kind: 'ok', text: p.t.enabledNow };
          break;
        case 'disable':
          await deps.app.fleet.setEnabled(id, false);
          n = { kind: 'ok', text: p.t.disabledNow };
          break;
        default: {
          const spam = (await c.req.parseBody()).spam === '1';
          const [r] = await deps.app.health.check({ ids: [id], spam });
          n = r?.ok ? { kind: 'ok', text: p.t.checkAnswers + (r.spam ? ` @SpamBot: ${r.spam.state}` : '') } : { kind: 'error', text: p.t.checkFailed(checkFailure(p, r)) };
        }
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      n = { kind: 'error', text: p.t.refused(refusalText(e, p.lang) ?? e.message) };
    }
    const a = get(id);
    if (!a) return c.redirect('/accounts', 303);
    return c.html(accountPage(p, deps, a, n).value);
  });

  app.get('/accounts/add', (c) => c.html(addPage(pageCtx(c), { step: 'phone' }, null).value));

  app.post('/accounts/add', async (c) => {
    const p = pageCtx(c);
    const f = await c.req.parseBody();
    const str = (k: string): string => (typeof f[k] === 'string' ? f[k] : '');
    const logins = deps.app.logins;
    let step: LoginStep;
    switch (str('step')) {
      case 'code':
        step = await logins.code(str('login'), str('code'));
        break;
      case 'password':
        step = await logins.password(str('login'), str('password'));
        break;
      case 'cancel':
        await logins.cancel(str('login'));
        return c.redirect('/accounts', 303);
      default:
        step = await logins.start(str('phone'));
    }
    return c.html(addStepPage(p, step).value, step.step === 'failed' ? 400 : 200);
  });
}

function addStepPage(p: PageCtx, step: LoginStep): Html {
  const { t } = p;
  switch (step.step) {
    case 'code':
      return addPage(p, { step: 'code', loginId: step.loginId, via: step.delivery }, null);
    case 'password':
      return addPage(p, { step: 'password', loginId: step.loginId, hint: step.hint }, null);
    case 'done':
      return layout(p, 'accounts', t.addTitle, h`${notice({ kind: 'ok', text: t.addDone })}<p><a class="btn btn-primary" href="/accounts/${step.account.id}">${bdi(accountLabel(step.account))}</a></p>`);
    case 'failed': {
      const why = step.error.kind === 'already_exists' ? t.addExists(step.error.accountId) : t.addFailed(loginErrorText(step.error, p.lang));
      const n: Notice = { kind: 'error', text: why };
      if (step.retry) return addPage(p, step.retry.step === 'code' ? { step: 'code', loginId: step.retry.loginId, via: '' } : { step: 'password', loginId: step.retry.loginId, hint: null }, n);
      return addPage(p, { step: 'phone' }, n);
    }
  }
}
