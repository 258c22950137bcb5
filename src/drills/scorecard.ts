import { formatClock } from '../config/duration.js';
import type { Incident } from '../incidents/types.js';
import type { Effects } from '../kernel/effects.js';
import type { MusterContext } from '../kernel/context.js';
import { runOf } from '../playbooks/run-state.js';

/** What a drill measured: kept on the incident, posted to the leads, summed up by /drill trend. */
export interface DrillScore {
  at: number;
  assembledMs?: number;
  targetMs?: number;
  breached: boolean;
  escalations: number;
  roles: Array<{ role: string; team: string; person?: string; ackMs?: number }>;
  stepsDone: number;
  stepsOverdue: number;
}

export function scoreOf(incident: Incident): DrillScore | undefined {
  return (incident as Incident & { drillScore?: DrillScore }).drillScore;
}

export function computeScore(ctx: MusterContext, incident: Incident, now: number): DrillScore {
  const deadline = ctx.config.severities[incident.severity]?.assemble;
  const run = runOf(incident);
  const states = run ? Object.values(run.steps) : [];
  return {
    at: now,
    ...(incident.assembledAt !== undefined ? { assembledMs: incident.assembledAt - incident.declaredAt } : {}),
    ...(deadline !== undefined ? { targetMs: deadline } : {}),
    breached: incident.breachedAt !== undefined,
    escalations: incident.slots.reduce((sum, slot) => sum + Math.max(0, slot.nextStep - 1), 0),
    roles: incident.slots.map((slot) => ({
      role: slot.role,
      team: slot.team,
      ...(slot.ackedBy ? { person: slot.ackedBy } : {}),
      ...(slot.ackedAt !== undefined ? { ackMs: slot.ackedAt - slot.startedAt } : {}),
    })),
    stepsDone: states.filter((state) => state.status === 'done').length,
    stepsOverdue: states.filter((state) => state.nudgedAt !== undefined).length,
  };
}

/** The people a drill reports to: whoever started it and the managers of the teams it mustered. */
export function drillLeads(ctx: MusterContext, incident: Incident): string[] {
  const managers = incident.slots.map((slot) => ctx.config.teams[slot.team]?.manager).filter((m): m is string => Boolean(m));
  const starter = incident.drill?.startedBy;
  return [...new Set([...(starter && ctx.config.people[starter] ? [starter] : []), ...managers])];
}

export function scorecardMessage(ctx: MusterContext, incident: Incident, score: DrillScore) {
  const { present } = ctx;
  const assembled = score.assembledMs !== undefined ? formatClock(score.assembledMs) : present.t('drill.notAssembled');
  const target = score.targetMs !== undefined ? formatClock(score.targetMs) : '-';
  return {
    title: present.t('drill.scorecardTitle', { id: incident.id, scenario: incident.drill?.scenario ?? '-' }),
    text: present.t('drill.scorecardSummary', { assembled, target, escalations: score.escalations, done: score.stepsDone, overdue: score.stepsOverdue }),
    fields: score.roles.map((role) => ({
      label: present.roleName(role.role),
      value: role.person ? `${present.personName(role.person)} · ${formatClock(role.ackMs ?? 0)}` : present.t('drill.noAck'),
    })),
    tone: score.breached ? ('warning' as const) : ('success' as const),
  };
}

/** Called when a drill assembles or its deadline passes: scores it once and tells the leads. */
export function finishDrillMuster(ctx: MusterContext, fx: Effects): void {
  const incident = fx.incident as Incident & { drillScore?: DrillScore };
  if (!incident.drill || incident.drillScore) return;
  const score = computeScore(ctx, incident, fx.now);
  incident.drillScore = score;
  fx.event('drill.scored', { data: { ...score } });
  const message = scorecardMessage(ctx, incident, score);
  fx.toRoom('drill-scorecard', message);
  for (const lead of drillLeads(ctx, incident)) fx.send(`drill-scorecard-${lead}`, { kind: 'person', person: lead }, message);
}
