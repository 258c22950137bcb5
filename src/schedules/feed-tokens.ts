import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FeedSubject } from './calendar.js';
import type { ShiftChangeStore } from './ports.js';

/**
 * Secret calendar URLs. The token is an HMAC-SHA256 of the feed (kind and id)
 * and the feed's salt under a key that never lives in the store
 * (MUSTER_CALENDAR_KEY). Revoking a feed stores a new random salt, so every
 * URL handed out before stops working and nothing else does.
 */

export const feedName = (subject: FeedSubject): string => `${subject.kind}:${subject.id}`;

export function feedToken(key: string, subject: FeedSubject, salt: string): string {
  return createHmac('sha256', key).update(`muster-calendar\n${subject.kind}\n${subject.id}\n${salt}`).digest('base64url').slice(0, 32);
}

/** Constant-time check of a presented token against the feed's current salt. */
export function tokenMatches(key: string, subject: FeedSubject, salt: string, presented: string): boolean {
  const expected = Buffer.from(feedToken(key, subject, salt));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The path of the feed's current secret URL, e.g. /calendar/team/payments/<token>.ics (the route in adapters/http/calendar.ts). */
export async function feedPath(store: Pick<ShiftChangeStore, 'feedSalt'>, key: string, subject: FeedSubject): Promise<string> {
  const salt = (await store.feedSalt(feedName(subject))) ?? '';
  return `/calendar/${subject.kind}/${encodeURIComponent(subject.id)}/${feedToken(key, subject, salt)}.ics`;
}

/** Revokes every URL of the feed handed out so far and returns the new path. */
export async function revokeFeed(store: Pick<ShiftChangeStore, 'feedSalt' | 'setFeedSalt'>, key: string, subject: FeedSubject): Promise<string> {
  await store.setFeedSalt(feedName(subject), randomBytes(18).toString('base64url'));
  return feedPath(store, key, subject);
}
