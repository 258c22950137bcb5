import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type Locale = 'en' | 'zh-CN';
export type { MessageKey };

const CATALOGS: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Returns a translator for one locale; a missing placeholder is left visible, never dropped. */
export function translator(locale: Locale): Translate {
  const catalog = CATALOGS[locale];
  return (key, params = {}) =>
    catalog[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
}
