import type { TwoFactorIssue } from '../../core/account-care.ts';
import type { LinkErrorCode, LinkErrorParams, LinkIdField } from '../../core/links.ts';
import type { ProxyPart, ProxyProblemCode } from '../../core/proxy-url.ts';
import type { NestedLinkReason, Reason, ReasonCode, ReasonParams } from '../../core/reasons.ts';
import type { UsernameRule } from '../../core/usernames.ts';
import { faNum, iso } from './bidi.ts';
import { STORED_REASONS_FA } from './stored-reasons-fa.ts';

const v = (x: unknown): string => iso(typeof x === 'string' || typeof x === 'number' ? String(x) : '');
const n = (x: unknown): string => (typeof x === 'number' ? faNum(x) : v(x));

/** The engine's refusals in Persian, one per code of core/reasons.ts. */
export const REASONS_FA: Record<ReasonCode, (p: ReasonParams) => string> = {
  ...STORED_REASONS_FA,
  campaign_name_invalid: () => 'نام کمپین باید ۱ تا ۶۴ نویسه باشد و نویسهٔ کنترلی نداشته باشد',
  campaign_message_empty: () => 'پیام خالی است',
  campaign_message_too_long: (p) => `پیام ${n(p.length)} نویسه دارد؛ تلگرام در یک پیام حداکثر ${n(p.max)} نویسه می‌پذیرد`,
  campaign_no_valid_targets: (p) => `در فهرست افراد هیچ نام کاربری درستی نیست (${n(p.invalid)} مورد نادرست)`,
  campaign_bad_number: (p) => `عدد باید صحیح و دست‌کم ۱ باشد (نوشته شده: ${v(p.value)})`,
  campaign_bad_delay: (p) => `فاصله باید به شکل کمینه-بیشینه ثانیه باشد، از ۰ تا ${faNum(86_400)} و کمینه نه بیشتر از بیشینه (نوشته شده: ${v(`${String(p.min)}-${String(p.max)}`)})`,
  campaign_name_taken: (p) => `کمپینی به نام ${v(p.name)} با پیام دیگری از قبل هست؛ همان را اجرا کنید تا ادامه یابد، یا نام تازه‌ای برگزینید`,
  campaign_cancelled: (p) => `کمپین ${v(p.name)} لغو شده است؛ برای فرستادن دوباره کمپین تازه‌ای بسازید`,
  campaign_unknown: (p) => `کمپینی به نام ${v(p.name)} نیست`,
  campaign_over: (p) => `کمپین ${v(p.name)} ${p.state === 'cancelled' ? 'لغو شده' : 'تمام شده'} است؛ چیزی برای توقف نیست`,
  campaign_unknown_accounts: (p) => `این حساب‌ها شناخته نشدند: ${v(p.accounts)} (${n(p.fleet)} حساب فعال هست)`,
  campaign_leased: (p) => `کمپین ${v(p.name)} را پردازهٔ دیگری اجرا می‌کند (${v(p.owner)})؛ آنجا متوقفش کنید یا صبر کنید تمام شود`,
  accounts_count_invalid: (p) => `تعداد حساب‌ها باید عددی صحیح از ۱ باشد (نوشته شده: ${v(p.value)})`,
  accounts_too_few: (p) =>
    `${n(p.wanted)} حساب خواسته شد ولی اکنون فقط ${n(p.usable)} حساب می‌توانند این کار را بکنند${typeof p.held === 'number' && p.held > 0 ? `؛ ${n(p.held)} حساب در دست پردازهٔ دیگری از پنل است (${v(p.holders)})؛ آنجا متوقفش کنید یا صبر کنید کارش تمام شود` : ''}`,
  accounts_none_named: () => 'دست‌کم یک حساب را نام ببرید',
  accounts_not_usable: (p) => `این حساب‌ها اکنون نمی‌توانند این کار را بکنند: ${v(p.accounts)} (بخش «حساب‌ها ← مشکلات» را ببینید)`,
  account_unknown: (p) => `چنین حسابی نیست: ${v(p.accounts)} (فهرست حساب‌ها را ببینید)`,
  account_held_elsewhere: (p) => `حساب ${v(p.account)} را پردازهٔ دیگری از پنل در دست دارد (${v(p.owner)})؛ آنجا متوقفش یا غیرفعالش کنید`,
  proxy_invalid: (p) => `از این پروکسی نمی‌توان استفاده کرد: ${proxyProblemFa(p)}`,
  tag_invalid: (p) => `${v(p.value)} برچسب درستی نیست: حرف، رقم، _ و - بنویسید، با حرف یا رقم آغاز کنید، حداکثر ${faNum(32)} نویسه`,
  tag_no_accounts: (p) => `هیچ حسابی برچسب ${v(p.tag)} ندارد`,
  profile_invalid: (p) => `این ویرایش نمایه پذیرفتنی نیست: ${profileIssueFa(p)}`,
  profile_photo_bad: (p) => (p.detail === 'size' ? `عکس بزرگ است؛ تلگرام تا ${faNum(10)} مگابایت می‌پذیرد` : `عکس باید تصویر ${v('JPEG')} یا ${v('PNG')} سالم با اندازهٔ معقول باشد`),
  profile_needs_named: () => 'حساب‌هایی را که نمایه‌شان ویرایش شود نام ببرید یا برچسبشان را بدهید',
  action_bad_id: (p) => `شناسهٔ ${ID_FIELDS[p.field as LinkIdField] ?? ''} باید عددی صحیح و مثبت باشد`,
  action_bad_username: (p) => `${v(p.value)} نام کاربری درستی نیست: ${USERNAME_RULES[p.rule as UsernameRule] ?? USERNAME_RULES.chars}`,
  action_username_form: (p) => `${v(p.value)} را با حروف کوچک و بدون ${iso('@')} بنویسید`,
  action_bad_invite: () => 'کد دعوت درست نیست',
  action_text_empty: () => 'متن خالی است',
  action_text_too_long: (p) => `متن ${n(p.length)} نویسه دارد؛ تلگرام حداکثر ${n(p.max)} نویسه می‌پذیرد`,
  action_not_emoji: (p) => `${v(p.value)} یک ایموجی تنها نیست`,
  vote_bad_option: () => 'شمارهٔ گزینه‌ها عدد صحیح از ۱ است',
  vote_option_twice: () => 'یک شمارهٔ گزینه دو بار آمده است',
  action_unknown: (p) => `کار ناشناخته: ${v(p.kind)}`,
  poll_closed: (p) => `نظرسنجی بسته شده است؛ گزینه‌ها: ${v(p.options)}`,
  poll_option_missing: (p) => `یک گزینه انتخاب کنید: ${v(p.options)}`,
  poll_option_out_of_range: (p) => `گزینهٔ ${v(p.value)} در نظرسنجی نیست (${n(p.count)} گزینه دارد): ${v(p.options)}`,
  poll_single_choice: (p) => `این نظرسنجی فقط یک گزینه می‌پذیرد، نه ${n(p.count)}: ${v(p.options)}`,
  link_refused: () => 'پیوند پذیرفته نشد',
  keyword_empty: () => 'کلیدواژه خالی است',
  keyword_invisible_only: () => 'کلیدواژه فقط نشانه یا نویسهٔ نامرئی دارد',
  keyword_too_long: (p) => `کلیدواژه بلند است (${n(p.length)} نویسه؛ حداکثر ${n(p.max)})`,
  keyword_bad_regex: (p) => `عبارت باقاعده درست نیست: ${v(p.detail)}`,
  keyword_ambiguous: (p) => `${v(p.ref)} به بیش از یک کلیدواژه می‌خورد؛ آن را با شناسه‌اش حذف کنید`,
  keyword_unknown: (p) => `کلیدواژهٔ ${v(p.ref)} نیست`,
  sender_bad_id: (p) => `${v(p.value)} شناسهٔ تلگرام نیست`,
  sender_bad: (p) => `${v(p.value)} نه شناسهٔ عددی فرستنده است نه نام کاربری`,
  ignored_unknown: (p) => `${v(p.value ?? p.ref)} در فهرست نادیده‌گرفته‌ها نیست`,
  chat_bad_link: (p) => `${v(p.value)} گفتگو را نشان نمی‌دهد`,
  chat_invite_link: () => 'پیوند دعوت نمی‌گوید کدام گفتگو است: گفتگو را با شناسه یا نام کاربری‌اش بفرستید (فهرست گروه‌ها را ببینید)',
  chat_not_joined: (p) => `هیچ حسابی در گفتگوی ${v(p.value)} نیست (اول گروه‌ها را به‌روز کنید)`,
  chat_not_target: (p) => `${v(p.value)} گفتگوی هدف نیست`,
  schedule_unknown: (p) => `زمان‌بندی ${v(`#${String(p.id)}`)} نیست (شاید حذف شده است)`,
  schedule_over: (p) => `زمان‌بندی ${v(`#${String(p.id)}`)} یک بار اجرا شده و تمام است؛ زمان‌بندی تازه‌ای بسازید`,
  schedule_kind_unknown: (p) => `این نوع کار را نمی‌توان زمان‌بندی کرد (${v(p.kind)})`,
  schedule_bad_time_zone: (p) => `منطقهٔ زمانی ${v(p.value)} شناخته نیست: نامی از فهرست ${iso('IANA')} بدهید، مثلاً ${iso('Asia/Tehran')}، ${iso('Europe/Berlin')} یا ${iso('UTC')}`,
  schedule_span_zero: (p) => `${v(p.value)} زمانی از اکنون نیست؛ فاصله‌ای مانند ${iso('+10m')} یا ${iso('+2h')} بدهید`,
  schedule_no_such_date: (p) => `تاریخ و ساعت ${v(p.value)} وجود ندارد`,
  schedule_in_past: (p) => `${v(p.value)} (${v(p.tz)}) گذشته است`,
  schedule_bad_when: (p) =>
    `${v(p.value)} به‌عنوان زمان خوانده نمی‌شود: ساعت محلی (${iso('2026-12-24T09:00')})، فاصله از اکنون (${iso('+2h')}، ${iso('+1h30m')}) یا عبارت ${iso('cron')} پنج‌بخشی (دقیقه ساعت روز ماه روز هفته، مثلاً ${iso('0 9 * * 1-5')}) بدهید`,
  schedule_bad_cron: (p) => `عبارت ${iso('cron')} ${v(p.value)} خوانده نمی‌شود: ${v(p.detail)}`,
  schedule_cron_never: (p) => `عبارت ${iso('cron')} ${v(p.value)} هیچ‌گاه در آینده رخ نمی‌دهد`,
  sessions_too_fresh: () => 'تلگرام فقط به نشستی که دست‌کم یک روز از ورودش گذشته اجازه می‌دهد نشست‌های دیگر را ببندد؛ بعداً دوباره امتحان کنید',
  twofa_wrong_password: () => 'رمز تأیید دومرحله‌ای کنونی اشتباه است',
  twofa_not_set: () => 'این حساب رمز تأیید دومرحله‌ای ندارد',
  twofa_already_set: () => 'این حساب از قبل رمز تأیید دومرحله‌ای دارد؛ به‌جای گذاشتن، آن را عوض کنید',
  twofa_email_code_wrong: () => 'کدی که به ایمیل فرستاده شد اشتباه است',
  twofa_email_pending: () => 'رمز تازه منتظر کدی است که به ایمیل بازیابی فرستاده شد',
  twofa_input_invalid: (p) => TWOFA_ISSUES_FA[p.issue as TwoFactorIssue]?.(p) ?? 'درخواست رمز تأیید دومرحله‌ای پذیرفتنی نیست',
  care_unsupported: (p) => `این اتصال نمی‌تواند ${p.what === 'sessions' ? 'نشست‌ها را فهرست کند' : 'پیام‌های سرویس تلگرام را بخواند'}`,
  prune_status_missing: (p) => `دست‌کم یکی از این وضعیت‌ها را بدهید: ${v(p.statuses)}`,
  prune_status_invalid: (p) => `وضعیت ${v(p.value)} پذیرفته نیست: حساب‌ها فقط در این وضعیت‌ها حذف می‌شوند: ${v(p.statuses)} (حساب سالم هرگز حذف نمی‌شود)`,
  worker_pin_both: () => 'پردازه را یا با حساب‌ها یا با برچسب به حساب‌ها ببندید، نه با هر دو',
  export_protected: (p) => `در ${v(p.path)} نمی‌توان نوشت: ${p.file === 'key' ? 'کلید رمزگذاری پنل' : 'پایگاه دادهٔ پنل'} است (${v(p.location)})؛ خروجی هرگز آنجا نوشته نمی‌شود. پروندهٔ دیگری برگزینید`,
  export_is_folder: (p) => `${v(p.path)} پوشه است؛ مسیر یک پرونده را بدهید، مثلاً ${v(p.example)}`,
  export_exists: (p) => `${v(p.path)} از قبل هست؛ برای جایگزینی ${iso('--force')} را بیفزایید، یا پروندهٔ دیگری برگزینید`,
  export_not_file: (p) => `${v(p.path)} پروندهٔ معمولی نیست؛ پروندهٔ دیگری برگزینید`,
  export_no_folder: (p) => `پوشهٔ ${v(p.folder)} برای ${v(p.path)} نیست؛ اول آن را بسازید یا مسیر دیگری برگزینید`,
  export_write_failed: (p) => `در ${v(p.path)} نوشتن ممکن نشد (${v(p.detail)})؛ پرونده‌ای برگزینید که بتوان در آن نوشت`,
  web_token_name_invalid: () => 'نام توکن ۱ تا ۶۴ نویسه است: حرف، رقم، فاصله، نقطه، خط تیره یا زیرخط، و با حرف یا رقم آغاز می‌شود',
  web_token_name_taken: (p) => `توکنی به نام ${v(p.name)} هست؛ اول آن را باطل کنید یا نام دیگری برگزینید`,
  web_token_unknown: (p) => `توکن فعالی به نام یا شناسهٔ ${v(p.ref)} نیست`,
  web_session_unknown: (p) => `نشست وب فعالی با شناسهٔ ${v(`#${String(p.id)}`)} نیست`,
};

const TWOFA_ISSUES_FA: Record<TwoFactorIssue, (p: ReasonParams) => string> = {
  action: () => 'کار رمز تأیید دومرحله‌ای یکی از گذاشتن، عوض کردن یا برداشتن است',
  current_empty: () => 'رمز کنونی خالی است',
  next_empty: () => 'رمز تازه خالی است',
  next_too_long: (p) => `رمز تازه بلندتر از ${n(p.max)} نویسه است`,
  repeat_differs: () => 'دو رمز تازه یکی نیستند',
  same_as_current: () => 'رمز تازه همان رمز کنونی است',
  hint_too_long: (p) => `راهنما بلندتر از ${n(p.max)} نویسه است`,
  hint_is_password: () => 'راهنما نمی‌تواند خود رمز باشد',
  email_invalid: () => 'این نشانی ایمیل نیست',
  remove_extras: () => 'راهنما یا ایمیل با گذاشتن یا عوض کردن رمز می‌آید، نه با برداشتن آن',
};

const PROXY_PARTS: Record<ProxyPart, string> = { url: 'نشانی پروکسی', mtproxy: `پیوند ${iso('MTProxy')}`, socks: `پیوند ${iso('SOCKS')}` };

const PROXY_FORMS_FA = `شکل‌های پذیرفته: ${iso('socks5://[user:pass@]host:port')}، ${iso('socks4://host:port')}، ${iso('http(s)://[user:pass@]host:port')}، ${iso('tg://socks?server=..&port=..')} یا ${iso('tg://proxy?server=..&port=..&secret=..')} (${iso('MTProxy')})`;

const SECRET_FORMS_FA = `کلید باید ${faNum(32)} رقم هگز باشد، یا ${iso('dd')} و ${faNum(32)} رقم هگز، یا ${iso('ee')} و ${faNum(32)} رقم هگز و دامنه به هگز، یا همین‌ها به ${iso('base64')}`;

const part = (p: ReasonParams): string => PROXY_PARTS[p.part as ProxyPart] ?? PROXY_PARTS.url;

/** Why a proxy URL cannot be used, one per code of core/proxy-url.ts (never the password or secret). */
export const PROXY_PROBLEMS_FA: Record<ProxyProblemCode, (p: ReasonParams) => string> = {
  not_a_url: (p) => `${p.value !== undefined ? v(p.value) : 'نشانی پروکسی'} نشانی درستی نیست؛ ${PROXY_FORMS_FA}`,
  unknown_link: (p) => `پیوند پروکسی ${v(p.value)} شناخته نیست؛ ${PROXY_FORMS_FA}`,
  unknown_scheme: (p) => `نوع پروکسی ${v(p.value)} شناخته نیست؛ ${PROXY_FORMS_FA}`,
  no_host: (p) => `${part(p)} سرور ندارد`,
  bad_host: (p) => `سرور ${part(p)} (${v(p.value)}) نام میزبان یا نشانی ${iso('IP')} نیست`,
  no_port: (p) => (p.part === 'url' ? `نشانی پروکسی باید درگاه را صریح بگوید (${faNum(1)} تا ${faNum(65_535)})` : `${part(p)} درگاه درستی ندارد (${faNum(1)} تا ${faNum(65_535)})`),
  no_secret: () => `پیوند ${iso('MTProxy')} کلید ندارد`,
  secret_not_encoded: () => `کلید ${iso('MTProxy')} نه هگز است نه ${iso('base64')}؛ ${SECRET_FORMS_FA}`,
  secret_domain_too_long: (p) => `دامنهٔ درون کلید ${iso('MTProxy')} بلندتر از ${n(p.max)} بایت است`,
  secret_bad_length: (p) => `کلید ${iso('MTProxy')} ${n(p.bytes)} بایت است${p.first !== undefined ? ` و با ${v(p.first)} آغاز می‌شود` : ''}؛ ${SECRET_FORMS_FA}`,
};

/** A proxy problem in Persian from its code; the parser's English for a reason kept without one. */
export function proxyProblemFa(p: ReasonParams): string {
  const code = p.problem;
  return typeof code === 'string' && Object.hasOwn(PROXY_PROBLEMS_FA, code) ? PROXY_PROBLEMS_FA[code as ProxyProblemCode](p) : v(p.detail);
}

const ID_FIELDS: Record<LinkIdField, string> = { message: 'پیام', topic: 'موضوع', thread: 'رشته', comment: 'دیدگاه', channel: 'کانال' };

const PROFILE_FIELDS: Record<string, string> = { first_name: 'نام', last_name: 'نام خانوادگی', bio: 'بیوگرافی', username: 'نام کاربری' };

/** The first rule a profile edit broke (core/profile.ts); rows without one keep the English detail. */
function profileIssueFa(p: ReasonParams): string {
  const field = PROFILE_FIELDS[String(p.field)] ?? '';
  const at = p.account !== undefined ? ` (برای ${v(`#${String(p.account)}`)})` : '';
  const more = typeof p.issues === 'number' && p.issues > 1 ? ` (و ${faNum(p.issues - 1)} مورد دیگر)` : '';
  const text = ((): string | undefined => {
    switch (p.rule) {
      case 'nothing':
        return 'بگویید چه چیزی عوض شود';
      case 'placeholder':
        return `${field} نشانهٔ ناشناختهٔ ${v(p.placeholders)} دارد؛ نشانه‌ها ${iso('{phone4}')} و ${iso('{n}')} هستند`;
      case 'empty':
        return `${field} خالی است${at}`;
      case 'too_long':
        return `${field} ${n(p.length)} نویسه دارد؛ تلگرام ${n(p.max)} نویسه اجازه می‌دهد${at}`;
      case 'username':
        return `${v(p.value)} نام کاربری درستی نیست: ${USERNAME_RULES[p.username_rule as UsernameRule] ?? USERNAME_RULES.chars}${at}`;
      case 'username_shared':
        return `${v(p.accounts)} هر دو ${v(`@${String(p.value)}`)} می‌شوند؛ ${iso('{n}')} یا ${iso('{phone4}')} را در نام کاربری بگذارید`;
      default:
        return undefined;
    }
  })();
  return text === undefined ? v(p.detail) : `${text}${more}`;
}

const USERNAME_RULES: Record<UsernameRule, string> = {
  too_short: 'نام کاربری دست‌کم ۴ نویسه دارد',
  too_long: 'نام کاربری حداکثر ۳۲ نویسه دارد',
  first_char: 'نام کاربری با حرف لاتین شروع می‌شود',
  chars: 'نام کاربری فقط حرف لاتین، رقم و خط زیر دارد',
  trailing_underscore: 'نام کاربری با خط زیر تمام نمی‌شود',
  double_underscore: 'نام کاربری دو خط زیر پشت هم ندارد',
};

const GOT: Record<string, string> = { message: 'پیوند یک پیام', invite: 'پیوند دعوت', peer: 'پیوند یک گفتگو یا کاربر' };

const FORMS = `یک پیوند ${iso('t.me')} (${iso('t.me/<name>/<id>')}، ${iso('t.me/c/<channel>/<id>')}، ${iso('t.me/+<hash>')})، پیوند ${iso('tg://')}، ${iso('@name')} یا نام`;

/** Why a pasted link was refused, in Persian, one per code of core/links.ts. */
export const LINK_ERRORS_FA: Record<LinkErrorCode, (p: LinkErrorParams) => string> = {
  empty: () => `چیزی نوشته نشده؛ ${FORMS} لازم است`,
  too_long: (p) => `${n(p.length)} نویسه برای یک پیوند تلگرام زیاد است`,
  unsupported_scheme: (p) => `پیوندهای ${v(p.value)} خوانده نمی‌شوند؛ ${FORMS} لازم است`,
  no_host: () => `پیوند نشانی ندارد؛ ${FORMS} لازم است`,
  unknown_host: (p) => `${v(p.value)} نشانی تلگرام نیست`,
  bad_percent_encoding: (p) => `کدگذاری ${v(p.value)} درست نیست`,
  no_chat: () => 'پیوند گفتگویی را نام نمی‌برد',
  not_a_name: (p) => `${v(p.value)} نام کاربری یا پیوند نیست؛ ${FORMS} لازم است`,
  bad_username: (p) => `${v(p.value)} نام کاربری درستی نیست: ${p.rule ? USERNAME_RULES[p.rule] : ''}`,
  reserved_word: (p) => `${v(p.word)} واژهٔ رزروشدهٔ تلگرام است، نه نام یک گفتگو`,
  unsupported_link: (p) => `این نوع پیوند تلگرام (${v(p.kind)}) به کار هیچ عملی نمی‌آید`,
  invite_without_hash: () => 'پیوند دعوت کد دعوت ندارد',
  bad_invite_hash: (p) => `${v(p.value)} کد دعوت درستی نیست`,
  unexpected_path: (p) => `بخش اضافهٔ ${v(p.value)} در پیوند معنایی ندارد`,
  expected_message_id: (p) => `پس از ${v(`t.me/${p.username ?? ''}/`)} شمارهٔ پیام می‌آید، نه ${v(p.value)}`,
  private_chat_without_message: (p) => `پیوند ${v(`t.me/c/${p.channel ?? ''}`)} گفتگوی خصوصی است و بدون شمارهٔ پیام به کاری نمی‌آید`,
  channel_id_prefix: (p) => `شناسهٔ کانال در پیوند بدون ${iso('-100')} نوشته می‌شود: ${v(p.value)}`,
  bad_id: (p) => `شناسهٔ ${p.field ? ID_FIELDS[p.field] : ''} باید عددی از ۱ تا ${n(p.max)} باشد (نوشته شده: ${v(p.value)})`,
  zero_id: (p) => `شناسهٔ ${p.field ? ID_FIELDS[p.field] : ''} صفر نمی‌شود`,
  id_too_large: (p) => `شناسهٔ ${p.field ? ID_FIELDS[p.field] : ''} بزرگ‌تر از ${n(p.max)} است (${v(p.value)})`,
  conflicting_thread: (p) => `موضوع ${n(p.topic)} و رشتهٔ ${n(p.thread)} با هم نمی‌خوانند`,
  duplicate_param: (p) => `${v(p.key)} دو بار با مقدارهای متفاوت آمده است (${v(p.value)} و ${v(p.other)})`,
  param_needs_post: (p) => `${v(p.key)} فقط همراه شمارهٔ پست معنا دارد`,
  missing_param: (p) => `پیوند ${v(p.action)} به ${v(p.key)} نیاز دارد`,
  no_action: () => `پیوند ${iso('tg://')} کاری را نام نمی‌برد`,
  unsupported_action: (p) => `پیوند ${iso('tg://')} از نوع ${v(p.action)} به کار هیچ عملی نمی‌آید`,
  join_needs_invite: (p) => `گفتگوی خصوصی ${v(`t.me/c/${p.channel ?? ''}`)} را فقط با پیوند دعوتش (${iso('t.me/+<hash>')}) می‌توان عضو شد`,
  needs_message_link: (p) => `این کار پیوند یک پیام لازم دارد (${iso('t.me/<name>/<id>')} یا ${iso('t.me/c/<channel>/<id>')})؛ ${GOT[p.got ?? ''] ?? ''} فرستاده شد`,
  needs_user: (p) => `این کار یک کاربر لازم دارد (${iso('@name')} یا ${iso('t.me/<name>')})؛ ${GOT[p.got ?? ''] ?? ''} فرستاده شد`,
};

/** A refused link in Persian: worded from its code, the parser's own sentence for a code it does not know. */
export function linkErrorFa(f: NestedLinkReason): string {
  const word = Object.hasOwn(LINK_ERRORS_FA, f.code) ? LINK_ERRORS_FA[f.code as LinkErrorCode] : undefined;
  return word ? word((f.params ?? {})) : iso(f.error);
}

/** A reason in Persian, with the refused link it carries. */
export function reasonFa(r: Reason): string {
  return `${REASONS_FA[r.code](r.params)}${r.link ? `: ${linkErrorFa(r.link)}` : ''}`;
}
