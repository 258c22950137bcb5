import { createHash } from 'node:crypto';
import { DiscordAPIError, HTTPError, PermissionFlagsBits, RateLimitError, Routes, type REST } from 'discord.js';
import type { MusterConfig } from '../../src/config/schema.js';
import type { Logger } from '../../src/logger.js';
import {
  NoLongerWantedError,
  RetryLaterError,
  UndeliverableError,
  type SendOptions,
  type ChatPort,
  type Destination,
  type Message,
  type OpenedRoom,
  type RoomRequest,
} from '../../src/ports.js';
import type { ConversationRef, PersonId } from '../../src/kernel/ids.js';
import { ChatAddressing } from '../chat-addressing.js';
import { ConversationPacer } from '../conversation-pacer.js';
import { againInTransit } from '../transit-retry.js';
import { clip, renderMessage } from './render.js';
import { DiscordRequestGate, type GatedRest } from './request-gate.js';

/**
 * Errors no retry can fix: Unknown Channel, Unknown Message, Unknown User,
 * Unknown Member, Missing Access, Cannot send messages to this user, Invalid
 * Form Body. The outbox must not hammer Discord with them.
 */
// 50033 Invalid Recipient(s): a DM to someone who is not on the server can never succeed.
const PERMANENT = new Set([10003, 10008, 10013, 10007, 50001, 50007, 50033, 50035]);

/** Tries of a war-room call (an overwrite, a thread member) that Discord rate-limits while the room opens. */
const RATE_LIMIT_ATTEMPTS = 5;
/** A page that waited this long for its place under the global limit checks its fence again before it goes. */
const RECHECK_AFTER_WAIT_MS = 250;
/** How long the invite before a late page may keep trying before the page goes on without it. */
const BEFORE_PAGE_RETRY_MS = 2_000;
const CHANNEL_TEXT = 0;
const INVALID_FORM_BODY = 50035;
const PRIVATE_THREAD = 12;
const OVERWRITE_ROLE = 0;
const OVERWRITE_MEMBER = 1;
const MEMBER_ALLOW = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ReadMessageHistory;
const BOT_ALLOW = MEMBER_ALLOW | PermissionFlagsBits.EmbedLinks | PermissionFlagsBits.ManageMessages;

/** The client's REST side: the chat port needs nothing else from discord.js. */
export interface DiscordRestClient {
  rest: REST;
}

export interface DiscordChatOptions {
  guildId: string;
  /** The bot's own user id (an overwrite lets it into the private war room). */
  botUserId: string;
  /** Called once on a 401: the token was revoked or replaced. */
  onUnauthorized?: (error: unknown) => void;
}

export function discordErrorCode(error: unknown): number | undefined {
  return error instanceof DiscordAPIError && typeof error.code === 'number' ? error.code : undefined;
}

/**
 * Discord as the core's chat port. References look like "discord:<channel id>"
 * (rooms) and "<channel id>/<message id>" (messages). Every call goes out as an
 * ordinary bot REST call, never through an interaction token (they die after
 * 15 minutes and a muster outlives them). The REST client keeps one queue per
 * bucket, so one channel's limit never holds back pages to others; a
 * rate-limited message goes back to the outbox with Discord's delay.
 */
export class DiscordChat implements ChatPort {
  private readonly addressing: ChatAddressing;
  private readonly pacer = new ConversationPacer();
  /** Routine calls: rooms, boards, edits, announcements. */
  private readonly rest: GatedRest;
  /** A page and what it needs (its DM channel, the invite before it): served first under Discord's global limit. */
  private readonly urgentRest: GatedRest;

  constructor(
    private readonly client: DiscordRestClient,
    private readonly config: MusterConfig,
    private readonly options: DiscordChatOptions,
    private readonly logger: Logger,
    private readonly gate = new DiscordRequestGate(),
  ) {
    this.rest = gate.rest(client.rest, false);
    this.urgentRest = gate.rest(client.rest, true);
    const broadcast = config.discord?.broadcast ?? config.channels.broadcast;
    this.addressing = new ChatAddressing('discord', config, broadcast, async (user) => {
      const channel = (await this.call(() => this.urgentRest.post(Routes.userChannels(), { body: { recipient_id: user } }))) as { id: string };
      return channel.id;
    });
  }

  async openRoom(request: RoomRequest): Promise<OpenedRoom> {
    const problems: string[] = [];
    const members = request.members.flatMap((member) => {
      const user = this.discordUser(member);
      if (!user) problems.push(`${member} has no Discord user id in muster.yaml (people.${member}.discord)`);
      return user ? [user] : [];
    });
    const unique = [...new Set(members)].filter((user) => user !== this.options.botUserId);
    const settings = this.config.discord;
    if (settings?.warRoom === 'thread') return this.openThread(request, unique, problems);
    const base = [
      { id: this.options.guildId, type: OVERWRITE_ROLE, allow: '0', deny: String(PermissionFlagsBits.ViewChannel) },
      { id: this.options.botUserId, type: OVERWRITE_MEMBER, allow: String(BOT_ALLOW), deny: '0' },
    ];
    const memberOverwrite = (id: string) => ({ id, type: OVERWRITE_MEMBER, allow: String(MEMBER_ALLOW), deny: '0' });
    const create = (overwrites: object[]) =>
      this.rest.post(Routes.guildChannels(this.options.guildId), {
        body: {
          name: clip(request.unicodeName ?? request.name, 100),
          type: CHANNEL_TEXT,
          topic: clip(request.topic, 1024),
          ...(settings?.category ? { parent_id: settings.category } : {}),
          permission_overwrites: overwrites,
        },
        reason: `Muster war room for ${request.incident}`,
      }) as Promise<{ id: string; name: string }>;
    const earlier = request.maybeExists
      ? await this.madeEarlier(clip(request.unicodeName ?? request.name, 100), settings?.category).catch((error: unknown) => {
        this.logger.warn({ err: describe(error) }, 'could not look for a war room made before a crash; opening a new one');
        return undefined;
      })
      : undefined;
    if (earlier) {
      // A crashed attempt made it: let everyone in (idempotent overwrites) and use it.
      await Promise.all(unique.map((id) => this.allowMember(earlier.id, id, memberOverwrite(id), problems)));
      return { conversation: `discord:${earlier.id}`, name: `#${earlier.name}`, problems };
    }
    let channel: { id: string; name: string };
    try {
      channel = await create([...base, ...unique.map(memberOverwrite)]);
    } catch (error) {
      // One id that is not a member of the server (left, or a typo) fails the whole request:
      // open the room anyway and let each member in separately, reporting who could not be.
      if (discordErrorCode(error) !== INVALID_FORM_BODY || unique.length === 0) throw this.mapped(error);
      channel = await this.call(() => create(base));
      await Promise.all(unique.map((id) => this.allowMember(channel.id, id, memberOverwrite(id), problems)));
    }
    return { conversation: `discord:${channel.id}`, name: `#${channel.name}`, problems };
  }

  /** A text channel of exactly this name under the war-room category, which the bot's own overwrite shows it made. */
  private async madeEarlier(name: string, category: string | undefined): Promise<{ id: string; name: string } | undefined> {
    const channels = (await this.call(() => this.rest.get(Routes.guildChannels(this.options.guildId)))) as Array<{
      id: string; name: string; type: number; parent_id?: string | null; permission_overwrites?: Array<{ id: string }>;
    }>;
    return channels.find((channel) =>
      channel.type === CHANNEL_TEXT && channel.name === name && (category === undefined || channel.parent_id === category) &&
      (channel.permission_overwrites ?? []).some((overwrite) => overwrite.id === this.options.botUserId));
  }

  /**
   * Lets one user into a channel room. `patient` (opening the room): a rate
   * limit is waited out here, a few times. Otherwise (the invite before a late
   * page) it goes back to the outbox as RetryLaterError with Discord's delay,
   * and a failure in transit is tried again only briefly (BEFORE_PAGE_RETRY_MS).
   */
  private async allowMember(channel: string, user: string, overwrite: { type: number; allow: string; deny: string }, problems: string[], patient = true): Promise<void> {
    const put = () => (patient ? this.rest : this.urgentRest).put(Routes.channelPermission(channel, user), { body: { type: overwrite.type, allow: overwrite.allow, deny: overwrite.deny } });
    try {
      await (patient ? this.patiently(put) : againInTransit(put, lostInTransit, BEFORE_PAGE_RETRY_MS));
    } catch (error) {
      if (!patient && error instanceof RateLimitError) throw this.mapped(error);
      const person = Object.entries(this.config.people).find(([, entry]) => entry.discord === user)?.[0];
      problems.push(`could not let ${person ? `${person} (Discord user ${user})` : `Discord user ${user}`} into the war room (${describe(this.mapped(error))})`);
    }
  }

  /** Adds one user to a thread room; rate limits as in allowMember. */
  private async addToThread(thread: string, user: string, problems: string[], patient = true): Promise<void> {
    const put = () => (patient ? this.rest : this.urgentRest).put(Routes.threadMembers(thread, user));
    try {
      await (patient ? this.patiently(put) : againInTransit(put, lostInTransit, BEFORE_PAGE_RETRY_MS));
    } catch (error) {
      if (!patient && error instanceof RateLimitError) throw this.mapped(error);
      this.checkUnauthorized(error);
      problems.push(`could not add Discord user ${user} to the thread (${describe(error)})`);
    }
  }

  /**
   * For idempotent calls only (overwrites, thread members, the pin): waits out
   * a rate limit (Discord's delay, at most a minute) and tries again, a few
   * times, and tries a call lost in transit again (the REST client itself
   * never retries); other
   * errors pass through.
   */
  private async patiently<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await againInTransit(work, lostInTransit);
      } catch (error) {
        if (!(error instanceof RateLimitError) || attempt >= RATE_LIMIT_ATTEMPTS) throw error;
        const waitMs = Math.min(Math.max(error.retryAfter > 0 ? error.retryAfter : error.timeToReset, 50), 60_000);
        this.logger.warn({ route: error.route, waitMs, attempt }, 'Discord rate limit on a war-room call: waiting as asked');
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  /** A channel room gets a member overwrite; a thread room, thread membership. */
  async invite(room: ConversationRef, people: PersonId[]): Promise<string[]> {
    const problems: string[] = [];
    const channel = room.startsWith('discord:') ? room.slice('discord:'.length) : undefined;
    if (!channel) throw new UndeliverableError(`not a Discord conversation: ${room}`);
    const users = people.flatMap((person) => {
      const user = this.discordUser(person);
      if (!user) problems.push(`${person} has no Discord user id in muster.yaml (people.${person}.discord)`);
      return user && user !== this.options.botUserId ? [user] : [];
    });
    const thread = this.config.discord?.warRoom === 'thread';
    // Called by delivery before a page: a rate limit puts the page back for later instead of waiting under its claim.
    await Promise.all(users.map((user) => (thread
      ? this.addToThread(channel, user, problems, false)
      : this.allowMember(channel, user, { type: OVERWRITE_MEMBER, allow: String(MEMBER_ALLOW), deny: '0' }, problems, false))));
    return problems;
  }

  async send(to: Destination, message: Message, options: SendOptions = {}): Promise<string> {
    const channel = await this.addressing.channelFor(to);
    this.pacer.check(channel);
    // An enforced nonce from the outbox id: a resend after a crash returns the message Discord already made.
    const nonce = options.id ? { nonce: nonceFor(options.id), enforce_nonce: true } : {};
    const body = { ...renderMessage(message), ...nonce };
    // A DM (a page, a stand-down) goes before room work under the global limit; a page held
    // back for a while is asked again whether it is still wanted before it goes.
    const post = (waitedMs: number) => this.postUnlessUnwanted(channel, body, waitedMs, options.stillWanted);
    const sent = (await this.call(() => this.gate.run(to.kind === 'person', post)).catch((error: unknown) => {
      throw error instanceof RetryLaterError ? this.pacer.paused(channel, error) : error;
    })) as { id: string };
    if (message.pin) {
      // The board exists now and cannot go back to the outbox: a 429 on the pin is waited out here.
      await this.patiently(() => this.rest.put(Routes.channelMessagesPin(channel, sent.id), { reason: 'Muster live board' })).catch((error: unknown) => {
        // mapped also reports a 401 (once).
        this.logger.warn({ channel, err: describe(this.mapped(error)) }, 'could not pin the board');
      });
    }
    return `${channel}/${sent.id}`;
  }

  private async postUnlessUnwanted(channel: string, body: object, waitedMs: number, stillWanted?: () => Promise<boolean>): Promise<unknown> {
    if (stillWanted && waitedMs >= RECHECK_AFTER_WAIT_MS && !(await stillWanted())) {
      throw new NoLongerWantedError(`no longer wanted after waiting ${Math.round(waitedMs)} ms for Discord's global limit`);
    }
    return this.client.rest.post(Routes.channelMessages(channel), { body });
  }

  async update(_to: Destination, messageRef: string, message: Message): Promise<void> {
    const [channel, id] = messageRef.split('/');
    if (!channel || !id) throw new UndeliverableError(`not a Discord message reference: ${messageRef}`);
    await this.call(() => this.rest.patch(Routes.channelMessage(channel, id), { body: renderMessage(message) }));
  }

  /** The Discord user behind a member: a person id from muster.yaml, or a raw "discord:<id>" ref. */
  discordUser(member: string): string | undefined {
    return this.addressing.user(member);
  }

  private async openThread(request: RoomRequest, members: string[], problems: string[]): Promise<OpenedRoom> {
    const parent = this.config.discord?.threadParent;
    if (!parent) throw new Error('discord.warRoom is "thread" but discord.threadParent is not set in muster.yaml');
    const thread = (await this.call(() =>
      this.rest.post(Routes.threads(parent), {
        body: { name: clip(request.unicodeName ?? request.name, 100), type: PRIVATE_THREAD, auto_archive_duration: 10080, invitable: false },
        reason: `Muster war room for ${request.incident}`,
      }),
    )) as { id: string; name: string };
    await Promise.all(members.map((user) => this.addToThread(thread.id, user, problems)));
    return { conversation: `discord:${thread.id}`, name: `#${thread.name}`, problems };
  }

  private checkUnauthorized(error: unknown): void {
    if (error instanceof DiscordAPIError && error.status === 401) this.options.onUnauthorized?.(error);
  }

  /** Permanent Discord errors become UndeliverableError, so the outbox stops retrying them. */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.mapped(error);
    }
  }

  private mapped(error: unknown): unknown {
    this.checkUnauthorized(error);
    if (error instanceof RateLimitError) return new RetryLaterError(`Discord rate limit on ${error.route}`, Math.max(1, error.retryAfter > 0 ? error.retryAfter : error.timeToReset), true);
    const code = discordErrorCode(error);
    return code !== undefined && PERMANENT.has(code) ? new UndeliverableError(`Discord said ${code}: ${describe(error)}`) : error;
  }
}

/** Discord nonces are at most 25 characters: a digest of the outbox id. */
function nonceFor(id: string): string {
  return createHash('sha256').update(id).digest('base64url').slice(0, 25);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Codes of a request that failed on its way (the connection, the name lookup), not at Discord. */
const TRANSPORT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** A failure another try may not see: a 5xx, a timeout, a connection lost or never made. */
function lostInTransit(error: unknown): boolean {
  if (error instanceof HTTPError) return error.status >= 500;
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError') return true;
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = (error as { code?: unknown }).code ?? cause?.code;
  return typeof code === 'string' && TRANSPORT_CODES.has(code);
}
