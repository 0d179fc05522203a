/**
 * The words for the panel's states and kinds, one table per language for every interface, so the
 * bot and the dashboard never call one state by two names.
 */
import type { AccountStatus } from '../../core/accounts.ts';
import type { OperationKind } from '../../core/actions.ts';
import type { CampaignState, TargetState } from '../../core/campaigns.ts';
import type { OperationStatus } from '../../store/operations.ts';
import type { Lang } from './plural.ts';

export interface StateWords {
  status: Record<AccountStatus, string>;
  /** Lower case, for use inside sentences. */
  kinds: Record<OperationKind, string>;
  operation: Record<OperationStatus, string>;
  campaign: Record<CampaignState, string>;
  target: Record<TargetState, string>;
}

export const WORDS: Record<Lang, StateWords> = {
  en: {
    status: {
      active: 'active',
      disabled: 'disabled',
      connecting: 'connecting',
      flood_wait: 'waiting (flood limit)',
      peer_flood: 'limited (no messages to strangers)',
      revoked: 'logged out',
      banned: 'banned',
      frozen: 'frozen',
      error: 'error',
    },
    kinds: { profile: 'profile edit', reaction: 'reaction', vote: 'poll vote', join: 'join', leave: 'leave', block: 'block', pm: 'private message', comment: 'comment' },
    operation: { running: 'running', finished: 'finished', stopped: 'stopped', cancelled: 'cancelled', interrupted: 'interrupted' },
    campaign: { ready: 'ready', running: 'running', paused: 'paused', done: 'done', cancelled: 'cancelled' },
    target: {
      pending: 'waiting',
      claimed: 'being sent',
      sent: 'sent',
      not_found: 'not found',
      privacy_restricted: 'privacy forbids',
      failed: 'failed',
      uncertain: 'uncertain (decide)',
      skipped: 'skipped',
    },
  },
  fa: {
    status: {
      active: 'فعال',
      disabled: 'غیرفعال',
      connecting: 'در حال اتصال',
      flood_wait: 'در انتظار (محدودیت تلگرام)',
      peer_flood: 'محدود (بدون پیام به غریبه‌ها)',
      revoked: 'خارج‌شده',
      banned: 'مسدود',
      frozen: 'فریزشده',
      error: 'خطا',
    },
    kinds: { profile: 'ویرایش نمایه', reaction: 'واکنش', vote: 'رأی به نظرسنجی', join: 'عضویت', leave: 'ترک گفتگو', block: 'مسدود کردن', pm: 'پیام خصوصی', comment: 'دیدگاه' },
    operation: { running: 'در حال اجرا', finished: 'تمام شد', stopped: 'متوقف شد', cancelled: 'لغو شد', interrupted: 'نیمه‌کاره ماند' },
    campaign: { ready: 'آماده', running: 'در حال اجرا', paused: 'متوقف موقت', done: 'تمام‌شده', cancelled: 'لغوشده' },
    target: {
      pending: 'در انتظار',
      claimed: 'در حال ارسال',
      sent: 'فرستاده شد',
      not_found: 'پیدا نشد',
      privacy_restricted: 'حریم خصوصی اجازه نمی‌دهد',
      failed: 'ناموفق',
      uncertain: 'نامعلوم (تصمیم بگیرید)',
      skipped: 'رد شد',
    },
  },
};
