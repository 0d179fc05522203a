import { createHash } from 'node:crypto';
import { InputFile } from 'grammy';
import { MESSAGE_MAX_LENGTH } from '../../../core/campaign-schedule.ts';
import { TARGET_STATES, type CampaignState, type TargetCounts } from '../../../core/campaigns.ts';
import { InputError } from '../../../core/errors.ts';
import { parseTargets } from '../../../core/targets.ts';
import { campaignExport, exportFileName } from '../../../engine/campaign-export.ts';
import type { CampaignEvent, CampaignListItem, CampaignStatus, RunReport } from '../../../engine/campaigns.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import { FileTooLarge } from '../bot.ts';
import { describeError } from '../errors.ts';
import { num, str } from '../flows.ts';
import { iso, stripIsolates } from '../i18n/bidi.ts';
import { ProgressReporter } from '../progress.ts';
import type { Registry } from '../runtime.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type Keyboard, type View } from '../ui.ts';
import { intArg, paged, unavailable } from './common.ts';
import { navRow } from './home.ts';
import { currentPacing, parsePacingValue } from './settings.ts';

type Campaigns = NonNullable<Turn['rt']['deps']['services']['campaigns']>;

const MAX_TARGETS_FILE = 5 * 1024 * 1024;

const STATE_ICON: Record<CampaignState, string> = { ready: '🆕', running: '▶️', paused: '⏸', done: '✅', cancelled: '✖️' };

/** Campaign names are free text; callbacks carry a short digest of the name instead. */
export function nameKey(name: string): string {
  return createHash('sha256').update(name).digest('base64url').slice(0, 12);
}

function byKey(svc: Campaigns, key: string | undefined): CampaignListItem | undefined {
  return key === undefined ? undefined : svc.list().find((c) => nameKey(c.name) === key);
}

function total(c: TargetCounts): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/** Rows with an outcome (everything but pending and claimed). */
function settled(c: TargetCounts): number {
  return total(c) - c.pending - c.claimed;
}

function countsText(turn: Turn, c: TargetCounts): string {
  return TARGET_STATES.filter((s) => c[s] > 0)
    .map((s) => `• ${turn.t.targetState(s)}: ${turn.t.n(c[s])}`)
    .join('\n');
}

function cardView(turn: Turn, st: CampaignStatus, runningHere: boolean, prefix?: string): View {
  const t = turn.t;
  const key = nameKey(st.name);
  const s = st.settings;
  const lines = [
    t.cmpCardTitle(iso(st.name), `${STATE_ICON[st.state]} ${t.cmpState(st.state)}`),
    ...(st.reason ? [t.cardReason(iso(st.reason))] : []),
    '',
    t.cmpProgress(settled(st.counts), total(st.counts)),
    countsText(turn, st.counts),
    '',
    t.cmpSettings(s.perAccountCap, s.dailyCap, `${s.delay.minMs / 1000}-${s.delay.maxMs / 1000}`, s.skipContacted, s.accountIds?.length ?? null),
  ];
  const busy = st.accounts.filter((a) => a.sent + a.failed + a.claimed > 0).slice(0, 10);
  if (busy.length > 0) {
    lines.push('', t.cmpAccountsHead);
    for (const a of busy) lines.push(t.cmpAccountLine(iso(`#${a.accountId}${a.username ? ` @${a.username}` : ''}`), a.sent, a.failed + a.notFound + a.privacyRestricted, a.remainingCap));
  }
  const rows: Keyboard = [];
  if (st.state === 'ready' || st.state === 'paused') rows.push([button(st.state === 'paused' ? t.btnResume : t.btnRunCampaign, cb('cmp.run', key))]);
  if (st.state === 'running' || runningHere) rows.push([button(t.btnPause, cb('cmp.pause', key)), button(t.btnRefresh, cb('cmp.c', key))]);
  if (st.counts.uncertain > 0) rows.push([button(t.btnSettle(st.counts.uncertain), cb('cmp.st', key))]);
  rows.push([button(t.btnExportCsv, cb('cmp.x', key, 'csv')), button(t.btnExportJson, cb('cmp.x', key, 'json'))]);
  if (st.state !== 'cancelled' && st.state !== 'done') rows.push([button(t.btnCancelCampaign, cb('cmp.cx', key))]);
  rows.push(navRow(turn, cb('cmp')));
  return { text: `${prefix ? `${prefix}\n\n` : ''}${lines.join('\n')}`, keyboard: rows };
}

function createPrompt(turn: Turn, flow: FlowRecord): View {
  const t = turn.t;
  const nav = (back: string): Keyboard => [navRow(turn, back)];
  const d = flow.data;
  switch (flow.step) {
    case 'name':
      return { text: t.askCampaignName, keyboard: nav(cb('cmp')) };
    case 'message':
      return { text: t.askCampaignMessage(iso(str(flow, 'name') ?? '')), keyboard: nav(cb('cmp.b', 'name')) };
    case 'targets':
      return { text: t.askCampaignTargets, keyboard: nav(cb('cmp.b', 'message')) };
    case 'cap':
    case 'daily':
    case 'delay':
      return { text: t.askCampaignSetting(flow.step), keyboard: nav(cb('cmp.b', 'review')) };
    default: {
      const count = (str(flow, 'targets') ?? '').split('\n').filter((x) => x !== '').length;
      const examples = Array.isArray(d.invalidExamples) ? d.invalidExamples.filter((x): x is string => typeof x === 'string') : [];
      const message = str(flow, 'message') ?? '';
      return {
        text: t.cmpReview(
          iso(str(flow, 'name') ?? ''),
          iso(message.length > 300 ? `${message.slice(0, 300)}…` : message),
          count,
          num(flow, 'invalid') ?? 0,
          examples.map((e) => iso(e)),
          num(flow, 'duplicates') ?? 0,
        ),
        keyboard: [
          [button(t.btnCap(num(flow, 'cap') ?? 0), cb('cmp.set', 'cap')), button(t.btnDaily(num(flow, 'daily') ?? 0), cb('cmp.set', 'daily'))],
          [button(t.btnDelay(`${num(flow, 'delayMin') ?? 0}-${num(flow, 'delayMax') ?? 0}`), cb('cmp.set', 'delay'))],
          [button(t.btnSkipContacted(d.includeContacted !== true), cb('cmp.ic'))],
          [button(t.btnCreateCampaign, cb('cmp.mk'))],
          navRow(turn, cb('cmp.b', 'targets')),
        ],
      };
    }
  }
}

export function registerCampaigns(reg: Registry): void {
  const svcOf = (turn: Turn): Campaigns | undefined => turn.rt.deps.services.campaigns;
  const running = (turn: Turn, name: string): AbortController | undefined => turn.rt.memory.get(`cmp:${nameKey(name)}`) as AbortController | undefined;

  const withCampaign = async (turn: Turn, key: string | undefined, fn: (svc: Campaigns, c: CampaignListItem) => Promise<void>): Promise<void> => {
    const svc = svcOf(turn);
    if (!svc) return unavailable(turn);
    const c = byKey(svc, key);
    if (!c) {
      await turn.answer(turn.t.campaignGone);
      return showList(turn, svc, 0);
    }
    await fn(svc, c);
  };

  const showCard = async (turn: Turn, svc: Campaigns, name: string, prefix?: string): Promise<void> => {
    await turn.show(cardView(turn, svc.status(name), running(turn, name) !== undefined, prefix));
  };

  const showList = async (turn: Turn, svc: Campaigns, page: number): Promise<void> => {
    const t = turn.t;
    const all = svc.list().sort((a, b) => b.createdAt - a.createdAt);
    const p = paged(
      turn,
      all,
      page,
      8,
      (c) => button(`${STATE_ICON[c.state]} ${c.name} · ${settled(c.counts)}/${c.total}`, cb('cmp.c', nameKey(c.name))),
      (n) => cb('cmp.l', n),
    );
    await turn.show({
      text: all.length === 0 ? t.noCampaigns : t.campaignsTitle(all.length),
      keyboard: [[button(t.btnNewCampaign, cb('cmp.new'))], ...p.rows, navRow(turn, cb('home'))],
    });
  };

  reg.route('cmp', async (turn) => {
    await turn.leaveFlow();
    const svc = svcOf(turn);
    if (!svc) return unavailable(turn);
    await showList(turn, svc, 0);
  });

  reg.route('cmp.l', async (turn, [page]) => {
    const svc = svcOf(turn);
    if (!svc) return unavailable(turn);
    await showList(turn, svc, intArg(page) ?? 0);
  });

  reg.route('cmp.c', (turn, [key]) =>
    withCampaign(turn, key, async (svc, c) => {
      await turn.leaveFlow();
      await showCard(turn, svc, c.name);
    }),
  );

  reg.route('cmp.run', (turn, [key]) =>
    withCampaign(turn, key, async (svc, c) => {
      if (running(turn, c.name)) return showCard(turn, svc, c.name);
      if (c.state === 'paused') svc.resume(c.name);
      startRun(turn, svc, c.name);
      await turn.answer(turn.t.started);
      await showCard(turn, svc, c.name, turn.t.cmpStarted);
    }),
  );

  reg.route('cmp.pause', (turn, [key]) =>
    withCampaign(turn, key, async (svc, c) => {
      const st = c.state === 'done' || c.state === 'cancelled' ? svc.status(c.name) : svc.pause(c.name);
      // The run here stops after its sends in flight settle; it also re-reads the state itself.
      running(turn, c.name)?.abort();
      await turn.show(cardView(turn, st, false, turn.t.cmpPaused));
    }),
  );

  reg.route('cmp.cx', (turn, [key]) =>
    withCampaign(turn, key, async (_svc, c) => {
      await turn.show({
        text: turn.t.confirmCancelCampaign(iso(c.name)),
        keyboard: [[button(turn.t.btnYesCancelCampaign, cb('cmp.cxy', nameKey(c.name))), button(turn.t.btnNo, cb('cmp.c', nameKey(c.name)))]],
      });
    }),
  );

  reg.route('cmp.cxy', (turn, [key]) =>
    withCampaign(turn, key, async (svc, c) => {
      running(turn, c.name)?.abort();
      const st = svc.cancel(c.name);
      await turn.show(cardView(turn, st, false, turn.t.cmpCancelled));
    }),
  );

  reg.route('cmp.st', (turn, [key]) =>
    withCampaign(turn, key, async (svc, c) => {
      const k = nameKey(c.name);
      await turn.show({
        text: turn.t.settleExplain(c.counts.uncertain),
        keyboard: [
          [button(turn.t.btnSettle_sent, cb('cmp.sd', k, 'sent'))],
          [button(turn.t.btnSettle_skip, cb('cmp.sd', k, 'skip'))],
          [button(turn.t.btnSettle_retry, cb('cmp.sd', k, 'retry'))],
          navRow(turn, cb('cmp.c', k)),
        ],
      });
    }),
  );

  reg.route('cmp.sd', (turn, [key, decision]) =>
    withCampaign(turn, key, async (svc, c) => {
      if (decision !== 'sent' && decision !== 'skip' && decision !== 'retry') return turn.current(turn.t.menuExpired);
      const r = svc.settle(c.name, decision);
      await turn.show(cardView(turn, r.status, running(turn, c.name) !== undefined, turn.t.settled(r.changed)));
    }),
  );

  reg.route('cmp.x', (turn, [key, format]) =>
    withCampaign(turn, key, async (svc, c) => {
      const fmt = format === 'json' ? 'json' : 'csv';
      const out = campaignExport(svc.exportRows(c.name), fmt);
      await turn.answer(turn.t.exporting);
      await turn.rt.api.sendDocument(turn.chatId, new InputFile(Buffer.from(out.text, 'utf8'), exportFileName(c.name, fmt)), {
        caption: stripIsolates(turn.t.exportCaption(c.name, out.count)),
      });
      // The document pushed the menu up: show it again below.
      await turn.send(cardView(turn, svc.status(c.name), running(turn, c.name) !== undefined));
    }),
  );

  // --- create ---

  reg.route('cmp.new', async (turn) => {
    if (!svcOf(turn)) return unavailable(turn);
    await turn.leaveFlow();
    const p = currentPacing(turn);
    const rec = turn.setFlow('cmp', 'name', { cap: p.campaignPerAccount, daily: p.campaignDailyCap, delayMin: p.campaignDelay.min, delayMax: p.campaignDelay.max });
    await turn.show(createPrompt(turn, rec));
  });

  const flowAt = async (turn: Turn, steps: string[]): Promise<FlowRecord | undefined> => {
    const rec = turn.flow();
    if (rec?.flow === 'cmp' && steps.includes(rec.step)) return rec;
    await turn.answer(turn.t.menuExpired);
    await turn.current();
    return undefined;
  };

  const go = async (turn: Turn, rec: FlowRecord, step: string, data: Record<string, unknown> = {}, fresh = false): Promise<void> => {
    const next = turn.setFlow('cmp', step, { ...rec.data, ...data });
    const view = createPrompt(turn, next);
    if (fresh) await turn.send(view);
    else await turn.show(view);
  };

  reg.route('cmp.b', async (turn, [step]) => {
    const rec = await flowAt(turn, ['message', 'targets', 'review', 'cap', 'daily', 'delay']);
    if (!rec || !['name', 'message', 'targets', 'review'].includes(step ?? '')) return;
    await go(turn, rec, step!);
  });

  reg.route('cmp.set', async (turn, [what]) => {
    const rec = await flowAt(turn, ['review']);
    if (!rec || !['cap', 'daily', 'delay'].includes(what ?? '')) return;
    await go(turn, rec, what!);
  });

  reg.route('cmp.ic', async (turn) => {
    const rec = await flowAt(turn, ['review']);
    if (!rec) return;
    await go(turn, rec, 'review', { includeContacted: rec.data.includeContacted !== true });
  });

  reg.route('cmp.mk', async (turn) => {
    const rec = await flowAt(turn, ['review']);
    const svc = svcOf(turn);
    if (!rec) return;
    if (!svc) return unavailable(turn);
    let created;
    try {
      created = svc.create({
        name: str(rec, 'name') ?? '',
        message: str(rec, 'message') ?? '',
        targets: str(rec, 'targets') ?? '',
        perAccountCap: num(rec, 'cap'),
        dailyCap: num(rec, 'daily'),
        delaySeconds: { min: num(rec, 'delayMin') ?? 0, max: num(rec, 'delayMax') ?? 0 },
        includeContacted: rec.data.includeContacted === true,
      });
    } catch (e) {
      if (e instanceof InputError) {
        const view = createPrompt(turn, rec);
        return turn.show({ ...view, text: `⚠️ ${turn.t.inputRefused(e.message)}\n\n${view.text}` });
      }
      throw e;
    }
    await turn.leaveFlow();
    const prefix = created.created ? turn.t.cmpCreated(created.added) : turn.t.cmpReused(created.added);
    await showCard(turn, svc, created.campaign.name, prefix);
  });

  reg.flow({
    name: 'cmp',
    prompt: createPrompt,
    async onText(turn, flow, text) {
      const t = turn.t;
      switch (flow.step) {
        case 'name': {
          const name = text.trim();
          if (name === '' || name.length > 64 || /\p{Cc}/u.test(name)) return turn.retry(t.badCampaignName);
          return go(turn, flow, 'message', { name }, true);
        }
        case 'message': {
          if (text.trim() === '') return turn.retry(t.emptyText);
          if (text.length > MESSAGE_MAX_LENGTH) return turn.retry(t.textTooLong(text.length, MESSAGE_MAX_LENGTH));
          return go(turn, flow, 'targets', { message: text }, true);
        }
        case 'targets':
          return acceptTargets(turn, flow, text);
        case 'cap':
        case 'daily': {
          const parsed = parsePacingValue(flow.step === 'cap' ? 'campaignPerAccount' : 'campaignDailyCap', text);
          if (!parsed.ok || typeof parsed.value !== 'number') return turn.retry(t.pacingBadInt(parsed.ok ? 1 : (parsed.lo ?? 1), parsed.ok ? 1 : (parsed.hi ?? 1)));
          return go(turn, flow, 'review', { [flow.step]: parsed.value }, true);
        }
        case 'delay': {
          const parsed = parsePacingValue('campaignDelay', text);
          if (!parsed.ok || typeof parsed.value === 'number') return turn.retry(t.pacingBadRange);
          return go(turn, flow, 'review', { delayMin: parsed.value.min, delayMax: parsed.value.max }, true);
        }
        default:
          return turn.retry(t.useButtons);
      }
    },
    async onDocument(turn, flow, doc) {
      if (flow.step !== 'targets') return turn.retry(turn.t.expectedText);
      let data: Buffer;
      try {
        data = await turn.rt.download(doc.fileId, MAX_TARGETS_FILE);
      } catch (e) {
        if (e instanceof FileTooLarge) return turn.retry(turn.t.targetsFileTooLarge);
        throw e;
      }
      await acceptTargets(turn, flow, data.toString('utf8'));
    },
  });

  const acceptTargets = async (turn: Turn, flow: FlowRecord, text: string): Promise<void> => {
    const parsed = parseTargets(text);
    if (parsed.usernames.length === 0) return turn.retry(turn.t.noValidTargets(parsed.invalid.count, parsed.invalid.examples.map((e) => iso(e.input))));
    await go(
      turn,
      flow,
      'review',
      { targets: parsed.usernames.join('\n'), invalid: parsed.invalid.count, invalidExamples: parsed.invalid.examples.map((e) => e.input), duplicates: parsed.duplicates },
      true,
    );
  };
}

/** Runs the campaign in the background with a progress message and a Pause button. */
function startRun(turn: Turn, svc: Campaigns, name: string): void {
  const rt = turn.rt;
  const t = turn.t;
  const chatId = turn.chatId;
  const adminId = turn.adminId;
  const key = `cmp:${nameKey(name)}`;
  const ctl = new AbortController();
  rt.memory.set(key, ctl);
  const title = t.cmpRunTitle(iso(name));
  const keyboard: Keyboard = [[button(t.btnPause, `cmp:p:${nameKey(name)}`)]];
  rt.jobs.run(`campaign ${name}`, async (signal) => {
    const stop = (): void => ctl.abort();
    signal.addEventListener('abort', stop, { once: true });
    const start = svc.status(name).counts;
    const reporter = new ProgressReporter(rt, chatId, (s) => ({ text: t.progress(title, s), keyboard }), { signal });
    const counts = { ...start };
    const snapshot = (current?: string): Parameters<ProgressReporter['update']>[0] => ({
      done: settled(counts),
      total: total(counts),
      ok: counts.sent,
      failed: counts.failed + counts.not_found + counts.privacy_restricted + counts.uncertain,
      current,
    });
    await reporter.begin(snapshot());
    const onEvent = (e: CampaignEvent): void => {
      if (e.type === 'started' || e.type === 'finished') Object.assign(counts, e.counts);
      else if (e.type === 'target') {
        Object.assign(counts, svc.status(name).counts);
        reporter.update(snapshot(e.accountId === null ? undefined : iso(`#${e.accountId} → @${e.username}`)));
      }
    };
    let report: RunReport | undefined;
    let error: unknown;
    try {
      report = await svc.run(name, { signal: ctl.signal, onEvent });
    } catch (e) {
      error = e;
    } finally {
      rt.memory.delete(key);
      signal.removeEventListener('abort', stop);
    }
    const k = nameKey(name);
    const back: Keyboard = [[button(t.btnOpenCampaign, cb('cmp.c', k)), button(t.btnHome, cb('home'))]];
    if (!report) {
      rt.deps.log.warn({ err: error, campaign: name }, 'campaign run from the bot ended with an error');
      await reporter.finish({ summary: `${title}\n\n⚠️ ${describeError(t, error).text}`, details: [], fileName: 'campaign.txt', detailsInFile: t.detailsInFile, keyboard: back, menuOf: adminId });
      return;
    }
    await reporter.finish({
      summary: `${title}\n\n${t.cmpRunReport(t.cmpState(report.state), report.reason ? iso(report.reason) : null, report.run.sent, report.run.uncertain)}\n${countsText(turn, report.counts)}`,
      details: [],
      fileName: 'campaign.txt',
      detailsInFile: t.detailsInFile,
      keyboard: back,
      menuOf: adminId,
    });
  });
}

/** The Pause button on a campaign's progress message (works after /start too). */
export function registerCampaignPause(reg: Registry): void {
  reg.onForeign('cmp:p:', async (turn, data) => {
    const svc = turn.rt.deps.services.campaigns;
    const key = data.slice('cmp:p:'.length);
    const c = svc ? byKey(svc, key) : undefined;
    const ctl = turn.rt.memory.get(`cmp:${key}`) as AbortController | undefined;
    if (!svc || !c || !ctl) return turn.answer(turn.t.opAlreadyOver);
    svc.pause(c.name);
    ctl.abort();
    await turn.answer(turn.t.cmpPausing);
  });
}
