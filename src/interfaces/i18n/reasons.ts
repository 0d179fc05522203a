import { InputError, PanelError } from '../../core/errors.ts';
import { isTelegramFailure, type FailureKind } from '../../core/failures.ts';
import type { LinkRefusal } from '../../core/links.ts';
import type { ProxyProblem } from '../../core/proxy-url.ts';
import type { Reason } from '../../core/reasons.ts';
import { englishReason } from '../../core/stored-reasons.ts';
import { failureEn } from './failures-en.ts';
import { failureFa } from './failures-fa.ts';
import { linkErrorFa, PROXY_PROBLEMS_FA, reasonFa } from './reasons-fa.ts';

/**
 * The engine's reasons in the operator's language, for every interface: the bot, the web pages
 * and anything else that shows them to a person. English keeps the engine's own words (core's
 * table for stored reasons, the error's sentence for refusals), so the CLI, the English bot and
 * the English pages agree word for word.
 */
export type ReasonLang = 'en' | 'fa';

/** `english`: the sentence that came with the reason (an error's message); stored reasons have core's words. */
export function reasonText(r: Reason, lang: ReasonLang, english: string = englishReason(r)): string {
  return lang === 'fa' ? reasonFa(r) : english;
}

/** A reason kept with a record: worded from its code, the stored English words without one (rows from before codes). */
export function storedReasonText(coded: Reason | null | undefined, english: string | null, lang: ReasonLang): string | null {
  return coded ? reasonText(coded, lang) : english;
}

/** A refused link: worded from the parser's code, its sentence in English. */
export function linkRefusalText(f: LinkRefusal, lang: ReasonLang): string {
  return lang === 'fa' ? linkErrorFa(f) : f.error;
}

/** Why a proxy URL cannot be used: worded from the parser's code, its sentence in English. */
export function proxyProblemText(p: ProxyProblem, lang: ReasonLang): string {
  return lang === 'fa' ? PROXY_PROBLEMS_FA[p.code](p.params) : p.problem;
}

/** What went wrong with Telegram, by kind (a flood wait with how long), with Telegram's code. */
export function failureText(f: { kind: FailureKind; code: string; seconds?: number }, lang: ReasonLang): string {
  return (lang === 'fa' ? failureFa : failureEn)(f.kind, f.code, f.seconds);
}

/**
 * Why a service refused or failed, for a person: a Telegram failure by kind, the engine's refusal
 * from its reason code; null for anything else (an unexpected error's words are not for the page).
 */
export function refusalText(e: unknown, lang: ReasonLang): string | null {
  if (isTelegramFailure(e)) return failureText(e.failure, lang);
  if (e instanceof InputError || e instanceof PanelError) return e.reason ? reasonText(e.reason, lang, e.message) : e.message;
  return null;
}
