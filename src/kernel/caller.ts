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
  /** The platform's delivery id of this request: a use case that commits may remember its outcome with it. */
  requestId?: string;
  /** Called once what the request asked for is durable (a declare's commit): the chat may acknowledge the platform then. */
  accepted?: () => void;
}
