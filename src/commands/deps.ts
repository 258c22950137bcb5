import type { ActionService } from '../actions/service.js';
import type { MusterConfig } from '../config/schema.js';
import type { IncidentService } from '../incidents/service.js';
import type { Logger } from '../logger.js';
import type { Presenter } from '../notify/present.js';
import type { IncidentStore } from '../ports.js';
import type { KnowledgeService } from '../knowledge/service.js';
import type { ShiftService } from '../schedules/service.js';
import type { PagingTester } from '../paging/test-send.js';

/**
 * The part of the store the grammar may touch: incidents by id, by room and
 * by status, timelines, the request-id dedupe, and the small values behind
 * the drills' kill switch. No commit, outbox, delivery claim or lease: an
 * incident changes only through a use case.
 */
export type CommandStore = Pick<
  IncidentStore,
  | 'get' | 'listActive' | 'listActiveDrills' | 'listRecent' | 'findByRoom' | 'timeline'
  | 'claimRequest' | 'finishRequest' | 'releaseRequest' | 'getValue' | 'setValue'
>;

/**
 * What the chat grammar needs to turn a command into a use-case call and a
 * reply: the config it parses names against, the presenter for replies, the
 * store's read side (incidents by id, by room, by status; the request-id
 * dedupe; the drills' kill switch) and the use cases themselves.
 */
export interface CommandDeps {
  config: MusterConfig;
  /**
   * The presenter for replies. Inside a handler it speaks to the caller (times
   * in their zone: dispatch hands it over so); a reply with visibility
   * 'channel' that shows a time uses `present.shared`, which names the room's zone.
   */
  present: Presenter;
  logger: Logger;
  now: () => number;
  store: CommandStore;
  /** declare, ack, resolve, severity, escalate, assign, updates, playbooks, drills' musters. */
  incidents: IncidentService;
  /** Privileged actions: run, approve, deny, break-glass. */
  actions: ActionService;
  /** The knowledge loop: file, edit, skip, search (src/knowledge). */
  knowledge: KnowledgeService;
  /** Shift changes (cover, swap, take) and who is on; absent without a shift-change store (/oncall then shows the rotation). */
  shifts?: ShiftService;
  /** /oncall test: a test through each of a person's contact methods; absent when no paging provider is on. */
  paging?: PagingTester;
}
