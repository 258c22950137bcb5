import { DateTime, IANAZone } from 'luxon';

/**
 * Cross-reference checks the zod schema cannot express: a name used in one
 * part of muster.yaml must be defined in another (a rotation naming a person,
 * a role naming a team), time zones must be real IANA zones, and a rotation
 * start must be a real calendar date.
 *
 * The checks read their input defensively (anything may be missing or of the
 * wrong type), so the loader can run them on the raw YAML data even when the
 * schema already failed and report every problem in one pass. A collection
 * that is missing altogether (no `people:`) is left to the schema's message
 * rather than reported once per reference into it.
 */

export type ReferencePath = (string | number)[];

export interface ReferenceProblem {
  path: ReferencePath;
  message: string;
  /** Exactly what to write to fix it. */
  hint: string;
}

type Loose = Record<string, unknown>;

/** A map from the YAML, or undefined when the value is not a map. */
function mapOf(value: unknown): Loose | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Loose)
    : undefined;
}

const entries = (value: unknown): [string, Loose][] =>
  Object.entries(mapOf(value) ?? {}).flatMap(([k, v]) => (mapOf(v) ? [[k, v as Loose]] : []));

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** One kind of definition (people, teams, ...) that other parts of the file refer to. */
interface Catalogue {
  /** The top-level key where these are defined, e.g. "people". */
  section: string;
  /** What one entry is called in messages, e.g. "person". */
  noun: string;
  /** Defined ids; undefined when the section itself is missing or not a map. */
  ids?: Set<string>;
}

function catalogue(config: Loose, section: string, noun: string): Catalogue {
  const map = mapOf(config[section]);
  return { section, noun, ids: map ? new Set(Object.keys(map)) : undefined };
}

/** Edit distance counting a swap of neighbours as one edit ("alcie" → "alice"); powers "did you mean". */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const cell = (i: number, j: number) => rows[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(cell(i - 1, j) + 1, cell(i, j - 1) + 1, cell(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, cell(i - 2, j - 2) + 1);
      }
      (rows[i] as number[])[j] = best;
    }
  }
  return cell(a.length, b.length);
}

/** The closest known name, when it is close enough to be a typo. */
export function closest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** "a, b, c" with at most `limit` names, so a hint stays one readable line. */
export function listNames(names: Iterable<string>, limit = 12): string {
  const all = [...names];
  const shown = all.slice(0, limit).join(', ');
  return all.length > limit ? `${shown} (and ${all.length - limit} more)` : shown;
}

/**
 * Checks one reference; pushes a problem when `value` names nothing in `cat`.
 * Non-string values are the schema's business and are skipped here.
 */
function checkRef(out: ReferenceProblem[], cat: Catalogue, value: unknown, path: ReferencePath) {
  if (typeof value !== 'string' || !cat.ids || cat.ids.has(value)) return;
  const guess = closest(value, cat.ids);
  const known = cat.ids.size > 0 ? `, or use one of: ${listNames(cat.ids)}` : '';
  const hint = guess
    ? `did you mean "${guess}"? Otherwise add "${value}" under ${cat.section}:${known}`
    : `add "${value}" under ${cat.section}:${known}`;
  out.push({ path, message: `unknown ${cat.noun} "${value}"`, hint });
}

interface Catalogues {
  people: Catalogue;
  teams: Catalogue;
  roles: Catalogue;
  policies: Catalogue;
}

/** Rotations (primary, backup), managers and per-team escalation overrides. */
function checkTeams(out: ReferenceProblem[], config: Loose, cats: Catalogues) {
  for (const [teamId, team] of entries(config.teams)) {
    const base = ['teams', teamId];
    checkRef(out, cats.people, team.manager, [...base, 'manager']);
    checkRef(out, cats.policies, team.escalation, [...base, 'escalation']);
    const rotation = mapOf(team.rotation) ?? {};
    for (const list of ['primary', 'backup'] as const) {
      listOf(rotation[list]).forEach((person, i) =>
        checkRef(out, cats.people, person, [...base, 'rotation', list, i]),
      );
    }
  }
}

/** A role is staffed by a named team, by the affected service's team, or (allowed) both. */
function checkRoles(out: ReferenceProblem[], config: Loose, cats: Catalogues) {
  for (const [roleId, role] of entries(config.roles)) {
    checkRef(out, cats.teams, role.team, ['roles', roleId, 'team']);
    if (role.team === undefined && role.fromService !== true) {
      const teams = cats.teams.ids ? ` (teams: ${listNames(cats.teams.ids)})` : '';
      out.push({
        path: ['roles', roleId],
        message: `role "${roleId}" has no way to be staffed: it names no team and is not fromService`,
        hint: `add "team: <team id>"${teams} under roles.${roleId}, or "fromService: true" to page the affected service's team`,
      });
    }
  }
}

function checkSeverities(out: ReferenceProblem[], config: Loose, cats: Catalogues) {
  for (const [severity, level] of entries(config.severities)) {
    listOf(level.roles).forEach((role, i) =>
      checkRef(out, cats.roles, role, ['severities', severity, 'roles', i]),
    );
    checkRef(out, cats.policies, level.escalation, ['severities', severity, 'escalation']);
  }
}

/** Only explicit person lists are references; "primary"/"backup"/"manager" are keywords. */
function checkPolicies(out: ReferenceProblem[], config: Loose, cats: Catalogues) {
  for (const [policyId, policy] of entries(config.escalation)) {
    listOf(policy.steps).forEach((step, i) => {
      listOf(mapOf(step)?.page).forEach((person, j) =>
        checkRef(out, cats.people, person, ['escalation', policyId, 'steps', i, 'page', j]),
      );
    });
  }
}

function checkServicesAndDuty(out: ReferenceProblem[], config: Loose, cats: Catalogues) {
  for (const [serviceId, service] of entries(config.services)) {
    checkRef(out, cats.teams, service.team, ['services', serviceId, 'team']);
  }
  const duty = mapOf(config.dutyManager) ?? {};
  checkRef(out, cats.people, duty.person, ['dutyManager', 'person']);
  checkRef(out, cats.teams, duty.team, ['dutyManager', 'team']);
}

function checkZone(out: ReferenceProblem[], zone: unknown, path: ReferencePath) {
  if (typeof zone !== 'string' || IANAZone.isValidZone(zone)) return;
  out.push({
    path,
    message: `unknown time zone "${zone}"`,
    hint: 'write an IANA time zone name such as "Europe/Berlin", "America/New_York", "Asia/Shanghai" or "UTC"',
  });
}

/** Time zones everywhere they may appear, and rotation starts that are real dates. */
function checkZonesAndDates(out: ReferenceProblem[], config: Loose) {
  checkZone(out, config.timeZone, ['timeZone']);
  for (const [personId, person] of entries(config.people)) {
    checkZone(out, person.timeZone, ['people', personId, 'timeZone']);
  }
  for (const [teamId, team] of entries(config.teams)) {
    checkZone(out, team.timeZone, ['teams', teamId, 'timeZone']);
    const start = mapOf(team.rotation)?.start;
    // The schema checks the YYYY-MM-DD shape; only a well-shaped, impossible date is ours.
    if (typeof start !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(start)) continue;
    if (!DateTime.fromISO(start, { zone: 'UTC' }).isValid) {
      out.push({
        path: ['teams', teamId, 'rotation', 'start'],
        message: `"${start}" is not a real date`,
        hint: 'write an existing calendar date as YYYY-MM-DD, e.g. "2026-01-05"',
      });
    }
  }
}

/** Privileged actions: delegated roles, approver teams and people must exist. */
function checkActions(out: ReferenceProblem[], config: Loose, cats: Catalogues) {
  for (const [actionId, action] of entries(mapOf(config.actions)?.catalog)) {
    const policy = mapOf(action.policy) ?? {};
    const base = ['actions', 'catalog', actionId, 'policy'];
    listOf(mapOf(policy.delegate)?.roles).forEach((role, i) => checkRef(out, cats.roles, role, [...base, 'delegate', 'roles', i]));
    const approval = mapOf(policy.approval) ?? {};
    listOf(approval.teams).forEach((team, i) => checkRef(out, cats.teams, team, [...base, 'approval', 'teams', i]));
    listOf(approval.people).forEach((person, i) => checkRef(out, cats.people, person, [...base, 'approval', 'people', i]));
  }
}

/**
 * All cross-reference problems of a config, in file order of sections.
 * Accepts the parsed `MusterConfig` or the raw YAML data (see the module note).
 */
export function checkReferences(config: unknown): ReferenceProblem[] {
  const root = mapOf(config);
  if (!root) return [];
  const cats: Catalogues = {
    people: catalogue(root, 'people', 'person'),
    teams: catalogue(root, 'teams', 'team'),
    roles: catalogue(root, 'roles', 'role'),
    policies: catalogue(root, 'escalation', 'escalation policy'),
  };
  const out: ReferenceProblem[] = [];
  checkZonesAndDates(out, root);
  checkTeams(out, root, cats);
  checkRoles(out, root, cats);
  checkSeverities(out, root, cats);
  checkPolicies(out, root, cats);
  checkServicesAndDuty(out, root, cats);
  checkActions(out, root, cats);
  for (const [id, schedule] of entries(mapOf(root.drills))) {
    listOf(schedule.teams).forEach((team, i) => checkRef(out, cats.teams, team, ['drills', id, 'teams', i]));
    listOf(schedule.optOut).forEach((person, i) => checkRef(out, cats.people, person, ['drills', id, 'optOut', i]));
  }
  const alerts = mapOf(root.alerts);
  if (alerts?.defaultService !== undefined) {
    checkRef(out, catalogue(root, 'services', 'service'), alerts.defaultService, ['alerts', 'defaultService']);
  }
  return out;
}
