/**
 * What the knowledge base keeps on an incident (`Incident.knowledge`). A leaf
 * module: incidents/types.ts imports it, so it imports nothing from the
 * incident side (no cycle, type-only imports included).
 */

/** What was learned, filed by a responder after the fix (`/incident learn` or the form). */
export interface KnowledgeEntry {
  rootCause: string;
  /** Ordered resolution steps, as the chat shows them. */
  resolution: string[];
  prevention?: string;
  /** Product module, e.g. "checkout/cart" or "支付/退款". */
  module: string;
  /** Fault type, e.g. "timeout", "capacity", "config-change", "dependency". */
  faultType: string;
  filedBy: string;
  filedAt: number;
  /** The playbook that ran, when one did. */
  playbook?: string;
  updatedBy?: string;
  updatedAt?: number;
}

export type KnowledgeField = 'rootCause' | 'resolution' | 'prevention' | 'module' | 'faultType' | 'playbook';

/** One filing or edit: who changed which fields, with the values they replaced. */
export interface KnowledgeEdit {
  at: number;
  by: string;
  kind: 'filed' | 'edited';
  fields: KnowledgeField[];
  /** Values before the change (absent for a first filing). */
  before?: Partial<Pick<KnowledgeEntry, KnowledgeField>>;
}

export type KnowledgeTaskState = 'open' | 'filed' | 'skipped';

/**
 * The task of filing the entry, opened at resolve. `epoch` fences its timers
 * (reminder, overdue): filing or skipping bumps it, so a late alarm does nothing.
 */
export interface KnowledgeTask {
  state: KnowledgeTaskState;
  owner: string;
  /** The role whose holder got the task (config `knowledge.owner`), if one held it. */
  ownerRole?: string;
  /** The owner's team: its manager hears about an overdue task. */
  team?: string;
  openedAt: number;
  dueAt: number;
  /** Absent when the reminder would fall before the task opens. */
  remindAt?: number;
  epoch: number;
  remindedAt?: number;
  overdueAt?: number;
  escalatedTo?: string;
  closedAt?: number;
  closedBy?: string;
  /** Filed by `dueAt`; set when filed. */
  onTime?: boolean;
  skipReason?: string;
}

export interface IncidentKnowledge {
  entry?: KnowledgeEntry;
  history: KnowledgeEdit[];
  task?: KnowledgeTask;
  /** Past incidents suggested to this war room at declare (ids, best first). */
  suggested?: string[];
  /** Which of the suggested incidents someone opened from here (`/kb show`), each once. */
  opened?: string[];
}
