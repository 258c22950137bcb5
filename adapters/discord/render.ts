import { escapeMarkdown } from 'discord.js';
import { clipText } from '../../src/kernel/text.js';
import type { Reply } from '../../src/kernel/request.js';
import type { Form, Message } from '../../src/ports.js';

/**
 * Neutral messages as Discord embeds and buttons. User text is escaped twice
 * over: markdown is escaped so it shows as typed, mention syntax is broken with
 * a zero-width space so it never even renders as a mention, and every message
 * says `allowed_mentions: { parse: [] }`, so nothing a user typed can ping.
 */

/** Button custom ids: the command the core understands, after this prefix. */
export const COMMAND_PREFIX = 'muster:';
/** Modal custom ids: the command the submitted values complete, after this prefix. */
export const FORM_PREFIX = 'muster-form:';

const EPHEMERAL = 64;
const ZWSP = '\u200b';

const TONE_COLOR: Record<NonNullable<Message['tone']>, number> = {
  info: 0x3b82f6,
  alert: 0xdc2626,
  success: 0x16a34a,
  warning: 0xf59e0b,
};

/** Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
const LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, total: 6000, content: 2000, customId: 100 };

/** Plain text as Discord shows it: no markdown, no mentions, no masked links. */
export function escapeDiscord(text: string): string {
  return escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true, maskedLink: true })
    .replace(/@(everyone|here)/gi, `@${ZWSP}$1`)
    .replace(/<(@[!&]?|#|\/)/g, `<${ZWSP}$1`);
}

/** Escaped and clipped; clipping first keeps escaping cheap on huge input. */
function safe(text: string, max: number): string {
  return clip(escapeDiscord(clip(text, max)), max);
}

/** Discord counts UTF-16 code units too; cut at a grapheme boundary (see clipText). */
export const clip = clipText;

export interface DiscordEmbed {
  title?: string;
  description?: string;
  color: number;
  fields?: Array<{ name: string; value: string; inline: boolean }>;
}

export type DiscordButton =
  | { type: 2; style: 1 | 2 | 4; label: string; custom_id: string }
  /** A link button (style 5): Discord opens the URL and sends the bot no interaction. */
  | { type: 2; style: 5; label: string; url: string };

export interface DiscordMessage {
  content?: string;
  embeds: DiscordEmbed[];
  components: Array<{ type: 1; components: DiscordButton[] }>;
  allowed_mentions: { parse: [] };
  flags?: number;
}

function embedFor(message: Message): DiscordEmbed {
  let budget = LIMITS.total;
  const take = (text: string, max: number): string => {
    const clipped = safe(text, Math.max(1, Math.min(max, budget)));
    budget -= [...clipped].length;
    return clipped;
  };
  const embed: DiscordEmbed = { color: TONE_COLOR[message.tone ?? 'info'] };
  if (message.title) embed.title = take(message.title, LIMITS.title);
  const fields = (message.fields ?? []).slice(0, LIMITS.fields).flatMap((field) => {
    if (budget < 2) return [];
    const name = take(field.label || '-', LIMITS.fieldName);
    const value = take(field.value || '-', LIMITS.fieldValue);
    return [{ name, value, inline: true }];
  });
  if (fields.length > 0) embed.fields = fields;
  if (message.text && budget > 1) embed.description = take(message.text, LIMITS.description);
  // A channel mention Discord renders as a clickable #name (a snowflake, never user text; it pings nobody).
  const room = message.room?.startsWith('discord:') ? message.room.slice('discord:'.length) : undefined;
  if (room && /^\d{5,25}$/.test(room) && budget > 30) embed.description = `${embed.description ? `${embed.description}\n` : ''}<#${room}>`;
  if (!embed.title && !embed.description && !embed.fields) embed.description = '-';
  return embed;
}

function buttonRows(message: Message): DiscordMessage['components'] {
  const buttons: DiscordButton[] = (message.buttons ?? [])
    .filter((button) => `${COMMAND_PREFIX}${button.command}`.length <= LIMITS.customId)
    .slice(0, 25)
    .map((button) => ({
      type: 2,
      style: button.style === 'danger' ? 4 : button.style === 'primary' ? 1 : 2,
      label: clip(button.label, 80),
      custom_id: `${COMMAND_PREFIX}${button.command}`,
    }));
  for (const link of message.links ?? []) {
    if (/^https?:\/\//.test(link.url) && link.url.length <= 512) buttons.push({ type: 2, style: 5, label: clip(link.label, 80), url: link.url });
  }
  buttons.splice(25);
  const rows: DiscordMessage['components'] = [];
  for (let start = 0; start < buttons.length; start += 5) rows.push({ type: 1, components: buttons.slice(start, start + 5) });
  return rows;
}

/** A message as Discord's REST body (`POST /channels/:id/messages`, `PATCH …/messages/:id`). */
export function renderMessage(message: Message): DiscordMessage {
  // The content is the push-notification text; the embed carries everything.
  const headline = message.title ?? message.text;
  return {
    ...(headline ? { content: safe(headline, LIMITS.content) } : {}),
    embeds: [embedFor(message)],
    components: buttonRows(message),
    allowed_mentions: { parse: [] },
  };
}

/** A reply as an interaction response body; ephemeral replies only show to the person who asked. */
export function renderReply(reply: Reply): DiscordMessage {
  return { ...renderMessage(reply.message), ...(reply.visibility === 'ephemeral' ? { flags: EPHEMERAL } : {}) };
}

/** A modal's title, labels and placeholders are plain text already (Discord never parses them). */
export interface DiscordModal {
  custom_id: string;
  title: string;
  components: Array<{
    type: 1;
    components: Array<{ type: 4; custom_id: string; label: string; style: 1 | 2; required: boolean; max_length: number; value?: string; placeholder?: string }>;
  }>;
}

/**
 * A neutral form as a modal. Modals take text inputs only, so a select
 * becomes a short input prefilled with its initial choice and listing the
 * others as the placeholder; the core's parser checks what comes back.
 */
export function renderModal(form: Form): DiscordModal {
  return {
    custom_id: clip(`${FORM_PREFIX}${form.command}`, LIMITS.customId),
    title: clip(form.title, 45),
    components: form.inputs.slice(0, 5).map((input) => {
      const choices = (input.options ?? []).map((option) => option.value).join(', ');
      const placeholder = input.kind === 'select' && choices ? clip(choices, 100) : undefined;
      return {
        type: 1,
        components: [
          {
            type: 4,
            custom_id: input.name,
            label: clip(input.label, 45),
            style: input.kind === 'longtext' ? 2 : 1,
            required: !input.optional,
            max_length: input.kind === 'longtext' ? 2000 : 200,
            ...(input.initial ? { value: clip(input.initial, 200) } : {}),
            ...(placeholder ? { placeholder } : {}),
          },
        ],
      };
    }),
  };
}
