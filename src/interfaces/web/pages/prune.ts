import type { Context, Hono } from 'hono';
import { accountLabel, type AccountStatus, type AccountSummary } from '../../../core/accounts.ts';
import { InputError } from '../../../core/errors.ts';
import { DEFAULT_PRUNE_STATUSES, parsePruneStatuses, PRUNABLE_STATUSES, pruneAccounts, pruneCandidates, pruneCsv, pruneStamp } from '../../../engine/account-prune.ts';
import { storedReasonText } from '../../i18n/reasons.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { bdi, h, type Html } from './html.ts';
import { csrfField, layout, notice, pageCtx, type Notice, type PageCtx } from './layout.ts';

/**
 * Prune dead accounts, as `accounts prune` and the bot's Accounts menu do: the same statuses
 * (revoked and banned unless others are picked; never a working status), the same rule picks the
 * accounts, the same CSV records them, and the fleet's one removal path removes them, only after a
 * confirmation POST naming exactly the accounts shown. If the list changed meanwhile (one came
 * back, another died), nothing is removed and the list is shown again.
 */

type Statuses = { ok: true; statuses: AccountStatus[] } | { ok: false; text: string };

/** `status` values from a query or a form; none at all (a first visit) means the default. */
function statusesOf(p: PageCtx, given: readonly string[], picked: boolean): Statuses {
  if (given.length === 0) return picked ? { ok: false, text: p.t.pruneNeedStatus } : { ok: true, statuses: [...DEFAULT_PRUNE_STATUSES] };
  try {
    return { ok: true, statuses: parsePruneStatuses(given.join(',')) };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { ok: false, text: p.t.pruneBadStatus };
  }
}

function query(statuses: readonly AccountStatus[]): string {
  return statuses.map((s) => `status=${encodeURIComponent(s)}`).join('&');
}

function statusFields(statuses: readonly AccountStatus[]): Html {
  return h`${statuses.map((s) => h`<input type="hidden" name="status" value="${s}">`)}`;
}

function table(p: PageCtx, doomed: readonly AccountSummary[]): Html {
  const { t } = p;
  return h`<div class="table-wrap"><table class="prune"><thead><tr><th scope="col">${t.colAccount}</th><th scope="col">${t.colStatus}</th><th scope="col">${t.fieldReason}</th><th scope="col">${t.fieldSince}</th></tr></thead><tbody>${doomed.map((a) => {
    const why = storedReasonText(a.statusReasonCode, a.statusReason, p.lang);
    return h`<tr data-account="${a.id}"><td><a href="/accounts/${a.id}">${bdi(accountLabel(a))}</a></td><td><span class="badge status-${a.status}">${t.status(a.status)}</span></td><td>${why ? bdi(why) : ''}</td><td>${t.time(a.statusSince)}</td></tr>`;
  })}</tbody></table></div>`;
}

function listPage(p: PageCtx, deps: WebDeps, statuses: readonly AccountStatus[], n: Notice): Html {
  const { t } = p;
  const doomed = pruneCandidates(deps.app.accounts.list(deps.app.clock.now()), statuses);
  const picker = h`<form method="get" action="/accounts/prune" class="filters"><fieldset><legend>${t.pruneStatuses}</legend><input type="hidden" name="picked" value="1">${PRUNABLE_STATUSES.map(
    (s) => h`<label class="check"><input type="checkbox" name="status" value="${s}"${statuses.includes(s) ? ' checked' : ''}> ${t.status(s)}</label> `,
  )}</fieldset><button type="submit" class="btn">${t.pruneShow}</button></form>`;
  const found = doomed.length
    ? h`<p>${t.pruneCount(doomed.length)}</p>${table(p, doomed)}<p><a class="btn" href="/accounts/prune.csv?${query(statuses)}" download>${t.pruneCsv}</a></p>
<form method="post" action="/accounts/prune" class="inline">${csrfField(p)}${statusFields(statuses)}${doomed.map((a) => h`<input type="hidden" name="ids" value="${a.id}">`)}<button type="submit" class="btn btn-danger">${t.pruneStart(doomed.length)}</button></form>`
    : h`<p class="empty">${t.pruneNone}</p>`;
  return layout(p, 'accounts', t.pruneTitle, h`${notice(n)}<p>${t.pruneIntro}</p>${picker}${found}<p><a href="/accounts"><span class="back" aria-hidden="true">←</span> ${t.accountsTitle}</a></p>`);
}

function confirmPage(p: PageCtx, statuses: readonly AccountStatus[], doomed: readonly AccountSummary[]): Html {
  const { t } = p;
  return layout(
    p,
    'accounts',
    t.pruneTitle,
    h`<section class="card" role="alertdialog" aria-labelledby="prune-q"><p id="prune-q">${t.pruneConfirm(doomed.length)}</p>${table(p, doomed)}<p><a class="btn" href="/accounts/prune.csv?${query(statuses)}" download>${t.pruneCsv}</a></p><div class="actions-row"><form method="post" action="/accounts/prune" class="inline">${csrfField(p)}${statusFields(statuses)}${doomed.map((a) => h`<input type="hidden" name="ids" value="${a.id}">`)}<input type="hidden" name="confirm" value="yes"><button type="submit" class="btn btn-danger">${t.pruneYes(doomed.length)}</button></form> <a class="btn btn-quiet" href="/accounts/prune?${query(statuses)}">${t.cancel}</a></div></section>`,
  );
}

function all(v: string | File | (string | File)[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

export function mountPrune(app: Hono<WebEnv>, deps: WebDeps): void {
  const candidates = (statuses: readonly AccountStatus[]): AccountSummary[] => pruneCandidates(deps.app.accounts.list(deps.app.clock.now()), statuses);
  const fromQuery = (c: Context<WebEnv>, p: PageCtx): Statuses => statusesOf(p, c.req.queries('status') ?? [], c.req.query('picked') === '1');

  app.get('/accounts/prune', (c) => {
    const p = pageCtx(c);
    const s = fromQuery(c, p);
    if (!s.ok) return c.html(listPage(p, deps, DEFAULT_PRUNE_STATUSES, { kind: 'error', text: s.text }).value, 400);
    return c.html(listPage(p, deps, s.statuses, null).value);
  });

  // The same record `accounts prune` writes and the bot sends: phones and why each is dead.
  app.get('/accounts/prune.csv', (c) => {
    const p = pageCtx(c);
    const s = fromQuery(c, p);
    if (!s.ok) return c.html(listPage(p, deps, DEFAULT_PRUNE_STATUSES, { kind: 'error', text: s.text }).value, 400);
    return c.body(pruneCsv(candidates(s.statuses)), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="pruned-accounts-${pruneStamp(deps.app.clock.now())}.csv"`,
      'Cache-Control': 'no-store',
    });
  });

  app.post('/accounts/prune', async (c) => {
    const p = pageCtx(c);
    const f = await c.req.parseBody({ all: true });
    const s = statusesOf(p, all(f.status), true);
    if (!s.ok) return c.html(listPage(p, deps, DEFAULT_PRUNE_STATUSES, { kind: 'error', text: s.text }).value, 400);
    const shown = all(f.ids).map(Number);
    const doomed = candidates(s.statuses);
    // Exactly the accounts shown, or nothing: one that came back is not removed, one newly dead is not removed unseen.
    if (shown.length !== doomed.length || doomed.some((a) => !shown.includes(a.id))) {
      return c.html(listPage(p, deps, s.statuses, { kind: 'error', text: p.t.pruneChanged }).value, 409);
    }
    if (all(f.confirm)[0] !== 'yes') return c.html(confirmPage(p, s.statuses, doomed).value);
    const record = pruneCsv(doomed);
    const removed = await pruneAccounts(deps.app.fleet, doomed.map((a) => a.id));
    deps.log.info({ removed }, `web: pruned ${removed.length} accounts`);
    return c.html(
      layout(p, 'accounts', p.t.pruneTitle, h`${notice({ kind: 'ok', text: p.t.pruned(removed.length) })}<p>${p.t.pruneRecord}</p><pre class="record" dir="ltr">${record}</pre><p><a class="btn" href="/accounts">${p.t.accountsTitle}</a></p>`).value,
    );
  });
}
