import type { Caller } from '../kernel/caller.js';
import type { Reply } from '../kernel/request.js';
import { DomainError } from '../errors.js';
import { personNamed } from '../incidents/directory.js';
import type { CommandDeps } from './deps.js';
import { requirePerson } from './oncall-args.js';
import { tokenize } from './tokenize.js';

/**
 * /oncall test [person]: sends a test through each of the person's contact
 * methods (src/paging/test-send.ts) and says what each provider answered.
 * People test themselves; managers (of a team, or the duty manager's team) may test anyone.
 */
export async function testMethods(args: string, caller: Caller, deps: CommandDeps): Promise<Reply> {
  const t = deps.present.t;
  const me = requirePerson(deps, caller);
  const word = tokenize(args)[0]?.text ?? '';
  const person = word ? personNamed(deps.config, word) : me;
  if (!person) throw new DomainError('not_found', t('paging.test.unknown', { who: word }));
  const managers = new Set(Object.values(deps.config.teams).map((team) => team.manager));
  if (person !== me && !managers.has(me)) throw new DomainError('forbidden', t('paging.test.notYours'));
  if (!deps.paging) return { visibility: 'ephemeral', message: { text: t('paging.test.offAll') } };
  const results = await deps.paging.test(person);
  const name = deps.present.personName(person);
  if (results.length === 0) return { visibility: 'ephemeral', message: { text: t('paging.test.none', { person: name }) } };
  const lines = results.map((result) => t(`paging.test.${result.outcome}`, { method: t(`paging.kind.${result.kind}`), detail: result.detail }));
  return { visibility: 'ephemeral', message: { text: [t('paging.test.sent', { person: name }), ...lines].join('\n') } };
}
