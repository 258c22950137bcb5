/**
 * What the dashboard shows (issue 8), as read-only queries over the store:
 * the live muster boards of active incidents, recent incidents with their
 * durations and breaches, time to assemble per week and per role (median and
 * p90) against the assembly line, breaches per month and drill scores by team.
 * Drills are always kept apart from real incidents. Everything but
 * `loadDashboard` is a pure function over incidents.
 */
import type { Incident, RoleSlot } from '../incidents/types.js';
import { isActive, requiredSlots } from '../incidents/types.js';
import { scoreOf } from '../drills/scorecard.js';
import type { IncidentStore } from '../ports.js';
import { knowledgeMeasures, type KnowledgeMeasures } from '../knowledge/measures.js';

/** The presenter's naming functions (src/notify/present.ts) the dashboard needs. */
export interface DashboardNames {
  personName(person: string): string;
  roleName(role: string): string;
  /** Wall-clock time in the configured zone ("09:01:05"). */
  time(at: number): string;
}

/** The assembly line drawn on every chart: 15 minutes. */
export const ASSEMBLY_TARGET_MS = 15 * 60_000;

export interface BoardRow {
  role: string;
  roleName: string;
  person?: string;
  personName?: string;
  pagedAt?: number;
  pagedAtText?: string;
  ackedAt?: number;
  ackedAtText?: string;
  state: RoleSlot['state'];
}

export interface ActiveIncidentView {
  id: string;
  title: string;
  severity: string;
  status: Incident['status'];
  service?: string;
  drill: boolean;
  declaredAt: number;
  declaredAtText: string;
  assembleDeadlineAt?: number;
  assembleDeadlineAtText?: string;
  /** Milliseconds from `generatedAt` to the assembly deadline while still assembling (negative once passed): the page counts down from it, so the browser's clock never matters. */
  deadlineInMs?: number;
  assembledAtText?: string;
  breachedAtText?: string;
  /** Every breach so far (assembly, response SLA, update cadence). */
  breaches: BreachKind[];
  /** Names of the required roles nobody has acknowledged yet. */
  missingRoles: string[];
  rows: BoardRow[];
}

export type BreachKind = 'assembly' | 'response' | 'update' | 'resolution';

export interface RecentIncidentView {
  id: string;
  title: string;
  severity: string;
  status: Incident['status'];
  drill: boolean;
  declaredAt: number;
  assembleMs?: number;
  mitigateMs?: number;
  resolveMs?: number;
  breaches: BreachKind[];
}

export interface DurationStat {
  /** A week (Monday, UTC, "2026-11-02") or a role. */
  key: string;
  label: string;
  count: number;
  medianMs?: number;
  p90Ms?: number;
}

export interface MonthBreaches {
  month: string;
  assembly: number;
  response: number;
  update: number;
  resolution: number;
}

export interface TeamDrillScore {
  team: string;
  drills: number;
  /** Roles of this team that acknowledged, and the median and p90 of their time to ack. */
  acks: number;
  missed: number;
  medianAckMs?: number;
  p90AckMs?: number;
  /** Drills this team took part in that assembled inside their target. */
  assembledInTime: number;
}

export interface DashboardData {
  generatedAt: number;
  active: ActiveIncidentView[];
  recent: RecentIncidentView[];
  recentDrills: RecentIncidentView[];
  assemblyByWeek: DurationStat[];
  ackByRole: DurationStat[];
  breachesByMonth: MonthBreaches[];
  drillScores: TeamDrillScore[];
  targetMs: number;
  /** The knowledge loop over the recent window: tasks filed on time, suggestions opened. */
  knowledge: KnowledgeMeasures;
}

// ---------------------------------------------------------------- statistics

/** Nearest-rank percentile (p in 0..100) of unsorted values; undefined when empty. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** The median: the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function stat(key: string, label: string, values: number[]): DurationStat {
  const m = median(values);
  const p = percentile(values, 90);
  return { key, label, count: values.length, ...(m !== undefined ? { medianMs: m } : {}), ...(p !== undefined ? { p90Ms: p } : {}) };
}

/** The Monday (UTC) of the week holding `at`, as "YYYY-MM-DD". */
export function weekOf(at: number): string {
  const date = new Date(at);
  const day = (date.getUTCDay() + 6) % 7; // Monday = 0
  const monday = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day);
  return new Date(monday).toISOString().slice(0, 10);
}

export function monthOf(at: number): string {
  return new Date(at).toISOString().slice(0, 7);
}

// ---------------------------------------------------------------- views

/** The page that reached `person` last: the one the board's "Paged at" means (an escalation pages someone new later). */
function lastPageOf(slot: RoleSlot, person: string | undefined) {
  if (!person) return undefined;
  for (let i = slot.pages.length - 1; i >= 0; i -= 1) if (slot.pages[i]!.person === person) return slot.pages[i];
  return undefined;
}

export function boardRows(incident: Incident, names: DashboardNames): BoardRow[] {
  return incident.slots.map((slot) => {
    const person = slot.ackedBy ?? slot.pages[slot.pages.length - 1]?.person;
    const paged = lastPageOf(slot, person);
    return {
      role: slot.role,
      roleName: names.roleName(slot.role),
      ...(person ? { person, personName: names.personName(person) } : {}),
      ...(paged ? { pagedAt: paged.at, pagedAtText: names.time(paged.at) } : {}),
      ...(slot.ackedAt !== undefined ? { ackedAt: slot.ackedAt, ackedAtText: names.time(slot.ackedAt) } : {}),
      state: slot.state,
    };
  });
}

/** The assembly deadline, its countdown (only while assembling) and when it was met or missed. */
function deadlineView(incident: Incident, names: DashboardNames, now: number) {
  const deadline = incident.assembleDeadlineAt;
  return {
    ...(deadline !== undefined ? { assembleDeadlineAt: deadline, assembleDeadlineAtText: names.time(deadline) } : {}),
    ...(deadline !== undefined && incident.status === 'assembling' ? { deadlineInMs: deadline - now } : {}),
    ...(incident.assembledAt !== undefined ? { assembledAtText: names.time(incident.assembledAt) } : {}),
    ...(incident.breachedAt !== undefined ? { breachedAtText: names.time(incident.breachedAt) } : {}),
  };
}

export function activeView(incident: Incident, names: DashboardNames, now: number): ActiveIncidentView {
  return {
    id: incident.id,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    ...(incident.service ? { service: incident.service } : {}),
    drill: Boolean(incident.drill),
    declaredAt: incident.declaredAt,
    declaredAtText: names.time(incident.declaredAt),
    ...deadlineView(incident, names, now),
    breaches: breachesOf(incident),
    missingRoles: requiredSlots(incident).filter((slot) => slot.state === 'paging').map((slot) => names.roleName(slot.role)),
    rows: boardRows(incident, names),
  };
}

export function breachesOf(incident: Incident): BreachKind[] {
  const kinds: BreachKind[] = [];
  if (incident.breachedAt !== undefined) kinds.push('assembly');
  if (incident.slaBreachedAt !== undefined) kinds.push('response');
  if (incident.updateOverdueAt !== undefined) kinds.push('update');
  if (incident.resolveBreachedAt !== undefined) kinds.push('resolution');
  return kinds;
}

export function recentView(incident: Incident): RecentIncidentView {
  const since = (at: number | undefined) => (at !== undefined ? at - incident.declaredAt : undefined);
  const assembleMs = since(incident.assembledAt);
  const mitigateMs = since(incident.mitigatedAt);
  const resolveMs = since(incident.resolvedAt);
  return {
    id: incident.id,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    drill: Boolean(incident.drill),
    declaredAt: incident.declaredAt,
    ...(assembleMs !== undefined ? { assembleMs } : {}),
    ...(mitigateMs !== undefined ? { mitigateMs } : {}),
    ...(resolveMs !== undefined ? { resolveMs } : {}),
    breaches: breachesOf(incident),
  };
}

/** Time to assemble per week (real incidents that assembled), oldest week first. */
export function assemblyByWeek(incidents: readonly Incident[]): DurationStat[] {
  const weeks = new Map<string, number[]>();
  for (const incident of incidents) {
    if (incident.drill || incident.assembledAt === undefined) continue;
    const week = weekOf(incident.declaredAt);
    const list = weeks.get(week) ?? [];
    list.push(incident.assembledAt - incident.declaredAt);
    weeks.set(week, list);
  }
  return [...weeks.keys()].sort().map((week) => stat(week, week, weeks.get(week)!));
}

/** Time to acknowledge per role (real incidents), in the order roles first appear. */
export function ackByRole(incidents: readonly Incident[], names: DashboardNames): DurationStat[] {
  const roles = new Map<string, number[]>();
  for (const incident of [...incidents].sort((a, b) => a.declaredAt - b.declaredAt)) {
    if (incident.drill) continue;
    for (const slot of incident.slots) {
      if (slot.ackedAt === undefined) continue;
      const list = roles.get(slot.role) ?? [];
      list.push(slot.ackedAt - slot.startedAt);
      roles.set(slot.role, list);
    }
  }
  return [...roles.entries()].map(([role, values]) => stat(role, names.roleName(role), values));
}

/** Breaches of real incidents per month (by declare time), oldest first. */
export function breachesByMonth(incidents: readonly Incident[]): MonthBreaches[] {
  const months = new Map<string, MonthBreaches>();
  for (const incident of incidents) {
    if (incident.drill) continue;
    const month = monthOf(incident.declaredAt);
    const row = months.get(month) ?? { month, assembly: 0, response: 0, update: 0, resolution: 0 };
    for (const kind of breachesOf(incident)) row[kind] += 1;
    months.set(month, row);
  }
  return [...months.keys()].sort().map((month) => months.get(month)!);
}

/** Drill scorecards summed up by team: how fast each team's roles acknowledged. */
export function drillScoresByTeam(incidents: readonly Incident[]): TeamDrillScore[] {
  const teams = new Map<string, { drills: Set<string>; acks: number[]; missed: number; inTime: Set<string> }>();
  for (const incident of incidents) {
    if (!incident.drill) continue;
    const score = scoreOf(incident);
    if (!score) continue;
    const inTime = score.assembledMs !== undefined && (score.targetMs === undefined || score.assembledMs <= score.targetMs) && !score.breached;
    for (const role of score.roles) {
      const entry = teams.get(role.team) ?? { drills: new Set<string>(), acks: [], missed: 0, inTime: new Set<string>() };
      entry.drills.add(incident.id);
      if (inTime) entry.inTime.add(incident.id);
      if (role.ackMs !== undefined) entry.acks.push(role.ackMs);
      else entry.missed += 1;
      teams.set(role.team, entry);
    }
  }
  return [...teams.keys()].sort().map((team) => {
    const entry = teams.get(team)!;
    const m = median(entry.acks);
    const p = percentile(entry.acks, 90);
    return {
      team,
      drills: entry.drills.size,
      acks: entry.acks.length,
      missed: entry.missed,
      ...(m !== undefined ? { medianAckMs: m } : {}),
      ...(p !== undefined ? { p90AckMs: p } : {}),
      assembledInTime: entry.inTime.size,
    };
  });
}

/** Everything the dashboard shows, from the active incidents and a window of recent ones. */
export function dashboardData(active: readonly Incident[], recent: readonly Incident[], names: DashboardNames, now: number): DashboardData {
  return {
    generatedAt: now,
    active: active.filter(isActive).map((incident) => activeView(incident, names, now)),
    recent: recent.filter((incident) => !incident.drill).map(recentView),
    recentDrills: recent.filter((incident) => incident.drill).map(recentView),
    assemblyByWeek: assemblyByWeek(recent),
    ackByRole: ackByRole(recent, names),
    breachesByMonth: breachesByMonth(recent),
    drillScores: drillScoresByTeam(recent),
    targetMs: ASSEMBLY_TARGET_MS,
    knowledge: knowledgeMeasures(recent, -Infinity, Infinity),
  };
}

/** The thin loader: two reads, nothing written. */
export async function loadDashboard(store: Pick<IncidentStore, 'listActive' | 'listRecent'>, names: DashboardNames, now: number, options: { recentLimit?: number } = {}): Promise<DashboardData> {
  const [active, recent] = await Promise.all([store.listActive(), store.listRecent(options.recentLimit ?? 200)]);
  return dashboardData(active, recent, names, now);
}

/** The live part only (what app.js polls): active boards and the recent list. */
export async function loadLive(store: Pick<IncidentStore, 'listActive' | 'listRecent'>, names: DashboardNames, now: number, options: { recentLimit?: number } = {}) {
  const [active, recent] = await Promise.all([store.listActive(), store.listRecent(options.recentLimit ?? 50)]);
  return {
    generatedAt: now,
    active: active.filter(isActive).map((incident) => activeView(incident, names, now)),
    recent: recent.filter((incident) => !incident.drill).map(recentView),
    recentDrills: recent.filter((incident) => incident.drill).map(recentView),
  };
}
