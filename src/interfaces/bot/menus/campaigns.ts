import { iso } from '../i18n/bidi.ts';
import type { Registry } from '../runtime.ts';
import { button, cb } from '../ui.ts';
import { campaignsOf, cardView, CMP, nameKey, runningHere, showCard, showList, withCampaign } from './campaign-card.ts';
import { registerCampaignExport } from './campaign-export.ts';
import { registerCampaignRun } from './campaign-run.ts';
import { registerCampaignWizard } from './campaign-wizard.ts';
import { intArg, unavailable } from './common.ts';
import { navRow } from './home.ts';

/** The campaigns menu: the list, a campaign's card, cancel and settle; the wizard, runs and exports live beside it. */
export function registerCampaigns(reg: Registry): void {
  reg.route(CMP.list, async (turn) => {
    await turn.leaveFlow();
    const svc = campaignsOf(turn);
    if (!svc) return unavailable(turn);
    await showList(turn, svc, 0);
  });

  reg.route(CMP.listPage, async (turn, [page]) => {
    const svc = campaignsOf(turn);
    if (!svc) return unavailable(turn);
    await showList(turn, svc, intArg(page) ?? 0);
  });

  reg.route(CMP.card, (turn, [key]) =>
    withCampaign(turn, key, async (svc, c) => {
      await turn.leaveFlow();
      await showCard(turn, svc, c.name);
    }),
  );

  reg.route(CMP.cancel, (turn, [key]) =>
    withCampaign(turn, key, async (_svc, c) => {
      await turn.show({
        text: turn.t.confirmCancelCampaign(iso(c.name)),
        keyboard: [[button(turn.t.btnYesCancelCampaign, cb(CMP.cancelConfirmed, nameKey(c.name))), button(turn.t.btnNo, cb(CMP.card, nameKey(c.name)))]],
      });
    }),
  );

  reg.route(CMP.cancelConfirmed, (turn, [key]) =>
    withCampaign(turn, key, async (svc, c) => {
      runningHere(turn, c.name)?.abort();
      const st = svc.cancel(c.name);
      await turn.show(cardView(turn, st, false, turn.t.cmpCancelled));
    }),
  );

  reg.route(CMP.settle, (turn, [key]) =>
    withCampaign(turn, key, async (svc, c) => {
      const k = nameKey(c.name);
      await turn.show({
        text: turn.t.settleExplain(c.counts.uncertain),
        keyboard: [
          [button(turn.t.btnSettle_sent, cb(CMP.settleDecided, k, 'sent'))],
          [button(turn.t.btnSettle_skip, cb(CMP.settleDecided, k, 'skip'))],
          [button(turn.t.btnSettle_retry, cb(CMP.settleDecided, k, 'retry'))],
          navRow(turn, cb(CMP.card, k)),
        ],
      });
    }),
  );

  reg.route(CMP.settleDecided, (turn, [key, decision]) =>
    withCampaign(turn, key, async (svc, c) => {
      if (decision !== 'sent' && decision !== 'skip' && decision !== 'retry') return turn.current(turn.t.menuExpired);
      const r = svc.settle(c.name, decision);
      await turn.show(cardView(turn, r.status, runningHere(turn, c.name) !== undefined, turn.t.settled(r.changed)));
    }),
  );

  registerCampaignWizard(reg);
  registerCampaignRun(reg);
  registerCampaignExport(reg);
}
