import i18next, { type TFunction } from 'i18next';
import { z } from 'zod';
import { vi as viCatalogue } from './i18n.vi.js';
import { preferenceRanges } from './preference.js';

/*
 * Languages of the API's words (issue #19 item 3). English is the default for clients that send no
 * Accept-Language (or only languages we do not have); `Accept-Language: vi` gives Vietnamese problem
 * titles and details and Vietnamese validation messages. The stable `code` never changes with the
 * language: clients branch on it, people read the rest.
 *
 * Messages live in catalogues keyed by the error code and rendered by i18next with its own
 * interpolation (`{{param}}`), never by string concatenation. Only Vietnamese has a catalogue for
 * details: the English details are the messages the code raised with.
 */

export const LANGUAGES = ['en', 'vi'] as const;
export type Language = (typeof LANGUAGES)[number];

const en = {
  'title.400': 'Bad Request',
  'title.401': 'Unauthorized',
  'title.403': 'Forbidden',
  'title.404': 'Not Found',
  'title.405': 'Method Not Allowed',
  'title.406': 'Not Acceptable',
  'title.409': 'Conflict',
  'title.412': 'Precondition Failed',
  'title.413': 'Content Too Large',
  'title.415': 'Unsupported Media Type',
  'title.422': 'Unprocessable Content',
  'title.428': 'Precondition Required',
  'title.429': 'Too Many Requests',
  'title.500': 'Internal Server Error',
  'title.503': 'Service Unavailable',
  'title.other': 'Error',
};

const i18n = i18next.createInstance();
void i18n.init({
  initAsync: false, // resources are in memory: ready when this module is
  resources: { en: { translation: en }, vi: { translation: viCatalogue } },
  lng: 'en',
  fallbackLng: false,
  supportedLngs: [...LANGUAGES],
  // Codes contain dots (`drive.not_found`): the keys are flat.
  keySeparator: false,
  nsSeparator: false,
  // Problem details are JSON, never HTML.
  interpolation: { escapeValue: false },
  returnNull: false,
});

const translators: Record<Language, TFunction> = { en: i18n.getFixedT('en'), vi: i18n.getFixedT('vi') };

/** The translate function of a language. */
export const tFor = (lang: Language): TFunction => translators[lang];

/** Whether a language's catalogue has a message for this key. */
export const hasMessage = (lang: Language, key: string): boolean => i18n.exists(key, { lng: lang, fallbackLng: false });

/**
 * The language an Accept-Language header asks for among ours (RFC 9110 §12.5.4, q-values
 * honoured, `vi-VN` matches `vi`, `*` takes the default), or null when the client named none of
 * them (no header, only unknown languages, or everything at q=0).
 */
export function negotiateLanguage(header: string | string[] | undefined): Language | null {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value || value.trim() === '') return null;
  for (const { value: tag } of preferenceRanges(value)) {
    if (tag === '*') return 'en';
    const primary = tag.split('-')[0];
    const hit = LANGUAGES.find((l) => l === primary);
    if (hit) return hit;
  }
  return null;
}

/** The language of a response's words: what the client asked for, else English. */
export const languageOf = (header: string | string[] | undefined): Language => negotiateLanguage(header) ?? 'en';

/** The problem `title` for an HTTP status. */
export function problemTitle(lang: Language, status: number): string {
  const key = `title.${status}`;
  return tFor(lang)(hasMessage(lang, key) ? key : 'title.other');
}

const STATUS_GENERIC: Record<number, string> = {
  400: 'generic.400',
  401: 'generic.401',
  403: 'generic.403',
  404: 'generic.404',
  409: 'generic.409',
  412: 'generic.412',
  422: 'generic.422',
  429: 'generic.429',
  503: 'generic.503',
};

/**
 * The Vietnamese `detail` of a problem: the catalogue's template for its code, filled with the
 * error's parameters; a `*.not_found` code without its own template names the resource; any other
 * code without a template gets a generic sentence for its status that names the code (never the
 * English text).
 */
export function localizedDetail(lang: Language, status: number, code: string, params: Record<string, unknown> = {}): string {
  const t = tFor(lang);
  const values = { ...stringParams(params), code };
  if (hasMessage(lang, `error.${code}`)) return t(`error.${code}`, values);
  const notFound = /^(.+)\.not_found$/.exec(code);
  if (notFound) {
    const what = typeof params.what === 'string' ? params.what : notFound[1]!;
    const noun = hasMessage(lang, `noun.${what}`) ? t(`noun.${what}`) : what.replace(/_/g, ' ');
    return typeof params.id === 'string' ? t('generic.not_found_id', { noun, id: params.id }) : t('generic.not_found', { noun });
  }
  return t(STATUS_GENERIC[status] ?? 'generic.other', values);
}

/** Parameters as text for interpolation (objects as JSON, so a template never prints [object Object]). */
function stringParams(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'string' ? v : Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** Codes with a Vietnamese detail template of their own (for the README and the tests). */
export const templatedCodes = (): string[] =>
  Object.keys(viCatalogue)
    .filter((k) => k.startsWith('error.'))
    .map((k) => k.slice('error.'.length));

/** zod 4's Vietnamese locale: its error map renders one raw issue. */
const viZod = z.locales.vi().localeError;

type RawIssue = { code: string; input?: unknown; [k: string]: unknown };

/**
 * A validation message in a language. English keeps the message zod produced; Vietnamese renders
 * the same issue with zod's own `vi` locale at answer time (per request, the global zod config is
 * untouched). A number that is not one (`?limit=abc` reaches zod as NaN) says what was expected.
 */
export function validationMessage(lang: Language, issue: RawIssue, english: string): string {
  const nan = /received NaN/.test(english);
  if (lang === 'en') return nan ? english.replace(/expected number, received NaN/, 'expected a number') : english;
  if (nan || (issue.code === 'invalid_type' && issue.expected === 'number' && Number.isNaN(issue.input))) return tFor(lang)('validation.expected_number');
  const rendered = viZod(issue as never);
  const message = typeof rendered === 'string' ? rendered : rendered?.message;
  return message ?? tFor(lang)('validation.invalid');
}
