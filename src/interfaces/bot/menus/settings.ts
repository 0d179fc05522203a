import type { PacingConfig } from '../../../config.ts';
import type { FlowRecord } from '../../../store/bot.ts';
import type { Registry } from '../runtime.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type View } from '../ui.ts';
import { navRow } from './home.ts';

export type PacingField = keyof PacingConfig;

const FIELDS: readonly PacingField[] = ['actionDelay', 'actionConcurrency', 'campaignDelay', 'campaignPerAccount', 'campaignDailyCap'];

const INT_BOUNDS: Record<'actionConcurrency' | 'campaignPerAccount' | 'campaignDailyCap', [number, number]> = {
  actionConcurrency: [1, 50],
  campaignPerAccount: [1, 1000],
  campaignDailyCap: [1, 10_000],
};

function isField(s: string | undefined): s is PacingField {
  return FIELDS.includes(s as PacingField);
}

export function currentPacing(turn: Turn): PacingConfig {
  return turn.rt.deps.pacing.current();
}

export function formatPacingValue(field: PacingField, p: PacingConfig): string {
  const v = p[field];
  return typeof v === 'number' ? String(v) : `${v.min}-${v.max}`;
}

/** Parses a typed pacing value; a reason key when it is not acceptable. */
export function parsePacingValue(
  field: PacingField,
  text: string,
): { ok: true; value: PacingConfig[PacingField] } | { ok: false; problem: 'range' | 'int'; lo?: number; hi?: number } {
  const t = text.trim().replace(/[–—]/g, '-').replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d)));
  if (field === 'actionDelay' || field === 'campaignDelay') {
    const m = /^(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)$/.exec(t) ?? /^(\d+(?:\.\d+)?)$/.exec(t);
    if (!m) return { ok: false, problem: 'range' };
    const min = Number(m[1]);
    const max = Number(m[2] ?? m[1]);
    if (min > max || max > 86_400) return { ok: false, problem: 'range' };
    return { ok: true, value: { min, max } };
  }
  const [lo, hi] = INT_BOUNDS[field];
  if (!/^\d+$/.test(t)) return { ok: false, problem: 'int', lo, hi };
  const n = Number(t);
  if (n < lo || n > hi) return { ok: false, problem: 'int', lo, hi };
  return { ok: true, value: n };
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
