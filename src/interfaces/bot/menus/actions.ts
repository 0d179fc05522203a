import { ACTION_KINDS } from '../../../core/actions.ts';
import type { Registry } from '../runtime.ts';
import { button, cb, grid } from '../ui.ts';
import { registerActionRun } from './action-run.ts';
import { ACT, opsOf, registerActionWizard } from './action-wizard.ts';
import { unavailable } from './common.ts';
import { navRow } from './home.ts';

/** The actions menu: pick a kind; the wizard and the run live beside it. */
export function registerActions(reg: Registry): void {
  reg.route(ACT.kinds, async (turn) => {
    await turn.leaveFlow();
    if (!opsOf(turn)) return unavailable(turn);
    const t = turn.t;
    await turn.show({
      text: t.actionsTitle,
      keyboard: [...grid(ACTION_KINDS.map((k) => button(t.kindButton(k), cb(ACT.kind, k))), 2), navRow(turn, cb('home'))],
    });
  });

  registerActionWizard(reg);
  registerActionRun(reg);
}
