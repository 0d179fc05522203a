import type { Hono } from 'hono';
import { InputError } from '../../../core/errors.ts';
import { refusalText } from '../../i18n/reasons.ts';
import { cutGraphemes, forwardBody } from '../../../core/forward-format.ts';
import { KEYWORD_MODES, type KeywordMode } from '../../../core/keywords.ts';
import type { WebDeps, WebEnv } from '../context.ts';
import { bdi, h, type Html } from './html.ts';
import { csrfField, layout, notice, pageCtx, postButton, type Notice, type PageCtx } from './layout.ts';

function feed(p: PageCtx, deps: WebDeps): Html {
  const { t } = p;
  const rows = deps.app.monitorService.outbox(30).sort((a, b) => b.id - a.id);
  return h`<div id="live" data-live-src="/monitor/feed" data-done="0" data-topics="hit">${
    rows.length
      ? h`<div class="table-wrap"><table class="feed"><thead><tr><th scope="col">${t.colWhen}</th><th scope="col">${t.targetsTitle}</th><th scope="col">${t.keywordsTitle}</th><th scope="col">${t.colText}</th><th scope="col">${t.outboxTitle}</th></tr></thead><tbody>${rows.map(
          (o) => h`<tr><td>${t.time(o.createdAt)}</td><td>${bdi(o.chatTitle)}</td><td>${o.keywords.map((k) => bdi(k))}</td><td class="clip">${cutGraphemes(forwardBody(o.payload), 200)}</td><td>${o.state}${o.held ? ' ⚠' : ''}${o.state === 'pending' ? h` ${postButton(p, '/monitor/retry', t.retryOne, { fields: { id: String(o.id) }, cls: 'btn btn-quiet btn-small' })}` : ''}</td></tr>`,
        )}</tbody></table></div>`
      : h`<p class="empty">${t.noHits}</p>`
  }</div>`;
}

function testResult(p: PageCtx, deps: WebDeps, text: string): Html {
  if (!text.trim()) return h``;
  const hits = deps.app.monitorService.testText(text);
  return hits.length ? h`<p>${p.t.testMatches}: ${hits.map((k) => h`<mark>${bdi(k.pattern)}</mark> `)}</p>` : h`<p class="empty">${p.t.testNone}</p>`;
}

function monitorPage(p: PageCtx, deps: WebDeps, n: Notice, testText = ''): Html {
  const { t } = p;
  const m = deps.app.monitorService;
  const status = m.status();
  const keywords = m.keywords();
  const kw = h`<section class="card" aria-labelledby="kw-h"><h2 id="kw-h">${t.keywordsTitle}</h2>
${keywords.length ? h`<ul class="plain keywords">${keywords.map((k) => h`<li><bdi>${k.pattern}</bdi> <small>${t.keywordMode(k.mode)}</small> ${postButton(p, '/monitor/keywords/remove', t.remove, { fields: { id: String(k.id) }, cls: 'btn btn-quiet btn-small' })}</li>`)}</ul>` : h`<p class="empty">${t.noKeywords}</p>`}
<form method="post" action="/monitor/keywords" class="row">${csrfField(p)}<input name="pattern" required aria-label="${t.keywordsTitle}"><select name="mode" aria-label="${t.keywordModeLabel}">${KEYWORD_MODES.map((md) => h`<option value="${md}">${t.keywordMode(md)}</option>`)}</select><button class="btn btn-primary" type="submit">${t.addKeyword}</button></form>
</section>`;
  const test = h`<section class="card" aria-labelledby="test-h"><h2 id="test-h">${t.testBox}</h2><form method="get" action="/monitor" class="stack" data-keyword-test><textarea name="test" rows="3" placeholder="${t.testPlaceholder}">${testText}</textarea><button class="btn" type="submit">${t.testBox}</button><output aria-live="polite" class="test-result">${testResult(p, deps, testText)}</output></form></section>`;
  const senderRef = (i: { username: string | null; senderId: number | null }): string => (i.username ? '@' + i.username : String(i.senderId));
  const ignored = h`<section class="card" aria-labelledby="ign-h"><h2 id="ign-h">${t.ignoredTitle}</h2>${m.ignored().length ? h`<ul class="plain">${m.ignored().map((i) => h`<li>${bdi(senderRef(i))} ${postButton(p, '/monitor/ignored/remove', t.remove, { fields: { ref: senderRef(i) }, cls: 'btn btn-quiet btn-small' })}</li>`)}</ul>` : h`<p class="empty">${t.none}</p>`}
<form method="post" action="/monitor/ignored" class="row">${csrfField(p)}<input name="ref" required dir="ltr" autocomplete="off" placeholder="${t.ignoredPlaceholder}" aria-label="${t.ignoredTitle}"><button class="btn" type="submit">${t.ignoreAdd}</button></form></section>`;
  // Target chats are picked from the chats the accounts are in (the same directory the CLI lists).
  const pickable = m.knownChats().filter((k) => !k.target);
  const targets = h`<section class="card" aria-labelledby="tgt-h"><h2 id="tgt-h">${t.targetsTitle}</h2>${m.targets().length ? h`<ul class="plain">${m.targets().map((c) => h`<li>${bdi(c.title)} ${postButton(p, '/monitor/targets/remove', t.remove, { fields: { ref: String(c.chatId) }, cls: 'btn btn-quiet btn-small' })}</li>`)}</ul>` : h`<p class="empty">${t.noTargets}</p>`}
${pickable.length ? h`<form method="post" action="/monitor/targets" class="row">${csrfField(p)}<select name="ref" aria-label="${t.pickChat}">${pickable.map((k) => h`<option value="${k.chat.id}">${k.chat.title}${k.chat.username ? ` (@${k.chat.username})` : ''}</option>`)}</select><button class="btn" type="submit">${t.targetAdd}</button></form>` : h`<p class="empty">${t.noKnownChats}</p>`}</section>`;
  const o = m.options();
  const options = h`<section class="card" aria-labelledby="opt-h"><h2 id="opt-h">${t.monitorOptionsTitle}</h2><form method="post" action="/monitor/options" class="stack">${csrfField(p)}<label class="check"><input type="checkbox" name="channels" value="on"${o.channels ? ' checked' : ''}> ${t.optionChannels}</label><label class="check"><input type="checkbox" name="private" value="on"${o.private ? ' checked' : ''}> ${t.optionPrivate}</label><p><small>${t.monitorOptionsNote}</small></p><button class="btn" type="submit">${t.optionsSave}</button></form></section>`;
  const others = h`${ignored}${targets}${options}`;
  const outbox = h`<p>${t.monitorLine(status.keywords, status.outbox.pending, status.outbox.held)}</p>${status.outbox.held ? postButton(p, '/monitor/retry', t.retryHeld) : ''}`;
  return layout(p, 'monitor', t.monitorPageTitle, h`${notice(n)}<div class="grid">${kw}${test}${others}</div><section aria-labelledby="feed-h"><h2 id="feed-h">${t.feedTitle}</h2>${outbox}${feed(p, deps)}</section>`);
}

export function mountMonitor(app: Hono<WebEnv>, deps: WebDeps): void {
  const m = deps.app.monitorService;
  app.get('/monitor', (c) => c.html(monitorPage(pageCtx(c), deps, null, c.req.query('test') ?? '').value));
  app.get('/monitor/feed', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.html(feed(pageCtx(c), deps).value);
  });
  app.get('/monitor/test', (c) => c.html(testResult(pageCtx(c), deps, c.req.query('text') ?? '').value));

  const act = (path: string, change: (f: Record<string, unknown>, p: PageCtx) => Notice | void): void => {
    app.post(path, async (c) => {
      const p = pageCtx(c);
      let n: Notice = { kind: 'ok', text: p.t.done };
      try {
        n = change(await c.req.parseBody(), p) ?? n;
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        n = { kind: 'error', text: p.t.refused(refusalText(e, p.lang) ?? e.message) };
      }
      return c.html(monitorPage(p, deps, n).value, n.kind === 'error' ? 400 : 200);
    });
  };
  act('/monitor/keywords', (f) => {
    const mode = typeof f.mode === 'string' && (KEYWORD_MODES as readonly string[]).includes(f.mode) ? (f.mode as KeywordMode) : 'plain';
    m.addKeyword(typeof f.pattern === 'string' ? f.pattern : '', mode);
  });
  act('/monitor/keywords/remove', (f) => void m.removeKeyword(`#${String(f.id)}`));
  const ref = (f: Record<string, unknown>): string => (typeof f.ref === 'string' ? f.ref : '');
  act('/monitor/retry', (f, p) => {
    if (typeof f.id !== 'string') {
      m.retryHeld();
      return;
    }
    return m.retryHeld(/^\d+$/.test(f.id) ? Number(f.id) : -1) > 0 ? { kind: 'ok', text: p.t.retried } : { kind: 'error', text: p.t.retryNone };
  });
  act('/monitor/ignored', (f, p) => {
    const r = m.addIgnored(ref(f));
    return { kind: 'ok', text: p.t.ignoreAdded('username' in r.sender ? '@' + r.sender.username : String(r.sender.senderId)) };
  });
  act('/monitor/ignored/remove', (f) => void m.removeIgnored(ref(f)));
  act('/monitor/targets', (f) => void m.addTarget(ref(f)));
  act('/monitor/targets/remove', (f) => void m.removeTarget(ref(f)));
  // The form sends both boxes' state: an unticked box is off, as `monitor options --channels off`.
  act('/monitor/options', (f, p) => {
    m.setOptions({ channels: f.channels === 'on', private: f.private === 'on' });
    return { kind: 'ok', text: p.t.saved };
  });
}
