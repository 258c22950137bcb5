import { DateTime } from 'luxon';
import { parse } from 'yaml';
import { MemoryShiftChangeStore } from '../../adapters/memory/shift-changes.js';
import { ManualClock } from '../../src/clock.js';
import { musterConfigSchema, type MusterConfig } from '../../src/config/schema.js';
import { translator } from '../../src/i18n/catalog.js';
import type { ScheduleDeps } from '../../src/schedules/changes.js';

/** Payments rotates three primaries and two backups weekly on Monday 09:00 Berlin time. */
export const SCHEDULE_YAML = `
timeZone: Europe/Berlin
people:
  ann: { name: Ann }
  ben: { name: Ben }
  cat: { name: Cat }
  xia: { name: Xia }
  yan: { name: Yan }
  mona: { name: Mona Manager }
  dora: { name: Dora Duty }
  olga: { name: Olga Outsider }
teams:
  payments:
    name: Payments
    timeZone: Europe/Berlin
    manager: mona
    rotation: { primary: [ann, ben, cat], backup: [xia, yan], handoff: { day: monday, time: "09:00" }, start: 2026-01-05 }
  sre:
    timeZone: America/New_York
    manager: olga
    rotation: { primary: [olga], start: 2026-01-05 }
roles:
  tech: { team: payments }
severities:
  P1: { roles: [tech], escalation: standard }
escalation:
  standard: { steps: [{ after: 0s, page: primary }] }
services:
  checkout: { team: payments }
dutyManager: { person: dora }
`;

export function scheduleConfig(edit: (raw: Record<string, any>) => void = () => {}): MusterConfig {
  const raw = parse(SCHEDULE_YAML) as Record<string, any>;
  edit(raw);
  return musterConfigSchema.parse(raw);
}

/** Epoch ms of a wall-clock time in Berlin (or `zone`). */
export function berlin(iso: string, zone = 'Europe/Berlin'): number {
  const at = DateTime.fromISO(iso, { zone });
  if (!at.isValid) throw new Error(`bad test time ${iso}`);
  return at.toMillis();
}

export function scheduleDeps(start = berlin('2026-10-21T10:00'), config = scheduleConfig()) {
  const clock = new ManualClock(start);
  const store = new MemoryShiftChangeStore();
  const deps: ScheduleDeps = { config, store, now: () => clock.now(), t: translator('en') };
  return { deps, clock, store, config };
}
