import { DomainError } from '../errors.js';
import type { Incident } from '../incidents/types.js';
import type { Caller } from '../kernel/caller.js';
import type { Reply } from '../kernel/request.js';
import { knowledgeInputSchema, knowledgePatchSchema, parseKnowledgeInput } from '../knowledge/entry.js';
import { learnForm, skipForm } from '../knowledge/messages.js';
import type { FileOutcome } from '../knowledge/service.js';
import type { CommandDeps } from './deps.js';
import { normaliseIncidentId } from './parse-incident.js';
import { splitOptions, tokenize } from './tokenize.js';
import { overLimit } from '../kernel/text.js';

/**
 * `/incident learn [INC-n] rootCause=... resolution=... prevention=... module=... faultType=...`
 * files what was learned; `/incident learn [INC-n]` alone opens the form;
 * `/incident learn [INC-n] skip <reason>` skips the task (the reason is required).
 * `/kb edit` shares the field names (src/commands/kb.ts).
 */

/** Option keys arrive lower-cased (the tokenizer); these are the entry's field names. */
const FIELD_KEYS: Record<string, string> = {
  rootcause: 'rootCause', root_cause: 'rootCause', 'root-cause': 'rootCause', cause: 'rootCause',
  resolution: 'resolution', fix: 'resolution', steps: 'resolution',
  prevention: 'prevention',
  module: 'module',
  faulttype: 'faultType', fault_type: 'faultType', 'fault-type': 'faultType', fault: 'faultType',
  playbook: 'playbook',
};

/** The options as entry fields; an unknown key stays as typed, so the schema names it. */
export function entryFields(options: Map<string, string>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of options) fields[FIELD_KEYS[key] ?? key] = value;
  return fields;
}

export function isLearnCommand(args: string): boolean {
  return /^\s*learn(\s|$)/i.test(args);
}

/** Filing, editing and skipping need someone Muster knows: the history names them. */
export function knownPerson(caller: Caller, deps: CommandDeps): string {
  if (!caller.person) throw new DomainError('forbidden', deps.present.t('error.unknownPerson'));
  return caller.person;
}

/** The incident: named, this war room's, or the caller's only open knowledge task. */
async function learnIncident(deps: CommandDeps, caller: Caller, named: string | undefined): Promise<Incident> {
  const t = deps.present.t;
  const id = named ?? (await deps.store.findByRoom(caller.conversation)) ?? onlyTask(deps, caller);
  if (!id) {
    const open = caller.person ? deps.knowledge.base.openTasksOf(caller.person) : [];
    throw new DomainError('usage', t('knowledge.whichIncident', { open: open.join(', ') || '-' }), t('usage.learn'));
  }
  const incident = await deps.store.get(id);
  if (!incident) throw new DomainError('not_found', t('error.notFound', { id }));
  return incident;
}

function onlyTask(deps: CommandDeps, caller: Caller): string | undefined {
  const open = caller.person ? deps.knowledge.base.openTasksOf(caller.person) : [];
  return open.length === 1 ? open[0] : undefined;
}

export async function handleLearn(args: string, caller: Caller, deps: CommandDeps): Promise<Reply> {
  const t = deps.present.t;
  const { words, options } = splitOptions(tokenize(args).slice(1));
  const named = words[0] ? normaliseIncidentId(words[0]) : undefined;
  const rest = named ? words.slice(1) : words;
  const incident = await learnIncident(deps, caller, named);
  const ctx = { config: deps.config, present: deps.present };
  if (rest[0]?.toLowerCase() === 'skip') {
    const reason = (options.get('reason') ?? rest.slice(1).join(' ')).trim();
    if (!reason) {
      return { visibility: 'ephemeral', message: { text: t('knowledge.skipReasonRequired', { id: incident.id }), tone: 'warning' }, form: skipForm(ctx, incident) };
    }
    const over = overLimit({ reason });
    if (over) throw new DomainError('usage', t('error.tooLong', { field: over.field, limit: over.limit, length: over.length }));
    await deps.knowledge.skip(incident.id, reason, knownPerson(caller, deps));
    return { visibility: 'ephemeral', message: { text: t('knowledge.reply.skipped', { id: incident.id, reason }), tone: 'info' } };
  }
  if (rest.length > 0) throw new DomainError('usage', t('knowledge.fieldsAsOptions', { words: rest.join(' ') }), t('usage.learn'));
  if (options.size === 0) {
    return { visibility: 'ephemeral', message: { text: t('usage.learn'), tone: 'info' }, form: learnForm(ctx, incident) };
  }
  const by = knownPerson(caller, deps);
  const fields = entryFields(options);
  const outcome = incident.knowledge?.entry
    ? await deps.knowledge.file(incident.id, parseKnowledgeInput(knowledgeInputSchema, { ...entryOf(incident), ...fields }, t), by)
    : await deps.knowledge.file(incident.id, parseKnowledgeInput(knowledgeInputSchema, fields, t), by);
  return { visibility: 'ephemeral', message: { text: filedText(deps, incident.id, outcome), tone: outcome.changed ? 'success' : 'info' } };
}

/** Re-filing may name only some fields: the rest keep what the entry says. */
function entryOf(incident: Incident): Record<string, unknown> {
  const entry = incident.knowledge?.entry;
  if (!entry) return {};
  const { filedBy: _by, filedAt: _at, updatedBy: _ub, updatedAt: _ua, ...fields } = entry;
  return fields;
}

export function filedText(deps: CommandDeps, id: string, outcome: FileOutcome): string {
  const t = deps.present.t;
  if (!outcome.changed) return t('knowledge.reply.unchanged', { id });
  if (!outcome.first) return t('knowledge.reply.edited', { id, fields: outcome.fields.join(', ') });
  if (outcome.onTime === false) return t('knowledge.reply.filedLate', { id });
  return t('knowledge.reply.filed', { id });
}

/** `/kb edit` parses its fields like learn, as a patch (at least one field). */
export function parsePatch(options: Map<string, string>, deps: CommandDeps) {
  return parseKnowledgeInput(knowledgePatchSchema, entryFields(options), deps.present.t);
}
