/**
 * GET /calendar/<team|person>/<id>/<token>.ics on the ops server, only when
 * MUSTER_CALENDAR_KEY is set: the read-only iCalendar feed of a team or a
 * person (src/schedules/calendar.ts). The token is checked in constant time
 * against the feed's current salt (src/schedules/feed-tokens.ts); any
 * mismatch, unknown team or person answers the same 404, so a URL reveals
 * nothing about who exists. Nothing here writes to the store.
 */
import type { FastifyInstance } from 'fastify';
import type { MusterConfig } from '../../src/config/schema.js';
import type { Translate } from '../../src/i18n/catalog.js';
import type { Logger } from '../../src/logger.js';
import { calendarFeed, type FeedSubject } from '../../src/schedules/calendar.js';
import { loadSchedule } from '../../src/schedules/changes.js';
import { feedName, tokenMatches } from '../../src/schedules/feed-tokens.js';
import type { ShiftChangeStore } from '../../src/schedules/ports.js';

export interface CalendarRoutesOptions {
  /** MUSTER_CALENDAR_KEY: the HMAC key of feed tokens (never logged). */
  key: string;
  store: Pick<ShiftChangeStore, 'feedSalt' | 'list'>;
  config: MusterConfig;
  t: Translate;
  now: () => number;
  logger: Logger;
  /** How far back and ahead a feed reaches (default 14 and 90 days). */
  pastDays?: number;
  futureDays?: number;
}

const DAY = 86_400_000;
const FILE_RE = /^([A-Za-z0-9_-]{32})\.ics$/;

function subjectOf(config: MusterConfig, kind: string, id: string): FeedSubject | undefined {
  if (kind === 'team' && config.teams[id]) return { kind, id };
  if (kind === 'person' && config.people[id]) return { kind, id };
  return undefined;
}

export function registerCalendarRoutes(app: FastifyInstance, options: CalendarRoutesOptions): void {
  app.get<{ Params: { kind: string; id: string; file: string } }>('/calendar/:kind/:id/:file', async (request, reply) => {
    const { kind, id, file } = request.params;
    const token = FILE_RE.exec(file)?.[1];
    const subject = subjectOf(options.config, kind, id);
    if (!token || !subject) return reply.code(404).send({ error: 'not found' });
    try {
      const salt = (await options.store.feedSalt(feedName(subject))) ?? '';
      if (!tokenMatches(options.key, subject, salt, token)) return reply.code(404).send({ error: 'not found' });
      const now = options.now();
      const schedule = await loadSchedule({ config: options.config, store: options.store }, now - (options.pastDays ?? 14) * DAY);
      const range = { start: now - (options.pastDays ?? 14) * DAY, end: now + (options.futureDays ?? 90) * DAY };
      const text = calendarFeed(schedule, subject, range, options.t, now);
      return reply.code(200).header('content-type', 'text/calendar; charset=utf-8').send(text);
    } catch (error) {
      options.logger.warn({ err: error instanceof Error ? error.message : String(error), feed: kind }, 'calendar feed could not be built');
      return reply.code(503).send({ error: 'calendar unavailable' });
    }
  });
}
