import { MESSAGE_MAX_LENGTH } from '../../../core/campaign-schedule.ts';
import { InputError } from '../../../core/errors.ts';
import { parseTargets } from '../../../core/targets.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import { FileTooLarge } from '../bot.ts';
import { refusal } from '../errors.ts';
import { num, str } from '../flows.ts';
import { iso } from '../i18n/bidi.ts';
import type { Registry } from '../runtime.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type Keyboard, type View } from '../ui.ts';
import { campaignsOf, CMP, showCard } from './campaign-card.ts';
import { unavailable } from './common.ts';
import { navRow } from './home.ts';
import { currentPacing, parsePacingValue } from './settings.ts';

const MAX_TARGETS_FILE = 5 * 1024 * 1024;

function createPrompt(turn: Turn, flow: FlowRecord): View {
  const t = turn.t;
  const nav = (back: string): Keyboard => [navRow(turn, back)];
  const d = flow.data;
  switch (flow.step) {
    case 'name':
      return { text: t.askCampaignName, keyboard: nav(cb(CMP.list)) };
    case 'message':
      return { text: t.askCampaignMessage(iso(str(flow, 'name') ?? '')), keyboard: nav(cb(CMP.createBack, 'name')) };
    case 'targets':
      return { text: t.askCampaignTargets, keyboard: nav(cb(CMP.createBack, 'message')) };
    case 'cap':
    case 'daily':
    case 'delay':
      return { text: t.askCampaignSetting(flow.step), keyboard: nav(cb(CMP.createBack, 'review')) };
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
          [button(t.btnCap(num(flow, 'cap') ?? 0), cb(CMP.createSetting, 'cap')), button(t.btnDaily(num(flow, 'daily') ?? 0), cb(CMP.createSetting, 'daily'))],
          [button(t.btnDelay(`${num(flow, 'delayMin') ?? 0}-${num(flow, 'delayMax') ?? 0}`), cb(CMP.createSetting, 'delay'))],
          [button(t.btnSkipContacted(d.includeContacted !== true), cb(CMP.createToggleContacted))],
          [button(t.btnCreateCampaign, cb(CMP.createConfirmed))],
          navRow(turn, cb(CMP.createBack, 'targets')),
        ],
      };
    }
  }
}

/** New campaign, step by step: name, message, targets (text or file), then the review with its settings. */
export function registerCampaignWizard(reg: Registry): void {

  reg.route(CMP.create, async (turn) => {
    if (!campaignsOf(turn)) return unavailable(turn);
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

  reg.route(CMP.createBack, async (turn, [step]) => {
    const rec = await flowAt(turn, ['message', 'targets', 'review', 'cap', 'daily', 'delay']);
    if (!rec || !['name', 'message', 'targets', 'review'].includes(step ?? '')) return;
    await go(turn, rec, step!);
  });

  reg.route(CMP.createSetting, async (turn, [what]) => {
    const rec = await flowAt(turn, ['review']);
    if (!rec || !['cap', 'daily', 'delay'].includes(what ?? '')) return;
    await go(turn, rec, what!);
  });

  reg.route(CMP.createToggleContacted, async (turn) => {
    const rec = await flowAt(turn, ['review']);
    if (!rec) return;
    await go(turn, rec, 'review', { includeContacted: rec.data.includeContacted !== true });
  });

  reg.route(CMP.createConfirmed, async (turn) => {
    const rec = await flowAt(turn, ['review']);
    const svc = campaignsOf(turn);
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
        return turn.show({ ...view, text: `⚠️ ${turn.t.inputRefused(refusal(turn.t, e))}\n\n${view.text}` });
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
