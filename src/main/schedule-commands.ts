/**
 * CLI commands over the stored shift changes: `muster calendar url|revoke`
 * (the secret iCalendar feed URLs) and the shift-change warnings `muster
 * validate` prints when REDIS_URL names a store.
 */
import { systemClock } from '../clock.js';
import type { MusterEnv } from '../config/env.js';
import { publicUrlOf } from '../config/paging-env.js';
import { redisTarget } from '../config/redis-target.js';
import type { MusterConfig } from '../config/schema.js';
import { translator } from '../i18n/catalog.js';
import type { FeedSubject } from '../schedules/calendar.js';
import { staleWarning } from '../schedules/explain.js';
import { feedPath, revokeFeed } from '../schedules/feed-tokens.js';
import { staleChanges } from '../schedules/handoffs.js';
import type { ShiftChangeStore } from '../schedules/ports.js';
import { StartupError } from './runtime.js';
import { withParts } from './store-commands.js';

function withShifts<T>(env: MusterEnv, work: (shifts: ShiftChangeStore) => Promise<T>): Promise<T> {
  return withParts(env, (parts) => work(parts.shifts));
}

/** `muster calendar url|revoke <team|person> <id>`: prints the feed's secret URL (a new one after revoke). */
export async function runCalendar(options: { env: MusterEnv; config: MusterConfig; action: 'url' | 'revoke'; kind: string; id: string }): Promise<number> {
  const { env, config, kind, id } = options;
  const key = env.calendarKey;
  if (!key) throw new StartupError('set MUSTER_CALENDAR_KEY (at least 32 random characters) to serve calendar feeds.');
  if (kind !== 'team' && kind !== 'person') throw new StartupError(`"${kind}" is not a feed kind: write team or person.`);
  const known = kind === 'team' ? config.teams : config.people;
  if (!known[id]) throw new StartupError(`there is no ${kind} "${id}" in muster.yaml: use one of ${Object.keys(known).join(', ')}.`);
  const subject: FeedSubject = { kind, id };
  const path = await withShifts(env, (shifts) => (options.action === 'revoke' ? revokeFeed(shifts, key, subject) : feedPath(shifts, key, subject)));
  // Under MUSTER_PUBLIC_URL when set: a calendar app on a phone cannot reach the bind address.
  const base = publicUrlOf(env.raw ?? {}, []) ?? `http://${env.httpHost ?? '127.0.0.1'}:${env.httpPort ?? 8080}`;
  process.stdout.write(`${base}${path}\n`);
  if (!redisTarget(env)) process.stderr.write('muster: embedded mode keeps no revocations between runs: set REDIS_URL.\n');
  return 0;
}

/** Warnings for stored pending and accepted changes naming teams or people the config no longer has. */
export async function shiftChangeWarnings(env: MusterEnv, config: MusterConfig): Promise<string[]> {
  if (!redisTarget(env)) return [];
  const t = translator(config.locale);
  const now = systemClock.now();
  const changes = await withShifts(env, (shifts) => shifts.list({ endsAfter: now }));
  return staleChanges(config, changes, now).map((stale) => staleWarning(config, t, stale));
}
