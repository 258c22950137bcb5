import { once } from 'node:events';
import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { formArgs } from '../../src/kernel/form-args.js';
import type { CommandRequest, Reply } from '../../src/kernel/request.js';
import type { MusterConfig } from '../../src/config/schema.js';
import type { Logger } from '../../src/logger.js';
import { learnArgs, learnWantsForm, oncallArgs, positionalArgs, quoteWord } from './commands.js';
import { COMMAND_PREFIX, FORM_PREFIX, renderMessage, renderModal, type DiscordMessage } from './render.js';

export interface DiscordSettings {
  token: string;
  applicationId: string;
  guildId: string;
  /** REST base URL without the version (discord.js appends /v10); default https://discord.com/api. */
  apiUrl?: string;
}

export type Dispatch = (request: CommandRequest) => Promise<Reply>;

/** Subcommands whose reply everyone in the channel sees: their deferral is public. */
const PUBLIC = new Set(['declare', 'resolve', 'mitigate', 'sev']);

/** Buttons whose command asks for a form (the knowledge task's File it and Skip). */
const FORM_BUTTON = /^\/incident (learn INC-\d+( skip)?|deny INC-\d+ REQ-\d+)$/;

/** Subcommands answered with a form when they come without their fields. */
function opensForm(interaction: ChatInputCommandInteraction, subcommand: string | undefined): boolean {
  if (subcommand === 'declare') return !interaction.options.getString('title');
  if (subcommand === 'learn') return learnWantsForm(optionValues(interaction));
  return false;
}

function optionValues(interaction: ChatInputCommandInteraction): Record<string, string | undefined> {
  const names = interaction.options.data[0]?.options?.map((option) => option.name) ?? [];
  return Object.fromEntries(names.map((name) => [name, interaction.options.getString(name) ?? undefined]));
}

/** Gateway close code of an invalid or revoked token. */
const AUTHENTICATION_FAILED = 4004;

/** "/incident ack INC-1 tech" → { name: "incident", args: "ack INC-1 tech" }. */
export function splitCommand(text: string): { name: string; args: string } | undefined {
  const match = /^\/(\w+)\s*([\s\S]*)$/.exec(text.trim());
  return match ? { name: match[1] ?? '', args: match[2] ?? '' } : undefined;
}

/** A rendered message as discord.js reply options (embeds and components are API JSON). */
function options(message: DiscordMessage) {
  return {
    ...(message.content !== undefined ? { content: message.content } : {}),
    embeds: message.embeds,
    components: message.components,
    allowedMentions: { parse: [] as [] },
  };
}

type Deferrable = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

/**
 * A gateway client: the Guilds intent only (interactions arrive regardless of
 * intents, and nothing here reads messages), and partial channels so a button
 * in a DM the cache never saw still arrives.
 */
export function discordGatewayClient(settings: DiscordSettings): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    partials: [Partials.Channel],
    ...(settings.apiUrl ? { rest: { api: settings.apiUrl } } : {}),
  });
}

/**
 * The gateway side of the bot: receives interactions, acknowledges each one
 * at once (Discord waits 3 s), hands a neutral request to the core and edits
 * the deferred reply with the core's answer. Everything the core sends later
 * goes through DiscordChat as ordinary bot messages, never an interaction token.
 */
export class DiscordAdapter {
  private client: Client | undefined;

  constructor(
    private readonly settings: DiscordSettings,
    private readonly dispatch: Dispatch,
    private readonly config: MusterConfig,
    private readonly logger: Logger,
    private readonly onUnauthorized: (reason: unknown) => void,
    /** Makes the gateway client: a fresh one per connection, since a lease may be lost and won again. */
    private readonly newClient: () => Client = () => discordGatewayClient(settings),
  ) {}

  get connected(): boolean {
    return this.client?.isReady() ?? false;
  }

  /** Logs in to the gateway; resolves once READY. */
  async start(): Promise<void> {
    if (this.client) return;
    const client = this.newClient();
    this.client = client;
    client.on(Events.InteractionCreate, (interaction) => {
      this.handle(interaction).catch((error: unknown) => {
        this.logger.warn({ interaction: interaction.id, err: describe(error) }, 'could not answer a Discord interaction');
      });
    });
    client.on(Events.ShardDisconnect, (event) => {
      if (event.code === AUTHENTICATION_FAILED) this.onUnauthorized(new Error('gateway closed with 4004 Authentication failed'));
    });
    client.on(Events.ShardError, (error) => this.logger.warn({ err: error.message }, 'Discord gateway problem'));
    client.on(Events.Error, (error) => this.logger.warn({ err: error.message }, 'Discord client error'));
    client.rest.on('response', (request, response) => {
      // Interaction webhooks answer 401 for an expired interaction token: that is not the bot token.
      if (response.status === 401 && !/^\/(webhooks|interactions)\//.test(request.path)) this.onUnauthorized(new Error('REST answered 401 Unauthorized'));
    });
    try {
      const ready = once(client, Events.ClientReady);
      await client.login(this.settings.token);
      await ready;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.destroy();
  }

  private async handle(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) return this.autocomplete(interaction);
    if (interaction.isChatInputCommand()) return this.command(interaction);
    if (interaction.isButton() && interaction.customId.startsWith(COMMAND_PREFIX)) return this.button(interaction);
    if (interaction.isModalSubmit() && interaction.customId.startsWith(FORM_PREFIX)) return this.form(interaction);
  }

  private request(interaction: Interaction, command: { name: string; args: string }): CommandRequest {
    return {
      ...command,
      actor: `discord:${interaction.user.id}`,
      actorName: interaction.user.username,
      conversation: `discord:${interaction.channelId ?? interaction.user.id}`,
      requestId: `discord-${interaction.id}`,
    };
  }

  private async command(interaction: ChatInputCommandInteraction): Promise<void> {
    const subcommand = interaction.options.getSubcommand(false) ?? undefined;
    const command = { name: interaction.commandName, args: commandArgs(interaction, subcommand) };
    if (interaction.commandName === 'incident' && opensForm(interaction, subcommand)) {
      // The form must be the first (and only) response, so the core is asked before acknowledging.
      const reply = await this.dispatch(this.request(interaction, command));
      if (reply.duplicate) return;
      if (reply.form) {
        await interaction.showModal(renderModal(reply.form));
        return;
      }
      await interaction.reply({ ...options(renderMessage(reply.message)), ...(reply.visibility === 'ephemeral' ? { flags: MessageFlags.Ephemeral } : {}) });
      return;
    }
    const ephemeral = !(interaction.commandName === 'incident' && subcommand !== undefined && PUBLIC.has(subcommand));
    await this.deferThenAnswer(interaction, ephemeral, command);
  }

  private async button(interaction: ButtonInteraction): Promise<void> {
    const command = splitCommand(interaction.customId.slice(COMMAND_PREFIX.length));
    if (!command) return;
    if (FORM_BUTTON.test(interaction.customId.slice(COMMAND_PREFIX.length))) {
      // "File it" / "Skip" on a knowledge task, "Deny" on a request: the form must be the first response, as for declare.
      const reply = await this.dispatch(this.request(interaction, command));
      if (reply.duplicate) return;
      if (reply.form) {
        await interaction.showModal(renderModal(reply.form));
        return;
      }
      await interaction.reply({ ...options(renderMessage(reply.message)), flags: MessageFlags.Ephemeral });
      return;
    }
    await this.deferThenAnswer(interaction, true, command);
  }

  private async form(interaction: ModalSubmitInteraction): Promise<void> {
    const values: Record<string, string> = {};
    for (const field of interaction.fields.fields.values()) {
      if ('value' in field && typeof field.value === 'string') values[field.customId] = field.value;
    }
    const command = splitCommand(`${interaction.customId.slice(FORM_PREFIX.length)} ${formArgs(values)}`);
    if (!command) return;
    // Only a declaration is answered in public; a filed entry or a skip answers its author alone.
    const declare = /^\/incident declare\b/.test(interaction.customId.slice(FORM_PREFIX.length));
    await this.deferThenAnswer(interaction, !declare, command);
  }

  private async deferThenAnswer(interaction: Deferrable, ephemeral: boolean, command: { name: string; args: string }): Promise<void> {
    await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    const reply = await this.dispatch(this.request(interaction, command));
    if (reply.duplicate) {
      await interaction.deleteReply().catch(() => undefined);
      return;
    }
    const body = options(renderMessage(reply.message));
    if (reply.visibility === 'ephemeral' && !ephemeral) {
      // A public deferral cannot turn private: replace it with a private follow-up (errors, usage).
      await interaction.deleteReply();
      await interaction.followUp({ ...body, flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.editReply(body);
  }

  private async autocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const typed = String(focused.value).toLowerCase();
    const source: Record<string, { name?: string | undefined }> =
      focused.name === 'service' ? this.config.services
        : focused.name === 'team' ? this.config.teams
          : focused.name === 'person' || focused.name === 'for' ? this.config.people : {};
    const choices = Object.entries(source)
      .map(([id, entry]) => ({ name: (entry.name ? `${entry.name} (${id})` : id).slice(0, 100), value: id }))
      .filter((choice) => choice.value.toLowerCase().includes(typed) || choice.name.toLowerCase().includes(typed))
      .slice(0, 25);
    await interaction.respond(choices);
  }
}

/** The typed options of a slash command as the text the core's grammar reads. */
export function commandArgs(interaction: ChatInputCommandInteraction, subcommand: string | undefined): string {
  const value = (name: string) => interaction.options.getString(name) ?? undefined;
  if (interaction.commandName === 'oncall') {
    const names = interaction.options.data[0]?.options?.map((option) => option.name) ?? [];
    return oncallArgs(subcommand ?? 'now', Object.fromEntries(names.map((name) => [name, value(name)])));
  }
  if (interaction.commandName === 'drill') return value('action') ?? '';
  if (interaction.commandName === 'kb') return [subcommand ?? '', value('incident') ?? '', value('words') ?? '', value('changes') ?? ''].filter(Boolean).join(' ');
  if (!subcommand) return '';
  if (subcommand === 'learn') return learnArgs(optionValues(interaction), quoteWord);
  if (subcommand === 'declare') {
    const args = formArgs({ title: value('title'), sev: value('severity'), service: value('service'), summary: value('summary'), anyway: value('anyway') });
    return args ? `declare ${args}` : 'declare';
  }
  return positionalArgs(subcommand, optionValues(interaction));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
