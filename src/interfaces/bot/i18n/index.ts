import type { BotLanguage } from '../../../store/bot.ts';
import { en, type Messages } from './en.ts';
import { fa } from './fa.ts';

export type { Messages };

const CATALOGUES: Record<BotLanguage, Messages> = { en, fa };

export function messages(lang: BotLanguage): Messages {
  return CATALOGUES[lang];
}
