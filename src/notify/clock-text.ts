import type { Locale } from '../i18n/catalog.js';

/**
 * Times as a reader needs them (DESIGN.md §7): in the team's time zone, with
 * the zone said ("09:33:05 CET", "09:33:05 GMT+8"), and the day when it is not
 * today there ("Mon 2 Nov 09:33:05 CET", "11月2日周一 09:33:05 GMT+8"). The
 * formatters are built once: building a zoned date per call showed up in
 * declare profiles.
 */
export class ZonedClock {
  private readonly clock: Intl.DateTimeFormat;
  private readonly zone: Intl.DateTimeFormat;
  private readonly day: Intl.DateTimeFormat;
  private readonly dayKey: Intl.DateTimeFormat;

  constructor(locale: Locale, timeZone: string, private readonly now: () => number) {
    const tag = locale === 'zh-CN' ? 'zh-CN' : 'en-GB';
    this.clock = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    this.zone = new Intl.DateTimeFormat(tag, { timeZone, timeZoneName: 'short' });
    this.day = new Intl.DateTimeFormat(tag, { timeZone, weekday: 'short', day: 'numeric', month: 'short' });
    this.dayKey = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  /** "09:33:05 CET" today, "Mon 2 Nov 09:33:05 CET" on another day. */
  time(at: number): string {
    const zone = this.zone.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';
    const day = this.dayKey.format(at) === this.dayKey.format(this.now()) ? '' : `${this.day.format(at)} `;
    return `${day}${this.clock.format(at)}${zone ? ` ${zone}` : ''}`;
  }

  /** The bare wall clock in the zone, "09:33:05". */
  clockOnly(at: number): string {
    return this.clock.format(at);
  }

  /** Whole minutes from now to `at`, rounded up (a deadline 30 s away is "in 1 min"); 0 once it passed. */
  minutesUntil(at: number): number {
    return Math.max(0, Math.ceil((at - this.now()) / 60_000));
  }
}
