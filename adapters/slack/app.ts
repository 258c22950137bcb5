import { createHash } from 'node:crypto';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { CommandRequest, DispatchOptions, Reply } from '../../src/kernel/request.js';
import { formArgs } from '../../src/kernel/form-args.js';
import type { Logger } from '../../src/logger.js';
import { slackErrorCode } from './chat.js';
import { refuseSkewedRequests } from './freshness.js';
import { slackLogger } from './logger.js';
import { COMMAND_ACTION_PREFIX, FORM_CALLBACK_ID, LINK_ACTION_PREFIX, readModalValues, renderMessage, renderModal, renderReply, slackCommandText, unescapeSlack } from './render.js';

export interface SlackSettings {
  botToken: string;
  /** HTTP mode (Events API over HTTPS to /slack/events) when set. */
  signingSecret?: string;
  /** Socket Mode when set; wins over HTTP mode. */
  appToken?: string;
  apiUrl?: string;
  port: number;
}

export type Dispatch = (request: CommandRequest, options?: DispatchOptions) => Promise<Reply>;

/** One Web API request (each of its few transport retries) may take this long. */
export const SLACK_REQUEST_TIMEOUT_MS = 10_000;

/** Slack wants its acknowledgement within 3 s; a command that is not durable by then is acknowledged anyway. */
const ACK_BY_MS = 2_000;

/**
 * Acknowledges Slack once the command's effect is durable (a declare's commit:
 * `accepted`), or when it finished, or at ACK_BY_MS, whichever comes first.
 * Acknowledged earlier, a crash between the 200 and the commit would lose the
 * declare: Slack would not redeliver it. Not acknowledged, Slack redelivers,
 * and the request id answers the redelivery.
 */
export async function ackOnceDurable(ack: () => Promise<void>, run: (accepted: () => void) => Promise<Reply>): Promise<Reply> {
  let acked: Promise<void> | undefined;
  const ackOnce = (): Promise<void> => (acked ??= ack());
  const deadline = setTimeout(() => void ackOnce().catch(() => undefined), ACK_BY_MS);
  try {
    return await run(() => void ackOnce().catch(() => undefined));
  } finally {
    clearTimeout(deadline);
    await ackOnce();
  }
}

export const SLACK_COMMANDS = ['incident', 'oncall', 'drill', 'kb'] as const;
/**
 * The commands the manifest sets `should_escape: true` for, so their text
 * holds Slack's markup for mentions (read by slackCommandText). /oncall takes
 * people; the others keep free text (titles, notes) exactly as typed.
 */
export const SLACK_ESCAPED_COMMANDS: ReadonlySet<string> = new Set(['oncall']);

/**
 * The Web API client of the chat port. It rejects rate-limited calls instead
 * of pausing its whole queue (its default), so a 429 on one channel never
 * holds back pages to other people: SlackChat hands a rate-limited message
 * back to the outbox with Slack's Retry-After. Transport errors get a few quick retries; the outbox retries
 * the rest with backoff.
 */
export function slackWebClient(settings: SlackSettings, logger: Logger): WebClient {
  return new WebClient(settings.botToken, {
    logger: slackLogger(logger),
    rejectRateLimitedCalls: true,
    // Every call is bounded: a hung Slack never holds a page (or its send claim) for long.
    timeout: SLACK_REQUEST_TIMEOUT_MS,
    // No retries inside the client: a retry there would skip the page's fence check. The outbox retries
    // messages (checking the fence each time); SlackChat retries the war-room calls itself.
    retryConfig: { retries: 0 },
    ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
  });
}

function receiverFor(settings: SlackSettings, logger: Logger): Receiver {
  if (settings.appToken) {
    const receiver = new SocketModeReceiver({ appToken: settings.appToken, logger: slackLogger(logger) });
    if (settings.apiUrl) {
      // Bolt does not pass client options to its Socket Mode client, so the
      // apps.connections.open call would ignore SLACK_API_URL; point it there.
      (receiver.client as unknown as { webClient: WebClient }).webClient = new WebClient('', {
        slackApiUrl: settings.apiUrl,
        headers: { Authorization: `Bearer ${settings.appToken}` },
        logger: slackLogger(logger),
      });
    }
    return receiver;
  }
  if (!settings.signingSecret) throw new Error('set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)');
  const receiver = new HTTPReceiver({ signingSecret: settings.signingSecret, endpoints: '/slack/events', logger: slackLogger(logger) });
  refuseSkewedRequests(receiver, logger);
  return receiver;
}

/** "/incident ack INC-1 tech" → { name: "incident", args: "ack INC-1 tech" }. */
export function splitCommand(text: string): { name: string; args: string } | undefined {
  const match = /^\/(\w+)\s*([\s\S]*)$/.exec(text.trim());
  return match ? { name: match[1] ?? '', args: match[2] ?? '' } : undefined;
}

/** The display name Slack sends with an interaction's user, if any. */
function slackUserName(user: { name?: string; username?: string }): string | undefined {
  return user.username ?? user.name;
}

/** A stable id for a delivery without one of Slack's ids: the same payload maps to the same id. */
function payloadId(payload: unknown): string {
  return createHash('sha256').update(JSON.stringify(payload)).digest('hex').slice(0, 32);
}

/**
 * The Bolt app: acknowledges every command and interaction first (Slack waits
 * 3 s at most), then hands a neutral request to the core and renders its reply.
 * Behaviour lives in the core; this file only translates.
 */
export class SlackAdapter {
  readonly app: App;

  constructor(
    private readonly settings: SlackSettings,
    private readonly dispatch: Dispatch,
    private readonly logger: Logger,
  ) {
    this.app = new App({
      token: settings.botToken,
      receiver: receiverFor(settings, logger),
      logger: slackLogger(logger),
      // Bolt checks the token (auth.test) at init; deferring it lets start()
      // report a bad token as a start-up error instead of an unhandled rejection.
      deferInitialization: true,
      ...(settings.apiUrl ? { clientOptions: { slackApiUrl: settings.apiUrl } } : {}),
    });
    this.registerCommands();
    this.registerButtons();
    this.registerForms();
    this.registerMentions();
    this.app.error(async (error) => {
      this.logger.error({ err: error.message, code: (error as { code?: string }).code }, 'slack handler failed');
    });
  }

  /** Listens (HTTP) or connects (Socket Mode); returns the HTTP port actually bound, if any. */
  async start(): Promise<{ port?: number }> {
    await this.app.init();
    if (this.settings.appToken) {
      await this.app.start();
      return {};
    }
    const server = (await this.app.start(this.settings.port)) as { address?: () => unknown } | undefined;
    const address = server?.address?.() as { port?: number } | null | undefined;
    return address?.port !== undefined ? { port: address.port } : {};
  }

  async stop(): Promise<void> {
    await this.app.stop();
  }

  private registerCommands(): void {
    const pattern = new RegExp(`^/(${SLACK_COMMANDS.join('|')})$`);
    this.app.command(pattern, async ({ command, ack, respond, client }) => {
      const name = command.command.replace(/^\//, '');
      const text = command.text ?? '';
      const reply = await ackOnceDurable(ack, (accepted) => this.dispatch({
        name,
        // Slack escapes what the user typed (&amp; &lt; &gt;) and, where asked to, marks up mentions; modal values and button values arrive raw.
        args: SLACK_ESCAPED_COMMANDS.has(name) ? slackCommandText(text) : unescapeSlack(text),
        actor: `slack:${command.user_id}`,
        ...(command.user_name ? { actorName: command.user_name } : {}),
        conversation: `slack:${command.channel_id}`,
        requestId: `slack-command-${command.trigger_id ?? payloadId(command)}`,
      }, { accepted }));
      if (reply.duplicate) return;
      if (reply.form) {
        const metadata = JSON.stringify({ command: reply.form.command, channel: command.channel_id });
        try {
          await client.views.open({ trigger_id: command.trigger_id, view: renderModal(reply.form, metadata) as never });
          return;
        } catch (error) {
          // The trigger expired (it lives about 3 s) or Slack refused the view:
          // answer with the typed usage rather than leave the user with nothing.
          this.logger.warn({ err: slackErrorCode(error) ?? String(error) }, 'could not open the modal; answering with the usage');
        }
      }
      await respond(renderReply(reply) as never);
    });
  }

  private registerButtons(): void {
    // A link button opens its page in the browser; the click Slack also sends needs only its acknowledgement.
    this.app.action({ action_id: new RegExp(`^${LINK_ACTION_PREFIX}`) }, async ({ ack }) => {
      await ack();
    });
    this.app.action({ action_id: new RegExp(`^${COMMAND_ACTION_PREFIX}`) }, async ({ ack, body, action, respond, client }) => {
      await ack();
      const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
      const command = splitCommand(value);
      if (!command) return;
      const channel = 'channel' in body && body.channel?.id ? body.channel.id : body.user.id;
      const reply = await this.dispatch({
        ...command,
        actor: `slack:${body.user.id}`,
        ...(slackUserName(body.user) ? { actorName: slackUserName(body.user) as string } : {}),
        conversation: `slack:${channel}`,
        requestId: `slack-action-${'trigger_id' in body && body.trigger_id ? body.trigger_id : payloadId(body)}`,
      });
      if (reply.duplicate) return;
      const triggerId = 'trigger_id' in body ? body.trigger_id : undefined;
      if (reply.form && triggerId) {
        // A button that needs more (Skip asks why) opens a form, like /incident declare alone.
        const metadata = JSON.stringify({ command: reply.form.command, channel });
        const opened = await client.views.open({ trigger_id: triggerId, view: renderModal(reply.form, metadata) as never }).then(() => true, () => false);
        if (opened) return;
      }
      await respond({ ...renderReply(reply), response_type: 'ephemeral', replace_original: false } as never);
    });
  }

  /** "@muster" in a channel answers with the usage, to the person who asked. */
  private registerMentions(): void {
    this.app.event('app_mention', async ({ event, body, client }) => {
      if (!event.user) return;
      const reply = await this.dispatch({
        name: 'incident',
        args: 'help',
        actor: `slack:${event.user}`,
        conversation: `slack:${event.channel}`,
        requestId: `slack-event-${body.event_id}`,
      });
      if (reply.duplicate) return;
      await client.chat.postEphemeral({ channel: event.channel, user: event.user, ...renderMessage(reply.message) } as never);
    });
  }

  private registerForms(): void {
    this.app.view(FORM_CALLBACK_ID, async ({ ack, view, body, client }) => {
      await ack();
      const meta = JSON.parse(view.private_metadata || '{}') as { command?: string; channel?: string };
      const command = splitCommand(`${meta.command ?? ''} ${formArgs(readModalValues(view.state.values as never))}`);
      if (!command) return;
      const user = body.user.id;
      const reply = await this.dispatch({
        ...command,
        actor: `slack:${user}`,
        ...(slackUserName(body.user) ? { actorName: slackUserName(body.user) as string } : {}),
        conversation: `slack:${meta.channel ?? user}`,
        requestId: `slack-view-${view.id}-${view.hash ?? ''}`,
      });
      if (reply.duplicate) return;
      const rendered = renderReply(reply);
      // A modal has no response URL: answer the person directly.
      await client.chat.postMessage({ channel: user, text: rendered.text, blocks: rendered.blocks as never });
    });
  }
}
