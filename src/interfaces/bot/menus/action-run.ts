import { randomBytes } from 'node:crypto';
import type { ActionSpec } from '../../../core/actions.ts';
import { InputError } from '../../../core/errors.ts';
import { isTelegramFailure } from '../../../core/failures.ts';
import type { OperationEvent } from '../../../engine/operations.ts';
import type { OperationRecord, OperationResult, OperationSelection } from '../../../store/operations.ts';
import { describeError, refusal, storedReason } from '../errors.ts';
import { nums } from '../flows.ts';
import { iso } from '../i18n/bidi.ts';
import { ProgressReporter } from '../progress.ts';
import type { Registry } from '../runtime.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type Keyboard } from '../ui.ts';
import { ACT, flowAt, go, opsOf, prompt, specOf, STOP_PREFIX, summary, type Ops } from './action-wizard.ts';
import { accountName, unavailable } from './common.ts';
import { currentPacing } from './settings.ts';

function resultLine(turn: Turn, r: OperationResult, names: Map<number, string>): string {
  const t = turn.t;
  const who = names.get(r.accountId) ?? iso(`#${r.accountId}`);
  if (r.status === 'failed') return `❌ ${who}: ${t.failure(r.failure.kind, r.failure.code, r.failure.seconds)}${r.replaced ? ` ${t.movedOn}` : ''}`;
  return `${r.status === 'done' ? '✅' : r.status === 'already' ? '↩️' : '⏳'} ${who}: ${t.outcome(r.status)}`;
}


/** Run from the confirmation, with progress and a Stop button, then the report. */
export function registerActionRun(reg: Registry): void {
  reg.route(ACT.run, async (turn) => {
    const rec = await flowAt(turn, ['confirm']);
    const ops = opsOf(turn);
    if (!rec) return;
    if (!ops) return unavailable(turn);
    const spec = specOf(rec);
    if (!spec) return go(turn, rec, 'target');
    const picked = nums(rec, 'picked');
    const selection: OperationSelection = picked.length > 0 ? { accountIds: picked } : { accounts: typeof rec.data.count === 'number' ? rec.data.count : 1 };
    try {
      ops.check(spec, selection);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const next = turn.setFlow('act', 'who', { ...rec.data });
      await turn.show({ ...prompt(turn, next), text: `⚠️ ${turn.t.inputRefused(refusal(turn.t, e))}\n\n${prompt(turn, next).text}` });
      return;
    }
    await turn.leaveFlow();
    const token = randomBytes(6).toString('base64url');
    const ctl = new AbortController();
    turn.rt.memory.set(`op:${token}`, ctl);
    const t = turn.t;
    const title = `${t.actTitle(t.kindName(spec.kind))}\n${summary(turn, rec)}`;
    await turn.answer(t.started);
    runOperation(turn, ops, spec, selection, title, token, ctl);
  });

  reg.onForeign(STOP_PREFIX, async (turn, data) => {
    const token = data.slice(STOP_PREFIX.length);
    const ctl = turn.rt.memory.get(`op:${token}`) as AbortController | undefined;
    if (!ctl) return turn.answer(turn.t.opAlreadyOver);
    ctl.abort();
    await turn.answer(turn.t.opCancelling);
  });

}

/**
 * Runs the operation in the background. The confirmation it was started from turns into its
 * progress (with a Stop button) and then into the report, so no stale screen stays above it.
 */
function runOperation(turn: Turn, ops: Ops, spec: ActionSpec, selection: OperationSelection, title: string, token: string, ctl: AbortController): void {
  const rt = turn.rt;
  const t = turn.t;
  const chatId = turn.chatId;
  const adminId = turn.adminId;
  const fleet = ops.usable(spec.kind);
  const names = new Map([...fleet.usable, ...fleet.unusable.map((u) => u.account)].map((a) => [a.id, accountName(a)]));
  const cancelRow: Keyboard = [[button(t.btnStopOperation, `${STOP_PREFIX}${token}`)]];
  const over = turn.releaseMenu();
  rt.jobs.run(`operation ${spec.kind}`, async (signal) => {
    const stop = (): void => ctl.abort();
    signal.addEventListener('abort', stop, { once: true });
    const reporter = new ProgressReporter(rt, chatId, (s) => ({ text: t.progress(title, s), keyboard: cancelRow }), { signal });
    let planned = 'accounts' in selection ? selection.accounts : selection.accountIds.length;
    let ok = 0;
    let failed = 0;
    await reporter.begin({ done: 0, total: planned, ok, failed }, over);
    const onEvent = (e: OperationEvent): void => {
      if (e.type === 'started') planned = e.planned;
      if (e.type !== 'result') return;
      if (e.result.status === 'failed') {
        if (!e.result.replaced) failed++;
      } else ok++;
      reporter.update({ done: e.settled, total: planned, ok, failed, current: names.get(e.result.accountId) ?? iso(`#${e.result.accountId}`) });
    };
    let record: OperationRecord | undefined;
    let error: unknown;
    try {
      record = await ops.runOperation(spec, selection, {
        actor: `bot:${adminId}`,
        signal: ctl.signal,
        onEvent,
        concurrency: currentPacing(turn).actionConcurrency,
      });
    } catch (e) {
      error = e;
    } finally {
      rt.memory.delete(`op:${token}`);
      signal.removeEventListener('abort', stop);
    }
    const back: Keyboard = [[button(t.btnActions, cb(ACT.kinds)), button(t.btnHome, cb('home'))]];
    if (!record) {
      await reporter.finish({ summary: `${title}\n\n⚠️ ${describeError(t, error).text}`, details: [], fileName: 'operation.txt', detailsInFile: t.detailsInFile, keyboard: back, menuOf: adminId });
      if (!(error instanceof InputError) && !isTelegramFailure(error)) rt.deps.log.error({ err: error }, 'operation from the bot failed');
      return;
    }
    await reporter.finish({
      summary: `${title}\n\n${t.opSummary(record.id, record.status, record.summary, storedReason(t, record.stopReasonCode ?? null, record.stopReason))}`,
      details: record.results.map((r) => resultLine(turn, r, names)),
      fileName: `operation-${record.id}.txt`,
      detailsInFile: t.detailsInFile,
      keyboard: back,
      menuOf: adminId,
    });
  });
}
