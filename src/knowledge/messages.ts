import { formatDuration } from '../config/duration.js';
import type { Incident } from '../incidents/types.js';
import type { MusterContext } from '../kernel/context.js';
import type { Field, Form, Link, Message } from '../ports.js';
import type { KnowledgeEntry, KnowledgeTask } from './record.js';
import type { KnowledgeHit } from './search.js';

/**
 * What the knowledge loop says in chat: the task's direct messages, search
 * results, the similar incidents posted after a declare, an entry shown in
 * full, and the forms. Words come from the message catalogue; user text is
 * passed as plain text (renderers escape it).
 */

type Ctx = MusterContext;

/**
 * Where an incident's postmortem opens in a browser (the dashboard's export
 * route under MUSTER_PUBLIC_URL); absent, messages name `muster export INC-n`.
 */
export type PostmortemUrl = (incidentId: string) => string;

/**
 * "2026-11-04 09:00 CET" in the reader's zone (the presenter's: a DM's is the
 * person's, see knowledge/timer.ts): a due date is days away, so the date matters.
 */
export function when(ctx: Ctx, at: number): string {
  return ctx.present.dated(at);
}

/** The incident's title as every message shows it (drills say so). */
function titleOf(ctx: Ctx, incident: Pick<Incident, 'id' | 'severity' | 'title'>): string {
  return ctx.present.t('kb.hit.label', { id: incident.id, severity: incident.severity, title: incident.title });
}

/** The direct message that opens the knowledge task: what to file, by when, and how. */
export function taskMessage(ctx: Ctx, incident: Incident, task: KnowledgeTask): Message {
  const t = ctx.present.t;
  return {
    title: t('knowledge.task.title', { id: incident.id }),
    text: t('knowledge.task.text', { id: incident.id, title: incident.title, due: when(ctx, task.dueAt) }),
    tone: 'info',
    buttons: [
      { label: t('knowledge.button.file'), command: `/incident learn ${incident.id}`, style: 'primary' },
      { label: t('knowledge.button.skip'), command: `/incident learn ${incident.id} skip` },
    ],
  };
}

export function reminderMessage(ctx: Ctx, incident: Incident, dueAt: number): Message {
  const t = ctx.present.t;
  return {
    title: t('knowledge.task.title', { id: incident.id }),
    text: t('knowledge.reminder', { id: incident.id, title: incident.title, due: when(ctx, dueAt) }),
    tone: 'warning',
    buttons: [{ label: t('knowledge.button.file'), command: `/incident learn ${incident.id}`, style: 'primary' }],
  };
}

export function overdueMessage(ctx: Ctx, incident: Incident, owner: string, to: string, dueAt: number): Message {
  const t = ctx.present.t;
  const params = { id: incident.id, title: incident.title, due: when(ctx, dueAt), owner: ctx.present.personName(owner) };
  return {
    title: t('knowledge.task.title', { id: incident.id }),
    text: t(to === owner ? 'knowledge.overdueOwner' : 'knowledge.overdueManager', params),
    tone: 'warning',
    buttons: [{ label: t('knowledge.button.file'), command: `/incident learn ${incident.id}`, style: 'primary' }],
  };
}

/** One hit as a field: id, severity and title; when, how long, what it was and what fixed it. */
export function hitField(ctx: Ctx, hit: KnowledgeHit, postmortemUrl?: PostmortemUrl): Field {
  const t = ctx.present.t;
  const lines = [meta(ctx, hit.declaredAt, hit.resolveMs, hit.service)];
  if (hit.module !== undefined || hit.faultType !== undefined) lines.push(t('kb.hit.class', { module: hit.module ?? '-', faultType: hit.faultType ?? '-' }));
  if (hit.rootCause) lines.push(t('kb.hit.cause', { cause: clip(hit.rootCause, 300) }));
  lines.push(hit.resolution.length > 0 ? t('kb.hit.fix', { steps: steps(hit.resolution, 5) }) : t('kb.hit.noEntry'));
  lines.push(exportLine(ctx, hit.id, postmortemUrl));
  return { label: titleOf(ctx, hit), value: lines.join('\n') };
}

/** "Postmortem: https://…/postmortem" with a URL, else the CLI command that prints it. */
function exportLine(ctx: Ctx, id: string, postmortemUrl: PostmortemUrl | undefined): string {
  return postmortemUrl ? ctx.present.t('kb.hit.exportUrl', { url: postmortemUrl(id) }) : ctx.present.t('kb.hit.export', { id });
}

/** A link button per incident to its postmortem, when there is a URL for it. */
function postmortemLinks(ctx: Ctx, ids: string[], postmortemUrl: PostmortemUrl | undefined): { links?: Link[] } {
  if (!postmortemUrl || ids.length === 0) return {};
  return { links: ids.map((id) => ({ label: ctx.present.t('kb.link.postmortem', { id }), url: postmortemUrl(id) })) };
}

export function searchMessage(ctx: Ctx, words: string, hits: KnowledgeHit[], postmortemUrl?: PostmortemUrl): Message {
  const t = ctx.present.t;
  if (hits.length === 0) return { text: t('kb.noResults', { words: clip(words, 200) }), tone: 'info' };
  return {
    title: t('kb.searchTitle', { count: hits.length, words: clip(words, 100) }),
    text: '',
    fields: hits.map((hit) => hitField(ctx, hit, postmortemUrl)),
    buttons: hits.slice(0, 5).map((hit) => ({ label: t('kb.button.open', { id: hit.id }), command: `/kb show ${hit.id}` })),
    ...postmortemLinks(ctx, hits.slice(0, 5).map((hit) => hit.id), postmortemUrl),
    tone: 'info',
  };
}

/** The follow-up posted in a new war room: what fixed incidents like this one before. */
export function similarMessage(ctx: Ctx, incident: Incident, hits: KnowledgeHit[], postmortemUrl?: PostmortemUrl): Message {
  const t = ctx.present.t;
  return {
    title: t('kb.similar.title', { id: incident.id }),
    text: t('kb.similar.text', { count: hits.length }),
    fields: hits.map((hit) => hitField(ctx, hit, postmortemUrl)),
    buttons: hits.map((hit) => ({ label: t('kb.button.open', { id: hit.id }), command: `/kb show ${hit.id}` })),
    ...postmortemLinks(ctx, hits.map((hit) => hit.id), postmortemUrl),
    tone: 'info',
  };
}

/** An incident's knowledge in full: the entry, its history, the task. */
export function entryMessage(ctx: Ctx, incident: Incident, postmortemUrl?: PostmortemUrl): Message {
  const t = ctx.present.t;
  const knowledge = incident.knowledge;
  const entry = knowledge?.entry;
  const fields: Field[] = [];
  if (entry) fields.push(...entryFields(ctx, entry));
  const history = (knowledge?.history ?? []).slice(-5).map((edit) =>
    t(edit.kind === 'filed' ? 'kb.history.filed' : 'kb.history.edited', { at: when(ctx, edit.at), person: ctx.present.personName(edit.by), fields: edit.fields.join(', ') }),
  );
  if (history.length > 0) fields.push({ label: t('kb.field.history'), value: history.join('\n') });
  const task = knowledge?.task;
  if (task) fields.push({ label: t('kb.field.task'), value: taskLine(ctx, task) });
  const took = incident.resolvedAt !== undefined ? incident.resolvedAt - incident.declaredAt : undefined;
  return {
    title: titleOf(ctx, incident),
    text: [
      meta(ctx, incident.declaredAt, took, incident.service),
      entry ? '' : t('kb.show.noEntry', { id: incident.id }),
      exportLine(ctx, incident.id, postmortemUrl),
    ].filter(Boolean).join('\n'),
    fields,
    ...postmortemLinks(ctx, [incident.id], postmortemUrl),
    tone: 'info',
  };
}

/** When it happened, how long it took to resolve (or that it is still open), and the service. */
function meta(ctx: Ctx, declaredAt: number, tookMs: number | undefined, service: string | undefined): string {
  const params = { when: when(ctx, declaredAt), service: service ?? '-' };
  if (tookMs === undefined) return ctx.present.t('kb.hit.metaOpen', params);
  return ctx.present.t('kb.hit.meta', { ...params, took: formatDuration(roundToMinute(tookMs)) });
}

function entryFields(ctx: Ctx, entry: KnowledgeEntry): Field[] {
  const t = ctx.present.t;
  return [
    { label: t('kb.field.module'), value: entry.module },
    { label: t('kb.field.faultType'), value: entry.faultType },
    { label: t('kb.field.rootCause'), value: entry.rootCause },
    { label: t('kb.field.resolution'), value: steps(entry.resolution, 30) },
    ...(entry.prevention ? [{ label: t('kb.field.prevention'), value: entry.prevention }] : []),
    ...(entry.playbook ? [{ label: t('kb.field.playbook'), value: entry.playbook }] : []),
    { label: t('kb.field.filedBy'), value: `${ctx.present.personName(entry.filedBy)} · ${when(ctx, entry.filedAt)}` },
  ];
}

function taskLine(ctx: Ctx, task: KnowledgeTask): string {
  const t = ctx.present.t;
  const params = { owner: ctx.present.personName(task.owner), due: when(ctx, task.dueAt), reason: task.skipReason ?? '' };
  if (task.state === 'open') return t(task.overdueAt !== undefined ? 'kb.task.overdue' : 'kb.task.open', params);
  if (task.state === 'skipped') return t('kb.task.skipped', params);
  return t(task.onTime ? 'kb.task.filedOnTime' : 'kb.task.filedLate', params);
}

/** The form `/incident learn` opens in chats with modals; an entry already filed fills it in. */
export function learnForm(ctx: Ctx, incident: Incident): Form {
  const t = ctx.present.t;
  const entry = incident.knowledge?.entry;
  const initial = (value: string | undefined) => (value ? { initial: value } : {});
  return {
    id: 'learn',
    title: t('knowledge.form.title'),
    submitLabel: t('knowledge.form.submit'),
    command: `/incident learn ${incident.id}`,
    inputs: [
      { name: 'rootCause', label: t('knowledge.form.rootCause'), kind: 'longtext', ...initial(entry?.rootCause) },
      { name: 'resolution', label: t('knowledge.form.resolution'), kind: 'longtext', ...initial(entry?.resolution.join('\n')) },
      { name: 'prevention', label: t('knowledge.form.prevention'), kind: 'longtext', optional: true, ...initial(entry?.prevention) },
      { name: 'module', label: t('knowledge.form.module'), kind: 'text', ...initial(entry?.module ?? incident.service) },
      { name: 'faultType', label: t('knowledge.form.faultType'), kind: 'text', ...initial(entry?.faultType) },
    ],
  };
}

export function skipForm(ctx: Ctx, incident: Incident): Form {
  const t = ctx.present.t;
  return {
    id: 'learn-skip',
    title: t('knowledge.form.skipTitle'),
    submitLabel: t('knowledge.form.skipSubmit'),
    command: `/incident learn ${incident.id} skip`,
    inputs: [{ name: 'reason', label: t('knowledge.form.skipReason'), kind: 'text' }],
  };
}

function steps(list: string[], max: number): string {
  const shown = list.slice(0, max).map((step, i) => `${i + 1}. ${clip(step, 200)}`);
  if (list.length > max) shown.push('…');
  return shown.join('\n');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function roundToMinute(ms: number): number {
  return Math.max(60_000, Math.round(ms / 60_000) * 60_000);
}
