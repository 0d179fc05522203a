import type { ImportError } from '../../engine/import.ts';
import type { LoginError } from '../../engine/login.ts';
import { iso } from './bidi.ts';
import { durationEn } from './failures-en.ts';
import { duration } from './failures-fa.ts';
import { failureText, type ReasonLang } from './reasons.ts';

/** Why adding an account by phone failed, by kind; the words shared by the bot and the web pages. */
const LOGIN_ERRORS: Record<ReasonLang, Record<LoginError['kind'], string>> = {
  en: {
    invalid_phone: 'That is not a phone number Telegram accepts: type it with the country code, e.g. +15551234567.',
    bad_code: 'That is not a login code: type its digits with spaces or dashes between them, e.g. 1 2 3 4 5.',
    wrong_code: 'The code is wrong. Check it and type it again, with spaces or dashes between the digits.',
    expired_code: 'The code expired. A new one is needed.',
    wrong_password: 'The two-step verification password is wrong. Type it again.',
    too_many_attempts: 'Too many attempts: Telegram asks to wait before trying this number again.',
    banned_number: 'Telegram has banned this phone number.',
    not_registered: 'This number has no Telegram account; sign up in an official app first.',
    already_exists: 'This account is already in the panel.',
    bad_proxy: 'PROXY_URL cannot be used for the login; fix it in the configuration.',
    no_login: 'This login is no longer open.',
    failed: 'Telegram refused the login.',
  },
  fa: {
    invalid_phone: `این شماره‌ای نیست که تلگرام بپذیرد: آن را با کد کشور بنویسید، مثلاً ${iso('+989121234567')}.`,
    bad_code: `این کد ورود نیست: رقم‌هایش را با فاصله یا خط تیره بنویسید، مثلاً ${iso('1 2 3 4 5')}.`,
    wrong_code: 'کد اشتباه است. آن را بررسی کنید و دوباره با فاصله یا خط تیره بین رقم‌ها بنویسید.',
    expired_code: 'کد منقضی شد. کد تازه‌ای لازم است.',
    wrong_password: 'رمز تأیید دومرحله‌ای اشتباه است. دوباره بنویسید.',
    too_many_attempts: 'تلاش‌ها زیاد شد: تلگرام می‌خواهد پیش از تلاش دوباره با این شماره صبر کنید.',
    banned_number: 'تلگرام این شماره را مسدود کرده است.',
    not_registered: 'این شماره حساب تلگرام ندارد؛ اول در اپ رسمی ثبت‌نام کنید.',
    already_exists: 'این حساب از قبل در پنل هست.',
    bad_proxy: `از ${iso('PROXY_URL')} نمی‌توان برای ورود استفاده کرد؛ آن را در پیکربندی درست کنید.`,
    no_login: 'این ورود دیگر باز نیست.',
    failed: 'تلگرام ورود را نپذیرفت.',
  },
};

/** Why importing a session failed, by kind. */
const IMPORT_ERRORS: Record<ReasonLang, Record<ImportError['kind'], string>> = {
  en: {
    unreadable: 'The file could not be read.',
    not_a_session: 'That is not a session the panel can read.',
    bot_session: 'That is a bot session; the panel runs user accounts only.',
    bad_proxy: 'PROXY_URL cannot be used to check the session; fix it in the configuration.',
    rejected: 'Telegram did not accept the session.',
    already_exists: 'This account is already in the panel.',
  },
  fa: {
    unreadable: 'فایل خوانده نشد.',
    not_a_session: 'این نشستی نیست که پنل بتواند بخواند.',
    bot_session: 'این نشست یک ربات است؛ پنل فقط حساب‌های کاربری را اجرا می‌کند.',
    bad_proxy: `از ${iso('PROXY_URL')} نمی‌توان برای بررسی نشست استفاده کرد؛ آن را در پیکربندی درست کنید.`,
    rejected: 'تلگرام نشست را نپذیرفت.',
    already_exists: 'این حساب از قبل در پنل هست.',
  },
};

function exists(id: number, lang: ReasonLang): string {
  return lang === 'fa' ? `این حساب از قبل با شناسهٔ ${iso(`#${id}`)} در پنل هست.` : `This account is already in the panel as ${iso(`#${id}`)}.`;
}

/** Why a login step failed, in `lang`: Telegram's refusal by its kind, a wait with how long. */
export function loginErrorText(e: LoginError, lang: ReasonLang): string {
  switch (e.kind) {
    case 'too_many_attempts':
      return `${LOGIN_ERRORS[lang][e.kind]}${e.seconds !== null ? ` (${lang === 'fa' ? duration(e.seconds) : durationEn(e.seconds)})` : ''}`;
    case 'already_exists':
      return exists(e.accountId, lang);
    case 'failed':
      return failureText(e.failure, lang);
    default:
      return LOGIN_ERRORS[lang][e.kind];
  }
}

/** Why an import failed, in `lang`: the formats tried, or Telegram's refusal by its kind. */
export function importErrorText(e: ImportError, lang: ReasonLang): string {
  switch (e.kind) {
    case 'not_a_session': {
      const tried = iso(e.tried.map((x) => x.format).join(', '));
      return lang === 'fa' ? `این نشستی نیست که پنل بتواند بخواند (امتحان‌شده: ${tried}).` : `That is not a session the panel can read (tried: ${tried}).`;
    }
    case 'already_exists':
      return exists(e.accountId, lang);
    case 'rejected':
      return lang === 'fa' ? `تلگرام نشست را نپذیرفت: ${failureText(e.failure, lang)}` : `Telegram did not accept the session: ${failureText(e.failure, lang)}`;
    default:
      return IMPORT_ERRORS[lang][e.kind];
  }
}
