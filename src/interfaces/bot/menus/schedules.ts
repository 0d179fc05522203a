import { InputError } from '../../../core/errors.ts';
import type { ScheduleView } from '../../../engine/schedules.ts';
import type { Registry } from '../runtime.ts';
import type { Turn } from '../turn.ts';
import { button, cb, clip, type View } from '../ui.ts';
import { intArg, page, pageNav, unavailable, when } from './common.ts';
import { navRow } from './home.ts';

const PER_PAGE = 6;

export const SCH = { list: 'sch', remove: 'sch.rm', removeConfirmed: 'sch.rmok' } as const;

function line(turn: Turn, s: ScheduleView): string {
  const t = turn.t;
  const last = s.lastRun ? `${t.scheduleRunStatus(s.lastRun.status)} ${when(s.lastRun.startedAt)}` : null;
  return t.scheduleLine(s.id, t.scheduleState(s.state), `${s.when} (${s.tz})`, s.nextRunAt === null ? null : when(s.nextRunAt), last, s.command);
}

function listView(turn: Turn, all: readonly ScheduleView[], requested: number, prefix?: string): View {
  const p = page(all, requested, PER_PAGE);
  const text = [turn.t.schedulesTitle(all.length), ...p.items.map((s) => line(turn, s))].join('\n\n');
  return {
    text: clip(prefix ? `${prefix}\n\n${text}` : text),
    keyboard: [
      ...p.items.map((s) => [button(turn.t.btnRemoveSchedule(s.id), cb(SCH.remove, s.id))]),
      ...pageNav(turn, p.page, p.pages, (n) => cb(SCH.list, n)),
      navRow(turn, cb('home')),
    ],
  };
}

/** The schedules menu: every schedule with its next and last run, and removing one (after a confirmation). */
export function registerSchedules(reg: Registry): void {
  const svcOf = (turn: Turn) => turn.rt.deps.services.schedules;

  reg.route(SCH.list, async (turn, [pageArg]) => {
    await turn.leaveFlow();
    const svc = svcOf(turn);
    if (!svc) return unavailable(turn);
    await turn.show(listView(turn, svc.list(), intArg(pageArg) ?? 0));
  });

  reg.route(SCH.remove, async (turn, [idArg]) => {
    const svc = svcOf(turn);
    if (!svc) return unavailable(turn);
    const s = svc.list().find((x) => x.id === intArg(idArg));
    if (!s) return turn.show(listView(turn, svc.list(), 0, turn.t.scheduleGone));
    await turn.show({
      text: turn.t.confirmRemoveSchedule(s.id, s.command),
      keyboard: [[button(turn.t.btnYesRemove, cb(SCH.removeConfirmed, s.id)), button(turn.t.btnNo, cb(SCH.list))]],
    });
  });

  reg.route(SCH.removeConfirmed, async (turn, [idArg]) => {
    const svc = svcOf(turn);
    if (!svc) return unavailable(turn);
    const id = intArg(idArg);
    let note: string = turn.t.scheduleGone;
    if (id !== undefined) {
      try {
        svc.remove(id);
        note = turn.t.scheduleRemoved(id);
      } catch (e) {
        // Removed meanwhile (from the command line, or a second press): say so and show what is left.
        if (!(e instanceof InputError)) throw e;
      }
    }
    await turn.show(listView(turn, svc.list(), 0, note));
  });
}
