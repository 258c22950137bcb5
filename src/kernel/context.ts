import type { MusterConfig } from '../config/schema.js';
import type { Presenter } from '../notify/present.js';
import type { ContactKind } from '../config/paging.js';

/** Who holds a team's primary or backup pager at an instant, and the sentence that says why. */
export interface HeldPosition {
  person: string;
  /** "rotation", or the id of the shift change that gives it to them. */
  source: string;
  /** For the timeline: "Bob holds the Payments primary pager by CHG-12 (cover asked by Ann: dentist)." */
  reason: string;
}

/**
 * The schedule as transitions read it: the weekly rotation with the accepted
 * shift changes laid over it (src/schedules), loaded before the transition
 * runs so the transition itself stays pure. Undefined when the team or the
 * position (a team without a backup list) has nobody.
 */
export type HolderLookup = (team: string, position: 'primary' | 'backup', at: number) => HeldPosition | undefined;

/**
 * What every transition over a draft incident may read: the config snapshot
 * and the presenter (message catalogue, names, times), and, where shift
 * changes are stored, who holds each pager. Transitions get it as their first
 * argument; nothing in it does I/O.
 */
export interface MusterContext {
  config: MusterConfig;
  present: Presenter;
  /** Absent without a shift-change store: the rotation in muster.yaml alone decides. */
  holders?: HolderLookup;
  /** Contact kinds whose provider is on (the paging port's); absent or empty: pages stay in chat. */
  pagingKinds?: ReadonlySet<ContactKind>;
}
