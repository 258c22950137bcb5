/**
 * The review starts from a clean timeline (issue 8): every entry with who, what
 * and when, the milestones (declared → assembled → mitigated → resolved) with
 * the time between them, and a postmortem skeleton ready to paste, in Markdown
 * (user text escaped) or JSON. Words come from the message catalogue.
 */
import type { Incident, TimelineEvent } from '../incidents/types.js';
import { clipText } from '../kernel/text.js';
import { runOf } from '../playbooks/run-state.js';
import type { Presenter } from '../notify/present.js';

export interface TimelineLine {
  seq: number;
  /** Epoch milliseconds. */
  at: number;
  /** ISO-8601, UTC. */
  when: string;
  /** Since the incident was declared, "m:ss" or "h:mm:ss". */
  sinceDeclared: string;
  sinceDeclaredMs: number;
  /** A display name (person, or "muster" for the bot). */
  who: string;
  /** The event type, stable across locales ("slot.acked"). */
  what: string;
  /** Role, person and the event's words (note, reason, update text), plain text. */
  detail: string;
}

export type MilestoneName = 'declared' | 'assembled' | 'mitigated' | 'resolved';

export interface Milestone {
  name: MilestoneName;
  at?: number;
  when?: string;
  /** From the previous milestone reached, in ms (absent for "declared" and for milestones not reached). */
  sincePreviousMs?: number;
  sincePrevious?: string;
  sinceDeclaredMs?: number;
}

const MILESTONES: MilestoneName[] = ['declared', 'assembled', 'mitigated', 'resolved'];

/** Milestones come from the timeline when it has them, else from the record. */
export function milestones(incident: Incident, timeline: TimelineEvent[], present: Presenter): Milestone[] {
  const fromTimeline = (type: TimelineEvent['type']) => timeline.find((event) => event.type === type)?.at;
  const at: Record<MilestoneName, number | undefined> = {
    declared: fromTimeline('incident.declared') ?? incident.declaredAt,
    assembled: fromTimeline('incident.assembled') ?? incident.assembledAt,
    mitigated: fromTimeline('incident.mitigated') ?? incident.mitigatedAt,
    resolved: fromTimeline('incident.resolved') ?? incident.resolvedAt,
  };
  let previous: number | undefined;
  return MILESTONES.map((name) => {
    const when = at[name];
    if (when === undefined) return { name };
    const milestone: Milestone = { name, at: when, when: iso(when), sinceDeclaredMs: when - (at.declared ?? when) };
    if (previous !== undefined) {
      milestone.sincePreviousMs = when - previous;
      milestone.sincePrevious = present.elapsed(when - previous);
    }
    previous = when;
    return milestone;
  });
}

/** The whole timeline, one line per entry, oldest first. */
export function timelineLines(incident: Incident, timeline: TimelineEvent[], present: Presenter): TimelineLine[] {
  const start = incident.declaredAt;
  return [...timeline]
    .sort((a, b) => a.seq - b.seq)
    .map((event) => ({
      seq: event.seq,
      at: event.at,
      when: iso(event.at),
      sinceDeclaredMs: event.at - start,
      sinceDeclared: present.elapsed(event.at - start),
      who: who(event, incident, present),
      what: event.type,
      detail: detail(event, present, stepTitles(incident)),
    }));
}

export type PostmortemFormat = 'md' | 'json';

/** A postmortem skeleton: summary, impact, milestones, timeline, what went well, what didn't, action items. */
export function postmortem(incident: Incident, timeline: TimelineEvent[], present: Presenter, format: PostmortemFormat): string {
  const lines = timelineLines(incident, timeline, present);
  const marks = milestones(incident, timeline, present);
  if (format === 'json') return `${JSON.stringify(postmortemData(incident, lines, marks, present), null, 2)}\n`;
  return markdown(incident, lines, marks, present);
}

function postmortemData(incident: Incident, lines: TimelineLine[], marks: Milestone[], present: Presenter) {
  return {
    incident: {
      id: incident.id,
      title: incident.title,
      severity: incident.severity,
      service: incident.service ?? null,
      status: incident.status,
      declaredBy: present.declarerName(incident),
      room: incident.roomName,
      drill: incident.drill ? { scenario: incident.drill.scenario } : null,
      summary: incident.summary ?? null,
    },
    breaches: breaches(incident),
    roles: incident.slots.map((slot) => ({
      role: slot.role,
      person: slot.ackedBy ?? null,
      pagedAt: slot.pages[0] ? iso(slot.pages[0].at) : null,
      ackedAt: slot.ackedAt !== undefined ? iso(slot.ackedAt) : null,
      timeToAckMs: slot.ackedAt !== undefined ? slot.ackedAt - slot.startedAt : null,
      escalations: escalationsOf(slot),
      state: slot.state,
    })),
    milestones: marks,
    timeline: lines,
    sections: { summary: incident.summary ?? '', impact: '', whatWentWell: [], whatDidNotGoWell: [], actionItems: [] },
    knowledge: incident.knowledge?.entry ? { entry: incident.knowledge.entry, history: incident.knowledge.history } : null,
  };
}

function markdown(incident: Incident, lines: TimelineLine[], marks: Milestone[], present: Presenter): string {
  const { t } = present;
  const out: string[] = [];
  out.push(`# ${t('postmortem.title', { id: incident.id, title: escapeMarkdown(incident.title) })}`, '');
  if (incident.drill) out.push(`> ${t('postmortem.drill', { scenario: escapeMarkdown(incident.drill.scenario) })}`, '');
  const facts: Array<[string, string]> = [
    [t('postmortem.severity'), incident.severity],
    [t('postmortem.status'), t(`status.${incident.status}`)],
    ...(incident.service ? [[t('postmortem.service'), escapeMarkdown(incident.service)] as [string, string]] : []),
    [t('postmortem.declaredBy'), escapeMarkdown(present.declarerName(incident))],
    [t('postmortem.room'), escapeMarkdown(incident.roomName)],
  ];
  for (const [label, value] of facts) out.push(`- **${label}:** ${value}`);
  const breached = breaches(incident);
  if (breached.length > 0) out.push(`- ${t('postmortem.breaches', { list: breached.join(', ') })}`);
  out.push('', `## ${t('postmortem.summary')}`, '', incident.summary ? escapeMarkdown(incident.summary) : t('postmortem.fillIn'));
  out.push('', `## ${t('postmortem.impact')}`, '', t('postmortem.fillIn'));
  out.push(...learned(incident, present));
  out.push('', `## ${t('postmortem.milestones')}`, '');
  out.push(`| ${t('postmortem.col.milestone')} | ${t('postmortem.col.when')} | ${t('postmortem.col.since')} |`, '| --- | --- | --- |');
  for (const mark of marks) {
    out.push(`| ${t(`milestone.${mark.name}`)} | ${mark.when ?? t('postmortem.notReached')} | ${mark.sincePrevious ?? ''} |`);
  }
  out.push(...rolesTable(incident, present));
  out.push('', `## ${t('postmortem.timeline')}`, '');
  out.push(`| ${t('postmortem.col.when')} | ${t('postmortem.col.elapsed')} | ${t('postmortem.col.who')} | ${t('postmortem.col.what')} |`, '| --- | --- | --- | --- |');
  for (const line of lines) {
    const what = line.detail ? `${line.what}: ${escapeMarkdown(line.detail)}` : line.what;
    out.push(`| ${line.when} | +${line.sinceDeclared} | ${escapeMarkdown(line.who)} | ${what} |`);
  }
  out.push('', `## ${t('postmortem.wentWell')}`, '', t('postmortem.fillIn'));
  out.push('', `## ${t('postmortem.wentBadly')}`, '', t('postmortem.fillIn'));
  out.push('', `## ${t('postmortem.actionItems')}`, '', t('postmortem.actionItemTemplate'), '');
  return out.join('\n');
}

/** Escalation steps a slot went through past its first page. */
function escalationsOf(slot: Incident['slots'][number]): number {
  return new Set(slot.pages.filter((page) => page.step > 0).map((page) => page.step)).size;
}

/** One row per role: who took it (or was last paged), when that person was paged and acked, how long it took, how far it escalated. */
function rolesTable(incident: Incident, present: Presenter): string[] {
  const { t } = present;
  const rows = incident.slots.map((slot) => {
    const person = slot.ackedBy ?? slot.pages[slot.pages.length - 1]?.person;
    const paged = slot.pages.find((page) => page.person === person);
    const acked = slot.ackedAt !== undefined ? iso(slot.ackedAt) : t('postmortem.notAcked');
    const toAck = slot.ackedAt !== undefined ? present.elapsed(slot.ackedAt - slot.startedAt) : '';
    const who = person ? escapeMarkdown(present.personName(person)) : '';
    return `| ${escapeMarkdown(present.roleName(slot.role))} | ${who} | ${paged ? iso(paged.at) : ''} | ${acked} | ${toAck} | ${escalationsOf(slot)} |`;
  });
  return [
    '', `## ${t('postmortem.roles')}`, '',
    `| ${t('postmortem.col.role')} | ${t('postmortem.col.person')} | ${t('postmortem.col.paged')} | ${t('postmortem.col.acked')} | ${t('postmortem.col.timeToAck')} | ${t('postmortem.col.escalations')} |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

/** The knowledge entry filed with `/incident learn`, when there is one. */
function learned(incident: Incident, present: Presenter): string[] {
  const entry = incident.knowledge?.entry;
  if (!entry) return [];
  const { t } = present;
  const facts: Array<[string, string]> = [
    [t('kb.field.module'), entry.module],
    [t('kb.field.faultType'), entry.faultType],
    [t('kb.field.rootCause'), entry.rootCause],
    ...(entry.prevention ? [[t('kb.field.prevention'), entry.prevention] as [string, string]] : []),
    ...(entry.playbook ? [[t('kb.field.playbook'), entry.playbook] as [string, string]] : []),
  ];
  return [
    '', `## ${t('postmortem.learned')}`, '',
    ...facts.map(([label, value]) => `- **${label}:** ${escapeMarkdown(value)}`),
    `- **${t('kb.field.resolution')}:**`,
    ...entry.resolution.map((step, i) => `  ${i + 1}. ${escapeMarkdown(step)}`),
  ];
}

function breaches(incident: Incident): string[] {
  return [
    incident.breachedAt !== undefined ? 'assembly' : undefined,
    incident.slaBreachedAt !== undefined ? 'respond' : undefined,
    incident.resolveBreachedAt !== undefined ? 'resolve' : undefined,
    incident.updateOverdueAt !== undefined ? 'update' : undefined,
  ].filter((name): name is string => name !== undefined);
}

/**
 * Escapes user text for Markdown (CommonMark and GitHub) where it stands:
 * inside a line (a heading's text, a list item, a table cell), never at its
 * start. HTML is neutralised as entities; only what formats inline gets a
 * backslash (emphasis, code, links and images through their brackets, table
 * pipes, strikethrough), so "#inc-1-checkout" and "(0:02)" read as written;
 * line breaks become spaces so a table row stays one row.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (char) => `\\${char}`);
}

function iso(at: number): string {
  return new Date(at).toISOString();
}

function who(event: TimelineEvent, incident: Incident, present: Presenter): string {
  if (event.type === 'incident.declared') return present.declarerName(incident);
  return personOrActor(event.actor, present);
}

function personOrActor(actor: string, present: Presenter): string {
  return present.personName(actor);
}

const WORDS = ['note', 'reason', 'text', 'title', 'scenario', 'action', 'from', 'to', 'via', 'sla', 'answer', 'related'];

/** Step ids to their titles, from the playbook run on the record. */
function stepTitles(incident: Incident): Map<string, string> {
  const run = runOf(incident);
  const titles = new Map<string, string>();
  for (const step of run?.definition.steps ?? []) {
    titles.set(step.id, step.title);
    if (step.kind === 'parallel') for (const child of step.steps) titles.set(child.id, child.title);
  }
  return titles;
}

function detail(event: TimelineEvent, present: Presenter, steps: Map<string, string>): string {
  const parts: string[] = [];
  // A step entry names the step: its title and id ("Confirm impact [confirm]").
  const step = event.data.step;
  if (typeof step === 'string' && event.type.startsWith('step.')) parts.push(steps.has(step) ? `${steps.get(step)} [${step}]` : step);
  if (event.role) parts.push(present.roleName(event.role));
  if (event.person && event.person !== event.actor) parts.push(present.personName(event.person));
  for (const key of WORDS) {
    const value = event.data[key];
    if (typeof value === 'string' && value.trim() !== '') parts.push(key === 'from' || key === 'to' ? `${key} ${value}` : value);
  }
  const elapsed = event.data.elapsedMs;
  if (typeof elapsed === 'number' && event.type !== 'sla.breached') parts.push(`(${present.elapsed(elapsed)})`);
  return clipText(parts.join(' · '), 500);
}
