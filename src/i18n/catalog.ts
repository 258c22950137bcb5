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
  return plain(text)(params);
}

type Fill = (params: Record<string, string | number>) => string;

/**
 * A plain message split once into its text and its placeholders (odd
 * indexes): a page's texts are filled hundreds of times a second in a storm,
 * and a regex replace per call showed in declare profiles.
 */
function plain(text: string): Fill {
  const parts = text.split(/\{(\w+)\}/);
  if (parts.length === 1) return () => text;
  return (params) => {
    let out = parts[0] as string;
    for (let i = 1; i < parts.length; i += 2) {
      const name = parts[i] as string;
      out += (name in params ? String(params[name]) : `{${name}}`) + (parts[i + 1] as string);
    }
    return out;
  };
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
  const plainFills = new Map<MessageKey, Fill | null>();
  const plainFill = (key: MessageKey, text: string): Fill | null => {
    let fill = plainFills.get(key);
    if (fill === undefined) {
      fill = ICU_ARGUMENT.test(text) ? null : plain(text);
      plainFills.set(key, fill);
    }
    return fill;
  };
  return (key, params = {}) => {
    const text = catalog[key];
    const fill = plainFill(key, text);
    if (fill) return fill(params);
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
