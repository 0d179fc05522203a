import type { PacingConfig } from './pacing.ts';

/**
 * The pacing an operator may change at run time (the bot's Settings menu, the dashboard's Settings
 * page): which fields, their bounds, and how a typed value reads. Both interfaces parse here, so
 * neither accepts what the other refuses.
 */
export type PacingField = keyof PacingConfig;

export const PACING_FIELDS: readonly PacingField[] = ['actionDelay', 'actionConcurrency', 'campaignDelay', 'campaignPerAccount', 'campaignDailyCap'];

/** Whole-number fields and their bounds; the delays are ranges in seconds up to a day. */
export const PACING_INT_BOUNDS: Record<'actionConcurrency' | 'campaignPerAccount' | 'campaignDailyCap', [number, number]> = {
  actionConcurrency: [1, 50],
  campaignPerAccount: [1, 1000],
  campaignDailyCap: [1, 10_000],
};

export function isPacingField(s: string | undefined): s is PacingField {
  return PACING_FIELDS.includes(s as PacingField);
}

export function isPacingRange(field: PacingField): field is 'actionDelay' | 'campaignDelay' {
  return field === 'actionDelay' || field === 'campaignDelay';
}

export function formatPacingValue(field: PacingField, p: PacingConfig): string {
  const v = p[field];
  return typeof v === 'number' ? String(v) : `${v.min}-${v.max}`;
}

/** Parses a typed pacing value (Persian digits and dashes read too); a reason key when it is not acceptable. */
export function parsePacingValue(
  field: PacingField,
  text: string,
): { ok: true; value: PacingConfig[PacingField] } | { ok: false; problem: 'range' | 'int'; lo?: number; hi?: number } {
  const t = text.trim().replace(/[–—]/g, '-').replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d)));
  if (isPacingRange(field)) {
    const m = /^(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)$/.exec(t) ?? /^(\d+(?:\.\d+)?)$/.exec(t);
    if (!m) return { ok: false, problem: 'range' };
    const min = Number(m[1]);
    const max = Number(m[2] ?? m[1]);
    if (min > max || max > 86_400) return { ok: false, problem: 'range' };
    return { ok: true, value: { min, max } };
  }
  const [lo, hi] = PACING_INT_BOUNDS[field];
  if (!/^\d+$/.test(t)) return { ok: false, problem: 'int', lo, hi };
  const n = Number(t);
  if (n < lo || n > hi) return { ok: false, problem: 'int', lo, hi };
  return { ok: true, value: n };
}
