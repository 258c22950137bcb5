import { DomainError } from '../errors.js';
import type { Caller } from '../kernel/caller.js';
import type { Reply } from '../kernel/request.js';
import { entryMessage, searchMessage } from '../knowledge/messages.js';
import type { CommandDeps } from './deps.js';
import { filedText, knownPerson, parsePatch } from './learn.js';
import { normaliseIncidentId } from './parse-incident.js';
import { splitOptions, tokenize } from './tokenize.js';
import { textLength } from '../kernel/text.js';

/**
 * /kb: the knowledge base.
 *   /kb search <words>                     by symptom or by fix, English, Chinese or mixed
 *   /kb show <INC-n>                       an incident's entry, its history and its task
 *   /kb edit <INC-n> field=value ...       change a filed entry (the history keeps the old values)
 * Words after /kb that are no subcommand are searched for.
 */

const SEARCH_RESULTS = 5;
/** What a search may say, in characters (README: "Input limits"). */
const SEARCH_MAX = 500;

type Sub = (rest: string, caller: Caller, deps: CommandDeps) => Promise<Reply>;

const searchCmd: Sub = async (rest, _caller, deps) => {
  const words = rest.trim();
  if (!words) throw new DomainError('usage', deps.present.t('kb.needWords'), deps.present.t('usage.kb'));
  const length = textLength(words);
  if (length > SEARCH_MAX) throw new DomainError('usage', deps.present.t('error.tooLong', { field: 'search', limit: SEARCH_MAX, length }));
  const hits = await deps.knowledge.base.search(words, SEARCH_RESULTS);
  return { visibility: 'ephemeral', message: searchMessage({ config: deps.config, present: deps.present }, words, hits, deps.knowledge.postmortemUrl) };
};

function incidentWord(rest: string, deps: CommandDeps, action: string): { id: string; tail: string } {
  const [first = '', ...more] = rest.trim().split(/\s+/);
  const id = normaliseIncidentId(first);
  if (!id) throw new DomainError('usage', deps.present.t('kb.needIncident', { action }), deps.present.t('usage.kb'));
  return { id, tail: more.join(' ') };
}

const show: Sub = async (rest, caller, deps) => {
  const { id } = incidentWord(rest, deps, 'show');
  const incident = await deps.store.get(id);
  if (!incident) throw new DomainError('not_found', deps.present.t('error.notFound', { id }));
  // Opened from a war room it was suggested to: that counts for the weekly report.
  const roomId = await deps.store.findByRoom(caller.conversation);
  const room = roomId && roomId !== id ? await deps.store.get(roomId) : undefined;
  if (room) {
    await deps.knowledge.opened(room, id, caller.person ?? caller.name).catch((error: unknown) => {
      deps.logger.warn({ incident: room.id, err: error instanceof Error ? error.message : error }, 'could not count an opened suggestion');
    });
  }
  return { visibility: 'ephemeral', message: entryMessage({ config: deps.config, present: deps.present }, incident, deps.knowledge.postmortemUrl) };
};

const edit: Sub = async (rest, caller, deps) => {
  const t = deps.present.t;
  const { id, tail } = incidentWord(rest, deps, 'edit');
  const { words, options } = splitOptions(tokenize(tail));
  if (words.length > 0) throw new DomainError('usage', t('knowledge.fieldsAsOptions', { words: words.join(' ') }), t('usage.kb'));
  const patch = parsePatch(options, deps);
  const by = knownPerson(caller, deps);
  if (!(await deps.store.get(id))) throw new DomainError('not_found', t('error.notFound', { id }));
  const outcome = await deps.knowledge.edit(id, patch, by);
  return { visibility: 'ephemeral', message: { text: filedText(deps, id, outcome), tone: outcome.changed ? 'success' : 'info' } };
};

const help: Sub = async (_rest, _caller, deps) => ({ visibility: 'ephemeral', message: { text: deps.present.t('usage.kb'), tone: 'info' } });

const SUBS: Record<string, Sub> = { search: searchCmd, find: searchCmd, show, open: show, edit, help };

export async function handleKb(args: string, caller: Caller, deps: CommandDeps): Promise<Reply> {
  const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(args);
  if (!match) return help('', caller, deps);
  const sub = SUBS[(match[1] ?? '').toLowerCase()];
  if (sub) return sub(match[2] ?? '', caller, deps);
  return searchCmd(args, caller, deps);
}
