import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import { UNCERTAIN_DECISIONS, type CampaignState, type UncertainDecision } from '../../../core/campaigns.ts';
import { InputError, PanelError } from '../../../core/errors.ts';
import { refusalText, storedReasonText } from '../../i18n/reasons.ts';
import { parseTargets } from '../../../core/targets.ts';
import { campaignExport, exportFileName, isExportFormat } from '../../../engine/campaign-export.ts';
import type { CampaignAccountSummary, CampaignStatus } from '../../../engine/campaigns.ts';
import type { WebRuns } from '../api/runs.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { campaignChart } from './campaign-chart.ts';
import { CampaignLiveStates, type CampaignLiveState } from './campaign-live-state.ts';
import { bdi, h, isolate, type Html } from './html.ts';
import { csrfField, layout, notice, pageCtx, postButton, type Notice, type PageCtx } from './layout.ts';

/** The largest uploaded list of targets read (the bot's limit for a .txt file). */
const MAX_TARGETS_FILE = 5 * 1024 * 1024;

const href = (name: string): string => `/campaigns/${encodeURIComponent(name)}`;

function stateBadge(p: PageCtx, s: CampaignState): Html {
  return h`<span class="badge campaign-${s}">${p.t.campaignState(s)}</span>`;
}

type Draft = { name: string; message: string; targets: string };

function createForm(p: PageCtx, d: Draft, preview: Html): Html {
  const { t } = p;
  return h`<form method="post" action="/campaigns" enctype="multipart/form-data" class="stack">
${csrfField(p)}
<label>${t.fieldCampaignName}<input name="name" required maxlength="64" value="${d.name}"></label>
<label>${t.fieldMessage}<textarea name="message" required rows="4" maxlength="4096">${d.message}</textarea></label>
<label>${t.fieldTargets}<textarea name="targets" rows="6" dir="ltr" spellcheck="false">${d.targets}</textarea></label>
<label>${t.fieldTargetsFile}<input type="file" name="file" accept=".txt,.csv,text/plain"></label>
${preview}
<div class="actions-row"><button class="btn" type="submit" name="do" value="count">${t.checkTargets}</button><button class="btn btn-primary" type="submit" name="do" value="create">${t.create}</button></div>
</form>`;
}

function listPage(p: PageCtx, deps: WebDeps, d: Draft, preview: Html, n: Notice): Html {
  const { t } = p;
  const list = deps.app.campaigns.list();
  const table = list.length
    ? h`<div class="table-wrap"><table><thead><tr><th scope="col">${t.fieldCampaignName}</th><th scope="col">${t.colStatus}</th><th scope="col">${t.colProgress}</th><th scope="col">${t.colWhen}</th></tr></thead><tbody>${list.map((c) => {
        const settled = c.total - c.counts.pending - c.counts.claimed;
        return h`<tr><td><a href="${href(c.name)}">${bdi(c.name)}</a></td><td>${stateBadge(p, c.state)}</td><td><progress max="${Math.max(1, c.total)}" value="${settled}"></progress> ${t.progressOf(settled, c.total)}</td><td>${t.time(c.createdAt)}</td></tr>`;
      })}</tbody></table></div>`
    : h`<p class="empty">${t.noCampaigns}</p>`;
  return layout(p, 'campaigns', t.campaignsTitle, h`${notice(n)}${table}<section class="card"><h2>${t.newCampaign}</h2>${createForm(p, d, preview)}</section>`);
}

/** What the account cannot do now and for how long, in the page's language. */
function waitCell(p: PageCtx, a: CampaignAccountSummary, now: number): Html | string {
  if (!a.wait) return '';
  const left = a.wait.until === null ? null : p.t.timeLeft(a.wait.until - now);
  return h`<span class="badge status-${a.wait.kind}">${a.wait.kind === 'peer_flood' ? p.t.waitPeerFlood(left) : p.t.waitFlood(left ?? '?')}</span>`;
}

/**
 * Renderings of the chart and the per-account table by language, kept with the per-account detail
 * they show: while a campaign runs that detail is shared for a while (CampaignLiveStates), and so
 * is its rendering (hundreds of rows), its waits' time left included.
 */
const renderedDetails = new WeakMap<readonly CampaignAccountSummary[], Map<string, RenderedDetail>>();

/**
 * The chart and table with a version of their text: a page that shows that version already is
 * not sent them again (they are most of the live part: about 88 KB with 500 accounts).
 */
interface RenderedDetail {
  html: Html;
  version: string;
}

function campaignDetail(p: PageCtx, deps: WebDeps, { status: s, timeline }: CampaignLiveState): RenderedDetail {
  let byLang = renderedDetails.get(s.accounts);
  const kept = byLang?.get(p.lang);
  if (kept) return kept;
  const { t } = p;
  const now = deps.app.clock.now();
  const labels = new Map(s.accounts.map((a) => [a.accountId, `#${a.accountId} ${a.phone ?? ''} ${a.username ? '@' + a.username : ''}`.trim()]));
  const chart = campaignChart(p, timeline, (id) => labels.get(id) ?? `#${id}`);
  const html = h`${chart}
${s.accounts.length ? h`<div class="table-wrap"><table class="campaign-accounts"><thead><tr><th scope="col">${t.colAccount}</th><th scope="col">${t.colSent}</th><th scope="col">${t.colFailed}</th><th scope="col">${t.colCampaignCap}</th><th scope="col">${t.colToday}</th><th scope="col">${t.colLeft}</th><th scope="col">${t.colWait}</th></tr></thead><tbody>${s.accounts.map(
    (a) => h`<tr data-account="${a.accountId}"><td>${bdi(labels.get(a.accountId)!)}</td><td>${t.n(a.sent)}</td><td>${t.n(a.failed + a.notFound + a.privacyRestricted)}</td><td>${t.progressOf(a.usedInCampaign, s.settings.perAccountCap)}</td><td>${t.progressOf(a.usedToday, s.settings.dailyCap)}</td><td>${t.n(a.remainingCap)}</td><td>${waitCell(p, a, now)}</td></tr>`,
  )}</tbody></table></div>` : ''}`;
  const rendered = { html, version: createHash('sha1').update(html.value).digest('base64url').slice(0, 16) };
  if (!byLang) renderedDetails.set(s.accounts, (byLang = new Map<string, RenderedDetail>()));
  byLang.set(p.lang, rendered);
  return rendered;
}

/**
 * The live part of a campaign's page; the page's script swaps it in while the campaign runs. With
 * `shownDetail`, the version of the chart and table the page shows: if they are still that, an
 * empty `data-same` element stands for them and the script keeps its own.
 */
function campaignLive(p: PageCtx, deps: WebDeps, live: CampaignLiveState, shownDetail?: string): Html {
  const { t } = p;
  const s = live.status;
  const total = Object.values(s.counts).reduce((a, b) => a + b, 0);
  const settled = total - s.counts.pending - s.counts.claimed;
  const counts = (Object.entries(s.counts) as Array<[keyof CampaignStatus['counts'], number]>).filter(([, v]) => v > 0);
  return h`<div id="live" data-live-src="${href(s.name)}/live" data-done="${s.state === 'running' ? '0' : '1'}" data-campaign="${s.name}" data-topics="campaign">
<p>${stateBadge(p, s.state)} <progress class="wide" max="${Math.max(1, total)}" value="${settled}"></progress> <span class="progress-text">${t.progressOf(settled, total)}</span></p>
${s.state === 'paused' && s.reason ? h`<p class="reason">${t.pausedBecause(storedReasonText(s.reasonCode, s.reason, p.lang)!)}</p>` : ''}
<ul class="chips">${counts.map(([k, v]) => h`<li class="chip target-${k}">${t.targetState(k)}: ${t.n(v)}</li>`)}</ul>
${detailPart(campaignDetail(p, deps, live), shownDetail)}
</div>`;
}

function detailPart(d: RenderedDetail, shown: string | undefined): Html {
  return shown === d.version
    ? h`<div class="live-detail" data-version="${d.version}" data-same="1"></div>`
    : h`<div class="live-detail" data-version="${d.version}">${d.html}</div>`;
}

function campaignPage(p: PageCtx, deps: WebDeps, live: CampaignLiveState, n: Notice): Html {
  const { t } = p;
  const s = live.status;
  const base = href(s.name);
  const controls = [
    s.state === 'ready' || s.state === 'done' ? postButton(p, `${base}/run`, t.runCampaign, { cls: 'btn btn-primary' }) : '',
    s.state === 'running' ? postButton(p, `${base}/pause`, t.pauseCampaign) : '',
    s.state === 'paused' ? postButton(p, `${base}/resume`, t.resumeCampaign, { cls: 'btn btn-primary' }) : '',
    s.state !== 'cancelled' && s.state !== 'done' ? postButton(p, `${base}/cancel`, t.cancelCampaign, { cls: 'btn btn-danger', confirm: t.cancelCampaign }) : '',
  ];
  const settle = s.counts.uncertain
    ? h`<section class="card"><h2>${t.settleTitle(s.counts.uncertain)}</h2><div class="actions-row">${UNCERTAIN_DECISIONS.map((d) => postButton(p, `${base}/settle`, t[`settle_${d}`], { fields: { decision: d } }))}</div></section>`
    : '';
  return layout(
    p,
    'campaigns',
    t.campaignTitle(isolate(s.name)),
    h`${notice(n)}${campaignLive(p, deps, live)}<div class="actions-row">${controls}<a class="btn btn-quiet" href="${base}/export.csv">${t.exportCsv}</a><a class="btn btn-quiet" href="${base}/export.json">${t.exportJson}</a></div>${settle}`,
  );
}

export function mountCampaigns(app: Hono<WebEnv>, deps: WebDeps, runs: WebRuns): void {
  const campaigns = deps.app.campaigns;
  const status = (name: string): CampaignStatus | undefined => {
    try {
      return campaigns.status(name);
    } catch (e) {
      if (e instanceof InputError) return undefined;
      throw e;
    }
  };
  const lives = new CampaignLiveStates(campaigns, undefined, undefined, (name) => deps.events.recentProgress(name));
  const live = (name: string): CampaignLiveState | undefined => {
    try {
      return lives.read(name);
    } catch (e) {
      if (e instanceof InputError) return undefined;
      throw e;
    }
  };
  app.get('/campaigns', (c) => c.html(listPage(pageCtx(c), deps, { name: '', message: '', targets: '' }, h``, null).value));

  app.post('/campaigns', async (c) => {
    const p = pageCtx(c);
    const f = await c.req.parseBody();
    const str = (k: string): string => (typeof f[k] === 'string' ? f[k] : '');
    let targets = str('targets');
    const file = f.file;
    if (file instanceof File && file.size > 0) {
      if (file.size > MAX_TARGETS_FILE) return c.html(listPage(p, deps, { name: str('name'), message: str('message'), targets }, h``, { kind: 'error', text: p.t.refused('5 MB') }).value, 400);
      targets = `${targets}\n${await file.text()}`.trim();
    }
    const draft = { name: str('name'), message: str('message'), targets };
    const parsed = parseTargets(targets);
    const history = campaigns.targetHistory(parsed.usernames);
    const preview = h`<p class="figure" data-counts>${p.t.targetsCount(parsed.usernames.length, parsed.invalid.count, parsed.duplicates, history.contacted)}</p>${
      parsed.invalid.examples.length ? h`<ul class="plain invalid">${parsed.invalid.examples.map((x) => h`<li>${bdi(x.input)}: ${x.problem}</li>`)}</ul>` : ''
    }`;
    if (str('do') !== 'create') return c.html(listPage(p, deps, draft, preview, null).value);
    try {
      const r = campaigns.create({ name: draft.name, message: draft.message, targets });
      return c.redirect(href(r.campaign.name), 303);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return c.html(listPage(p, deps, draft, preview, { kind: 'error', text: p.t.refused(refusalText(e, p.lang) ?? e.message) }).value, 400);
    }
  });

  app.get('/campaigns/:name', (c) => {
    const s = live(c.req.param('name'));
    return s ? c.html(campaignPage(pageCtx(c), deps, s, null).value) : c.notFound();
  });

  app.get('/campaigns/:name/live', (c) => {
    const s = live(c.req.param('name'));
    c.header('Cache-Control', 'no-store');
    return s ? c.html(campaignLive(pageCtx(c), deps, s, c.req.query('detail')).value) : c.notFound();
  });

  app.get('/campaigns/:name/export.:format{csv|json}', (c) => {
    const name = c.req.param('name');
    const format = c.req.param('format') ?? '';
    if (!status(name) || !isExportFormat(format)) return c.notFound();
    const { text } = campaignExport(campaigns.exportRows(name), format);
    c.header('Content-Disposition', `attachment; filename="${exportFileName(name, format).replace(/[^\w.-]/g, '_')}"`);
    return c.body(text, 200, { 'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8' });
  });

  app.post('/campaigns/:name/:op{run|pause|resume|cancel|settle}', async (c) => {
    const p = pageCtx(c);
    const name = c.req.param('name');
    if (!status(name)) return c.notFound();
    let n: Notice = { kind: 'ok', text: p.t.done };
    try {
      switch (c.req.param('op')) {
        case 'run':
          await runs.startCampaign(deps, name);
          break;
        case 'pause':
          campaigns.pause(name);
          runs.stopCampaign(name);
          break;
        case 'resume':
          campaigns.resume(name);
          await runs.startCampaign(deps, name);
          break;
        case 'cancel':
          campaigns.cancel(name);
          runs.stopCampaign(name);
          break;
        default: {
          const d = (await c.req.parseBody()).decision;
          if (typeof d !== 'string' || !(UNCERTAIN_DECISIONS as readonly string[]).includes(d)) return c.text('bad decision', 400);
          campaigns.settle(name, d as UncertainDecision);
        }
      }
    } catch (e) {
      if (!(e instanceof InputError || e instanceof PanelError)) throw e;
      n = { kind: 'error', text: p.t.refused(refusalText(e, p.lang) ?? e.message) };
    }
    return c.html(campaignPage(p, deps, live(name)!, n).value);
  });
}
