import { IntlMessageFormat } from 'intl-messageformat';
import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type Locale = 'en' | 'zh-CN';
export type { MessageKey };

const CATALOGS: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** A message with an ICU plural or select ("{count, plural, one {# role} other {# roles}}"). */
const ICU_ARGUMENT = /\{\s*\w+\s*,\s*(plural|selectordinal|select)\s*,/;

/** The simple form: {name} replaced; a missing placeholder is left visible, never dropped. */
function substitute(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Counts may arrive as digits ("3"); ICU plurals need numbers. */
function icuValues(params: Record<string, string | number>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value]));
}

/**
 * Returns a translator for one locale. Messages with counts use ICU message
 * format (intl-messageformat, with the locale's plural rules), so "1 role"
 * and "2 roles" read right; the others stay plain {name} substitution, where
 * "<title>" and apostrophes are just text. A message ICU cannot format falls
 * back to plain substitution rather than failing a reply.
 */
export function translator(locale: Locale): Translate {
  const catalog = CATALOGS[locale];
  const compiled = new Map<MessageKey, IntlMessageFormat>();
  const icu = (key: MessageKey, text: string) => {
    let format = compiled.get(key);
    if (!format) {
      format = new IntlMessageFormat(text, locale, undefined, { ignoreTag: true });
      compiled.set(key, format);
    }
    return format;
  };
  return (key, params = {}) => {
    const text = catalog[key];
    if (!ICU_ARGUMENT.test(text)) return substitute(text, params);
    try {
      return String(icu(key, text).format(icuValues(params)));
    } catch {
      return substitute(text, params);
    }
  };
}

/** Every message of a locale that uses ICU arguments, for the catalogue test. */
export function icuMessages(locale: Locale): Array<{ key: MessageKey; text: string }> {
  return (Object.entries(CATALOGS[locale]) as Array<[MessageKey, string]>).filter(([, text]) => ICU_ARGUMENT.test(text)).map(([key, text]) => ({ key, text }));
}
