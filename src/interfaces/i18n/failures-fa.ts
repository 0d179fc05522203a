import type { FailureKind } from '../../core/failures.ts';
import { faNum, iso } from './bidi.ts';

/** What went wrong with Telegram, by kind, in Persian (failures and the stored reasons that carry one). */
export const FAILURES_FA: Record<FailureKind, string> = {
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
  lease_held: 'یک پردازهٔ دیگر پنل اکنون این حساب را در دست دارد',
  disabled: 'حساب غیرفعال است',
  no_account: 'چنین حسابی وجود ندارد (شاید حذف شده است)',
};

/** A wait in Persian words, rounded to what a person plans by. */
export function duration(seconds: number): string {
  if (seconds < 90) return `${faNum(seconds)} ثانیه`;
  if (seconds < 5400) return `${faNum(Math.round(seconds / 60))} دقیقه`;
  return `${faNum(Math.round(seconds / 3600))} ساعت`;
}

/** A Telegram failure in Persian: its kind, how long a flood wait lasts, and Telegram's code. */
export function failureFa(kind: FailureKind, code: string, seconds?: number): string {
  return `${FAILURES_FA[kind]}${kind === 'flood_wait' && seconds !== undefined ? ` (${duration(seconds)})` : ''} [${iso(code)}]`;
}
