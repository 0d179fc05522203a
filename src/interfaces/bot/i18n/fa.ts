import type { PacingConfig } from '../../../config.ts';
import type { FailureKind } from '../../../core/failures.ts';
import { faNum, iso } from './bidi.ts';
import type { Messages } from './en.ts';

const FAILURES: Record<FailureKind, string> = {
  flood_wait: 'تلگرام از این حساب خواسته صبر کند',
  peer_flood: 'تلگرام فعلاً پیام دادن این حساب به غریبه‌ها را محدود کرده است',
  revoked: 'نشست این حساب لغو شده (خارج شده است)؛ حساب را دوباره اضافه کنید',
  banned: 'حساب مسدود یا حذف شده است',
  frozen: 'حساب مسدود موقت (فریز) شده و فقط می‌تواند درخواست بازبینی بدهد',
  duplicate_session: 'نشست هم‌زمان از دو جا استفاده شد و تلگرام آن را بست؛ حساب را دوباره اضافه کنید',
  not_found: 'پیدا نشد (چنین کاربر، گفتگو یا پیامی وجود ندارد)',
  privacy_restricted: 'تنظیمات حریم خصوصی آن شخص اجازه نمی‌دهد',
  not_allowed: 'آنجا مجاز نیست',
  bad_request: 'تلگرام درخواست را نامعتبر دانست',
  no_access: 'این حساب به آن گفتگو دسترسی ندارد',
  network: 'مشکل شبکه؛ بعداً دوباره امتحان کنید',
  proxy: 'پروکسی این حساب کار نمی‌کند',
  unknown: 'تلگرام نپذیرفت',
};

function duration(seconds: number): string {
  if (seconds < 90) return `${faNum(seconds)} ثانیه`;
  if (seconds < 5400) return `${faNum(Math.round(seconds / 60))} دقیقه`;
  return `${faNum(Math.round(seconds / 3600))} ساعت`;
}

const PACING_NAMES: Record<keyof PacingConfig, string> = {
  actionDelay: 'فاصلهٔ بین عملیات (ثانیه)',
  actionConcurrency: 'تعداد حساب‌های هم‌زمان',
  campaignDelay: 'فاصلهٔ بین پیام‌های کمپین (ثانیه)',
  campaignPerAccount: 'پیام هر حساب در هر کمپین',
  campaignDailyCap: 'پیام هر حساب در روز',
};

export const fa: Messages = {
  refused: 'این ربات خصوصی است.',
  menuExpired: 'این منو منقضی شده است؛ منوی فعلی را ببینید.',
  useButtons: 'لطفاً با دکمه‌های زیر پاسخ دهید.',
  expectedText: 'لطفاً پاسخ را به صورت متن بنویسید.',
  useMenu: 'از منوی زیر استفاده کنید.',
  unknownCommand: 'دستور ناشناخته.',
  cancelled: 'لغو شد.',
  nothingToCancel: 'چیزی برای لغو وجود ندارد.',
  unexpected: 'در پنل خطایی رخ داد و ثبت شد. دوباره امتحان کنید.',
  inputRefused: (reason) => `انجام نشد: ${iso(reason)}`,
  panelRefused: (reason) => `فعلاً ممکن نیست: ${iso(reason)}`,
  failure: (kind, code, seconds) =>
    `${FAILURES[kind]}${kind === 'flood_wait' && seconds !== undefined ? ` (${duration(seconds)})` : ''} [${iso(code)}]`,
  failureKind: (kind) => FAILURES[kind],
  cmdStart: 'باز کردن منوی اصلی (هر مرحلهٔ نیمه‌کاره را رها می‌کند)',
  cmdCancel: 'خروج از مرحلهٔ فعلی',
  notAvailable: 'این بخش از پنل در این فرایند اجرا نمی‌شود.',

  btnBack: '» بازگشت',
  btnCancel: '✖ لغو',
  btnHome: '🏠 منو',

  homeTitle: 'پنل تلگرام\nچه کاری انجام شود؟',
  btnStatus: '📊 وضعیت',
  btnAccounts: '👤 حساب‌ها',
  btnActions: '⚡ عملیات',
  btnCampaigns: '✉️ کمپین‌ها',
  btnMonitor: '🔎 پایش',
  btnSettings: '⚙️ تنظیمات',

  settingsTitle: '⚙️ تنظیمات',
  languageNow: 'زبان: فارسی',
  pacingTitle: 'سرعت پیش‌فرض:',
  pacingLine: (name, value, changed) => `• ${name}: ${iso(value)}${changed ? ' (تغییر داده‌شده در اینجا)' : ''}`,
  pacingNote: 'تغییرها روی کارهایی اعمال می‌شوند که بعد از آن شروع شوند؛ بقیه از پیکربندی می‌آید.',
  pacingName: (field) => PACING_NAMES[field],
  btnResetPacing: '↺ بازگشت به مقادیر پیکربندی',
  pacingRangeForm: `ثانیه به شکل کمینه-بیشینه، مثلاً ${iso('8-15')}`,
  pacingIntForm: (lo, hi) => `عددی صحیح از ${faNum(lo)} تا ${faNum(hi)}`,
  pacingAsk: (name, now, form) => `${name}\nمقدار فعلی: ${iso(now)}\n\nمقدار جدید را بنویسید (${form}).`,
  pacingBadRange: `این یک بازه نیست: دو عدد ثانیه به شکل کمینه-بیشینه بنویسید (مثلاً ${iso('8-15')})؛ اولی بزرگ‌تر از دومی نباشد و حداکثر ${faNum(86400)}.`,
  pacingBadInt: (lo, hi) => `این عدد صحیحی از ${faNum(lo)} تا ${faNum(hi)} نیست.`,
  saved: '✅ ذخیره شد.',
};
