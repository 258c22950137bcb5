import type { Locale } from '../i18n/catalog.js';

/** A zone's abbreviation worth showing: letters ("CET", "EST"), not an offset ("GMT+8"). */
const LETTERS = /^[A-Z]{2,5}$/;
/** Zones whose name says nothing more than their abbreviation. */
const UNIVERSAL = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Universal', 'Zulu']);

/**
 * Times as a reader needs them: in one time zone, with the zone
 * said, and the day when it is not today there. Two ways to say the zone:
 * `time` by its abbreviation ("09:33:05 CET", "09:33:05 GMT+8"), for a reader
 * who lives in it; `named` by its IANA name ("09:33:05 (Asia/Shanghai)"), for
 * a room read from Shanghai, Berlin and New York at once, where "CST" would
 * be China to some and Chicago to others. The formatters are built once:
 * building a zoned date per call showed up in declare profiles.
 */
export class ZonedClock {
  private readonly clock: Intl.DateTimeFormat;
  private readonly zones: Intl.DateTimeFormat[];
  private readonly day: Intl.DateTimeFormat;
  private readonly dayKey: Intl.DateTimeFormat;
  private readonly calendar: Intl.DateTimeFormat;

  constructor(locale: Locale, readonly timeZone: string, private readonly now: () => number) {
    const tag = locale === 'zh-CN' ? 'zh-CN' : 'en-GB';
    this.clock = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    // English has letter abbreviations for Europe in en-GB ("CEST") and for the Americas in en-US ("EDT").
    const zoneTags = locale === 'zh-CN' ? ['zh-CN'] : ['en-GB', 'en-US'];
    this.zones = zoneTags.map((zoneTag) => new Intl.DateTimeFormat(zoneTag, { timeZone, timeZoneName: 'short' }));
    this.day = new Intl.DateTimeFormat(tag, { timeZone, weekday: 'short', day: 'numeric', month: 'short' });
    this.dayKey = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    this.calendar = new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' });
  }

  /** "09:33:05 CET" today, "Mon 2 Nov 09:33:05 CET" on another day. */
  time(at: number): string {
    const zone = this.abbreviation(at);
    return `${this.dayPrefix(at)}${this.clockOnly(at)}${zone ? ` ${zone}` : ''}`;
  }

  /** The full date and the minute, for what is days or years away (due dates, past incidents): "2026-11-04 10:00 CET". */
  dated(at: number, named: boolean): string {
    return `${this.calendar.format(at)}${named ? this.zoneName() : ` ${this.abbreviation(at)}`}`;
  }

  /** "09:33:05 (Europe/Berlin)" today, "Mon 2 Nov 09:33:05 (Europe/Berlin)" on another day; UTC stays "09:33:05 UTC". */
  named(at: number): string {
    return `${this.dayPrefix(at)}${this.clockOnly(at)}${this.zoneName()}`;
  }

  private zoneName(): string {
    return UNIVERSAL.has(this.timeZone) ? ' UTC' : ` (${this.timeZone})`;
  }

  /** The bare wall clock in the zone, "09:33:05". */
  clockOnly(at: number): string {
    // A storm's pages all say the same second: format it once.
    const second = Math.floor(at / 1000);
    if (this.lastSecond !== second) {
      this.lastSecond = second;
      this.lastClock = this.clock.format(at);
    }
    return this.lastClock;
  }

  private lastSecond = Number.NaN;
  private lastClock = '';

  /** Whole minutes from now to `at`, rounded up (a deadline 30 s away is "in 1 min"); 0 once it passed. */
  minutesUntil(at: number): number {
    return Math.max(0, Math.ceil((at - this.now()) / 60_000));
  }

  /** "" today in the zone; "Mon 2 Nov " (or "11月2日周一 ") on any other day there. */
  private dayPrefix(at: number): string {
    return this.dayOf(at) === this.dayOf(this.now()) ? '' : `${this.day.format(at)} `;
  }

  private dayOf(at: number): string {
    return cachedPerQuarter(this.days, at, () => this.dayKey.format(at));
  }

  /** formatToParts is the dearest call in a page's text, and its answer only changes with the zone's offset. */
  private abbreviation(at: number): string {
    return cachedPerQuarter(this.abbreviations, at, () => this.lookUpAbbreviation(at));
  }

  private readonly days = new Map<number, string>();
  private readonly abbreviations = new Map<number, string>();

  private lookUpAbbreviation(at: number): string {
    let first = '';
    for (const format of this.zones) {
      const name = format.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';
      if (LETTERS.test(name)) return name;
      first ||= name;
    }
    return first;
  }
}

const QUARTER_MS = 15 * 60_000;
const CACHED_QUARTERS = 256;

/**
 * Every zone's offset is a whole number of quarter hours and changes only on
 * a quarter hour (UTC), so its day and its abbreviation are the same for
 * every instant of one UTC quarter: one lookup per quarter is enough.
 */
function cachedPerQuarter(cache: Map<number, string>, at: number, compute: () => string): string {
  const quarter = Math.floor(at / QUARTER_MS);
  const known = cache.get(quarter);
  if (known !== undefined) return known;
  if (cache.size >= CACHED_QUARTERS) cache.clear();
  const value = compute();
  cache.set(quarter, value);
  return value;
}
