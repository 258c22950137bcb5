/**
 * The bench's org, in the shape of test/support/fixture.ts (not imported: bench/
 * stands alone). One person per rotation slot, so a P1 with service=checkout
 * pages exactly five people at declare time. Escalation steps after the first
 * are an hour away, so only first pages happen while a bench runs.
 */
import { parse, stringify } from 'yaml';
import { musterConfigSchema, type MusterConfig } from '../src/config/schema.js';

const BENCH_CONFIG_YAML = `
timeZone: Europe/Berlin
people:
  alice: { name: Alice Declarer }
  cara: { name: Cara Commander }
  cole: { name: Cole Backup }
  pete: { name: Pete Payments }
  pam: { name: Pam Payments }
  sam: { name: Sam SRE }
  sid: { name: Sid SRE }
  pia: { name: Pia Product }
  pat: { name: Pat Product }
  cody: { name: Cody Comms }
  cat: { name: Cat Comms }
  mona: { name: Mona Manager }
  dora: { name: Dora Duty }
teams:
  command: { manager: mona, rotation: { primary: [cara], backup: [cole], start: 2026-01-05 } }
  payments: { manager: mona, rotation: { primary: [pete], backup: [pam], start: 2026-01-05 } }
  sre: { manager: mona, rotation: { primary: [sam], backup: [sid], start: 2026-01-05 } }
  product: { manager: mona, rotation: { primary: [pia], backup: [pat], start: 2026-01-05 } }
  comms: { manager: mona, rotation: { primary: [cody], backup: [cat], start: 2026-01-05 } }
  duty: { manager: mona, rotation: { primary: [dora], start: 2026-01-05 } }
roles:
  commander: { team: command }
  tech: { fromService: true }
  ops: { team: sre }
  product: { team: product }
  comms: { team: comms }
severities:
  P1: { roles: [commander, tech, ops, product, comms], assemble: 15m, respond: 30m, update: 30m, escalation: standard }
  P2: { roles: [commander, tech], respond: 1h, escalation: standard }
escalation:
  standard:
    steps:
      - { after: 0s, page: primary }
      - { after: 1h, page: backup }
      - { after: 1h, page: manager }
services:
  checkout: { team: payments }
dutyManager: { team: duty }
`;

/** The people a P1 on checkout pages first (the primaries of the five role teams). */
export const FIRST_PAGED = ['cara', 'pete', 'sam', 'pia', 'cody'] as const;

export function benchConfig(edit: (raw: Record<string, unknown>) => void = () => {}): MusterConfig {
  const raw = parse(BENCH_CONFIG_YAML) as Record<string, unknown>;
  edit(raw);
  return musterConfigSchema.parse(raw);
}

/** Slack user ids for the bench org, as test/support/slack/bot.ts gives them: alice -> UALICE. */
export function slackId(person: string): string {
  return `U${person.toUpperCase()}`;
}

/**
 * The same org for the Slack bench: every person gets a Slack user id (the
 * approach of test/support/slack/bot.ts's slackConfig) and new incidents are
 * announced in `broadcast`.
 */
export function benchSlackConfig(broadcast: string): MusterConfig {
  return musterConfigSchema.parse(benchSlackRaw(broadcast));
}

/** benchSlackConfig as muster.yaml text, for a bot started as its own process. */
export function benchSlackConfigYaml(broadcast: string): string {
  return stringify(benchSlackRaw(broadcast));
}

function benchSlackRaw(broadcast: string): unknown {
  const raw = parse(BENCH_CONFIG_YAML) as { people: Record<string, { slack?: string }>; channels?: unknown };
  for (const [id, person] of Object.entries(raw.people)) person.slack = slackId(id);
  raw.channels = { broadcast };
  return raw;
}

/** The command an adapter would hand the core for "/incident declare … sev=P1 service=checkout". */
export function declareRequest(tag: string) {
  return {
    name: 'incident',
    // anyway=yes: hundreds of P1s on one service at once; a person would be asked first (the benches measure the declare itself).
    args: `declare Bench ${tag} checkout is failing sev=P1 service=checkout anyway=yes`,
    actor: 'console:alice',
    conversation: 'console:#bench',
    requestId: `bench-${tag}`,
  };
}

/**
 * The org for the alert bench: Alertmanager's `severity: critical` maps to P1
 * and an alert's `service` label names the service (checkout, the default too),
 * so every firing alert on a fresh fingerprint declares a P1 that pages five.
 */
export function benchAlertConfig(): MusterConfig {
  const raw = parse(BENCH_CONFIG_YAML) as Record<string, unknown>;
  raw.alerts = { severities: { critical: 'P1' }, serviceLabel: 'service', defaultService: 'checkout' };
  return musterConfigSchema.parse(raw);
}

/** Discord user ids (valid snowflakes) for the bench org: alice -> 1400000000000000100, cara -> …101. */
export const BENCH_PEOPLE = ['alice', 'cara', 'cole', 'pete', 'pam', 'sam', 'sid', 'pia', 'pat', 'cody', 'cat', 'mona', 'dora'] as const;

export function discordId(person: string): string {
  const index = BENCH_PEOPLE.indexOf(person as (typeof BENCH_PEOPLE)[number]);
  if (index < 0) throw new Error(`no Discord id for ${person}`);
  return `14000000000000001${String(index).padStart(2, '0')}`;
}

/**
 * The same org for the Discord bench (the approach of test/support/discord/bot.ts's
 * discordConfig): every person gets a Discord user id, war rooms are channels
 * under `category`, new incidents are announced in `broadcast`.
 */
export function benchDiscordConfig(category: string, broadcast: string): MusterConfig {
  const raw = parse(BENCH_CONFIG_YAML) as { people: Record<string, { discord?: string }>; channels?: unknown; discord?: unknown };
  for (const [id, person] of Object.entries(raw.people)) person.discord = discordId(id);
  raw.channels = { broadcast };
  raw.discord = { category, broadcast };
  return musterConfigSchema.parse(raw);
}
