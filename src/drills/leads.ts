import type { MusterConfig } from '../config/schema.js';

/** Leads (who may start, stop and pause drills): team managers and the duty managers. */
export function isLead(config: MusterConfig, person: string | undefined): boolean {
  if (!person) return false;
  if (Object.values(config.teams).some((team) => team.manager === person)) return true;
  const duty = config.dutyManager;
  if ('person' in duty) return duty.person === person;
  const team = config.teams[duty.team];
  return Boolean(team && [...team.rotation.primary, ...team.rotation.backup].includes(person));
}
