import type { MusterConfig } from '../config/schema.js';
import type { Translate } from '../i18n/catalog.js';
import type { StaleChange } from './handoffs.js';
import type { Holding } from './resolve.js';
import { personName, teamName } from './rules.js';

/**
 * The sentence the timeline shows for why a person was paged for a position
 * ("Bob holds the payments primary pager by CHG-12 (cover asked by Ann: dentist)").
 */
export function explainHolding(config: MusterConfig, t: Translate, holding: Holding): string {
  const base = {
    person: personName(config, holding.person),
    team: teamName(config, holding.team),
    position: t(`schedule.position.${holding.position}`),
  };
  const source = holding.source;
  if (source.kind === 'rotation') return t('schedule.reason.rotation', base);
  return t('schedule.reason.override', {
    ...base,
    id: source.change,
    kind: t(`schedule.kind.${source.changeKind}`),
    by: personName(config, source.requestedBy),
    reason: source.reason ? t('schedule.reason.because', { reason: source.reason }) : '',
  });
}

/** One `muster validate` warning line per stale change. */
export function staleWarning(config: MusterConfig, t: Translate, stale: StaleChange): string {
  const value = stale.problem === 'member' ? personName(config, stale.value) : stale.value;
  return t(`schedule.stale.${stale.problem}`, { id: stale.change.id, value });
}
