import { InputFile } from 'grammy';
import { campaignExport, exportFileName } from '../../../engine/campaign-export.ts';
import { stripIsolates } from '../i18n/bidi.ts';
import type { Registry } from '../runtime.ts';
import { cardView, CMP, runningHere, withCampaign } from './campaign-card.ts';

/** A campaign's rows as a CSV or JSON document, written by the engine's one exporter. */
export function registerCampaignExport(reg: Registry): void {
  reg.route(CMP.exportRows, (turn, [key, format]) =>
    withCampaign(turn, key, async (svc, c) => {
      const fmt = format === 'json' ? 'json' : 'csv';
      const out = campaignExport(svc.exportRows(c.name), fmt);
      await turn.answer(turn.t.exporting);
      await turn.rt.api.sendDocument(turn.chatId, new InputFile(Buffer.from(out.text, 'utf8'), exportFileName(c.name, fmt)), {
        caption: stripIsolates(turn.t.exportCaption(c.name, out.count)),
      });
      // The document pushed the menu up: show it again below.
      await turn.send(cardView(turn, svc.status(c.name), runningHere(turn, c.name) !== undefined));
    }),
  );
}
