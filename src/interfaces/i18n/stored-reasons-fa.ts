import type { FailureKind } from '../../core/failures.ts';
import type { ReasonParams } from '../../core/reasons.ts';
import type { StoredReasonCode } from '../../core/stored-reasons.ts';
import { faNum, iso } from './bidi.ts';
import { failureFa, FAILURES_FA } from './failures-fa.ts';

const v = (x: unknown): string => iso(typeof x === 'string' || typeof x === 'number' ? String(x) : '');
const num = (x: unknown): number => (typeof x === 'number' ? x : 0);
const at = (ms: unknown): string => (typeof ms === 'number' ? iso(`${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`) : '');

function failure(p: ReasonParams): string {
  const kind = (typeof p.kind === 'string' && Object.hasOwn(FAILURES_FA, p.kind) ? p.kind : 'unknown') as FailureKind;
  return failureFa(kind, typeof p.code === 'string' ? p.code : '', typeof p.seconds === 'number' ? p.seconds : undefined);
}

function waitCause(p: ReasonParams): string {
  const who = `حساب ${v(`#${String(p.account ?? '')}`)}`;
  if (p.cause === 'flood') return `${who} منتظر پایان محدودیت تلگرام است`;
  if (p.cause === 'network') return `${who} پس از خطای اتصال دوباره تلاش می‌کند`;
  if (p.cause === 'daily_cap') return `${who} به سقف روزانهٔ ${faNum(num(p.cap))} پیام رسیده است`;
  return 'فاصلهٔ بین پیام‌ها';
}

function stalled(p: ReasonParams): string {
  const parts: string[] = [];
  if (num(p.pending) > 0) parts.push(`${faNum(num(p.pending))} نفر مانده‌اند`);
  if (num(p.claimed) > 0) parts.push(`${faNum(num(p.claimed))} پیام برداشته‌شده منتظر تأیید همان حسابی است که برداشت`);
  if (num(p.deferred) > 0) parts.push(`${faNum(num(p.deferred))} نفر منتظر روشن شدن پیام کمپین دیگری به همان شخص‌اند`);
  if (num(p.refused) > 0) parts.push('هر حساب آماده را افراد باقی‌مانده نپذیرفتند');
  if (num(p.stopped) > 0) parts.push(`${faNum(num(p.stopped))} حساب متوقف شد`);
  const head = num(p.fleet) === 0 ? 'هیچ حسابی در پنل نیست' : num(p.stopped) > 0 ? 'حساب آماده‌ای نمانده' : 'کار پیش نمی‌رود';
  return `${head}: ${parts.join('؛ ')}`;
}

/** The reasons kept with records, in Persian, one per code of core/stored-reasons.ts. */
export const STORED_REASONS_FA: Record<StoredReasonCode, (p: ReasonParams) => string> = {
  telegram_failure: failure,
  operation_process_ended: () => 'پردازه‌ای که آن را اجرا می‌کرد پایان یافت',
  campaign_targets_added: (p) => `${faNum(num(p.count))} نفر تازه افزوده شد`,
  campaign_paused_by_operator: () => 'مدیر آن را مکث کرد',
  campaign_cancelled_by_operator: () => 'مدیر آن را لغو کرد',
  campaign_uncertain_requeued: (p) => `${faNum(num(p.count))} نفرِ نامعلوم در اجرای بعد دوباره پیام می‌گیرند`,
  campaign_taken_over: () => 'پردازهٔ دیگری کمپین را در دست گرفت',
  campaign_interrupted: (p) => `قطع شد${p.detail ? ` (${v(p.detail)})` : ''}؛ برای ادامه دوباره اجرایش کنید`,
  campaign_waiting: (p) => `تا ${at(p.until)} چیزی فرستاده نمی‌شود (${waitCause(p)})؛ بعداً دوباره اجرایش کنید`,
  campaign_uncertain_left: (p) => `${faNum(num(p.count))} پیام نامعلوم است: بررسی و روشنشان کنید`,
  campaign_stalled: stalled,
  account_flood_wait: (p) => `تلگرام خواسته این حساب صبر کند [${v(p.code)}]`,
  spambot_limited: (p) => `${iso('@SpamBot')}: محدود${p.until !== undefined ? ` تا ${at(p.until)}` : ''}`,
  spambot_clean: () => `${iso('@SpamBot')}: بدون محدودیت`,
  account_connecting_proxy: (p) => `از راه پروکسی ${v(p.proxy)}`,
  account_disabled_by_operator: () => 'مدیر آن را غیرفعال کرد',
  account_lease_lost: () => 'پردازهٔ دیگری از پنل این حساب را در دست گرفت',
  account_removed: () => 'حذف شد',
};
