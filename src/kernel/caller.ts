/**
 * Who is asking, resolved once per request by the chat grammar and handed to
 * use cases. A leaf module: it imports nothing, so anything may use it.
 */
export interface Caller {
  ref: string;
  /** The chat's display name, for people missing from muster.yaml. */
  displayName?: string;
  person?: string;
  /** The name the timeline records: the person id, or the raw ref for unknown users. */
  name: string;
  conversation: string;
}
