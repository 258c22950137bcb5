import { z } from 'zod';

/**
 * Durations in config and commands are written the way people say them:
 * "90s", "15m", "1h30m", "2d". A bare number is refused so nobody has to guess
 * whether 15 meant seconds or minutes.
 */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION_RE = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART_RE = /(\d+)(ms|s|m|h|d)/g;

/** Parses "1h30m" into milliseconds; returns undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION_RE.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART_RE)) {
    total += Number(amount) * (UNIT_MS[unit as string] ?? 0);
  }
  return total;
}

/** Formats milliseconds as m:ss (or h:mm:ss past an hour) for people reading a board. */
export function formatClock(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const ss = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  return `${minutes}:${ss}`;
}

/** Formats milliseconds back into the config notation ("15m", "1h30m"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit] as number;
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join('');
}

/**
 * A muster.yaml duration ("15m") read as milliseconds, with an error that shows
 * examples fitting the field. The one schema every config section uses.
 */
export function durationSchemaFor(examples = '"30s", "15m", "1h30m" or "2d"') {
  return z
    .string()
    .refine((text) => parseDuration(text) !== undefined, { message: `write a duration like ${examples}` })
    .transform((text) => parseDuration(text) as number);
}

export const durationSchema = durationSchemaFor().describe('A duration: a number with a unit, e.g. 30s, 15m, 1h30m, 2d');
