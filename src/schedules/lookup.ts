import type { MusterConfig } from '../config/schema.js';
import type { Translate } from '../i18n/catalog.js';
import type { HolderLookup } from '../kernel/context.js';
import type { Logger } from '../logger.js';
import { loadSchedule } from './changes.js';
import { explainHolding } from './explain.js';
import type { ShiftChangeStore } from './ports.js';
import { holderAt, type Schedule } from './resolve.js';

/**
 * The schedule as the muster's transitions read it (MusterContext.holders):
 * who holds a team's pager at an instant, and the timeline's sentence for why.
 */
export function holdersOf(schedule: Schedule, t: Translate): HolderLookup {
  return (team, position, at) => {
    const holding = holderAt(schedule, team, position, at);
    if (!holding) return undefined;
    const source = holding.source.kind === 'rotation' ? 'rotation' : holding.source.change;
    return { person: holding.person, source, reason: explainHolding(schedule.config, t, holding) };
  };
}

export interface HoldersDeps {
  config: MusterConfig;
  store: Pick<ShiftChangeStore, 'list'>;
  t: Translate;
  now: () => number;
  logger: Logger;
}

/**
 * Loads the accepted shift changes once per use case that may page. When they
 * cannot be read the muster still pages, by the rotation alone, and says so in
 * the log: an unreadable schedule must never stop an incident.
 */
export function scheduleHolders(deps: HoldersDeps): () => Promise<HolderLookup | undefined> {
  return async () => {
    try {
      return holdersOf(await loadSchedule(deps, deps.now()), deps.t);
    } catch (error) {
      deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'shift changes could not be read; paging by the rotation alone');
      return undefined;
    }
  };
}
