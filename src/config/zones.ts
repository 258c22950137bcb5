import type { MusterConfig, TeamConfig } from './schema.js';

/**
 * Which time zone a team's rotation turns in: its own, else UTC. (UTC, not the
 * top-level zone, because that is what handoffs have always meant for a team
 * without one; moving them would silently change who holds the pager.)
 */
export function rotationZone(team: TeamConfig): string {
  return team.timeZone ?? 'UTC';
}

/** The zone a team's own times are shown in (shift changes, handoffs, /oncall): its rotation's. */
export function teamZone(config: MusterConfig, team: string): string {
  const found = config.teams[team];
  return found ? rotationZone(found) : config.timeZone;
}

/**
 * The zone a person reads times in: their own `timeZone`, else
 * the zone of the first team (in muster.yaml order) whose rotation lists them
 * or that they manage and that sets one, else the top-level `timeZone`.
 * Someone missing from muster.yaml reads the top-level zone.
 */
export function personZone(config: MusterConfig, person: string): string {
  let zones = memo.get(config);
  if (!zones) {
    zones = personZones(config);
    memo.set(config, zones);
  }
  return zones.get(person) ?? config.timeZone;
}

/** A config is a snapshot that never changes, so each is read once. */
const memo = new WeakMap<MusterConfig, Map<string, string>>();

function personZones(config: MusterConfig): Map<string, string> {
  const zones = new Map<string, string>();
  const members = (team: TeamConfig) => [...team.rotation.primary, ...team.rotation.backup];
  // Rotation members before managers: a manager of a far team still reads their own team's zone.
  for (const pick of [members, (team: TeamConfig) => [team.manager]]) {
    for (const team of Object.values(config.teams)) {
      if (!team.timeZone) continue;
      for (const person of pick(team)) if (!zones.has(person)) zones.set(person, team.timeZone);
    }
  }
  for (const [id, person] of Object.entries(config.people)) if (person.timeZone) zones.set(id, person.timeZone);
  return zones;
}
