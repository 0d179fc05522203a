import type { PacingConfig } from '../../../config.ts';
import { formatPacingValue, isPacingField, PACING_FIELDS, PACING_INT_BOUNDS, parsePacingValue } from '../../../core/pacing-input.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import type { Registry } from '../runtime.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type View } from '../ui.ts';
import { navRow } from './home.ts';

export { formatPacingValue, parsePacingValue, type PacingField } from '../../../core/pacing-input.ts';

const FIELDS = PACING_FIELDS;
const INT_BOUNDS = PACING_INT_BOUNDS;
const isField = isPacingField;

export function currentPacing(turn: Turn): PacingConfig {
  return turn.rt.deps.pacing.current();
}

function settingsView(turn: Turn): View {
  const t = turn.t;
  const p = currentPacing(turn);
  const overrides = turn.rt.deps.pacing.overrides();
  const lines = FIELDS.map((f) => t.pacingLine(t.pacingName(f), formatPacingValue(f, p), overrides[f] !== undefined));
  return {
    text: `${t.settingsTitle}\n\n${t.languageNow}\n\n${t.pacingTitle}\n${lines.join('\n')}\n\n${t.pacingNote}`,
    keyboard: [
      [button(`${turn.lang === 'en' ? '✅ ' : ''}English`, cb('set.lang', 'en')), button(`${turn.lang === 'fa' ? '✅ ' : ''}فارسی`, cb('set.lang', 'fa'))],
      ...FIELDS.map((f) => [button(t.pacingName(f), cb('set.pace', f))]),
      [button(t.btnResetPacing, cb('set.reset'))],
      navRow(turn, cb('home')),
    ],
  };
}

function pacingPrompt(turn: Turn, flow: FlowRecord): View {
  const field = flow.step;
  const t = turn.t;
  if (!isField(field)) return { text: t.useMenu, keyboard: [navRow(turn, cb('set'))] };
  const p = currentPacing(turn);
  const form = field === 'actionDelay' || field === 'campaignDelay' ? t.pacingRangeForm : t.pacingIntForm(...INT_BOUNDS[field]);
  return { text: t.pacingAsk(t.pacingName(field), formatPacingValue(field, p), form), keyboard: [navRow(turn, cb('set'))] };
}

export function registerSettings(reg: Registry): void {
  reg.route('set', async (turn) => {
    await turn.leaveFlow();
    await turn.show(settingsView(turn));
  });

  reg.route('set.lang', async (turn, [lang]) => {
    if (lang !== 'en' && lang !== 'fa') return turn.current(turn.t.menuExpired);
    turn.setLang(lang);
    await turn.show(settingsView(turn));
  });

  reg.route('set.pace', async (turn, [field]) => {
    if (!isField(field)) return turn.current(turn.t.menuExpired);
    const rec = turn.setFlow('pacing', field);
    await turn.show(pacingPrompt(turn, rec));
  });

  reg.route('set.reset', async (turn) => {
    turn.rt.deps.pacing.reset(turn.now);
    await turn.show(settingsView(turn));
  });

  reg.flow({
    name: 'pacing',
    prompt: pacingPrompt,
    async onText(turn, flow, text) {
      const field = flow.step;
      if (!isField(field)) {
        await turn.leaveFlow();
        return turn.current(turn.t.menuExpired, true);
      }
      const parsed = parsePacingValue(field, text);
      if (!parsed.ok) return turn.retry(parsed.problem === 'range' ? turn.t.pacingBadRange : turn.t.pacingBadInt(parsed.lo ?? 1, parsed.hi ?? 1));
      turn.rt.deps.pacing.set(field, parsed.value, turn.now);
      await turn.leaveFlow();
      const view = settingsView(turn);
      await turn.send({ ...view, text: `${turn.t.saved}\n\n${view.text}` });
    },
  });
}
