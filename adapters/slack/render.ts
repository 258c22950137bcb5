import type { Form, Message } from '../../src/ports.js';
import { clipText } from '../../src/kernel/text.js';
import type { Reply } from '../../src/kernel/request.js';

/**
 * Neutral messages as Block Kit. Every piece of text goes out as plain_text,
 * which Slack never parses for mentions or formatting, so a title such as
 * "<!channel> *now*" shows as typed and pings nobody. The notification
 * fallback `text` is mrkdwn-parsed by Slack, so it is escaped as well.
 */

const TONE_EMOJI: Record<NonNullable<Message['tone']>, string> = {
  info: ':information_source:',
  alert: ':rotating_light:',
  success: ':white_check_mark:',
  warning: ':warning:',
};

/** Slack's own escaping for the three control characters of its markup. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The reverse, for text Slack sends us: a slash command's text arrives with the
 * user's "&", "<" and ">" as entities ("a &amp; b"), like all message text.
 * Decoded once, the core sees what was typed and the renderers escape it again.
 */
export function unescapeSlack(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, entity: string) => (entity === 'amp' ? '&' : entity === 'lt' ? '<' : '>'));
}

/**
 * A slash command's text as the core reads it. With "escape channels, users
 * and links" on (the manifest sets it for /oncall), Slack sends what the user
 * picked from its menus as markup: a user mention `<@U123|ann>` becomes the
 * ref `slack:U123`, which the core looks up in people.<id>.slack; a channel
 * `<#C123|ops>` becomes `#ops`, a link `<https://x|x>` its URL, and
 * `<!here>` or a user group `<!subteam^S1|@sre>` what it said. Only Slack
 * writes raw "<" (a typed one arrives as "&lt;"), so the user's own text
 * cannot pose as a mention; the entities are decoded last.
 */
export function slackCommandText(text: string): string {
  const plain = text.replace(/<([^<>]*)>/g, (markup, inner: string) => {
    const [target = '', label] = inner.split('|', 2);
    const user = /^@([UW][A-Z0-9]+)$/.exec(target);
    if (user) return `slack:${user[1]}`;
    if (target.startsWith('#')) return label ? `#${label}` : target;
    if (target.startsWith('!')) return label ?? `@${target.slice(1).split('^')[0]}`;
    if (/^(https?|mailto):/.test(target)) return target.startsWith('mailto:') ? (label ?? target.slice('mailto:'.length)) : target;
    return markup;
  });
  return unescapeSlack(plain);
}

const clip = clipText;

const plain = (text: string, max = 3000) => ({ type: 'plain_text' as const, text: clip(text, max), emoji: true });

export type SlackBlock = Record<string, unknown>;

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** The button action ids this app listens to. */
export const COMMAND_ACTION_PREFIX = 'muster_cmd_';
/** Link buttons open their URL in the browser; Slack still sends the click, which is only acknowledged. */
export const LINK_ACTION_PREFIX = 'muster_link_';
export const FORM_CALLBACK_ID = 'muster_form';

export function renderMessage(message: Message): SlackMessage {
  const blocks: SlackBlock[] = [];
  const emoji = TONE_EMOJI[message.tone ?? 'info'];
  if (message.title) blocks.push({ type: 'header', text: plain(`${emoji} ${message.title}`, 150) });
  if (message.text) blocks.push({ type: 'section', text: plain(message.title ? message.text : `${emoji} ${message.text}`) });
  const fields = message.fields ?? [];
  for (let start = 0; start < fields.length; start += 10) {
    const chunk = fields.slice(start, start + 10);
    blocks.push({ type: 'section', fields: chunk.map((field) => plain(`${field.label}\n${field.value}`, 2000)) });
  }
  // A channel link Slack renders as a clickable #name (ids are Slack's own, never user text).
  const room = message.room?.startsWith('slack:') ? message.room.slice('slack:'.length) : undefined;
  if (room && /^[A-Z0-9]+$/.test(room)) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<#${room}>` }] });
  const buttons = message.buttons ?? [];
  if (buttons.length > 0) {
    blocks.push({
      type: 'actions',
      elements: buttons.slice(0, 25).map((button, index) => ({
        type: 'button',
        action_id: `${COMMAND_ACTION_PREFIX}${index}`,
        text: plain(button.label, 75),
        value: clip(button.command, 2000),
        ...(button.style ? { style: button.style } : {}),
      })),
    });
  }
  const links = (message.links ?? []).filter((link) => /^https?:\/\//.test(link.url)).slice(0, 25);
  if (links.length > 0) {
    blocks.push({
      type: 'actions',
      elements: links.map((link, index) => ({ type: 'button', action_id: `${LINK_ACTION_PREFIX}${index}`, text: plain(link.label, 75), url: link.url.slice(0, 3000) })),
    });
  }
  const fallback = [message.title, message.text].filter(Boolean).join(': ') || fields.map((f) => `${f.label}: ${f.value}`).join('; ');
  return { text: escapeMrkdwn(clip(fallback, 3000)), blocks: blocks.slice(0, 50) };
}

export function renderReply(reply: Reply): SlackMessage & { response_type: 'ephemeral' | 'in_channel' } {
  return { response_type: reply.visibility === 'channel' ? 'in_channel' : 'ephemeral', ...renderMessage(reply.message) };
}

function inputElement(input: Form['inputs'][number]): SlackBlock {
  if (input.kind === 'select') {
    const options = (input.options ?? []).slice(0, 100).map((option) => ({ text: plain(option.label, 75), value: option.value }));
    const initial = options.find((option) => option.value === input.initial);
    return { type: 'static_select', action_id: 'value', options, ...(initial ? { initial_option: initial } : {}) };
  }
  const max = input.kind === 'longtext' ? 2000 : 200;
  return { type: 'plain_text_input', action_id: 'value', multiline: input.kind === 'longtext', max_length: max, ...(input.initial ? { initial_value: clip(input.initial, max) } : {}) };
}

/** A neutral form as a modal; `metadata` comes back untouched on submission. */
export function renderModal(form: Form, metadata: string): SlackBlock {
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    private_metadata: metadata,
    title: plain(form.title, 24),
    submit: plain(form.submitLabel, 24),
    close: plain('Cancel', 24),
    blocks: form.inputs.map((input) => ({
      type: 'input',
      block_id: input.name,
      optional: Boolean(input.optional),
      label: plain(input.label, 2000),
      element: inputElement(input),
    })),
  };
}

interface SubmittedValue {
  value?: string | null;
  selected_option?: { value: string } | null;
}

/** Reads a submitted modal back into name → value, in the form's input order. */
export function readModalValues(state: Record<string, Record<string, SubmittedValue>>): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const [name, actions] of Object.entries(state)) {
    const submitted = actions.value;
    values[name] = submitted?.selected_option?.value ?? submitted?.value ?? undefined;
  }
  return values;
}
