import type { Hono } from 'hono';
import { ACTION_KINDS, type ActionKind } from '../../../core/actions.ts';
import { accountLabel } from '../../../core/accounts.ts';
import { InputError } from '../../../core/errors.ts';
import { refusalText, storedReasonText } from '../../i18n/reasons.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { actionFromForm, isActionKind } from './action-form.ts';
import { bdi, h, type Html } from './html.ts';
import { csrfField, layout, notice, pageCtx, postButton, type Notice, type PageCtx } from './layout.ts';
import type { LiveRuns, RunView } from './live-runs.ts';
import type { OperationResult, OperationSelection } from '../../../store/operations.ts';
import type { PoolAccount } from '../../../engine/ports.ts';
import { hasTag, pickable, RESERVE_TAG } from '../../../core/tags.ts';

const NEEDS: Record<ActionKind, ReadonlyArray<'emoji' | 'options' | 'text'>> = {
  reaction: ['emoji'],
  vote: ['options'],
  join: [],
  leave: [],
  block: [],
  pm: ['text'],
  comment: ['text'],
};

function resultCell(p: PageCtx, r: OperationResult): Html {
  const { t } = p;
  if (r.status === 'failed') return h`<span class="outcome outcome-failed">${t.outcome('failed')}</span>`;
  return h`<span class="outcome outcome-${r.status}">${t.outcome(r.status)}</span>`;
}

function resultsTable(p: PageCtx, deps: WebDeps, results: readonly OperationResult[]): Html {
  const { t } = p;
  if (results.length === 0) return h``;
  const now = deps.app.clock.now();
  const label = (id: number): string => {
    const a = deps.app.accounts.get(id, now);
    return a ? accountLabel(a) : `#${id}`;
  };
  return h`<div class="table-wrap"><table class="results"><thead><tr><th scope="col">${t.colAccount}</th><th scope="col">${t.colResult}</th><th scope="col">${t.colDetail}</th></tr></thead><tbody>${results.map(
    (r) => h`<tr data-account="${r.accountId}"><td>${bdi(label(r.accountId))}</td><td>${resultCell(p, r)}</td><td>${r.status === 'failed' ? bdi(`${r.failure.kind}: ${r.failure.code}`) : r.detail ? bdi(r.detail) : ''}</td></tr>`,
  )}</tbody></table></div>`;
}

/** The live part of an operation's page, also served alone for the page's script to swap in. */
export function progressBlock(p: PageCtx, run: RunView): Html {
  const { t } = p;
  const state = run.finished ? run.finished.status : 'running';
  return h`<div class="progress" data-operation="${run.operationId}" data-state="${state}"><progress max="${run.planned}" value="${run.settled}"></progress> <span class="progress-text">${t.progressOf(run.settled, run.planned)}</span> <span class="badge">${t.opStatus(state)}</span></div>`;
}

function operationBody(p: PageCtx, deps: WebDeps, live: LiveRuns, id: number): Html | null {
  const { t } = p;
  const run = live.get(id);
  const record = deps.app.operationStore.get(id);
  if (!run && !record) return null;
  const view: RunView = run ?? {
    operationId: id,
    kind: record!.kind,
    planned: record!.planned,
    settled: record!.status === 'running' ? record!.results.length : record!.planned,
    results: record!.results,
    finished: record!.status === 'running' ? null : { status: record!.status, summary: record!.summary, stopReason: record!.stopReason, stopReasonCode: record!.stopReasonCode ?? null },
  };
  // The stored record is the truth once the run is over (replacements settled, reasons written).
  const results = record && record.status !== 'running' ? record.results : view.results;
  const summary = view.finished?.summary ?? record?.summary;
  const stop = !view.finished && run ? postButton(p, `/operations/${id}/stop`, t.stop, { cls: 'btn btn-danger' }) : h``;
  return h`<div id="live" data-live-src="/operations/${id}/live" data-done="${view.finished ? '1' : '0'}" data-topics="operation">
${progressBlock(p, view)}
${stop}
${view.finished && summary ? h`<p class="summary">${t.summaryLine(summary.done, summary.already, summary.requested, summary.failed)}</p>` : ''}
${view.finished?.stopReason ? h`<p class="reason">${bdi(storedReasonText(view.finished.stopReasonCode, view.finished.stopReason, p.lang)!)}</p>` : ''}
${resultsTable(p, deps, results)}
</div>`;
}

/** What the form sent: its text fields, and the accounts ticked by name. */
type FormValues = Record<string, string> & { ids?: number[] };

/** "N accounts" (never a reserve one), or accounts ticked by name among those usable now (reserve ones marked). */
function accountPicker(p: PageCtx, usableAccounts: readonly PoolAccount[], values: FormValues): Html {
  const { t } = p;
  const usable = pickable(usableAccounts).length;
  const named = values.pick === 'named';
  const ticked = new Set(values.ids ?? []);
  return h`<fieldset class="stack pick"><legend>${t.fieldAccounts} <small>(${t.usableNow(usable)})</small></legend>
<label class="row"><input type="radio" name="pick" value="count"${named ? '' : ' checked'}> ${t.pickCount} <input name="accounts" type="number" min="1" max="${Math.max(1, usable)}" value="${values.accounts ?? String(Math.min(Math.max(usable, 1), 3))}" class="short" aria-label="${t.fieldAccounts}"></label>
<label class="row"><input type="radio" name="pick" value="named"${named ? ' checked' : ''}> ${t.pickNamed}</label>
${usableAccounts.length
    ? h`<ul class="plain cols pick-accounts">${[...usableAccounts].sort((x, y) => x.id - y.id).map(
        (a) => h`<li><label><input type="checkbox" name="ids" value="${a.id}"${ticked.has(a.id) ? ' checked' : ''}> ${bdi(accountLabel(a))}${hasTag(a, RESERVE_TAG) ? h` <span class="badge">${t.reserveMark}</span>` : ''}</label></li>`,
      )}</ul>`
    : h`<p class="empty">${t.noUsable}</p>`}
</fieldset>`;
}

function actionForm(p: PageCtx, deps: WebDeps, kind: ActionKind, values: FormValues): Html {
  const { t } = p;
  const usableAccounts = deps.app.operations.usable(kind).usable;
  const needs = NEEDS[kind];
  return h`<form method="post" action="/actions/${kind}" class="stack action-form" data-kind="${kind}">
${csrfField(p)}
<label>${t.fieldTarget}<input name="target" required autocomplete="off" spellcheck="false" dir="ltr" value="${values.target ?? ''}" placeholder="${t.targetHelp(kind)}" data-link-check></label>
<output class="link-reading" aria-live="polite"></output>
${needs.includes('emoji') ? h`<label>${t.fieldEmoji}<input name="emoji" required value="${values.emoji ?? '👍'}" class="short"></label>` : ''}
${needs.includes('options') ? h`<label>${t.fieldOptions}<input name="options" required inputmode="numeric" value="${values.options ?? ''}" class="short" dir="ltr"></label>` : ''}
${needs.includes('text') ? h`<label>${t.fieldText}<textarea name="text" required rows="4" maxlength="4096">${values.text ?? ''}</textarea></label>` : ''}
${accountPicker(p, usableAccounts, values)}
<button type="submit" class="btn btn-primary">${t.run}</button>
</form>`;
}

function actionsPage(p: PageCtx, deps: WebDeps, kind: ActionKind, values: FormValues, n: Notice): Html {
  const { t } = p;
  const tabs = h`<nav class="tabs" aria-label="${t.actionsTitle}"><ul>${ACTION_KINDS.map(
    (k) => h`<li><a href="/actions?kind=${k}"${k === kind ? h` aria-current="page"` : ''}>${t.kindName(k)}</a></li>`,
  )}</ul></nav>`;
  const recent = deps.app.operationStore.list({ limit: 10 });
  const history = h`<section aria-labelledby="hist-h"><h2 id="hist-h">${t.historyTitle}</h2>${recent.length ? historyTable(p, recent) : h`<p class="empty">${t.noOperations}</p>`}<p><a href="/operations">${t.historyTitle} →</a></p></section>`;
  return layout(p, 'actions', t.actionsTitle, h`${tabs}${notice(n)}<section class="card"><h2>${t.kindName(kind)}</h2>${actionForm(p, deps, kind, values)}</section>${history}`);
}

function historyTable(p: PageCtx, ops: ReturnType<WebDeps['app']['operationStore']['list']>): Html {
  const { t } = p;
  return h`<div class="table-wrap"><table><thead><tr><th scope="col">#</th><th scope="col">${t.colKind}</th><th scope="col">${t.colStatus}</th><th scope="col">${t.colResult}</th><th scope="col">${t.colWhen}</th></tr></thead><tbody>${ops.map(
    (o) => h`<tr><td><a href="/operations/${o.id}">${t.n(o.id)}</a></td><td>${t.kindName(o.kind)}</td><td>${t.opStatus(o.status)}</td><td>${t.summaryLine(o.summary.done, o.summary.already, o.summary.requested, o.summary.failed)}</td><td>${t.time(o.startedAt)}</td></tr>`,
  )}</tbody></table></div>`;
}

export function mountOperations(app: Hono<WebEnv>, deps: WebDeps, live: LiveRuns): void {
  app.get('/actions', (c) => {
    const k = c.req.query('kind') ?? 'reaction';
    const kind = isActionKind(k) ? k : 'reaction';
    return c.html(actionsPage(pageCtx(c), deps, kind, {}, null).value);
  });

  app.post('/actions/:kind', async (c) => {
    const p = pageCtx(c);
    const k = c.req.param('kind');
    if (!isActionKind(k)) return c.notFound();
    const form = await c.req.parseBody({ all: true });
    const values: FormValues = {};
    for (const key of ['target', 'emoji', 'options', 'text', 'accounts', 'pick']) if (typeof form[key] === 'string') values[key] = form[key];
    const rawIds = form.ids === undefined ? [] : Array.isArray(form.ids) ? form.ids : [form.ids];
    values.ids = [...new Set(rawIds.filter((x): x is string => typeof x === 'string' && /^\d{1,9}$/.test(x)).map(Number))];
    // Ticked accounts without a choice of mode are meant by name.
    if (values.pick === undefined && values.ids.length > 0) values.pick = 'named';
    try {
      const spec = actionFromForm(k, { target: values.target ?? '', emoji: values.emoji, options: values.options, text: values.text });
      const selection: OperationSelection = values.pick === 'named' ? { accountIds: values.ids } : { accounts: Number(values.accounts) };
      const id = await live.start(deps.app.operations, spec, selection, `web:${p.web.session?.id ?? 'token'}`);
      return c.redirect(`/operations/${id}`, 303);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return c.html(actionsPage(p, deps, k, values, { kind: 'error', text: p.t.refused(refusalText(e, p.lang) ?? e.message) }).value, 400);
    }
  });

  app.get('/operations', (c) => {
    const p = pageCtx(c);
    const ops = deps.app.operationStore.list({ limit: 100 });
    return c.html(layout(p, 'actions', p.t.historyTitle, ops.length ? historyTable(p, ops) : h`<p class="empty">${p.t.noOperations}</p>`).value);
  });

  app.get('/operations/:id{[0-9]+}', (c) => {
    const p = pageCtx(c);
    const id = Number(c.req.param('id'));
    const body = operationBody(p, deps, live, id);
    if (!body) return c.notFound();
    const record = deps.app.operationStore.get(id);
    const kind = live.get(id)?.kind ?? record!.kind;
    return c.html(layout(p, 'actions', `${p.t.operationTitle(id)} · ${p.t.kindName(kind)}`, body).value);
  });

  app.get('/operations/:id{[0-9]+}/live', (c) => {
    const body = operationBody(pageCtx(c), deps, live, Number(c.req.param('id')));
    if (!body) return c.notFound();
    c.header('Cache-Control', 'no-store');
    return c.html(body.value);
  });

  app.post('/operations/:id{[0-9]+}/stop', (c) => {
    const id = Number(c.req.param('id'));
    live.stop(id);
    return c.redirect(`/operations/${id}`, 303);
  });
}
