import type { WebClient } from '@slack/web-api';
import type { MusterConfig } from '../../src/config/schema.js';
import type { Logger } from '../../src/logger.js';
import {
  RetryLaterError,
  UndeliverableError,
  type ChatPort,
  type Destination,
  type Message,
  type OpenedRoom,
  type RoomRequest,
} from '../../src/ports.js';
import type { ConversationRef, PersonId } from '../../src/kernel/ids.js';
import { ChatAddressing } from '../chat-addressing.js';
import { clipText } from '../../src/kernel/text.js';
import { ConversationPacer } from '../conversation-pacer.js';
import { againInTransit } from '../transit-retry.js';
import { renderMessage } from './render.js';

/** The error code Slack put in a platform error, if it is one. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** Seconds Slack asked us to wait, when `error` is the Web API client's 429 rejection. */
function rateLimitedFor(error: unknown): number | undefined {
  const limited = error as { code?: string; retryAfter?: number } | undefined;
  return limited?.code === 'slack_webapi_rate_limited_error' ? (limited.retryAfter ?? 1) : undefined;
}

/** A request that never got a Slack answer (network, timeout) or got a 5xx: worth another quick try. */
function transient(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === 'slack_webapi_request_error' || code === 'slack_webapi_http_error';
}

/** Errors that no retry can fix: the outbox must not hammer Slack with them. */
const PERMANENT = new Set(['user_not_found', 'channel_not_found', 'is_archived', 'cannot_dm_bot', 'user_disabled', 'invalid_blocks', 'msg_too_long']);

const NAME_ATTEMPTS = 5;
const RATE_LIMIT_ATTEMPTS = 6;
/** The metadata event type Muster tags its messages with. */
const MESSAGE_EVENT = 'muster_message';
/** How far back sentBefore looks: a retried message was sent moments ago, if at all. */
const HISTORY_LOOKBACK = 50;
/** conversations.list pages (of 1,000) a retried room looks through for the room it made. */
const LIST_PAGES = 20;

/**
 * Slack as the core's chat port. References look like "slack:C123" (rooms)
 * and "C123/1700000000.000100" (messages). The WebClient is injected: it
 * runs calls concurrently and rejects a 429 at once. Opening a room waits out
 * the Retry-After for that call alone; a message the outbox delivers goes back
 * to the outbox for that long instead, so pages to different people never
 * queue behind one channel's limit and nobody sleeps under a send claim.
 */
export class SlackChat implements ChatPort {
  private readonly addressing: ChatAddressing;
  private readonly pacer = new ConversationPacer();

  constructor(
    private readonly client: WebClient,
    private readonly config: MusterConfig,
    private readonly logger: Logger,
  ) {
    this.addressing = new ChatAddressing('slack', config, config.channels.broadcast, async (user) => {
      const result = await this.call(() => this.client.conversations.open({ users: user }));
      if (!result.channel?.id) throw new Error(`Slack opened no DM with ${user}`);
      return result.channel.id;
    });
  }

  async openRoom(request: RoomRequest): Promise<OpenedRoom> {
    // Looking for it must never stop the room: without the read scopes (an old install), just make it.
    const earlier = request.maybeExists
      ? await this.madeEarlier(request.name).catch((error: unknown) => {
        this.logger.warn({ err: slackErrorCode(error) ?? String(error) }, 'could not look for a war room made before a crash; opening a new one');
        return undefined;
      })
      : undefined;
    const channel = earlier ?? (await this.createChannel(request.name));
    const problems: string[] = [];
    await this.patiently(() => this.client.conversations.setTopic({ channel: channel.id, topic: clipText(request.topic, 250) })).catch((error: unknown) => {
      problems.push(`could not set the topic (${slackErrorCode(error) ?? 'error'})`);
    });
    await this.inviteAll(channel.id, request.members, problems);
    return { conversation: `slack:${channel.id}`, name: `#${channel.name}`, problems };
  }

  async invite(room: ConversationRef, people: PersonId[]): Promise<string[]> {
    const problems: string[] = [];
    const channel = room.startsWith('slack:') ? room.slice('slack:'.length) : undefined;
    if (!channel) throw new UndeliverableError(`not a Slack conversation: ${room}`);
    // Called by delivery before a page: a 429 puts the page back for later (RetryLaterError) instead of waiting under its claim.
    await Promise.all(people.map((person) => this.inviteOne(channel, person, problems, (work) => this.call(work))));
    return problems;
  }

  async send(to: Destination, message: Message, options: { id?: string } = {}): Promise<string> {
    const channel = await this.addressing.channelFor(to);
    this.pacer.check(channel);
    const rendered = renderMessage(message);
    // The outbox id rides along as message metadata, so sentBefore can find the message after a crash.
    const metadata = options.id ? { metadata: { event_type: MESSAGE_EVENT, event_payload: { id: options.id } } } : {};
    const result = await this.paced(channel, () =>
      this.call(() => this.client.chat.postMessage({ channel, ...rendered, ...metadata, unfurl_links: false, unfurl_media: false, link_names: false })),
    );
    const ts = String(result.ts);
    if (message.pin) {
      await this.patiently(() => this.client.pins.add({ channel, timestamp: ts })).catch((error: unknown) => {
        this.logger.warn({ channel, err: slackErrorCode(error) }, 'could not pin the board');
      });
    }
    return `${result.channel ?? channel}/${ts}`;
  }

  /** Looks for the outbox id in the metadata of the channel's recent messages (conversations.history). */
  async sentBefore(to: Destination, id: string): Promise<string | undefined> {
    const channel = await this.addressing.channelFor(to);
    const history = await this.call(() => this.client.conversations.history({ channel, limit: HISTORY_LOOKBACK, include_all_metadata: true }));
    const found = history.messages?.find((candidate) => {
      const metadata = candidate.metadata as { event_type?: string; event_payload?: { id?: unknown } } | undefined;
      return metadata?.event_type === MESSAGE_EVENT && metadata.event_payload?.id === id;
    });
    return found?.ts ? `${channel}/${found.ts}` : undefined;
  }

  async update(_to: Destination, messageRef: string, message: Message): Promise<void> {
    const [channel, ts] = messageRef.split('/');
    if (!channel || !ts) throw new UndeliverableError(`not a Slack message reference: ${messageRef}`);
    await this.call(() => this.client.chat.update({ channel, ts, ...renderMessage(message) }));
  }

  /** A 429 on this channel pauses it here too, so its other waiting messages do not ask Slack again too soon. */
  private async paced<T>(channel: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw error instanceof RetryLaterError ? this.pacer.paused(channel, error) : error;
    }
  }

  /** The Slack user behind a room member: a person id from muster.yaml, or a raw "slack:U…" ref. */
  slackUser(member: string): string | undefined {
    return this.addressing.user(member);
  }

  /**
   * A channel of exactly this name the bot is in (it made it, in an attempt
   * that died before recording it), found with conversations.list. Only asked
   * on a retried room, so the cost of paging through the channels is rare.
   */
  private async madeEarlier(name: string): Promise<{ id: string; name: string } | undefined> {
    let cursor: string | undefined;
    for (let page = 0; page < LIST_PAGES; page += 1) {
      const listed = await this.patiently(() =>
        this.client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}) }),
      );
      const found = listed.channels?.find((channel) => channel.name === name && channel.is_member === true);
      if (found?.id) return { id: found.id, name: found.name ?? name };
      cursor = listed.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }

  private async createChannel(name: string): Promise<{ id: string; name: string }> {
    for (let attempt = 1; attempt <= NAME_ATTEMPTS; attempt += 1) {
      const candidate = attempt === 1 ? name : `${name.slice(0, 76)}-${attempt}`;
      try {
        // Nothing was made yet: a 429 (Tier 2, about 20 a minute) puts the room back in the outbox for Slack's delay instead of sleeping under its claim.
        const result = await this.patiently(() => this.client.conversations.create({ name: candidate }), { requeueOnRateLimit: true });
        const channel = result.channel;
        if (channel?.id) return { id: channel.id, name: channel.name ?? candidate };
      } catch (error) {
        if (error instanceof RetryLaterError) throw error;
        if (slackErrorCode(error) !== 'name_taken') throw new Error(`Slack refused to create #${candidate}: ${slackErrorCode(error) ?? String(error)}`);
      }
    }
    throw new Error(`Slack refused to create #${name}: name_taken (tried ${NAME_ATTEMPTS} names)`);
  }

  /**
   * One conversations.invite for everyone (one round trip on the way to the
   * first pages); if Slack refuses the batch, one call per person finds who.
   */
  private async inviteAll(channel: string, members: string[], problems: string[]): Promise<void> {
    const known = members.filter((member) => {
      if (this.slackUser(member)) return true;
      problems.push(`${member} has no Slack user id in muster.yaml (people.${member}.slack)`);
      return false;
    });
    if (known.length === 0) return;
    const users = [...new Set(known.map((member) => this.slackUser(member) as string))];
    try {
      await this.patiently(() => this.client.conversations.invite({ channel, users: users.join(',') }));
      return;
    } catch (error) {
      if (known.length === 1) {
        this.noteInviteProblem(known[0] as string, error, problems);
        return;
      }
    }
    await Promise.all(known.map((member) => this.inviteOne(channel, member, problems)));
  }

  private noteInviteProblem(member: string, error: unknown, problems: string[]): void {
    const code = slackErrorCode(error) ?? 'error';
    if (code !== 'already_in_channel' && code !== 'cant_invite_self') problems.push(`could not invite ${member} (${code})`);
  }

  private async inviteOne(channel: string, member: string, problems: string[], via: <T>(work: () => Promise<T>) => Promise<T> = (work) => this.patiently(work)): Promise<void> {
    const user = this.slackUser(member);
    if (!user) {
      problems.push(`${member} has no Slack user id in muster.yaml (people.${member}.slack)`);
      return;
    }
    try {
      await via(() => this.client.conversations.invite({ channel, users: user }));
    } catch (error) {
      if (error instanceof RetryLaterError) throw error;
      this.noteInviteProblem(member, error, problems);
    }
  }

  /**
   * The war-room calls (opening a room at declare): waits out a 429's
   * Retry-After for this call only (other calls go on), and tries a request
   * that got no answer or a 5xx twice more; other errors pass through unchanged.
   * `requeueOnRateLimit`: a 429 becomes RetryLaterError instead (the room goes
   * back to the outbox for Slack's delay), for a call that made nothing yet.
   */
  private async patiently<T>(work: () => Promise<T>, options: { requeueOnRateLimit?: boolean } = {}): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await againInTransit(work, transient);
      } catch (error) {
        const retryAfter = rateLimitedFor(error);
        if (retryAfter !== undefined && options.requeueOnRateLimit) throw new RetryLaterError(`Slack rate limit (Retry-After ${retryAfter} s)`, Math.max(1, retryAfter) * 1000, true);
        if (retryAfter === undefined || attempt >= RATE_LIMIT_ATTEMPTS) throw error;
        this.logger.warn({ retryAfterSeconds: retryAfter, attempt }, 'Slack rate limit: waiting as asked');
        await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter, 60) * 1000));
      }
    }
  }

  /**
   * A call the outbox makes: a 429 becomes RetryLaterError with Slack's
   * Retry-After (the outbox puts the message back for that long, so nobody
   * sleeps under a send claim and the page's fence is checked again), and
   * permanent Slack errors become UndeliverableError so the outbox stops
   * retrying them.
   */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const retryAfter = rateLimitedFor(error);
      if (retryAfter !== undefined) throw new RetryLaterError(`Slack rate limit (Retry-After ${retryAfter} s)`, Math.max(1, retryAfter) * 1000, true);
      const code = slackErrorCode(error);
      if (code && PERMANENT.has(code)) throw new UndeliverableError(`Slack said ${code}`);
      throw error;
    }
  }
}
