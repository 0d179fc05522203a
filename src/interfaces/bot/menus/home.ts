import type { Registry } from '../runtime.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type Button, type View } from '../ui.ts';

export function homeView(turn: Turn): View {
  const t = turn.t;
  return {
    text: t.homeTitle,
    keyboard: [
      [button(t.btnStatus, cb('st')), button(t.btnAccounts, cb('acc'))],
      [button(t.btnActions, cb('act')), button(t.btnCampaigns, cb('cmp'))],
      [button(t.btnMonitor, cb('mon')), button(t.btnSettings, cb('set'))],
      [button(t.btnSchedules, cb('sch'))],
    ],
  };
}

export function registerHome(reg: Registry): void {
  reg.route('home', async (turn) => {
    await turn.leaveFlow();
    await turn.show(homeView(turn));
  });
  reg.route('cancel', async (turn) => {
    const had = turn.flow() !== undefined;
    await turn.leaveFlow();
    const view = homeView(turn);
    await turn.show(had ? { ...view, text: `${turn.t.cancelled}\n\n${view.text}` } : view);
  });
}

/** The row every screen ends with: Back to `backRoute` (when there is one) and Cancel. */
export function navRow(turn: Turn, backRoute?: string): Button[] {
  const row: Button[] = [];
  if (backRoute !== undefined) row.push(button(turn.t.btnBack, backRoute));
  row.push(button(turn.t.btnCancel, cb('cancel')));
  return row;
}
