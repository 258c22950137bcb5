import { DomainError } from '../errors.js';
import { onCall } from '../muster/rotation.js';
import { tokenize } from './tokenize.js';
import type { Caller } from '../kernel/caller.js';
import type { CommandDeps } from './deps.js';
import type { Reply } from '../kernel/request.js';

/** /oncall [team]: who holds each rotation right now. */
export async function handleOncall(args: string, _caller: Caller, deps: CommandDeps): Promise<Reply> {
  const { config, present } = deps;
  const t = present.t;
  const wanted = tokenize(args)[0]?.text;
  const teams = Object.keys(config.teams);
  if (wanted && !config.teams[wanted]) {
    throw new DomainError('usage', t('error.unknownTeam', { value: wanted, allowed: teams.join(', ') }), t('usage.oncall'));
  }
  const now = deps.now();
  const fields = (wanted ? [wanted] : teams).map((id) => {
    const team = config.teams[id];
    const holders = team ? onCall(team, now) : { primary: '?' };
    return {
      label: team?.name ?? id,
      value: t('reply.oncallLine', {
        primary: present.personName(holders.primary),
        backup: holders.backup ? present.personName(holders.backup) : t('reply.none'),
      }),
    };
  });
  return { visibility: 'ephemeral', message: { title: t('reply.oncallTitle'), text: '', fields } };
}
