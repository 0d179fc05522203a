import type { Hono } from 'hono';
import { formatPacingValue, isPacingField, isPacingRange, PACING_FIELDS, PACING_INT_BOUNDS, parsePacingValue, type PacingField } from '../../../core/pacing-input.ts';
import { InputError } from '../../../core/errors.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { bdi, h, type Html } from './html.ts';
import { csrfField, layout, notice, pageCtx, postButton, type Notice, type PageCtx } from './layout.ts';
import { refusedNotice } from './account-care.ts';

/**
 * Settings: the page's language (this browser's cookie) and the pacing in force, the same
 * overrides the bot's Settings menu writes through `app.pacing`, parsed by the same core rules.
 * Schedules: the list with their next and last runs, and removing one (they are added from the CLI).
 */

function settingsPage(p: PageCtx, deps: WebDeps, n: Notice): Html {
  const { t } = p;
  const now = deps.app.pacing.current();
  const overrides = deps.app.pacing.overrides();
  const lang = h`<section class="card" aria-labelledby="lang-h"><h2 id="lang-h">${t.languageTitle}</h2>
<form method="post" action="/lang" class="row">${csrfField(p)}<input type="hidden" name="to" value="/settings"><select name="lang" aria-label="${t.languageTitle}"><option value="en"${p.lang === 'en' ? ' selected' : ''} lang="en">English</option><option value="fa"${p.lang === 'fa' ? ' selected' : ''} lang="fa">فارسی</option></select><button class="btn" type="submit">${t.pacingSave}</button></form>
<p><small>${t.languageNote}</small></p></section>`;
  const help = (f: PacingField): string => (isPacingRange(f) ? t.pacingRangeHelp : t.pacingIntHelp(...PACING_INT_BOUNDS[f]));
  const rows = PACING_FIELDS.map(
    (f) =>
      h`<form method="post" action="/settings/pacing" class="row pacing-row">${csrfField(p)}<input type="hidden" name="field" value="${f}"><label>${t.pacingName(f)} <small>(${help(f)} · ${overrides[f] !== undefined ? t.pacingChanged : t.pacingFromConfig})</small><input name="value" required class="short" dir="ltr" inputmode="decimal" value="${formatPacingValue(f, now)}" data-field="${f}"></label><button class="btn" type="submit">${t.pacingSave}</button></form>`,
  );
  const pacing = h`<section class="card" aria-labelledby="pace-h"><h2 id="pace-h">${t.pacingTitle}</h2><p><small>${t.pacingNote}</small></p>${rows}${Object.keys(overrides).length ? postButton(p, '/settings/pacing/reset', t.pacingReset, { cls: 'btn btn-quiet' }) : ''}</section>`;
  const access = h`<section class="card" aria-labelledby="access-h"><h2 id="access-h">${t.accessTitle}</h2><p><small>${t.accessNote}</small></p><p><a class="btn" href="/settings/access">${t.accessTitle}</a></p></section>`;
  return layout(p, 'settings', t.settingsTitle, h`${notice(n)}<div class="grid">${lang}${pacing}${access}</div>`);
}

function schedulesPage(p: PageCtx, deps: WebDeps, n: Notice): Html {
  const { t } = p;
  const all = deps.app.schedules.list();
  const table = all.length
    ? h`<div class="table-wrap"><table class="schedules"><thead><tr><th scope="col">#</th><th scope="col">${t.colWhen}</th><th scope="col">${t.colCommand}</th><th scope="col">${t.colState}</th><th scope="col">${t.colNextRun}</th><th scope="col">${t.colLastRun}</th><th scope="col"></th></tr></thead><tbody>${all.map(
        (s) =>
          h`<tr data-schedule="${s.id}"><td>${t.n(s.id)}</td><td>${bdi(`${s.when} (${s.tz})`)}</td><td><code dir="ltr">${s.command}</code></td><td>${t.scheduleState(s.state)}</td><td>${s.nextRunAt === null ? '' : t.time(s.nextRunAt)}</td><td>${s.lastRun ? h`${t.scheduleRun(s.lastRun.status)} ${t.time(s.lastRun.startedAt)}${s.lastRun.operationId !== null ? h` <a href="/operations/${s.lastRun.operationId}">#${s.lastRun.operationId}</a>` : ''}` : ''}</td><td>${postButton(p, '/schedules/remove', t.remove, { fields: { id: String(s.id) }, cls: 'btn btn-quiet btn-small', confirm: t.removeScheduleConfirm(s.id) })}</td></tr>`,
      )}</tbody></table></div>`
    : h`<p class="empty">${t.noSchedules}</p>`;
  return layout(p, 'schedules', t.schedulesTitle, h`${notice(n)}${table}`);
}

export function mountSettings(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/settings', (c) => c.html(settingsPage(pageCtx(c), deps, null).value));

  app.post('/settings/pacing', async (c) => {
    const p = pageCtx(c);
    const f = await c.req.parseBody();
    const field = typeof f.field === 'string' ? f.field : undefined;
    if (!isPacingField(field)) return c.html(settingsPage(p, deps, { kind: 'error', text: p.t.pacingBadRange }).value, 400);
    const parsed = parsePacingValue(field, typeof f.value === 'string' ? f.value : '');
    if (!parsed.ok) {
      const text = parsed.problem === 'range' ? p.t.pacingBadRange : p.t.pacingBadInt(parsed.lo ?? 1, parsed.hi ?? 1);
      return c.html(settingsPage(p, deps, { kind: 'error', text }).value, 400);
    }
    deps.app.pacing.set(field, parsed.value, deps.app.clock.now());
    return c.html(settingsPage(p, deps, { kind: 'ok', text: p.t.saved }).value);
  });

  app.post('/settings/pacing/reset', (c) => {
    const p = pageCtx(c);
    deps.app.pacing.reset(deps.app.clock.now());
    return c.html(settingsPage(p, deps, { kind: 'ok', text: p.t.saved }).value);
  });

  app.get('/schedules', (c) => c.html(schedulesPage(pageCtx(c), deps, null).value));

  app.post('/schedules/remove', async (c) => {
    const p = pageCtx(c);
    const f = await c.req.parseBody();
    const id = typeof f.id === 'string' && /^\d+$/.test(f.id) ? Number(f.id) : -1;
    let n: Notice;
    try {
      deps.app.schedules.remove(id);
      n = { kind: 'ok', text: p.t.scheduleRemoved(id) };
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      n = refusedNotice(p, e);
    }
    return c.html(schedulesPage(p, deps, n).value, n?.kind === 'error' ? 400 : 200);
  });
}
