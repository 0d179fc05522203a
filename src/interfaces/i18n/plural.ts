
/** Every interface speaks these. */
export type Lang = 'en' | 'fa';

type Forms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const RULES: Record<Lang, Intl.PluralRules> = { en: new Intl.PluralRules('en'), fa: new Intl.PluralRules('fa') };

/**
 * The form of a counted word the language wants for `n` (English: 1 keyword, 2 keywords), shared by the bot and the dashboard. Persian
 * counts with the singular after a number, so its catalogue passes one form where English has two.
 */
export function plural(lang: Lang, n: number, forms: Forms): string {
  return forms[RULES[lang].select(n)] ?? forms.other;
}

/** The parts whose count is not zero, joined; `none` when every count is zero. */
export function nonZero(parts: ReadonlyArray<readonly [number, string]>, sep: string, none: string): string {
  const shown = parts.filter(([n]) => n !== 0).map(([, text]) => text);
  return shown.length > 0 ? shown.join(sep) : none;
}
