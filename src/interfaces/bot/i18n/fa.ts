import type { PacingConfig } from '../../../config.ts';
import type { AccountStatus } from '../../../core/accounts.ts';
import type { ActionKind } from '../../../core/actions.ts';
import type { ActionOutcome } from '../../../core/session.ts';
import type { KeywordMode } from '../../../core/keywords.ts';
import type { SkipReason } from '../../../core/monitor-filter.ts';
import type { ChatKind } from '../../../core/session.ts';
import type { WatchState } from '../../../store/monitor.ts';
import { bar } from '../progress.ts';
import { faNum, iso } from './bidi.ts';
import { nonZero } from '../../i18n/plural.ts';
import { failureFa, FAILURES_FA as FAILURES } from '../../i18n/failures-fa.ts';
import { linkErrorFa, reasonFa } from '../../i18n/reasons-fa.ts';
import type { Messages } from './en.ts';
import type { ScheduleRunStatus, ScheduleState } from '../../../core/schedules.ts';
import { WORDS } from '../../i18n/words.ts';

const STATUS = WORDS.fa.status;

const ADVICE: Record<AccountStatus, string> = {
  active: 'کاری لازم نیست.',
  disabled: 'برای استفادهٔ دوباره آن را فعال کنید.',
  connecting: 'کمی صبر کنید؛ در حال اتصال است.',
  flood_wait: 'کاری لازم نیست: پس از پایان انتظار دوباره استفاده می‌شود.',
  peer_flood: 'هنوز می‌تواند واکنش بدهد، رأی بدهد و عضو شود. با دکمهٔ «بررسی اسپم» از @SpamBot بپرسید و صبر کنید تا محدودیت برداشته شود.',
  revoked: 'نشست آن بسته شده (جای دیگری خارج شده). حذفش کنید و با شماره‌اش دوباره اضافه کنید.',
  banned: 'تلگرام این شماره را مسدود کرده است. حذفش کنید؛ تا آن موقع کلیدهایش نگه داشته می‌شود.',
  frozen: 'در اپ رسمی تلگرام درخواست بازبینی بدهید (در تنظیمات)؛ تا آن موقع کاری از آن برنمی‌آید. اگر نشد حذفش کنید.',
  error: 'دکمهٔ «بررسی» را بزنید؛ اگر علت به پروکسی مربوط است، پروکسی سالمی تنظیم کنید.',
};

const DELIVERY: Record<string, string> = {
  app: 'اپ تلگرام همان حساب',
  sms: 'پیامک',
  call: 'تماس تلفنی',
  flash_call: 'تماس کوتاه',
  missed_call: 'تماس بی‌پاسخ',
  email: 'ایمیل همان حساب',
  fragment: iso('Fragment'),
  other: 'تلگرام',
};

const KINDS = WORDS.fa.kinds;

const KIND_BUTTONS: Record<ActionKind, string> = {
  reaction: '👍 واکنش',
  vote: '📊 رأی',
  join: '➕ عضویت',
  leave: '🚪 ترک',
  block: '🚫 مسدود کردن',
  pm: '✉️ پیام خصوصی',
  comment: '💬 دیدگاه',
};

const ASK_TARGET: Record<ActionKind, string> = {
  reaction: `پیوند پیامی را که باید به آن واکنش داد بفرستید (${iso('t.me/<name>/<id>')} یا ${iso('t.me/c/<channel>/<id>')}).`,
  vote: 'پیوند پیامی را که نظرسنجی دارد بفرستید.',
  comment: 'پیوند پست کانالی را که باید زیر آن دیدگاه نوشت بفرستید.',
  join: `گفتگویی را که باید عضو شد بفرستید: ${iso('t.me/<name>')}، ${iso('@name')} یا پیوند دعوت ${iso('t.me/+<hash>')}.`,
  leave: `گفتگویی را که باید ترک کرد بفرستید: ${iso('t.me/<name>')}، ${iso('@name')}، پیوند یک پیام یا پیوند دعوتی که با آن عضو شده‌اید.`,
  block: `کاربری را که باید مسدود شود بفرستید: ${iso('@name')} یا ${iso('t.me/<name>')}.`,
  pm: `کاربری را که باید به او پیام داد بفرستید: ${iso('@name')} یا ${iso('t.me/<name>')}.`,
};

const OUTCOMES: Record<ActionOutcome, string> = { done: 'انجام شد', already: 'از قبل چنین بود', requested: 'درخواست عضویت فرستاده شد (منتظر مدیران)' };

const OP_STATUS = WORDS.fa.operation;

const TARGET_STATES = WORDS.fa.target;

const CAMPAIGN_STATES = WORDS.fa.campaign;

const CAMPAIGN_SETTINGS: Record<'cap' | 'daily' | 'delay', string> = {
  cap: 'پیام هر حساب در این کمپین: عددی صحیح از ۱ تا ۱۰۰۰ بنویسید.',
  daily: 'پیام هر حساب در روز در همهٔ کمپین‌ها: عددی صحیح از ۱ تا ۱۰۰۰۰ بنویسید.',
  delay: `ثانیه‌های بین دو پیام یک حساب: به شکل کمینه-بیشینه بنویسید، مثلاً ${iso('60-180')}.`,
};

const KEYWORD_MODES: Record<KeywordMode, string> = { plain: 'هر جای متن', word: 'کلمهٔ کامل', regex: 'عبارت باقاعده' };

const WATCH_STATES: Record<WatchState | 'unknown', string> = { live: 'زنده', stale: 'ساکت (همگام‌سازی لازم)', resyncing: 'در حال همگام‌سازی', detached: 'پایش نمی‌شود', unknown: 'نامعلوم' };

const SKIP_REASONS: Record<SkipReason, string> = {
  own_account: 'یکی از حساب‌ها',
  ignored_sender: 'فرستندهٔ نادیده‌گرفته',
  forward_channel: 'خود کانال ارسال',
  not_target: 'گفتگوی هدف نیست',
  chat_kind: 'کانال‌ها یا گفتگوهای خصوصی خاموش‌اند',
};

const CHAT_KINDS: Record<ChatKind, string> = { private: 'خصوصی', group: 'گروه', supergroup: 'سوپرگروه', forum: 'انجمن', channel: 'کانال' };

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
  webLink: (url: string) => `ورود به داشبورد وب (یک بار و تا ۱۰ دقیقه کار می‌کند؛ آن را برای کسی نفرستید):\n${url}`,
  webOff: 'داشبورد وب خاموش است: پنل با --no-web اجرا شده است.',
  flowReset: 'مرحله‌ای که در آن بودید با نسخهٔ قدیمی‌تری از پنل شروع شده بود (یا دیگر خوانده نمی‌شود)؛ لطفاً آن را دوباره شروع کنید.',
  unexpected: 'در پنل خطایی رخ داد و ثبت شد. دوباره امتحان کنید.',
  inputRefused: (reason) => `انجام نشد: ${iso(reason)}`,
  panelRefused: (reason) => `فعلاً ممکن نیست: ${iso(reason)}`,
  failure: (kind, code, seconds) => failureFa(kind, code, seconds),
  failureKind: (kind) => FAILURES[kind],
  reason: (r, _english) => reasonFa(r),
  linkError: (f) => linkErrorFa(f),
  cmdStart: 'باز کردن منوی اصلی (هر مرحلهٔ نیمه‌کاره را رها می‌کند)',
  cmdCancel: 'خروج از مرحلهٔ فعلی',
  cmdWeb: 'پیوند ورود به داشبورد وب',
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

  // --- schedules ---
  btnSchedules: '⏰ زمان‌بندی‌ها',
  schedulesTitle: (n: number) =>
    n === 0 ? '⏰ زمان‌بندی‌ها\n\nچیزی زمان‌بندی نشده است. زمان‌بندی از خط فرمان افزوده می‌شود: schedule add <when> -- <command>.' : `⏰ زمان‌بندی‌ها (${faNum(n)})`,
  scheduleState: (s: ScheduleState) => ({ active: 'فعال', paused: 'متوقف', done: 'انجام‌شده' })[s],
  scheduleRunStatus: (s: ScheduleRunStatus) => ({ running: 'در حال اجرا', ok: 'انجام شد', failed: 'ناموفق', skipped: 'رد شد', interrupted: 'نیمه‌کاره ماند' })[s],
  scheduleLine: (id: number, state: string, when: string, next: string | null, last: string | null, command: string) =>
    `${iso(`#${id}`)} · ${state} · ${iso(when)}\n${iso(command)}${next ? `\nاجرای بعدی: ${next}` : ''}${last ? `\nآخرین اجرا: ${last}` : ''}`,
  btnRemoveSchedule: (id: number) => `🗑 ${iso(`#${id}`)}`,
  confirmRemoveSchedule: (id: number, command: string) =>
    `زمان‌بندی ${iso(`#${id}`)} حذف شود؟\n${iso(command)}\n\nاجرایی که در جریان است ادامه می‌یابد؛ سابقهٔ اجراها می‌ماند.`,
  scheduleRemoved: (id: number) => `زمان‌بندی ${iso(`#${id}`)} حذف شد.`,
  scheduleGone: 'این زمان‌بندی دیگر وجود ندارد.',

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

  n: (x) => faNum(x),
  never: 'هرگز',
  btnPrev: '› قبلی',
  btnNext: 'بعدی ‹',
  pageOf: (page, pages) => `${faNum(page)}/${faNum(pages)}`,
  btnRefresh: '🔄 به‌روزرسانی',
  btnNo: 'نه',
  detailsInFile: 'جزئیات در فایل زیر است.',
  fileTooLarge: 'این فایل برای فایل نشست بیش از حد بزرگ است.',
  progress: (title, s) =>
    `${title}\n${iso(bar(s.done, s.total))}\n${[`${faNum(s.done)}/${faNum(s.total)}`, ...(s.ok ? [`✅ ${faNum(s.ok)}`] : []), ...(s.failed ? [`❌ ${faNum(s.failed)}`] : [])].join(' · ')}${s.current ? `\nاکنون: ${s.current}` : ''}`,

  status: (s) => STATUS[s],
  advice: (s) => ADVICE[s],
  accountsTitle: (n) => `👤 حساب‌ها: ${faNum(n)}`,
  btnAddAccount: '➕ افزودن (ورود)',
  btnImport: '📥 وارد کردن نشست',
  btnList: '📋 فهرست',
  btnProblems: (n) => `⚠️ مشکل‌ها (${faNum(n)})`,
  btnCheckAll: '🩺 بررسی همهٔ حساب‌ها',
  noAccounts: 'هنوز حسابی نیست.',
  listTitle: (n) => `📋 حساب‌ها (${faNum(n)}). یکی را انتخاب کنید:`,
  accountGone: 'آن حساب دیگر وجود ندارد.',
  cardTitle: (name) => `👤 حساب ${name}`,
  cardName: (first, username) => `نام: ${first} (${username})`,
  cardStatus: (status, since) => `وضعیت: ${status}، از ${since}`,
  cardReason: (reason) => `علت: ${reason}`,
  cardUntil: (until) => `تا: ${until}`,
  cardProxy: (proxy) => `پروکسی: ${proxy}`,
  proxyDefault: `پیش‌فرض (${iso('PROXY_URL')} یا مستقیم)`,
  cardGroups: (n) => `گروه‌ها و کانال‌ها: ${faNum(n)}`,
  cardLastUsed: (at) => `آخرین استفاده: ${at}`,
  btnEnable: '▶️ فعال کردن',
  btnDisable: '⏸ غیرفعال کردن',
  btnCheck: '🩺 بررسی',
  btnSpamCheck: '🛡 بررسی اسپم',
  btnSetProxy: '🌐 پروکسی',
  btnGroups: '👥 گروه‌ها',
  btnRemove: '🗑 حذف',
  btnSessions: '📱 نشست‌ها',
  btnCodes: '🔑 کدهای ورود',
  cardOtherSessions: (n) => `نشست‌های دیگر (آخرین بررسی): ${faNum(n)}`,
  sessionsTitle: (name, others) => `نشست‌های ${name} · دستگاه‌های دیگر: ${faNum(others)}`,
  sessionLine: (device, app, place, active) => `• ${device} · ${app}\n   ${place} · ${active}`,
  sessionThisPanel: '🟢 همین پنل',
  sessionNow: 'اکنون',
  btnEndOthers: '⛔ بستن نشست‌های دیگر',
  confirmEndOthers: (n, name) => `${faNum(n)} نشست دیگرِ ${name} بسته شود؟ آن دستگاه‌ها از حساب بیرون می‌روند؛ نشست خود پنل می‌ماند.`,
  btnYesEnd: '✅ بله، ببند',
  endedSessions: (n) => `⛔ ${faNum(n)} نشست بسته شد.`,
  codesTitle: (name) => `🔑 کدهای ورود ${name} (یک روز گذشته، تازه‌ترین اول)`,
  codeLine: (code, at) => `${code} · ${at}`,
  codesNone: 'در یک روز گذشته کد ورودی نیامده است. ورود را در دستگاه دیگر آغاز کنید و سپس «به‌روزرسانی» را بزنید.',
  // --- two-step verification from the card ---
  btnTwoFa: '🔐 تأیید دومرحله‌ای',
  twofaTitle: (name) => `🔐 تأیید دومرحله‌ای ${name}`,
  twofaChoose:
    'رمز بگذارید (وقتی حساب رمزی ندارد)، آن را عوض کنید یا بردارید. هر رمزی که می‌نویسید بی‌درنگ از این گفت‌وگو پاک می‌شود و تنها تا رسیدن به تلگرام در حافظه می‌ماند؛ پنل هرگز آن را نگه نمی‌دارد.',
  btnTwofa: (a) => ({ set: '➕ گذاشتن رمز', change: '🔁 عوض کردن رمز', remove: '🔓 برداشتن رمز' })[a],
  confirmTwofaRemove: (name) => `رمز تأیید دومرحله‌ای ${name} برداشته شود؟ پس از آن کد ورود به‌تنهایی برای ورود به حساب بس است. در گام بعد رمز کنونی را می‌نویسید.`,
  btnYesTwofaRemove: '🔓 بله، بردار',
  btnSkip: 'رد شدن «',
  askTwofaHint: (name) => `راهنمایی برای رمز تازهٔ ${name} بنویسید (تلگرام آن را به هر کسی که وارد می‌شود نشان می‌دهد، پس خود رمز نباشد؛ حداکثر ${faNum(128)} نویسه)، یا «رد شدن» را بزنید.`,
  askTwofaEmail: 'یک ایمیل بازیابی بنویسید (تلگرام کدی به آن می‌فرستد که در گام بعد پرسیده می‌شود)، یا «رد شدن» را بزنید.',
  askTwofaCurrent: (name) => `رمز تأیید دومرحله‌ای کنونی ${name} را بنویسید. پیام بی‌درنگ پاک می‌شود.`,
  askTwofaNew: (name) => `رمز تأیید دومرحله‌ای تازهٔ ${name} را بنویسید (حداکثر ${faNum(256)} نویسه). پیام بی‌درنگ پاک می‌شود.`,
  askTwofaRepeat: 'رمز تازه را دوباره بنویسید.',
  askTwofaEmailCode: (email, length) => `تلگرام کدی ${faNum(length)} رقمی به ${email} فرستاد. آن را اینجا بنویسید (پیام بی‌درنگ پاک می‌شود).`,
  twofaEmailCodeWrong: 'این کد اشتباه است؛ کد ایمیل‌شده را دوباره بنویسید.',
  twofaWorking: (name) => `⏳ در حال تغییر رمز تأیید دومرحله‌ای ${name}…`,
  twofaWait: 'تلگرام در حال پاسخ دادن است؛ کمی صبر کنید.',
  twofaLost: 'پنل دوباره راه‌اندازی شد یا این گام بیش از اندازه منتظر ماند: آنچه نوشته بودید از میان رفته است (رمزها هرگز نگه داشته نمی‌شوند). دوباره آغاز کنید.',
  twofaIssue: (issue) =>
    ({
      action: 'گذاشتن، عوض کردن یا برداشتن را برگزینید.',
      current_empty: 'رمز کنونی خالی است.',
      next_empty: 'رمز تازه خالی است.',
      next_too_long: `رمز تازه بلندتر از ${faNum(256)} نویسه است.`,
      repeat_differs: 'دو رمز تازه یکی نیستند: رمز تازه را دوباره بنویسید.',
      same_as_current: 'رمز تازه همان رمز کنونی است.',
      hint_too_long: `راهنما بلندتر از ${faNum(128)} نویسه است.`,
      hint_is_password: 'راهنما نمی‌تواند خود رمز باشد.',
      email_invalid: 'این نشانی ایمیل نیست.',
      remove_extras: 'راهنما یا ایمیل با گذاشتن یا عوض کردن رمز می‌آید، نه با برداشتن آن.',
    })[issue],
  twofaRefused: (r) => reasonFa(r),
  twofaDone: (outcome) => ({ set: '✅ رمز تأیید دومرحله‌ای گذاشته شد.', changed: '✅ رمز تأیید دومرحله‌ای عوض شد.', removed: '🔓 رمز تأیید دومرحله‌ای برداشته شد.' })[outcome],
  // --- pruning dead accounts ---
  btnPrune: '🧹 پاک‌سازی حساب‌های از کار افتاده',
  pruneTitle: (n) => `🧹 پاک‌سازی: ${faNum(n)} حساب بنا بر آخرین بررسی یا استفاده از کار افتاده است.`,
  pruneNone: (statuses) => `🧹 هیچ حسابی بنا بر آخرین بررسی یا استفاده ${statuses} نیست: چیزی برای پاک‌سازی نیست.`,
  pruneStatuses: (statuses) => `از کار افتاده به شمار می‌آید: ${statuses} (برای تغییر بزنید).`,
  pruneLine: (name, status, reason) => `• ${name} · ${status}${reason ? ` · ${reason}` : ''}`,
  pruneMore: (n) => `…و ${faNum(n)} حساب دیگر (همه در پرونده هستند).`,
  pruneNote: `حذف، هر حساب و کلیدهای نشستش را پاک می‌کند. پیش از آن شماره‌ها و علت‌ها در یک پروندهٔ ${iso('CSV')} فرستاده می‌شوند. برای به‌روز شدن وضعیت‌ها نخست همهٔ حساب‌ها را بررسی کنید.`,
  btnPruneStatus: (status, on) => `${on ? '☑️' : '⬜'} ${STATUS[status]}`,
  pruneOneStatus: 'دست‌کم یک وضعیت باید از کار افتاده به شمار آید.',
  btnYesPrune: (n) => `🗑 بله، ${faNum(n)} حساب حذف شود`,
  pruneChanged: 'حساب‌های از کار افتاده از آن فهرست تاکنون تغییر کرده‌اند: فهرست تازه این است.',
  pruneCaption: (n) => `حساب‌های پاک‌سازی‌شده: ${faNum(n)} ردیف (شماره، وضعیت، علت)`,
  pruned: (n) => `🧹 ${faNum(n)} حساب با کلیدهای نشستشان حذف شد.`,
  // --- profile photo ---
  btnProfilePhoto: '🖼 عکس',
  askProfilePhoto: (name) =>
    `عکس نمایهٔ تازهٔ ${name} را بفرستید: ${iso('JPEG')} یا ${iso('PNG')} (به‌صورت عکس، یا به‌صورت پرونده تا فشرده نشود)، حداکثر ${faNum(10)} مگابایت، هر ضلع دست‌کم ${faNum(16)} پیکسل. پیش از هر بارگذاری بررسی می‌شود.`,
  expectedPhoto: `یک عکس بفرستید (یا پرونده‌ای ${iso('JPEG')} یا ${iso('PNG')}).`,
  profilePhotoSaving: (name) => `⏳ در حال تغییر عکس نمایهٔ ${name}…`,
  profilePhotoSaved: (op) => `✅ عکس نمایه عوض شد (عملیات ${iso(`#${op}`)}).`,
  // --- an account's tags and profile ---
  cardTags: (tags) => `برچسب‌ها: ${tags}`,
  btnTags: '🏷 برچسب‌ها',
  btnProfile: '✏️ نمایه',
  tagsTitle: (name) => `🏷 برچسب‌های ${name}`,
  tagsNow: (tags) => `برچسب‌ها: ${tags}`,
  tagsNone: 'هنوز برچسبی ندارد.',
  tagsReserveNote: (reserve) => `حساب‌هایی که برچسب ${reserve} دارند هرگز برای «N حساب» یا حساب‌های پیش‌فرض کمپین برداشته نمی‌شوند؛ برای به‌کار بردنشان آن‌ها را با نام انتخاب کنید.`,
  btnRemoveTag: (tag) => `✖ ${tag}`,
  btnAddTag: '➕ افزودن برچسب',
  btnAddReserve: (reserve) => `➕ ${reserve}`,
  askTag: (name, reserve) =>
    `🏷 برچسبی برای ${name} بنویسید: حرف، رقم، _ و -، با حرف یا رقم آغاز شود، حداکثر ${faNum(32)} نویسه (# آغازین کنار گذاشته می‌شود؛ بزرگی و کوچکی حروف فرقی نمی‌کند). ${reserve} حساب را از «N حساب» بیرون نگه می‌دارد.`,
  tagAdded: (tag) => `✅ برچسب ${tag} گذاشته شد.`,
  tagHad: (tag) => `↩️ برچسب ${tag} را از قبل داشت.`,
  tagRemoved: (tag) => `✖ برچسب ${tag} برداشته شد.`,
  actReserved: (n) => `🏷 ${faNum(n)} حساب ذخیره در شمارش نیامده است؛ برای به‌کار بردنشان آن‌ها را با نام انتخاب کنید.`,
  profileTitle: (name) => `✏️ نمایهٔ ${name}`,
  profileChoose: 'چه چیزی عوض شود؟ هر بار یک مورد؛ هر تغییر مانند هر عمل دیگری با فاصله انجام و به‌عنوان یک عملیات ثبت می‌شود.',
  profileField: (f) => ({ firstName: 'نام', lastName: 'نام خانوادگی', bio: 'بیوگرافی', username: 'نام کاربری' })[f],
  askProfileValue: (f, name) =>
    ({
      firstName: `نام تازهٔ ${name} را بنویسید (${faNum(1)} تا ${faNum(64)} نویسه).`,
      lastName: `نام خانوادگی تازهٔ ${name} را بنویسید (حداکثر ${faNum(64)} نویسه)، یا برای پاک کردنش - بفرستید.`,
      bio: `بیوگرافی تازهٔ ${name} را بنویسید (حداکثر ${faNum(70)} نویسه)، یا برای پاک کردنش - بفرستید.`,
      username: `نام کاربری تازهٔ ${name} را بنویسید: ${faNum(5)} تا ${faNum(32)} حرف لاتین، رقم و خط زیر، با حرف آغاز شود (${iso('@')} لازم نیست). اول آزاد بودنش بررسی می‌شود.`,
    })[f],
  profileSaving: (field, name) => `⏳ در حال تغییر ${field} ${name}…`,
  profileSaved: (f, op) => `✅ ${({ firstName: 'نام', lastName: 'نام خانوادگی', bio: 'بیوگرافی', username: 'نام کاربری' })[f]} عوض شد (عملیات ${iso(`#${op}`)}).`,
  profileUnchanged: (f) => `↩️ ${({ firstName: 'نام', lastName: 'نام خانوادگی', bio: 'بیوگرافی', username: 'نام کاربری' })[f]} از قبل همین بود.`,
  usernameTaken: (name) => `نام کاربری ${name} گرفته شده است؛ چیزی در حساب عوض نشد. نام دیگری امتحان کنید.`,
  profileNotRun: 'تغییر انجام نشد (پیش از آنکه حساب کاری بکند متوقف شد).',
  enabledNow: '▶️ فعال شد.',
  disabledNow: '⏸ غیرفعال شد: تا وقتی فعال نشود در هیچ کاری شرکت نمی‌کند.',
  checking: 'در حال بررسی…',
  checkOk: 'پاسخ می‌دهد',
  spamState: (state, until) =>
    state === 'clean'
      ? `${iso('@SpamBot')}: بدون محدودیت`
      : state === 'limited'
        ? `${iso('@SpamBot')}: محدود${until ? ` تا ${until}` : ''}`
        : `${iso('@SpamBot')}: پاسخ نامشخص`,
  checkTitle: '🩺 بررسی حساب‌ها',
  checkSummary: (ok, failed) => `🩺 بررسی تمام شد: ${nonZero([[ok, `${faNum(ok)} پاسخ دادند`], [failed, `${faNum(failed)} پاسخ ندادند`]], '، ', 'حسابی بررسی نشد')}.`,
  confirmRemove: (name) => `حساب ${name} حذف شود؟\nکلیدهای نشست آن پاک می‌شود؛ برای استفادهٔ دوباره باید دوباره وارد شوید.`,
  btnYesRemove: '🗑 بله، حذف شود',
  removed: 'حذف شد.',
  removedAccount: (name) => `🗑 حساب ${name} حذف شد.`,
  groupsTitle: (name, n, at) => `👥 گروه‌های ${name}: ${faNum(n)} (به‌روزرسانی: ${at})`,
  chatKind: (k) => CHAT_KINDS[k],
  refreshing: 'در حال به‌روزرسانی…',
  problemsTitle: (n) => `⚠️ حساب‌هایی که رسیدگی می‌خواهند: ${faNum(n)}`,
  noProblems: '✅ هیچ حسابی رسیدگی نمی‌خواهد.',
  untilShort: (at) => `تا ${at}`,
  askProxy: (name, now) =>
    `🌐 پروکسی ${name}\nفعلی: ${now}\n\nنشانی پروکسی را بفرستید (${iso('socks5://user:pass@host:port')}، ${iso('http://host:port')} یا ${iso('tg://proxy?server=…&port=…&secret=…')})، یا «بدون» برای پیش‌فرض. پیام پس از خواندن پاک می‌شود.`,
  badProxy: (reason) => `از این پروکسی نمی‌توان استفاده کرد: ${iso(reason)}`,

  askPhone: `➕ افزودن حساب\n\nشمارهٔ تلفن آن را با کد کشور بفرستید، مثلاً ${iso('+989121234567')}.`,
  askCode: (via, length) =>
    `تلگرام یک کد${length ? ` ${faNum(length)} رقمی` : ''} از راه ${via} فرستاد.\n\nآن را با فاصله یا خط تیره بین رقم‌ها بنویسید، مثلاً ${iso('1 2 3 4 5')}: تلگرام کدی را که بی‌تغییر در گفتگو فرستاده شود باطل می‌کند. پیام پس از خواندن پاک می‌شود.`,
  delivery: (d) => DELIVERY[d] ?? DELIVERY.other!,
  askPassword: (hint) => `این حساب تأیید دومرحله‌ای دارد.${hint ? ` راهنما: ${iso(hint)}.` : ''}\n\nرمز آن را بنویسید. پیام پس از خواندن پاک می‌شود.`,
  loginRestarted: 'پنل دوباره راه‌اندازی شد (یا ورود منقضی شد)، پس کد یا رمزی که نوشتید دیگر قابل استفاده نیست. کد تازه‌ای فرستاده شد.',
  loginLost: 'پنل در میانهٔ این ورود دوباره راه‌اندازی شد؛ از شمارهٔ تلفن دوباره شروع کنید.',
  accountAdded: '✅ حساب اضافه شد.',
  askImport: `📥 وارد کردن نشست\n\nرشتهٔ نشست (${iso('mtcute, Telethon, Pyrogram, GramJS, MTKruto')}) را بچسبانید یا فایل نشست را بفرستید (فایل ${iso('.session')} تلتون یا پایروگرام، یا فایل متنی حاوی رشته). پیام پس از خواندن پاک می‌شود. پوشهٔ ${iso('tdata')} تلگرام دسکتاپ از خط فرمان وارد می‌شود.`,
  importNotString: 'این شبیه رشتهٔ نشست نیست: خود رشته را بچسبانید یا فایل را بفرستید.',
  accountImported: (format) => `✅ حساب وارد شد (${iso(format)}).`,

  actionsTitle: '⚡ عملیات\nحساب‌ها چه کنند؟ یک حساب یا چند حساب را در مرحلهٔ بعد انتخاب می‌کنید.',
  kindName: (k) => KINDS[k],
  kindButton: (k) => KIND_BUTTONS[k],
  actTitle: (kind) => `⚡ ${kind}`,
  askTarget: (k) => ASK_TARGET[k],
  badLink: (reason) => `مناسب نیست: ${iso(reason)}`,
  actSummaryKind: (kind) => `عملیات: ${kind}`,
  actSummaryTarget: (target) => `هدف: ${target}`,
  actSummaryEmoji: (emoji) => `واکنش: ${emoji}`,
  actSummaryOptions: (options) => `گزینه‌ها: ${options}`,
  actSummaryText: (text) => `متن: ${text}`,
  actSummaryWho: (who) => `حساب‌ها: ${who}`,
  askEmoji: 'یک واکنش انتخاب کنید یا هر ایموجی دلخواه را بنویسید.',
  notAnEmoji: 'این یک ایموجی نیست. یکی از دکمه‌ها را بزنید یا فقط یک ایموجی بنویسید.',
  askVote: (question, multiple) =>
    `نظرسنجی: ${question}\n${multiple ? `یک یا چند گزینه را انتخاب کنید و «تمام» را بزنید (یا شماره‌هایشان را بنویسید، مثلاً ${iso('1 3')}).` : 'یک گزینه را انتخاب کنید (یا شماره‌اش را بنویسید).'}`,
  pollClosed: 'این نظرسنجی بسته شده است: دیگر کسی نمی‌تواند رأی بدهد.',
  badOptions: (max) => `شمارهٔ گزینه‌ها را از ${faNum(1)} تا ${faNum(max)} بنویسید، مثلاً ${iso('1')} یا ${iso('1 3')}.`,
  oneOptionOnly: 'این نظرسنجی فقط یک گزینه می‌پذیرد.',
  pickOneOption: 'اول دست‌کم یک گزینه انتخاب کنید.',
  askActText: (k) => (k === 'pm' ? 'متن پیام را بنویسید (متن ساده).' : 'متن دیدگاه را بنویسید (متن ساده).'),
  emptyText: 'متن خالی است.',
  textTooLong: (n, max) => `متن ${faNum(n)} نویسه دارد؛ تلگرام ${faNum(max)} نویسه اجازه می‌دهد.`,
  askWho: (usable, unusable) =>
    `کدام حساب‌ها؟ ${faNum(usable)} حساب اکنون می‌توانند${unusable ? ` (${faNum(unusable)} حساب فعلاً نمی‌توانند)` : ''}. تعداد را انتخاب کنید (آن‌هایی که کمتر استفاده شده‌اند اول می‌آیند)، حساب‌ها را با نام انتخاب کنید یا یک عدد بنویسید.`,
  actNoUsable: (unusable) =>
    `هیچ حسابی اکنون نمی‌تواند این کار را بکند${unusable ? ` (${faNum(unusable)} حساب فعلاً نمی‌توانند: حساب‌ها ← مشکل‌ها را ببینید)` : ': اول یک حساب اضافه کنید'}.`,
  btnAllUsable: (n) => `همهٔ حساب‌های آماده (${faNum(n)})`,
  btnPickAccounts: '☑️ انتخاب حساب‌ها',
  askPick: (n) => `روی حساب‌ها بزنید تا انتخاب شوند (${faNum(n)} انتخاب‌شده)، سپس «تمام».`,
  pickOneAccount: 'اول دست‌کم یک حساب انتخاب کنید.',
  btnDone: '✔️ تمام',
  badCount: 'تعداد حساب‌ها را بنویسید: عددی صحیح از ۱ به بالا.',
  actCount: (n) => `${faNum(n)} (کم‌استفاده‌ترها اول)`,
  actPicked: (n) => `${faNum(n)} انتخاب‌شده`,
  askConfirmRun: 'اجرا شود؟',
  btnRun: '▶️ اجرا',
  started: '▶️ شروع شد: پیشرفت کار در پیام بعدی می‌آید.',
  btnStopOperation: '⏹ توقف',
  opAlreadyOver: 'آن کار دیگر تمام شده است.',
  opCancelling: 'در حال توقف: حساب تازه‌ای شروع نمی‌کند؛ آن‌هایی که در حال کارند تمام می‌کنند.',
  outcome: (o) => OUTCOMES[o],
  movedOn: '(به حساب دیگری سپرده شد)',
  campaignsTitle: (n) => `✉️ کمپین‌ها (${faNum(n)})`,
  noCampaigns: '✉️ هنوز کمپینی نیست.',
  btnNewCampaign: '➕ کمپین تازه',
  campaignGone: 'آن کمپین دیگر وجود ندارد.',
  targetState: (s) => TARGET_STATES[s],
  cmpState: (s) => CAMPAIGN_STATES[s],
  cmpCardTitle: (name, state) => `✉️ کمپین ${name}: ${state}`,
  cmpProgress: (done, total) => `${faNum(done)} از ${faNum(total)} نتیجه گرفته:`,
  cmpSettings: (cap, daily, delay, skip, accounts) =>
    `هر حساب: ${faNum(cap)} · در روز: ${faNum(daily)} · فاصله: ${iso(delay)} ثانیه\n${skip ? 'کسانی که قبلاً پیام گرفته‌اند رد می‌شوند' : 'کسانی که قبلاً پیام گرفته‌اند هم شامل‌اند'} · حساب‌ها: ${accounts === null ? 'همهٔ حساب‌های آماده' : faNum(accounts)}`,
  cmpAccountsHead: 'حساب‌ها (فرستاده / ناموفق / مجاز امروز):',
  cmpAccountLine: (name, sent, failed, remaining) => `• ${name}: ${faNum(sent)} / ${faNum(failed)} / ${faNum(remaining)}`,
  btnRunCampaign: '▶️ اجرا',
  btnResume: '▶️ ادامه',
  btnPause: '⏸ توقف موقت',
  btnSettle: (n) => `⚖️ تصمیم برای ${faNum(n)} مورد نامعلوم`,
  btnExportCsv: `📤 خروجی ${iso('CSV')}`,
  btnExportJson: `📤 خروجی ${iso('JSON')}`,
  btnCancelCampaign: '✖ لغو کمپین',
  btnOpenCampaign: '✉️ کمپین',
  cmpStarted: '▶️ شروع شد: پیشرفت کار در پیام بعدی می‌آید.',
  cmpPaused: '⏸ متوقف شد: ارسال‌های در جریان اول تمام می‌شوند.',
  cmpPausing: 'پس از ارسال‌های در جریان متوقف می‌شود.',
  cmpCancelled: '✖ لغو شد: دیگر چیزی فرستاده نمی‌شود.',
  confirmCancelCampaign: (name) =>
    `کمپین ${name} لغو شود؟ دیگر چیزی فرستاده نمی‌شود و نمی‌توان آن را دوباره اجرا کرد (کمپین تازه می‌شود). پیام‌هایی که هنوز تأیید نشده‌اند نامعلوم می‌شوند.`,
  btnYesCancelCampaign: '✖ بله، لغو شود',
  settleExplain: (n) => `${faNum(n)} نفر نامعلوم‌اند: ممکن است پیام به آن‌ها رسیده باشد یا نه (حسابی که فرستاد نتوانست تأیید کند). برای همهٔ آن‌ها تصمیم بگیرید:`,
  btnSettle_sent: '✅ فرستاده‌شده حساب شوند',
  btnSettle_skip: '⏭ رد شوند (هرگز پیام نگیرند)',
  btnSettle_retry: '🔁 در اجرای بعدی دوباره فرستاده شوند (ممکن است دو بار برسد)',
  settled: (n) => `⚖️ برای ${faNum(n)} مورد تصمیم گرفته شد.`,
  exporting: 'در حال تهیهٔ خروجی…',
  exportCaption: (name, n) => `کمپین ${name}: ${faNum(n)} ردیف`,
  askCampaignName: '➕ کمپین تازه\n\nیک نام بنویسید (تا ۶۴ نویسه). همین نام بعداً همین کمپین را ادامه می‌دهد.',
  badCampaignName: 'نام باید ۱ تا ۶۴ نویسه باشد و نویسهٔ کنترلی نداشته باشد.',
  askCampaignMessage: (name) => `کمپین ${name}\n\nمتن پیامی را که باید فرستاده شود بنویسید (متن ساده، تا ${faNum(4096)} نویسه).`,
  askCampaignTargets: `کسانی را که باید پیام بگیرند بفرستید: نام‌های کاربری جداشده با خط تازه، فاصله یا ویرگول (${iso('@')} اختیاری است)، به صورت متن یا فایل ${iso('.txt')}.`,
  noValidTargets: (invalid, examples) => `در این فهرست هیچ نام کاربری معتبری نیست${invalid ? ` (${faNum(invalid)} نامعتبر، مثلاً ${examples.join('، ')})` : ''}.`,
  targetsFileTooLarge: 'این فایل برای فهرست نام‌های کاربری بیش از حد بزرگ است (حداکثر ۵ مگابایت).',
  cmpReview: (name, message, valid, invalid, examples, duplicates) =>
    `کمپین ${name}\nپیام: ${message}\nافراد: ${faNum(valid)}${duplicates ? ` (${faNum(duplicates)} تکراری یکی شد)` : ''}${invalid ? `\n⚠️ ${faNum(invalid)} مورد نام کاربری نیست و کنار گذاشته می‌شود، مثلاً ${examples.join('، ')}` : ''}\n\nتنظیمات را بررسی کنید و «ساختن» را بزنید.`,
  btnCap: (n) => `هر حساب: ${faNum(n)}`,
  btnDaily: (n) => `در روز: ${faNum(n)}`,
  btnDelay: (d) => `فاصله: ${iso(d)} ثانیه`,
  btnSkipContacted: (skip) => (skip ? '✅ رد کردن کسانی که قبلاً پیام گرفته‌اند' : '☐ رد کردن کسانی که قبلاً پیام گرفته‌اند'),
  btnCreateCampaign: '✅ ساختن',
  askCampaignSetting: (what) => CAMPAIGN_SETTINGS[what],
  cmpCreated: (n) => `✅ با ${faNum(n)} نفر ساخته شد.`,
  cmpReused: (n) => `✅ کمپینی با همین نام و پیام هست: ${faNum(n)} نفر تازه به آن اضافه شد.`,
  cmpRunTitle: (name) => `✉️ کمپین ${name}`,
  cmpRunReport: (state, reason, sent, uncertain) =>
    `اجرا تمام شد: ${state}${reason ? ` (${reason})` : ''}. فرستاده‌شده در این اجرا: ${faNum(sent)}${uncertain ? `؛ نامعلوم: ${faNum(uncertain)}` : ''}.`,
  statusTitle: '📊 وضعیت',
  statusFleet: (n) => `حساب‌ها: ${faNum(n)}`,
  statusUsage: (used, capacity, cap) => `پیام‌های خصوصی امروز: ${faNum(used)} از ${faNum(capacity)} (${faNum(cap)} برای هر حساب)`,
  statusRunning: 'در حال اجرا:',
  statusNothingRunning: 'چیزی در حال اجرا نیست.',
  statusOpsRunning: (n) => `⚡ ${faNum(n)} عملیات`,
  statusCampaignRunning: (name, done, total) => `✉️ ${name}: ${faNum(done)}/${faNum(total)}`,
  statusRecentOps: 'آخرین عملیات:',
  statusOpLine: (id, kind, status, ok, failed, at) =>
    `${iso(`#${id}`)} ${kind}، ${OP_STATUS[status]}${ok || failed ? `: ${nonZero([[ok, `✅ ${faNum(ok)}`], [failed, `❌ ${faNum(failed)}`]], ' ', '')}` : ''} · ${at}`,
  statusMonitor: (keywords, pending, lastHit) => `🔎 پایش: ${faNum(keywords)} کلیدواژه · ${faNum(pending)} ارسال در انتظار · آخرین یافته ${lastHit}`,

  monTitle: '🔎 پایش',
  monCounts: (k, i, t) => `کلیدواژه‌ها: ${faNum(k)} · فرستنده‌های نادیده: ${faNum(i)} · گفتگوهای هدف: ${faNum(t)}`,
  monWatching: (targetsOnly, channels, priv) =>
    `پایش: ${targetsOnly ? 'فقط گفتگوهای هدف' : `همهٔ گروه‌ها${channels ? '، کانال‌ها' : ''}${priv ? '، گفتگوهای خصوصی' : ''}`}`,
  monChannel: (c) => `کانال ارسال: ${c}`,
  monNoChannel: `ندارد (${iso('CHANNEL_ID')} تنظیم نشده: یافته‌ها در صف می‌مانند)`,
  monOutbox: (pending, held, sent) => `صف ارسال: ${faNum(pending)} در انتظار${held ? ` (${faNum(held)} نگه‌داشته: ربات نمی‌تواند آنجا بفرستد)` : ''}، ${faNum(sent)} فرستاده`,
  monLastHit: (at, chat, keywords) => `آخرین یافته: ${at} در ${chat} (${keywords})`,
  monLastError: (e) => `آخرین خطا: ${e}`,
  monAccountsHead: 'حساب‌ها (وضعیت · پایش‌شده / گفتگوها · آخرین به‌روزرسانی):',
  monAccountLine: (label, state, watched, chats, last) => `• ${label}: ${state} · ${faNum(watched)}/${faNum(chats)} · ${last}`,
  watchState: (s) => WATCH_STATES[s],
  btnKeywords: '🔑 کلیدواژه‌ها',
  btnIgnored: '🙈 فرستنده‌های نادیده',
  btnTargets: '🎯 گفتگوهای هدف',
  btnWatchChannels: (on) => `${on ? '✅' : '☐'} کانال‌ها`,
  btnWatchPrivate: (on) => `${on ? '✅' : '☐'} گفتگوهای خصوصی`,
  keywordsTitle: (n) => `🔑 کلیدواژه‌ها (${faNum(n)}). برای حذف روی هر کدام بزنید.`,
  noKeywords: '🔑 هنوز کلیدواژه‌ای نیست: چیزی فرستاده نمی‌شود.',
  btnAddKeyword: '➕ افزودن کلیدواژه',
  keywordMode: (m) => KEYWORD_MODES[m],
  askKeyword: (mode) => `کلیدواژه را بنویسید (تطبیق: ${mode}؛ بزرگی و کوچکی حروف، شکل‌های عربی و فارسی حروف و ارقام فرقی نمی‌کند). اگر لازم است اول نوع تطبیق را انتخاب کنید.`,
  keywordAdded: (k) => `✅ کلیدواژهٔ ${k} اضافه شد.`,
  keywordExists: (k) => `کلیدواژهٔ ${k} از قبل هست.`,
  keywordRemoved: (k) => `🗑 کلیدواژهٔ ${k} حذف شد.`,
  alreadyGone: 'از قبل حذف شده بود.',
  ignoredTitle: (n) => `🙈 فرستنده‌های نادیده (${faNum(n)}). برای حذف روی هر کدام بزنید.`,
  noIgnored: '🙈 فرستندهٔ نادیده‌ای نیست.',
  btnAddIgnored: '➕ نادیده گرفتن یک فرستنده',
  askIgnored: `فرستنده‌ای را که باید نادیده گرفته شود بفرستید: شناسهٔ عددی کاربر یا ${iso('@username')}.`,
  ignoredAdded: (who) => `✅ ${who} از این پس نادیده گرفته می‌شود.`,
  ignoredExists: (who) => `${who} از قبل نادیده گرفته می‌شد.`,
  ignoredRemoved: (who) => `🗑 ${who} دیگر نادیده گرفته نمی‌شود.`,
  targetsTitle: (n) => `🎯 گفتگوهای هدف (${faNum(n)}): فقط این‌ها پایش می‌شوند. برای حذف روی هر کدام بزنید.`,
  noTargets: '🎯 گفتگوی هدفی نیست: همهٔ گروه‌هایی که حساب‌ها در آن‌اند پایش می‌شوند.',
  btnAddTarget: '➕ افزودن گفتگوی هدف',
  askTarget_chat: `گفتگو را بفرستید: شناسه (${iso('-100…')})، ${iso('@username')}، پیوند ${iso('t.me')} یا پیوند پیامی از آن. باید گفتگویی باشد که حساب‌ها در آن‌اند (اول گروه‌ها را به‌روز کنید).`,
  targetAdded: (c) => `✅ ${c} اکنون گفتگوی هدف است.`,
  targetExists: (c) => `${c} از قبل گفتگوی هدف بود.`,
  targetRemoved: (c) => `🗑 ${c} دیگر گفتگوی هدف نیست.`,
  monGroupsTitle: (n, watched) => `👥 گفتگوهایی که حساب‌ها در آن‌اند: ${faNum(n)} (👁 پایش‌شده: ${faNum(watched)})`,
  noGroups: '👥 هنوز گفتگویی شناخته نشده: گروه‌ها را به‌روز کنید.',
  skipReason: (r) => SKIP_REASONS[r],
  btnRefreshGroups: '🔄 به‌روزرسانی از تلگرام',
  refreshingGroups: '🔄 در حال خواندن گفتگوهای همهٔ حساب‌ها از تلگرام…',
  groupsRefreshed: (chats, ok, failed) => `🔄 به‌روز شد: ${faNum(chats)} گفتگو از ${faNum(ok)} حساب${failed ? ` (${faNum(failed)} حساب خوانده نشد)` : ''}.`,
  senderIgnored: (id) => `فرستندهٔ ${iso(id)} از این پس نادیده گرفته می‌شود.`,
  senderAlreadyIgnored: (id) => `فرستندهٔ ${iso(id)} از قبل نادیده گرفته می‌شد.`,

  opSummary: (id, status, s, reason) =>
    `عملیات ${iso(`#${id}`)} ${OP_STATUS[status]}: ${nonZero(
      [
        [s.done, `✅ ${faNum(s.done)} انجام شد`],
        [s.already, `↩️ ${faNum(s.already)} از قبل`],
        [s.requested, `⏳ ${faNum(s.requested)} درخواست`],
        [s.failed, `❌ ${faNum(s.failed)} ناموفق`],
        [s.shortfall, `${faNum(s.shortfall)} انجام نشد`],
      ],
      '، ',
      'کاری انجام نشد',
    )}.${reason ? `\n${iso(reason)}` : ''}`,
};
