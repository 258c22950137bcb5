/**
 * Warnings for `muster validate` about paging (not errors: the bot still
 * starts). Each names the YAML path, so the loader's locator can give the
 * file and line: someone who can be paged for a P1 but has no method that
 * wakes people, and contact methods whose provider is not configured.
 * Numbers that are not E.164 are already schema errors.
 */
import type { MusterConfig } from '../config/schema.js';
import { PROVIDERS, type ProviderName } from './port.js';

export interface PagingWarning {
  path: (string | number)[];
  message: string;
  hint: string;
}

const WAKING_FIELDS = ['phone', 'ntfy', 'pushover', 'pagerduty'] as const;
const PROVIDER_OF_FIELD: Record<(typeof WAKING_FIELDS)[number] | 'email', ProviderName> = {
  phone: 'twilio',
  ntfy: 'ntfy',
  pushover: 'pushover',
  pagerduty: 'pagerduty',
  email: 'email',
};

/** Everyone a P1 can reach: rotations and managers of the teams its roles draw on, people named in its escalation, the duty manager. */
export function pageableForP1(config: MusterConfig): Set<string> {
  const level = config.severities.P1;
  const people = new Set<string>();
  if (!level) return people;
  const teams = new Set<string>();
  for (const roleId of level.roles) {
    const role = config.roles[roleId];
    if (role?.team) teams.add(role.team);
    if (role?.fromService) Object.values(config.services).forEach((service) => teams.add(service.team));
  }
  for (const teamId of teams) {
    const team = config.teams[teamId];
    if (!team) continue;
    [...team.rotation.primary, ...team.rotation.backup, team.manager].forEach((p) => people.add(p));
  }
  for (const step of config.escalation[level.escalation]?.steps ?? []) if (Array.isArray(step.page)) step.page.forEach((p) => people.add(p));
  if ('person' in config.dutyManager) people.add(config.dutyManager.person);
  return people;
}

export function pagingWarnings(config: MusterConfig, enabled: ReadonlySet<ProviderName>): PagingWarning[] {
  const warnings: PagingWarning[] = [];
  const configured = (provider: ProviderName) => config.paging[provider] !== undefined && enabled.has(provider);
  const asleep = [...pageableForP1(config)].sort().filter((person) => {
    const entry = config.people[person];
    return entry !== undefined && !WAKING_FIELDS.some((field) => entry[field] !== undefined && configured(PROVIDER_OF_FIELD[field]));
  });
  // A chat-only setup (no provider at all, as the shipped example) gets one line, not one per person.
  if (asleep.length > 0 && !PROVIDERS.some((provider) => config.paging[provider] !== undefined)) {
    warnings.push({
      path: ['paging'],
      message: `no paging provider is configured: the ${asleep.length} people who can be paged for a P1 are reached by chat only (${asleep.join(', ')})`,
      hint: 'configure paging: (twilio, ntfy, pushover or pagerduty) and give each a phone, ntfy, pushover or pagerduty key',
    });
  } else {
    for (const person of asleep) {
      warnings.push({ path: ['people', person], message: `${person} can be paged for a P1 but has no method that wakes people`, hint: 'add phone (with paging.twilio), ntfy, pushover or pagerduty' });
    }
  }
  for (const [person, entry] of Object.entries(config.people)) {
    for (const field of [...WAKING_FIELDS, 'email'] as const) {
      const provider = PROVIDER_OF_FIELD[field];
      if (entry[field] !== undefined && config.paging[provider] === undefined) {
        warnings.push({ path: ['people', person, field], message: `${field} is set but no ${provider} provider is configured`, hint: `add paging.${provider} to muster.yaml` });
      }
    }
  }
  return warnings;
}
