// The words of dates, per language: month names (full and abbreviated, as outlets write them),
// weekdays, AM/PM markers, zone names and the small words that sit between the parts. Spellings are
// listed as written; `foldDateText` folds case, diacritics, hamza forms, dots and tatweel on both
// sides, so `Março`/`marco`, `أبريل`/`ابريل`/`إبريل` and `сентября`/`СЕНТЯБРЯ` are one entry each.

/** Twelve months, each a list of spellings. */
type MonthNames = readonly (readonly string[])[];

const GREGORIAN: Record<string, MonthNames> = {
  en: [
    ['january', 'jan'],
    ['february', 'feb'],
    ['march', 'mar'],
    ['april', 'apr'],
    ['may'],
    ['june', 'jun'],
    ['july', 'jul'],
    ['august', 'aug'],
    ['september', 'sep', 'sept'],
    ['october', 'oct'],
    ['november', 'nov'],
    ['december', 'dec'],
  ],
  // Arabic as Egypt and the Gulf write it, with the common spelling variants.
  ar: [
    ['يناير', 'ينايِر'],
    ['فبراير', 'فبرايِر', 'فبرير'],
    ['مارس'],
    ['أبريل', 'إبريل', 'ابريل', 'أبريل'],
    ['مايو'],
    ['يونيو', 'يونيه'],
    ['يوليو', 'يوليه'],
    ['أغسطس', 'اغسطس', 'أغسطُس'],
    ['سبتمبر'],
    ['أكتوبر', 'اكتوبر'],
    ['نوفمبر'],
    ['ديسمبر'],
  ],
  // Levant and Iraq (Syriac names).
  'ar-levant': [
    ['كانون الثاني', 'كانون ثاني', 'كانون الثانى'],
    ['شباط'],
    ['آذار', 'اذار'],
    ['نيسان'],
    ['أيار', 'ايار'],
    ['حزيران'],
    ['تموز'],
    ['آب', 'اب'],
    ['أيلول', 'ايلول'],
    ['تشرين الأول', 'تشرين اول', 'تشرين الاول'],
    ['تشرين الثاني', 'تشرين ثاني', 'تشرين الثانى'],
    ['كانون الأول', 'كانون اول', 'كانون الاول'],
  ],
  // Algeria and Tunisia (French-derived); Morocco's own forms where they differ.
  'ar-maghreb': [
    ['جانفي'],
    ['فيفري'],
    ['مارس'],
    ['أفريل', 'افريل'],
    ['ماي'],
    ['جوان'],
    ['جويلية', 'جويليه', 'يوليوز'],
    ['أوت', 'اوت', 'غشت'],
    ['سبتمبر', 'شتنبر'],
    ['أكتوبر'],
    ['نوفمبر', 'نونبر'],
    ['ديسمبر', 'دجنبر'],
  ],
  pt: [
    ['janeiro', 'jan'],
    ['fevereiro', 'fev'],
    ['março', 'mar'],
    ['abril', 'abr'],
    ['maio', 'mai'],
    ['junho', 'jun'],
    ['julho', 'jul'],
    ['agosto', 'ago'],
    ['setembro', 'set'],
    ['outubro', 'out'],
    ['novembro', 'nov'],
    ['dezembro', 'dez'],
  ],
  es: [
    ['enero', 'ene'],
    ['febrero', 'feb'],
    ['marzo', 'mar'],
    ['abril', 'abr'],
    ['mayo', 'may'],
    ['junio', 'jun'],
    ['julio', 'jul'],
    ['agosto', 'ago'],
    ['septiembre', 'setiembre', 'sep', 'sept', 'set'],
    ['octubre', 'oct'],
    ['noviembre', 'nov'],
    ['diciembre', 'dic'],
  ],
  fr: [
    ['janvier', 'janv', 'jan'],
    ['février', 'févr', 'fév', 'fevr'],
    ['mars'],
    ['avril', 'avr'],
    ['mai'],
    ['juin'],
    ['juillet', 'juil'],
    ['août', 'aou'],
    ['septembre', 'sept'],
    ['octobre', 'oct'],
    ['novembre', 'nov'],
    ['décembre', 'déc'],
  ],
  de: [
    ['januar', 'jänner', 'jan', 'jän'],
    ['februar', 'feber', 'feb'],
    ['märz', 'mär', 'mrz'],
    ['april', 'apr'],
    ['mai'],
    ['juni', 'jun'],
    ['juli', 'jul'],
    ['august', 'aug'],
    ['september', 'sep', 'sept'],
    ['oktober', 'okt'],
    ['november', 'nov'],
    ['dezember', 'dez'],
  ],
  it: [
    ['gennaio', 'gen'],
    ['febbraio', 'feb'],
    ['marzo', 'mar'],
    ['aprile', 'apr'],
    ['maggio', 'mag'],
    ['giugno', 'giu'],
    ['luglio', 'lug'],
    ['agosto', 'ago'],
    ['settembre', 'set'],
    ['ottobre', 'ott'],
    ['novembre', 'nov'],
    ['dicembre', 'dic'],
  ],
  // Nominative, genitive (как пишут даты: «24 сентября») and abbreviations.
  ru: [
    ['январь', 'января', 'янв'],
    ['февраль', 'февраля', 'фев', 'февр'],
    ['март', 'марта', 'мар'],
    ['апрель', 'апреля', 'апр'],
    ['май', 'мая'],
    ['июнь', 'июня', 'июн'],
    ['июль', 'июля', 'июл'],
    ['август', 'августа', 'авг'],
    ['сентябрь', 'сентября', 'сен', 'сент'],
    ['октябрь', 'октября', 'окт'],
    ['ноябрь', 'ноября', 'ноя', 'нояб'],
    ['декабрь', 'декабря', 'дек'],
  ],
  tr: [
    ['ocak', 'oca'],
    ['şubat', 'şub'],
    ['mart', 'mar'],
    ['nisan', 'nis'],
    ['mayıs', 'may'],
    ['haziran', 'haz'],
    ['temmuz', 'tem'],
    ['ağustos', 'ağu'],
    ['eylül', 'eyl'],
    ['ekim', 'eki'],
    ['kasım', 'kas'],
    ['aralık', 'ara'],
  ],
  // Gregorian months as Persian outlets write them.
  fa: [
    ['ژانویه', 'ژانویهٔ', 'ژانوِیه'],
    ['فوریه'],
    ['مارس'],
    ['آوریل'],
    ['مه', 'می'],
    ['ژوئن'],
    ['ژوئیه', 'جولای'],
    ['اوت', 'آگوست'],
    ['سپتامبر'],
    ['اکتبر'],
    ['نوامبر'],
    ['دسامبر'],
  ],
  ur: [
    ['جنوری'],
    ['فروری'],
    ['مارچ'],
    ['اپریل'],
    ['مئی'],
    ['جون'],
    ['جولائی'],
    ['اگست'],
    ['ستمبر'],
    ['اکتوبر'],
    ['نومبر'],
    ['دسمبر'],
  ],
  id: [
    ['januari', 'jan'],
    ['februari', 'feb', 'peb'],
    ['maret', 'mar'],
    ['april', 'apr'],
    ['mei'],
    ['juni', 'jun'],
    ['juli', 'jul'],
    ['agustus', 'agu', 'agt', 'ags'],
    ['september', 'sep', 'sept'],
    ['oktober', 'okt'],
    ['november', 'nov', 'nop'],
    ['desember', 'des'],
  ],
};

/** Persian solar (Jalali) months: Iranian outlets date by them. */
const PERSIAN: MonthNames = [
  ['فروردین'],
  ['اردیبهشت'],
  ['خرداد'],
  ['تیر'],
  ['مرداد', 'امرداد'],
  ['شهریور'],
  ['مهر'],
  ['آبان'],
  ['آذر'],
  ['دی'],
  ['بهمن'],
  ['اسفند'],
];

/** Hijri months (Umm al-Qura reckoning). */
const ISLAMIC: MonthNames = [
  ['محرم'],
  ['صفر'],
  ['ربيع الأول', 'ربيع الاول', 'ربيع أول'],
  ['ربيع الثاني', 'ربيع الآخر', 'ربيع ثاني', 'ربيع الاخر'],
  ['جمادى الأولى', 'جمادى الاولى', 'جمادى الأول', 'جمادي الأولى'],
  ['جمادى الآخرة', 'جمادى الثانية', 'جمادى الاخرة', 'جمادي الآخرة', 'جمادى الآخر'],
  ['رجب'],
  ['شعبان'],
  ['رمضان'],
  ['شوال'],
  ['ذو القعدة', 'ذي القعدة'],
  ['ذو الحجة', 'ذي الحجة'],
];

const WEEKDAYS: Record<string, readonly string[]> = {
  en: [
    'monday',
    'tuesday',
    'wednesday',
    'thursday',
    'friday',
    'saturday',
    'sunday',
    'mon',
    'tue',
    'tues',
    'wed',
    'thu',
    'thur',
    'thurs',
    'fri',
    'sat',
    'sun',
  ],
  ar: [
    'الأحد',
    'الاثنين',
    'الإثنين',
    'الاتنين',
    'الثلاثاء',
    'الأربعاء',
    'الخميس',
    'الجمعة',
    'السبت',
    'أحد',
    'اثنين',
    'إثنين',
    'ثلاثاء',
    'أربعاء',
    'خميس',
    'جمعة',
    'سبت',
  ],
  pt: [
    'domingo',
    'segunda-feira',
    'terça-feira',
    'quarta-feira',
    'quinta-feira',
    'sexta-feira',
    'sábado',
    'segunda',
    'terça',
    'quarta',
    'quinta',
    'sexta',
    'dom',
    'seg',
    'ter',
    'qua',
    'qui',
    'sex',
    'sáb',
  ],
  es: [
    'lunes',
    'martes',
    'miércoles',
    'jueves',
    'viernes',
    'sábado',
    'domingo',
    'lun',
    'mar',
    'mié',
    'jue',
    'vie',
    'sáb',
    'dom',
  ],
  fr: [
    'lundi',
    'mardi',
    'mercredi',
    'jeudi',
    'vendredi',
    'samedi',
    'dimanche',
    'lun',
    'mar',
    'mer',
    'jeu',
    'ven',
    'sam',
    'dim',
  ],
  de: [
    'montag',
    'dienstag',
    'mittwoch',
    'donnerstag',
    'freitag',
    'samstag',
    'sonnabend',
    'sonntag',
    'mo',
    'di',
    'mi',
    'do',
    'fr',
    'sa',
    'so',
  ],
  it: [
    'lunedì',
    'martedì',
    'mercoledì',
    'giovedì',
    'venerdì',
    'sabato',
    'domenica',
    'lun',
    'mar',
    'mer',
    'gio',
    'ven',
    'sab',
    'dom',
  ],
  ru: [
    'понедельник',
    'вторник',
    'среда',
    'четверг',
    'пятница',
    'суббота',
    'воскресенье',
    'пн',
    'вт',
    'ср',
    'чт',
    'пт',
    'сб',
    'вс',
  ],
  tr: [
    'pazartesi',
    'salı',
    'çarşamba',
    'perşembe',
    'cuma',
    'cumartesi',
    'pazar',
    'pzt',
    'sal',
    'çar',
    'per',
    'cum',
    'cmt',
    'paz',
  ],
  fa: ['شنبه', 'یکشنبه', 'دوشنبه', 'سه‌شنبه', 'سه', 'چهارشنبه', 'پنجشنبه', 'پنج‌شنبه', 'جمعه'],
  ur: ['پیر', 'سوموار', 'منگل', 'بدھ', 'جمعرات', 'جمعہ', 'ہفتہ', 'اتوار'],
  id: [
    'senin',
    'selasa',
    'rabu',
    'kamis',
    'jumat',
    "jum'at",
    'sabtu',
    'minggu',
    'ahad',
    'sen',
    'sel',
    'rab',
    'kam',
    'jum',
    'sab',
    'min',
  ],
};

/** AM/PM words. `noon` (ظهراً) and `night` (ليلاً) move only the hours that need it. */
const AMPM: Record<string, 'am' | 'pm' | 'noon' | 'night'> = {
  am: 'am',
  'a.m': 'am',
  pm: 'pm',
  'p.m': 'pm',
  ص: 'am',
  صباحا: 'am',
  صباحاً: 'am',
  صباح: 'am',
  فجرا: 'am',
  فجراً: 'am',
  م: 'pm',
  مساء: 'pm',
  مساءً: 'pm',
  مساءا: 'pm',
  عصرا: 'pm',
  عصراً: 'pm',
  ظهرا: 'noon',
  ظهراً: 'noon',
  ليلا: 'night',
  ليلاً: 'night',
  'ق.ظ': 'am',
  'ب.ظ': 'pm',
  صبح: 'am',
  عصر: 'pm',
  شب: 'night',
  شام: 'pm',
};

/** Zone names, minutes east of UTC. AST is read by `astOffset` (Arabia or Atlantic). */
export const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  wet: 0,
  bst: 60,
  ist: 60,
  cet: 60,
  met: 60,
  mez: 60,
  cest: 120,
  mest: 120,
  mesz: 120,
  eet: 120,
  eest: 180,
  msk: 180,
  мск: 180,
  trt: 180,
  irst: 210,
  gst: 240,
  pkt: 300,
  adt: -180,
  brt: -180,
  art: -180,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  akst: -540,
  akdt: -480,
  hst: -600,
  wib: 420,
  wita: 480,
  wit: 540,
  jst: 540,
  kst: 540,
  hkt: 480,
  sgt: 480,
  awst: 480,
  acst: 570,
  aest: 600,
  aedt: 660,
  nzst: 720,
  nzdt: 780,
  // "بتوقيت غرينتش" / "ت.غ" (Greenwich time); Mecca/Riyadh/Doha time is UTC+3 all year.
  غرينتش: 0,
  غرينيتش: 0,
  جرينتش: 0,
  جرينيتش: 0,
  'ت.غ': 0,
  'ت غ': 0,
  مكة: 180,
  الرياض: 180,
  الدوحة: 180,
  ابوظبي: 240,
  دبي: 240,
  گرینویچ: 0,
  تهران: 210,
};

/** Words that sit between the parts of a date and mean nothing for the instant. */
const FILLERS = [
  // ordinals and connectives
  'st',
  'nd',
  'rd',
  'th',
  'er',
  't',
  'at',
  'on',
  'the',
  'of',
  'de',
  'del',
  'do',
  'da',
  'às',
  'as',
  'a',
  'las',
  'la',
  'el',
  'à',
  'le',
  'um',
  'uhr',
  'den',
  'am',
  'alle',
  'ore',
  'il',
  'г',
  'года',
  'год',
  'в',
  'saat',
  'pukul',
  'jam',
  'tarihinde',
  // Arabic, Persian, Urdu
  'يوم',
  'الساعة',
  'الساعه',
  'ساعة',
  'في',
  'من',
  'بتوقيت',
  'توقيت',
  'المكرمة',
  'ساعت',
  'روز',
  'میلادی',
  'بجے',
  'کو',
];

export type DateWord =
  | { kind: 'month'; month: number; cal: 'gregory' | 'persian' | 'islamic'; lang: string }
  | { kind: 'weekday'; lang: string }
  | { kind: 'ampm'; value: 'am' | 'pm' | 'noon' | 'night' }
  | { kind: 'zone'; offset: number }
  | { kind: 'filler' }
  /** م after a year: ميلادي (AD). */
  | { kind: 'ad' }
  /** هـ: a Hijri year. */
  | { kind: 'hijri' }
  /** الموافق: "corresponding to", the Gregorian equivalent follows. */
  | { kind: 'equals' };

/**
 * Folds what varies in how one word is written: case, Latin diacritics, Arabic harakat and hamza
 * seats, tatweel, alef maqsura/ya, ta marbuta/ha, Persian/Urdu letter forms, joiners and bidi marks,
 * and Arabic-Indic or Persian digits. Applied to the tables and to every input.
 */
export function foldDateText(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return s.toLowerCase(); // most feeds: nothing to fold
  return s
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[\u200B-\u200F\u061C\u202A-\u202E\u2066-\u2069\u0640\uFEFF]/g, '')
    .replace(/[\u00A0\u2007\u202F\u2009]/g, ' ')
    .replace(/\u060C/g, ',') // Arabic comma
    .replace(/\u061B/g, ';')
    .replace(/\u066B/g, '.') // Arabic decimal separator
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ı/g, 'i')
    .replace(/[یىےۍ]/g, 'ي')
    .replace(/[کڪ]/g, 'ك')
    .replace(/[ةۃہھە]/g, 'ه')
    .toLowerCase();
}

function buildWords(): Map<string, DateWord[]> {
  const words = new Map<string, DateWord[]>();
  const add = (spelling: string, w: DateWord) => {
    const key = foldDateText(spelling).replace(/\.$/, '');
    const list = words.get(key) ?? [];
    list.push(w);
    words.set(key, list);
  };
  for (const [lang, months] of Object.entries(GREGORIAN))
    months.forEach((names, month) => {
      for (const n of names) add(n, { kind: 'month', month, cal: 'gregory', lang });
    });
  PERSIAN.forEach((names, month) => {
    for (const n of names) add(n, { kind: 'month', month, cal: 'persian', lang: 'fa' });
  });
  ISLAMIC.forEach((names, month) => {
    for (const n of names) add(n, { kind: 'month', month, cal: 'islamic', lang: 'ar' });
  });
  for (const [lang, days] of Object.entries(WEEKDAYS))
    for (const d of days) add(d, { kind: 'weekday', lang });
  for (const [w, value] of Object.entries(AMPM)) add(w, { kind: 'ampm', value });
  for (const [w, offset] of Object.entries(ZONES)) add(w, { kind: 'zone', offset });
  for (const w of FILLERS) add(w, { kind: 'filler' });
  for (const w of ['ميلادي', 'ميلادية']) add(w, { kind: 'ad' });
  for (const w of ['هـ', 'ه', 'هجري', 'هجرية']) add(w, { kind: 'hijri' });
  add('الموافق', { kind: 'equals' });
  add('الموافقة', { kind: 'equals' });
  return words;
}

let table: Map<string, DateWord[]> | null = null;

/** What a folded word (or two-word phrase) can mean in a date; empty when nothing. */
export function dateWord(folded: string): DateWord[] {
  table ??= buildWords();
  return table.get(folded) ?? [];
}
