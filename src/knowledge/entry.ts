import { z } from 'zod';
import { DomainError } from '../errors.js';
import type { Translate } from '../i18n/catalog.js';
import type { IncidentKnowledge, KnowledgeEdit, KnowledgeEntry, KnowledgeField } from './record.js';

/**
 * Filing and editing knowledge entries: zod schemas for what a responder sends
 * (the `/incident learn` arguments or the modal's fields) and for what is
 * stored, and pure functions that return the incident's next `knowledge`.
 */

const text = (max: number) => z.string().trim().min(1).max(max);
const label = z.string().trim().min(1).max(80);

/**
 * Resolution steps arrive as a list or as one text: one step per line, or
 * separated by ";" / "；", with any "1." / "2)" / "-" numbering removed.
 */
export const resolutionStepsSchema = z
  .union([z.array(z.string()), z.string()])
  .transform((value) => (Array.isArray(value) ? value : value.split(/\r?\n|[;；]/)))
  .transform((steps) => steps.map((step) => step.replace(/^\s*(?:\d+[.)、]|[-*•])\s*/, '').trim()).filter((step) => step.length > 0))
  .pipe(z.array(z.string().max(500)).min(1).max(30));

/** What a responder files. Every field but prevention and playbook is required. */
export const knowledgeInputSchema = z
  .object({
    rootCause: text(2000),
    resolution: resolutionStepsSchema,
    prevention: text(2000).optional(),
    module: label,
    faultType: label,
    playbook: label.optional(),
  })
  .strict();

export type KnowledgeInput = z.output<typeof knowledgeInputSchema>;

/** An edit names only the fields it changes. */
export const knowledgePatchSchema = knowledgeInputSchema.partial().refine((patch) => Object.keys(patch).length > 0, { message: 'empty' });
export type KnowledgePatch = z.output<typeof knowledgePatchSchema>;

/** The stored entry (store reads validate with it). */
export const knowledgeEntrySchema = z
  .object({
    rootCause: z.string(),
    resolution: z.array(z.string()),
    prevention: z.string().optional(),
    module: z.string(),
    faultType: z.string(),
    filedBy: z.string(),
    filedAt: z.number().int(),
    playbook: z.string().optional(),
    updatedBy: z.string().optional(),
    updatedAt: z.number().int().optional(),
  })
  .strict();

const FIELDS: KnowledgeField[] = ['rootCause', 'resolution', 'prevention', 'module', 'faultType', 'playbook'];

/** Parses a filing or an edit, or fails with a message naming the field to fix. */
export function parseKnowledgeInput<S extends typeof knowledgeInputSchema | typeof knowledgePatchSchema>(schema: S, raw: unknown, t: Translate): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data as z.output<S>;
  const issue = parsed.error.issues[0];
  const field = issue?.path[0];
  if (issue?.code === 'unrecognized_keys') throw new DomainError('usage', t('knowledge.unknownField', { field: issue.keys.join(', '), allowed: FIELDS.join(', ') }));
  if (typeof field !== 'string') throw new DomainError('usage', t('knowledge.emptyEdit', { allowed: FIELDS.join(', ') }));
  throw new DomainError('usage', t(`knowledge.field.${field as KnowledgeField}`));
}

/**
 * Files the entry. Filing again replaces it and is recorded as an edit, so the
 * history keeps what every filing said. `playbook` defaults to the one that ran.
 */
export function fileEntry(current: IncidentKnowledge | undefined, input: KnowledgeInput, by: string, now: number, t: Translate, ranPlaybook?: string): IncidentKnowledge {
  const knowledge = current ?? { history: [] };
  if (knowledge.entry) return editEntry(knowledge, input, by, now, t);
  const entry: KnowledgeEntry = { ...withoutUndefined(input), playbook: input.playbook ?? ranPlaybook, filedBy: by, filedAt: now };
  if (entry.playbook === undefined) delete entry.playbook;
  const edit: KnowledgeEdit = { at: now, by, kind: 'filed', fields: FIELDS.filter((f) => entry[f] !== undefined) };
  return { ...knowledge, entry, history: [...knowledge.history, edit] };
}

/** Applies an edit; the history records the fields it changed and their old values. Unchanged fields are no edit. */
export function editEntry(current: IncidentKnowledge | undefined, patch: KnowledgePatch, by: string, now: number, t: Translate, incidentId = ''): IncidentKnowledge {
  const entry = current?.entry;
  if (!current || !entry) throw new DomainError('not_found', t('knowledge.noEntry', { id: incidentId }));
  const changed = FIELDS.filter((field) => patch[field] !== undefined && JSON.stringify(patch[field]) !== JSON.stringify(entry[field]));
  if (changed.length === 0) return current;
  const before: KnowledgeEdit['before'] = {};
  for (const field of changed) Object.assign(before, { [field]: entry[field] });
  const next: KnowledgeEntry = { ...entry, ...withoutUndefined(patch), updatedBy: by, updatedAt: now };
  return { ...current, entry: next, history: [...current.history, { at: now, by, kind: 'edited', fields: changed, before }] };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
