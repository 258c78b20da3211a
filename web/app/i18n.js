// i18n.js — words, dates and numbers in Bahasa Indonesia (default) or English.
//
// Dictionaries are flat JSON objects of key → text, one file per language and
// area: web/i18n/<lang>/<area>.json, areas 'common' (shell, nav, errors,
// shared words), 'participant', 'staff'. Keys are unique across areas (a test
// checks it, and that id and en have the same keys). An area is fetched on
// first use: `await loadArea('participant')` (the router does it for a
// route's `area`). Texts may hold {name} placeholders: t('x', {name: 'Budi'}).
//
// The language is kept in localStorage 'sinau.lang' and in a 'lang' cookie
// (so the server could see it too); default 'id'.

export const LANGS = ['id', 'en'];
const LOCALES = { id: 'id-ID', en: 'en-GB' };
const STORE_KEY = 'sinau.lang';
// The dictionaries sit beside app/ under the same (versioned) prefix.
const BASE = new URL('../i18n/', import.meta.url);

let current = 'id';
const loaded = new Map(); // `${lang}/${area}` → Promise<object>
const areasInUse = new Set(['common']);
let dict = Object.create(null);

function storedLang() {
  try {
    const v = localStorage.getItem(STORE_KEY);
    if (LANGS.includes(v)) return v;
  } catch {
    /* storage off: fall back to the cookie */
  }
  const m = /(?:^|;\s*)lang=([a-z]{2})/.exec(document.cookie);
  return m && LANGS.includes(m[1]) ? m[1] : null;
}

function fetchArea(l, area) {
  const key = `${l}/${area}`;
  if (!loaded.has(key)) {
    const p = fetch(new URL(`${l}/${area}.json`, BASE)).then((r) => {
      if (!r.ok) throw new Error(`dictionary ${key}: HTTP ${r.status}`);
      return r.json();
    });
    p.catch(() => loaded.delete(key)); // a later call tries again
    loaded.set(key, p);
  }
  return loaded.get(key);
}

// Loads an area of the current language into the dictionary (once).
export async function loadArea(area) {
  const l = current;
  const words = await fetchArea(l, area);
  areasInUse.add(area);
  if (l === current) Object.assign(dict, words);
}

// Picks the language (stored, else 'id') and loads 'common'. The language
// is picked before the first await, so a loadArea() called right after
// initI18n() (main.js does, to fetch a page's area with 'common') fetches
// in it.
export async function initI18n() {
  current = storedLang() || 'id';
  document.documentElement.lang = current;
  await loadArea('common');
}

export function lang() {
  return current;
}

export function locale() {
  return LOCALES[current];
}

// Switches language: persists it, loads every area in use. The caller
// re-renders (main.js does).
export async function setLang(l) {
  if (!LANGS.includes(l)) throw new Error(`unknown language ${l}`);
  try {
    localStorage.setItem(STORE_KEY, l);
  } catch {
    /* the cookie below still keeps it */
  }
  document.cookie = `lang=${l}; path=/; max-age=31536000; samesite=lax`;
  const words = await Promise.all([...areasInUse].map((a) => fetchArea(l, a)));
  current = l;
  dict = Object.assign(Object.create(null), ...words);
  document.documentElement.lang = l;
}

export function has(key) {
  return key in dict;
}

export function t(key, vars) {
  const s = key in dict ? dict[key] : key;
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

// A text with a count in it, in the plural form the language wants for n:
// the dictionary holds `<key>.one`, `<key>.other` (and whatever other
// categories Intl.PluralRules names for the language; `.other` is the
// fallback). {n} is n formatted; vars may add other placeholders.
// tn('staff.programmes.cohorts', 1) → "1 current cohort".
export function tn(key, n, vars = {}) {
  const cat = new Intl.PluralRules(locale()).select(Number(n));
  const k = `${key}.${cat}` in dict ? `${key}.${cat}` : `${key}.other`;
  return t(k, { ...vars, n: fmtNumber(n) });
}

// A calendar date ('2021-03-22') is shown as that day wherever the reader
// is; an instant ('2021-03-22T02:00:00Z') in the reader's time zone.
function toDate(iso) {
  if (iso instanceof Date) return { d: iso, utc: false };
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return { d: new Date(`${iso}T00:00:00Z`), utc: true };
  return { d: new Date(iso), utc: false };
}

// "22 Maret 2021" / "22 March 2021".
export function fmtDate(iso) {
  if (!iso) return '';
  const { d, utc } = toDate(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'long', year: 'numeric', timeZone: utc ? 'UTC' : undefined }).format(d);
}

// "22 Maret 2021 pukul 09.00" / "22 March 2021 at 09:00".
export function fmtDateTime(iso) {
  if (!iso) return '';
  const { d } = toDate(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d);
}

export function fmtNumber(n) {
  return new Intl.NumberFormat(locale()).format(n);
}

// A file size as people read it: "3,4 MB", "120 KB" (at least 1 KB).
export function fmtSize(n) {
  return n >= 1048576 ? `${fmtNumber(Math.round(n / 104857.6) / 10)} MB` : `${fmtNumber(Math.max(1, Math.round(n / 1024)))} KB`;
}

// ---- Dates and times ----
// Every date and time the pages show or put into a form: formatting above,
// and here the two-digit padding, countdowns, spans, and the values of
// date/time inputs (read and written in the browser's time zone).

// "07" for 7.
export const pad2 = (n) => String(n).padStart(2, '0');

// "mm:ss" (or "h:mm:ss") of a number of milliseconds, never negative.
export function fmtCountdown(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return hh > 0 ? `${hh}:${pad2(mm)}:${pad2(ss)}` : `${pad2(mm)}:${pad2(ss)}`;
}

// "30 November 2026, 09.00–11.00" for a span within one day, else both
// ends in full.
export function fmtSpan(fromIso, toIso) {
  const a = new Date(fromIso);
  const b = new Date(toIso);
  if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return '';
  if (a.toDateString() !== b.toDateString()) return `${fmtDateTime(fromIso)} – ${fmtDateTime(toIso)}`;
  const day = new Intl.DateTimeFormat(locale(), { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(a);
  const time = new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' });
  return `${day}, ${time.format(a)}–${time.format(b)}`;
}

// "13 Desember 2026 – 12 Januari 2027" (one date when both are the same).
export function dateRange(from, to) {
  if (!from) return '';
  if (!to || from === to) return fmtDate(from);
  return `${fmtDate(from)} – ${fmtDate(to)}`;
}

// "2026-12-01" of a Date, in the browser's zone.
function localDay(d) {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

// The value of an <input type=datetime-local> for an instant, in the
// browser's time zone ('' for none).
export function localInputValue(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${localDay(d)}T${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

// An RFC 3339 instant (UTC) from an <input type=datetime-local> value; null
// when empty or not a date.
export function isoFromLocal(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// The browser's UTC offset at instant d: "+07:00".
export function zoneOffset(d) {
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  return `${off < 0 ? '-' : '+'}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

// An ISO 8601 instant with the browser's offset ("2026-12-01T09:00:00+07:00")
// from an <input type=datetime-local> value, read in the browser's zone;
// null when empty or not a time.
export function isoWithZone(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value || '')) return null;
  const d = new Date(value); // no offset in the text: local time
  if (Number.isNaN(d.getTime())) return null;
  return `${localDay(d)}T${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}${zoneOffset(d)}`;
}

// A calendar date (YYYY-MM-DD, local) `days` from today.
export function dateInputIn(days) {
  return localDay(new Date(Date.now() + days * 86400000));
}

// A reader's message for an error: dictionary key error.<code>.<reason>
// (details.reason) or error.<code> for API errors, error.network when no answer came, else error.generic.
export function errorText(err) {
  const code = err && err.code;
  const reason = err && err.details && err.details.reason;
  if (code && reason && has(`error.${code}.${reason}`)) return t(`error.${code}.${reason}`);
  if (code && has(`error.${code}`)) return t(`error.${code}`);
  if (err && err.status === 0) return t('error.network');
  if (err && err.status >= 500) return t('error.server');
  return t('error.generic');
}
