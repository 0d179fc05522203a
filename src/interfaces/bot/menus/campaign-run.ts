import type { CampaignEvent, RunReport } from '../../../engine/campaigns.ts';
import { describeError, storedReason } from '../errors.ts';
import { iso } from '../i18n/bidi.ts';
import { ProgressReporter, type ProgressSnapshot } from '../progress.ts';
import type { Registry } from '../runtime.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type Keyboard } from '../ui.ts';
import { byKey, cardView, CMP, countsText, nameKey, PAUSE_PREFIX, runKey, runningHere, settled, showCard, total, withCampaign, type Campaigns } from './campaign-card.ts';

/** Run (or resume) from the card, and Pause from the card or from the run's progress message. */
export function registerCampaignRun(reg: Registry): void {
  reg.route(CMP.run, (turn, [key]) =>
    withCampaign(turn, key, async (svc, c) => {
      if (runningHere(turn, c.name)) return showCard(turn, svc, c.name);
      if (c.state === 'paused') svc.resume(c.name);
      await turn.answer(turn.t.started);
      startRun(turn, svc, c.name);
    }),
  );

  reg.route(CMP.pause, (turn, [key]) =>
    withCampaign(turn, key, async (svc, c) => {
      const st = c.state === 'done' || c.state === 'cancelled' ? svc.status(c.name) : svc.pause(c.name);
      // The run here stops after its sends in flight settle; it also re-reads the state itself.
      runningHere(turn, c.name)?.abort();
      await turn.show(cardView(turn, st, false, turn.t.cmpPaused));
    }),
  );

  reg.onForeign(PAUSE_PREFIX, async (turn, data) => {
    const svc = turn.rt.deps.services.campaigns;
    const key = data.slice(PAUSE_PREFIX.length);
    const c = svc ? byKey(svc, key) : undefined;
    const ctl = turn.rt.memory.get(runKey(key)) as AbortController | undefined;
    if (!svc || !c || !ctl) return turn.answer(turn.t.opAlreadyOver);
    svc.pause(c.name);
    ctl.abort();
    await turn.answer(turn.t.cmpPausing);
  });
}

/**
 * Runs the campaign in the background. The card it was started from turns into the run's
 * progress (with a Pause button) and then into the report: one live message per run, never a
 * stale card above a live one.
 */
function startRun(turn: Turn, svc: Campaigns, name: string): void {
  const rt = turn.rt;
  const t = turn.t;
  const chatId = turn.chatId;
  const adminId = turn.adminId;
  const key = runKey(nameKey(name));
  const ctl = new AbortController();
  rt.memory.set(key, ctl);
  const over = turn.releaseMenu();
  const title = t.cmpRunTitle(iso(name));
  const keyboard: Keyboard = [[button(t.btnPause, `${PAUSE_PREFIX}${nameKey(name)}`)]];
  rt.jobs.run(`campaign ${name}`, async (signal) => {
    const stop = (): void => ctl.abort();
    signal.addEventListener('abort', stop, { once: true });
    const reporter = new ProgressReporter(rt, chatId, (s) => ({ text: t.progress(title, s), keyboard }), { signal });
    const counts = { ...svc.status(name).counts };
    const snapshot = (current?: string): ProgressSnapshot => ({
      done: settled(counts),
      total: total(counts),
      ok: counts.sent,
      failed: counts.failed + counts.not_found + counts.privacy_restricted + counts.uncertain,
      current,
    });
    await reporter.begin(snapshot(), over);
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
    const back: Keyboard = [[button(t.btnOpenCampaign, cb(CMP.card, nameKey(name))), button(t.btnHome, cb('home'))]];
    const finish = { details: [], fileName: 'campaign.txt', detailsInFile: t.detailsInFile, keyboard: back, menuOf: adminId };
    if (!report) {
      rt.deps.log.warn({ err: error, campaign: name }, 'campaign run from the bot ended with an error');
      await reporter.finish({ ...finish, summary: `${title}\n\n⚠️ ${describeError(t, error).text}` });
      return;
    }
    const summary = `${title}\n\n${t.cmpRunReport(t.cmpState(report.state), report.reason ? iso(storedReason(t, report.reasonCode, report.reason) ?? '') : null, report.run.sent, report.run.uncertain)}\n${countsText(turn, report.counts)}`;
    await reporter.finish({ ...finish, summary });
  });
}
