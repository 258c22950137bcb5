/** What the core says to people: chat-neutral messages, buttons and forms every chat adapter renders. */

import type { ConversationRef } from './incidents/types.js';

/** A button carries a command the core understands, so every chat can render it. */
export interface Button {
  label: string;
  command: string;
  style?: 'primary' | 'danger';
}

export interface Field {
  label: string;
  value: string;
}

/** A web page a message points to (a postmortem on the dashboard); the core builds the URL from configuration, never from user text. */
export interface Link {
  label: string;
  /** An absolute http(s) URL. */
  url: string;
}

/**
 * A neutral message: adapters render it as Block Kit, Discord embeds or text.
 * `text` and field values are plain text; renderers must escape them so user
 * typed words can never ping or format.
 */
export interface Message {
  title?: string;
  text: string;
  fields?: Field[];
  buttons?: Button[];
  tone?: 'info' | 'alert' | 'success' | 'warning';
  /** Pin it in the conversation where the chat supports pins (the live board). */
  pin?: boolean;
  /** The war room this message names (a page): chats that can, add a link to it. */
  room?: ConversationRef;
  /** Pages to open: link buttons where the chat has them (Slack, Discord), else the URL as text. */
  links?: Link[];
}

/** One input of a neutral form; chats with modals render it, others show the usage text. */
export interface FormInput {
  name: string;
  label: string;
  kind: 'text' | 'longtext' | 'select';
  optional?: boolean;
  options?: Array<{ label: string; value: string }>;
  initial?: string;
}

/**
 * A form that, once submitted, becomes `command` followed by the inputs as
 * name=value options (the first input, when named `text`, as free words).
 */
export interface Form {
  id: string;
  title: string;
  submitLabel: string;
  command: string;
  inputs: FormInput[];
}
