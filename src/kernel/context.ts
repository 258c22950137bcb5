import type { MusterConfig } from '../config/schema.js';
import type { Presenter } from '../notify/present.js';

/**
 * What every transition over a draft incident may read: the config snapshot
 * and the presenter (message catalogue, names, times). Transitions get it as
 * their first argument; nothing in it does I/O.
 */
export interface MusterContext {
  config: MusterConfig;
  present: Presenter;
}
