import { z } from 'zod';
import type { Form, Message } from '../ports.js';

/**
 * What an adapter hands the core: no SDK object crosses into src/. `actor` and
 * `conversation` are opaque refs ("slack:U123", "console:alice"); `requestId`
 * is the platform's delivery id, so a retried delivery is recognised.
 */
export const commandRequestSchema = z.object({
  name: z.string().min(1).max(32),
  args: z.string().max(4000),
  actor: z.string().min(3).max(200),
  conversation: z.string().min(3).max(200),
  requestId: z.string().min(1).max(200),
  /** The platform's display name of the actor, shown when they are not in muster.yaml. */
  actorName: z.string().max(200).optional(),
});

export type CommandRequest = z.infer<typeof commandRequestSchema>;

export interface Reply {
  /** ephemeral: only the sender sees it; channel: everyone in the conversation. */
  visibility: 'ephemeral' | 'channel';
  message: Message;
  /** Chats with modals open this form; the others show `message` (the usage). */
  form?: Form;
  /** Set when the request id was seen before: the adapter should stay silent. */
  duplicate?: boolean;
}

/** What a chat adapter may learn while its request runs. */
export interface DispatchOptions {
  /** Called once the request's effect is durable (a declare's commit), before the reply is ready. */
  accepted?: () => void;
}
