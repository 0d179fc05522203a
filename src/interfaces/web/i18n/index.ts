import type { WebLang } from '../context.ts';
import { en, type Messages } from './en.ts';
import { fa } from './fa.ts';

export type { Messages };

const CATALOGUES: Record<WebLang, Messages> = { en, fa };

export function messages(lang: WebLang): Messages {
  return CATALOGUES[lang];
}
