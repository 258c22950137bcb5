import { DateTime } from 'luxon';
import { parse } from 'yaml';
import type { MusterDeps } from '../../src/app.js';
import { musterConfigSchema, type MusterConfig } from '../../src/config/schema.js';
import type { Message } from '../../src/ports.js';
import { harness } from '../support/fixture.js';

/**
 * Payments rotates ann, ben, cat (primary) and xia, yan (backup) weekly on
 * Monday 09:00 Berlin. The harness clock starts Mon 2 Nov 2026 10:00 Berlin:
 * ben and yan hold the pagers until Mon 9 Nov 09:00, then cat and xia.
 */
export const ONCALL_YAML = `
timeZone: Europe/Berlin
people:
  ann: { name: Ann }
  ben: { name: Ben }
  cat: { name: Cat }
  xia: { name: Xia }
  yan: { name: Yan }
  mona: { name: Mona Manager }
  dora: { name: Dora Duty }
  dirk: { name: Dirk Duty }
  olga: { name: Olga Outsider }
teams:
  payments:
    name: Payments
    timeZone: Europe/Berlin
    manager: mona
    rotation: { primary: [ann, ben, cat], backup: [xia, yan], handoff: { day: monday, time: "09:00" }, start: 2026-01-05 }
  duty:
    name: Duty
    timeZone: Europe/Berlin
    manager: mona
    rotation: { primary: [dora, dirk], start: 2026-01-05 }
  sre:
    timeZone: America/New_York
    manager: olga
    rotation: { primary: [olga], start: 2026-01-05 }
roles:
  tech: { team: payments }
severities:
  P1: { roles: [tech], assemble: 15m, escalation: standard }
  P2: { roles: [tech], escalation: standard }
escalation:
  standard:
    steps:
      - { after: 0s, page: primary }
      - { after: 5m, page: backup }
      - { after: 5m, page: primary }
      - { after: 5m, page: manager }
services:
  checkout: { team: payments }
dutyManager: { team: duty }
`;

export function oncallConfig(edit: (raw: Record<string, any>) => void = () => {}): MusterConfig {
  const raw = parse(ONCALL_YAML) as Record<string, any>;
  edit(raw);
  return musterConfigSchema.parse(raw);
}

export const MIN = 60_000;

export async function oncallHarness(config = oncallConfig(), extra: { paging?: MusterDeps['paging'] } = {}) {
  const h = await harness(config, extra);
  /** Every message a person got by DM, oldest first. */
  const dms = (person: string): Message[] => h.chat.pagesTo(person).map((delivered) => delivered.message);
  /** The text of a reply (message text, then fields), as a person reads it. */
  const read = async (person: string, text: string): Promise<string> => {
    const reply = await h.say(person, text);
    return [reply.message.title, reply.message.text, ...(reply.message.fields ?? []).map((f) => `${f.label}: ${f.value}`)].filter(Boolean).join('\n');
  };
  return { ...h, dms, read };
}

/** Epoch ms of a Berlin wall-clock time ("2026-11-09T09:00"). */
export const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toMillis();

/** Moves the clock to a Berlin wall-clock time in steps of at most an hour, so the 15-minute plans run on the way. */
export async function walkTo(h: Pick<Awaited<ReturnType<typeof oncallHarness>>, 'clock' | 'advance'>, iso: string): Promise<void> {
  const target = berlin(iso);
  while (h.clock.now() < target) await h.advance(Math.min(60 * MIN, target - h.clock.now()));
}
