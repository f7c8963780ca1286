// The desk's own words in English and Arabic. The locale comes from `?lang=` (remembered in a
// cookie), else Accept-Language, else English. Numbers and dates go through Intl for the locale.
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export type Locale = 'en' | 'ar';
export const LOCALES: readonly Locale[] = ['en', 'ar'];
export const LANG_COOKIE = 'tributary_desk_lang';

const en = {
  desk: 'Tributary desk',
  login: 'Log in',
  loginTitle: 'Log in to the desk',
  tokenLabel: 'Admin token',
  wrongToken: 'Wrong token. Try again.',
  tooMany: 'Too many failed attempts. Wait a minute and try again.',
  logout: 'Log out',
  sources: 'Sources',
  sections: 'Sections',
  source: 'Source',
  url: 'Feed or site URL',
  id: 'Id (optional: derived from the title)',
  title: 'Title (optional: the feed’s own)',
  section: 'Section',
  noSection: '(by the section rules)',
  lang: 'Language (optional)',
  interval: 'Poll every (optional, e.g. 10m, 6h)',
  addSource: 'Add a source',
  add: 'Add',
  save: 'Save',
  cancel: 'Cancel',
  health: 'Health',
  lastFetch: 'Last fetch',
  nextPoll: 'next poll:',
  lastError: 'Last error',
  articles: 'Articles',
  actions: 'Actions',
  never: 'never',
  pause: 'Pause',
  resume: 'Resume',
  refresh: 'Refresh now',
  edit: 'Edit',
  delete: 'Delete',
  fromConfig: 'config file (read-only)',
  status_ok: 'ok',
  'status_not-modified': 'ok',
  status_error: 'error',
  status_paused: 'paused',
  status_new: 'new',
  editSource: 'Edit source',
  deleteSource: 'Delete source',
  deleteConfirm: 'Delete this source? It will no longer be polled.',
  deleteKeeps:
    'Its articles already stored stay in the sections until retention removes them (by age).',
  deleteYes: 'Yes, delete',
  opml: 'OPML',
  exportOpml: 'Export every source as OPML',
  importOpml: 'Import OPML',
  opmlFile: 'OPML file',
  import: 'Import',
  items: 'Items as readers see them',
  hiddenItems: 'Hidden',
  noItems: 'No items yet.',
  pin: 'Pin',
  pinFor: 'Pin for',
  pinForever: 'until unpinned',
  pinned: 'pinned',
  pinnedUntil: 'pinned until',
  unpin: 'Unpin',
  tag: 'Tag',
  addTag: 'Add tag',
  removeTag: 'Remove tag',
  msg_tagged: 'Tags changed.',
  search: 'Search',
  filter: 'Filter',
  all: 'all',
  filter_broken: 'broken',
  filter_paused: 'paused',
  filter_new: 'new',
  filter_ok: 'ok',
  nOfM: (n: string, m: string) => `${n} of ${m}`,
  rulePreview: 'Rule preview',
  ruleNote:
    'What would enter and leave this section if its rules were these. Preview changes nothing; Save rules applies them to new and stored articles, over the config file’s.',
  'include.tags': 'Include: tags',
  'include.sources': 'Include: sources',
  'include.langs': 'Include: languages',
  'exclude.tags': 'Exclude: tags',
  'exclude.sources': 'Exclude: sources',
  'exclude.langs': 'Exclude: languages',
  'exclude.keywords': 'Exclude: keywords',
  listHint: 'separate with commas',
  preview: 'Preview',
  entering: 'Would enter',
  leaving: 'Would leave',
  none: 'none',
  scanned: (n: string) => `${n} stored articles checked.`,
  hide: 'Hide',
  unhide: 'Unhide',
  hideEverywhere: 'Hide everywhere',
  unhideEverywhere: 'Unhide everywhere',
  hiddenHere: 'hidden in this section',
  hiddenEverywhere: 'hidden everywhere',
  subscribe: 'Subscribe',
  back: 'Back to the desk',
  published: 'Published',
  msg_added: 'Source added.',
  msg_saved: 'Source saved.',
  msg_paused: 'Source paused.',
  msg_resumed: 'Source resumed.',
  msg_refreshed: 'Refresh queued.',
  msg_deleted: 'Source deleted. Its stored articles stay until retention.',
  msg_imported: 'OPML imported.',
  msg_pinned: 'Pinned.',
  msg_unpinned: 'Unpinned.',
  msg_hidden: 'Hidden.',
  msg_unhidden: 'Unhidden.',
  forbidden: 'This form has expired or did not come from the desk. Nothing was changed.',
  notFound: 'Not found.',
  error: 'Something went wrong',
  fixErrors: 'Please correct the marked fields.',
  imported: 'added',
  skipped: 'skipped',
  language: 'العربية',
  importedCounts: (added: string, skipped: string) =>
    `OPML imported: ${added} added, ${skipped} skipped.`,
  hours: (n: string) => `${n} h`,
  days: (n: string) => `${n} days`,
  tags: 'Tags',
  saveRules: 'Save rules',
  resetRules: 'Reset to the config file',
  rulesFromConfig: 'These rules come from the config file.',
  rulesSaved: 'Rules saved from the desk (over the config file) on',
  retagQueued: 'Applying the saved rules to stored articles: queued.',
  retagRunning: (done: string, total: string) =>
    `Applying the saved rules to stored articles: ${done} of ${total}.`,
  retagDoneSection: (entered: string, left: string) =>
    `Saved rules applied to stored articles: ${entered} entered, ${left} left.`,
  retagDoneTag: (gained: string, lost: string) =>
    `Saved keywords applied to stored articles: ${gained} tagged, ${lost} untagged.`,
  retagFailed: (error: string) => `Applying the saved rules failed: ${error}`,
  msg_rulesSaved: 'Rules saved. Stored articles are being retagged.',
  msg_rulesReset: 'Rules reset to the config file. Stored articles are being retagged.',
  msg_keywordsSaved: 'Keywords saved. Stored articles are being retagged.',
  msg_keywordsReset: 'Keywords reset to the config file. Stored articles are being retagged.',
  tagsTitle: 'Tags',
  tagsNote:
    'Keywords match title, summary and text as whole words, Arabic-aware (hamza forms, clitics such as و ب ال, suffixes); a keyword ending in * matches word starts. Saved keywords override the config file.',
  keywords: 'Keywords',
  categories: 'Feed categories',
  previewMatches: 'Preview matches',
  fromConfigFile: 'from the config file',
  savedOn: 'saved on',
  matchesCount: (total: string, scanned: string) =>
    `${total} of ${scanned} stored articles would carry this tag.`,
  matchesChange: (gained: string, lost: string) =>
    `Saving would tag ${gained} more and untag ${lost}.`,
  alreadyTagged: 'tagged now',
};

export type Strings = typeof en;

const ar: Strings = {
  desk: 'مكتب تريبيوتاري',
  login: 'دخول',
  loginTitle: 'الدخول إلى المكتب',
  tokenLabel: 'رمز الإدارة',
  wrongToken: 'الرمز غير صحيح. حاول مرة أخرى.',
  tooMany: 'محاولات فاشلة كثيرة. انتظر دقيقة ثم حاول مجددًا.',
  logout: 'خروج',
  sources: 'المصادر',
  sections: 'الأقسام',
  source: 'المصدر',
  url: 'رابط الخلاصة أو الموقع',
  id: 'المعرّف (اختياري: يُشتق من العنوان)',
  title: 'العنوان (اختياري: عنوان الخلاصة نفسها)',
  section: 'القسم',
  noSection: '(حسب قواعد الأقسام)',
  lang: 'اللغة (اختياري)',
  interval: 'الجلب كل (اختياري، مثل 10m أو 6h)',
  addSource: 'إضافة مصدر',
  add: 'أضف',
  save: 'احفظ',
  cancel: 'إلغاء',
  health: 'الحالة',
  lastFetch: 'آخر جلب',
  nextPoll: 'الجلب التالي:',
  lastError: 'آخر خطأ',
  articles: 'المقالات',
  actions: 'إجراءات',
  never: 'أبدًا',
  pause: 'إيقاف مؤقت',
  resume: 'استئناف',
  refresh: 'جلب الآن',
  edit: 'تعديل',
  delete: 'حذف',
  fromConfig: 'ملف الإعداد (للقراءة فقط)',
  status_ok: 'يعمل',
  'status_not-modified': 'يعمل',
  status_error: 'خطأ',
  status_paused: 'متوقف',
  status_new: 'جديد',
  editSource: 'تعديل المصدر',
  deleteSource: 'حذف المصدر',
  deleteConfirm: 'أتحذف هذا المصدر؟ لن يُجلب بعد الآن.',
  deleteKeeps: 'تبقى مقالاته المخزنة في الأقسام حتى تزيلها سياسة الاحتفاظ (بحسب عمرها).',
  deleteYes: 'نعم، احذف',
  opml: 'OPML',
  exportOpml: 'تصدير كل المصادر بصيغة OPML',
  importOpml: 'استيراد OPML',
  opmlFile: 'ملف OPML',
  import: 'استيراد',
  items: 'المواد كما يراها القراء',
  hiddenItems: 'المخفية',
  noItems: 'لا مواد بعد.',
  pin: 'تثبيت',
  pinFor: 'التثبيت لمدة',
  pinForever: 'حتى إلغاء التثبيت',
  pinned: 'مثبّت',
  pinnedUntil: 'مثبّت حتى',
  unpin: 'إلغاء التثبيت',
  tag: 'وسم',
  addTag: 'أضف الوسم',
  removeTag: 'أزل الوسم',
  msg_tagged: 'تغيّرت الوسوم.',
  search: 'بحث',
  filter: 'تصفية',
  all: 'الكل',
  filter_broken: 'معطّل',
  filter_paused: 'متوقف',
  filter_new: 'جديد',
  filter_ok: 'يعمل',
  nOfM: (n: string, m: string) => `${n} من ${m}`,
  rulePreview: 'معاينة القواعد',
  ruleNote:
    'ما الذي سيدخل هذا القسم وما الذي سيخرج منه لو كانت قواعده هكذا. المعاينة لا تغيّر شيئًا؛ وحفظ القواعد يطبّقها على المقالات الجديدة والمخزنة بدل قواعد ملف الإعداد.',
  'include.tags': 'تضمين: الوسوم',
  'include.sources': 'تضمين: المصادر',
  'include.langs': 'تضمين: اللغات',
  'exclude.tags': 'استبعاد: الوسوم',
  'exclude.sources': 'استبعاد: المصادر',
  'exclude.langs': 'استبعاد: اللغات',
  'exclude.keywords': 'استبعاد: الكلمات المفتاحية',
  listHint: 'افصل بفواصل',
  preview: 'معاينة',
  entering: 'سيدخل',
  leaving: 'سيخرج',
  none: 'لا شيء',
  scanned: (n: string) => `فُحصت ${n} مقالة مخزنة.`,
  hide: 'إخفاء',
  unhide: 'إظهار',
  hideEverywhere: 'إخفاء في كل الأقسام',
  unhideEverywhere: 'إظهار في كل الأقسام',
  hiddenHere: 'مخفي في هذا القسم',
  hiddenEverywhere: 'مخفي في كل الأقسام',
  subscribe: 'اشترك',
  back: 'العودة إلى المكتب',
  published: 'النشر',
  msg_added: 'أُضيف المصدر.',
  msg_saved: 'حُفظ المصدر.',
  msg_paused: 'أُوقف المصدر مؤقتًا.',
  msg_resumed: 'استُؤنف المصدر.',
  msg_refreshed: 'طُلب الجلب.',
  msg_deleted: 'حُذف المصدر. تبقى مقالاته المخزنة حتى تزيلها سياسة الاحتفاظ.',
  msg_imported: 'استُورد ملف OPML.',
  msg_pinned: 'ثُبّتت المادة.',
  msg_unpinned: 'أُلغي التثبيت.',
  msg_hidden: 'أُخفيت المادة.',
  msg_unhidden: 'أُظهرت المادة.',
  forbidden: 'انتهت صلاحية هذا النموذج أو لم يأتِ من المكتب. لم يتغير شيء.',
  notFound: 'غير موجود.',
  error: 'حدث خطأ',
  fixErrors: 'يرجى تصحيح الحقول المعلَّمة.',
  imported: 'أضيف',
  skipped: 'تُخطّي',
  language: 'English',
  importedCounts: (added: string, skipped: string) =>
    `استُورد ملف OPML: أضيف ${added}، وتُخطّي ${skipped}.`,
  hours: (n: string) => `${n} ساعة`,
  days: (n: string) => `${n} أيام`,
  tags: 'الوسوم',
  saveRules: 'احفظ القواعد',
  resetRules: 'أعد قواعد ملف الإعداد',
  rulesFromConfig: 'هذه القواعد من ملف الإعداد.',
  rulesSaved: 'قواعد محفوظة من المكتب (بدل ملف الإعداد) في',
  retagQueued: 'تطبيق القواعد المحفوظة على المقالات المخزنة: في الانتظار.',
  retagRunning: (done: string, total: string) =>
    `تطبيق القواعد المحفوظة على المقالات المخزنة: ${done} من ${total}.`,
  retagDoneSection: (entered: string, left: string) =>
    `طُبّقت القواعد المحفوظة على المقالات المخزنة: دخل ${entered}، وخرج ${left}.`,
  retagDoneTag: (gained: string, lost: string) =>
    `طُبّقت الكلمات المحفوظة على المقالات المخزنة: وُسم ${gained}، وأزيل الوسم عن ${lost}.`,
  retagFailed: (error: string) => `تعذّر تطبيق القواعد المحفوظة: ${error}`,
  msg_rulesSaved: 'حُفظت القواعد. يُعاد وسم المقالات المخزنة.',
  msg_rulesReset: 'أُعيدت قواعد ملف الإعداد. يُعاد وسم المقالات المخزنة.',
  msg_keywordsSaved: 'حُفظت الكلمات المفتاحية. يُعاد وسم المقالات المخزنة.',
  msg_keywordsReset: 'أُعيدت كلمات ملف الإعداد. يُعاد وسم المقالات المخزنة.',
  tagsTitle: 'الوسوم',
  tagsNote:
    'تُطابق الكلمات المفتاحية العنوان والملخص والنص كلماتٍ كاملة، مع مراعاة العربية (صور الهمزة، السوابق مثل و ب ال، اللواحق)؛ والكلمة المنتهية بـ * تطابق بدايات الكلمات. الكلمات المحفوظة تحل محل ملف الإعداد.',
  keywords: 'الكلمات المفتاحية',
  categories: 'تصنيفات الخلاصات',
  previewMatches: 'معاينة المطابقات',
  fromConfigFile: 'من ملف الإعداد',
  savedOn: 'حُفظت في',
  matchesCount: (total: string, scanned: string) =>
    `${total} من ${scanned} مقالة مخزنة ستحمل هذا الوسم.`,
  matchesChange: (gained: string, lost: string) =>
    `الحفظ سيضيف الوسم إلى ${gained} ويزيله عن ${lost}.`,
  alreadyTagged: 'موسوم الآن',
};

export const STRINGS: Record<Locale, Strings> = { en, ar };

export interface Ui {
  locale: Locale;
  dir: 'ltr' | 'rtl';
  t: Strings;
  number(n: number): string;
  date(iso: string | null): string;
}

export function uiFor(locale: Locale): Ui {
  const nf = new Intl.NumberFormat(locale);
  const df = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  return {
    locale,
    dir: locale === 'ar' ? 'rtl' : 'ltr',
    t: STRINGS[locale],
    number: (n) => nf.format(n),
    date: (iso) => {
      if (!iso) return STRINGS[locale].never;
      const ms = Date.parse(iso);
      return Number.isFinite(ms) ? `${df.format(ms)} UTC` : iso;
    },
  };
}

/** Locale of this request: `?lang=` (then remembered in a cookie), cookie, Accept-Language. */
export function localeOf(c: Context, secure: boolean): Locale {
  const q = c.req.query('lang');
  if (q === 'ar' || q === 'en') {
    setCookie(c, LANG_COOKIE, q, {
      path: '/desk',
      httpOnly: true,
      sameSite: 'Strict',
      secure,
      maxAge: 365 * 24 * 3600,
    });
    return q;
  }
  const cookie = getCookie(c, LANG_COOKIE);
  if (cookie === 'ar' || cookie === 'en') return cookie;
  const accept = c.req.header('accept-language') ?? '';
  for (const part of accept.split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase();
    if (tag.startsWith('ar')) return 'ar';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}
