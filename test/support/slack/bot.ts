/**
 * The real Muster bot (startSlackBot, embedded mode) against a FakeSlack, for the e2e suite in
 * test/e2e/slack. Everything goes through Slack's real protocol: signed HTTP requests into Bolt's
 * HTTPReceiver, or envelopes over the fake's Socket Mode websocket; what the bot does is read back
 * from the fake's recorded Web API calls and response_url posts.
 */
import { randomBytes } from 'node:crypto';
import { afterEach } from 'vitest';
import type { MusterConfig } from '../../../src/config/schema.js';
import type { MusterEnv } from '../../../src/config/env.js';
import type { Logger } from '../../../src/logger.js';
import { startSlackBot, type RunningBot } from '../../../src/main.js';
import { testConfig } from '../fixture.js';
import { FAKE_SLACK, FakeSlack, type FakeSlackOptions, type RecordedCall } from './fake-slack.js';
import { fakeTriggerId, postInteraction, postSlashCommand, type SignedPostOptions, type SignedPostResult } from './signed.js';

export const SIGNING_SECRET = 'test-secret';

/** Everyone in the test config gets a Slack id: alice → UALICE (cara keeps UCARA). */
export const SLACK_ID: Record<string, string> = Object.fromEntries(
  ['alice', 'cara', 'cole', 'pete', 'pam', 'sam', 'sid', 'pia', 'pat', 'cody', 'cat', 'mona', 'dora'].map((id) => [id, `U${id.toUpperCase()}`]),
);

/** The primaries a P1 on checkout pages, by role. */
export const P1_PAGES: Record<string, string> = { commander: 'cara', tech: 'pete', ops: 'sam', product: 'pia', comms: 'cody' };

/** Channels that exist in the fake workspace before the bot starts. */
export const OPS_CHANNEL = 'COPS';
export const BROADCAST_CHANNEL = 'CINCIDENTS';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: object;
  message: string;
}

/** A Logger that keeps its lines, so a test can look at them (and a failure can print them). */
export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (fields: object, message: string) => {
    lines.push({ level, fields, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface StartOptions {
  fake?: FakeSlackOptions;
  /** Edits the raw test config after every person got a Slack id and channels.broadcast was set. */
  configure?: (raw: Record<string, unknown>) => void;
  /** Socket Mode (SLACK_APP_TOKEN, no signing secret) instead of HTTP. */
  socketMode?: boolean;
  /** Runs against the fake before the bot starts (pre-create channels, queue faults …). */
  before?: (fake: FakeSlack) => void;
  /** More environment (REDIS_URL for production mode). */
  env?: Partial<MusterEnv>;
  /** Another replica: run against this bot's fake workspace instead of a new one (it is closed with its own bot). */
  replicaOf?: SlackBotUnderTest;
}

export function slackConfig(configure: (raw: Record<string, unknown>) => void = () => {}): MusterConfig {
  return testConfig((raw) => {
    const people = raw.people as Record<string, { slack?: string }>;
    for (const [id, person] of Object.entries(people)) person.slack = SLACK_ID[id] ?? `U${id.toUpperCase()}`;
    raw.channels = { broadcast: BROADCAST_CHANNEL };
    configure(raw);
  });
}

export interface SlashOptions extends SignedPostOptions {
  user?: string;
  channel?: string;
  command?: string;
  triggerId?: string;
  /** The response_url's name in the fake; a fresh one by default. */
  responseName?: string;
  secret?: string;
}

export interface ClickOptions extends SignedPostOptions {
  responseName?: string;
  triggerId?: string;
  /** The button whose command (value) this is; default the first. */
  command?: string;
  url?: string; // the link button opening this URL (Slack still sends its click)
}

export class SlackBotUnderTest {
  private requests = 0;

  constructor(
    readonly fake: FakeSlack,
    readonly bot: RunningBot,
    readonly config: MusterConfig,
    readonly logger: Logger & { lines: LogLine[] },
    /** Stops this bot (a restart, or one replica going away); the cleanup after the test does it otherwise. */
    readonly stop: () => Promise<void> = () => bot.stop(),
  ) {}

  /** The Request URL (HTTP mode). */
  get url(): string {
    if (this.bot.port === undefined) throw new Error('the bot runs in Socket Mode: it has no HTTP port');
    return `http://127.0.0.1:${this.bot.port}/slack/events`;
  }

  nextName(prefix: string): string {
    this.requests += 1;
    return `${prefix}-${this.requests}`;
  }

  /** A signed slash command over HTTP; `responseName` names its response_url in the fake. */
  async slash(text: string, options: SlashOptions = {}): Promise<{ res: SignedPostResult; responseName: string; triggerId: string }> {
    const responseName = options.responseName ?? this.nextName('cmd');
    const triggerId = options.triggerId ?? fakeTriggerId();
    const [command = '/incident', ...rest] = text.startsWith('/') ? text.split(' ') : ['/incident', text];
    const res = await postSlashCommand(
      this.url,
      options.secret ?? SIGNING_SECRET,
      {
        command: options.command ?? command,
        text: options.command ? text : rest.join(' '),
        user_id: options.user ?? SLACK_ID.alice!,
        channel_id: options.channel ?? OPS_CHANNEL,
        response_url: this.fake.responseUrl(responseName),
        trigger_id: triggerId,
      },
      options,
    );
    return { res, responseName, triggerId };
  }

  /** Clicks the first button of a message the bot posted (a recorded chat.postMessage), as `user`. */
  async click(message: RecordedCall, user: string, options: ClickOptions = {}): Promise<{ res: SignedPostResult; responseName: string }> {
    const wanted = options.url ?? options.command;
    const button = wanted ? buttons(message).find((candidate) => (options.url ? candidate.url : candidate.value) === wanted) : firstButton(message);
    if (!button) throw new Error(`message has no button ${options.command ?? options.url ?? ''}: ${JSON.stringify(message.args)}`);
    const responseName = options.responseName ?? this.nextName('click');
    const channel = String(message.response?.channel ?? message.args.channel);
    const ts = String(message.response?.ts);
    const payload = {
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: FAKE_SLACK.teamId },
      api_app_id: FAKE_SLACK.appId,
      token: 'fake-verification-token',
      container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
      trigger_id: options.triggerId ?? fakeTriggerId(),
      team: { id: FAKE_SLACK.teamId, domain: FAKE_SLACK.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: channel, name: 'directmessage' },
      message: {
        type: 'message',
        user: FAKE_SLACK.botUserId,
        bot_id: FAKE_SLACK.botId,
        ts,
        text: message.args.text,
        blocks: message.args.blocks,
        team: FAKE_SLACK.teamId,
      },
      state: { values: {} },
      response_url: this.fake.responseUrl(responseName),
      actions: [
        {
          type: 'button',
          action_id: button.action_id,
          block_id: button.block_id,
          text: button.text,
          ...(button.value !== undefined ? { value: button.value } : {}),
          ...(button.url ? { url: button.url } : {}),
          ...(button.style ? { style: button.style } : {}),
          action_ts: `${Math.floor(Date.now() / 1000)}.${randomBytes(3).toString('hex')}`,
        },
      ],
    };
    const res = await postInteraction(this.url, SIGNING_SECRET, payload, options);
    return { res, responseName };
  }

  /** The DM channel the bot opened with a Slack user (from its conversations.open calls). */
  dmChannel(user: string): string | undefined {
    const opened = this.fake.successfulCallsTo('conversations.open').find((call) => call.args.users === user);
    return (opened?.response?.channel as { id?: string } | undefined)?.id;
  }

  /** Messages the bot posted (successfully) in its DM with a Slack user. */
  dmsTo(user: string): RecordedCall[] {
    const dm = this.dmChannel(user);
    return this.fake.successfulCallsTo('chat.postMessage').filter((call) => call.args.channel === user || (dm !== undefined && call.args.channel === dm));
  }

  /** Pages (DMs with an Acknowledge button) a Slack user got. */
  pagesTo(user: string): RecordedCall[] {
    return this.dmsTo(user).filter((call) => buttons(call).length > 0);
  }

  /** Waits until each person got a page by DM; returns them by person. */
  async waitForPages(people: string[], timeoutMs = 15_000): Promise<Record<string, RecordedCall>> {
    return this.fake.waitFor(
      () => {
        const pages: Record<string, RecordedCall> = {};
        for (const person of people) {
          const page = this.pagesTo(SLACK_ID[person]!)[0];
          if (!page) return undefined;
          pages[person] = page;
        }
        return pages;
      },
      timeoutMs,
      `a page by DM to each of ${people.join(', ')}`,
    );
  }

  /** Successful chat.postMessage calls into a channel. */
  postsIn(channel: string): RecordedCall[] {
    return this.fake.successfulCallsTo('chat.postMessage').filter((call) => call.args.channel === channel || call.response?.channel === channel);
  }

  /** The war room created for an incident (by exact channel name). */
  warRoom(name: string): string | undefined {
    const created = this.fake.successfulCallsTo('conversations.create').find((call) => call.args.name === name);
    return (created?.response?.channel as { id?: string } | undefined)?.id;
  }

  /** The board: the message pinned in `channel`. */
  pinnedBoard(channel: string): RecordedCall | undefined {
    const pin = this.fake.successfulCallsTo('pins.add').find((call) => call.args.channel === channel);
    if (!pin) return undefined;
    return this.postsIn(channel).find((call) => call.response?.ts === pin.args.timestamp);
  }

  /** Lines the bot logged at error level (a healthy run logs none). */
  errors(): LogLine[] {
    return this.logger.lines.filter((line) => line.level === 'error');
  }
}

export interface ButtonElement {
  type: 'button';
  action_id: string;
  block_id?: string;
  value: string;
  url?: string; // link buttons only (no value)
  text: { type: string; text: string };
  style?: string;
}

export function buttons(call: RecordedCall): ButtonElement[] {
  const blocks = (call.args.blocks ?? []) as Array<{ type?: string; block_id?: string; elements?: unknown[] }>;
  return blocks
    .filter((block) => block.type === 'actions')
    .flatMap((block, index) =>
      ((block.elements ?? []) as ButtonElement[])
        .filter((element) => element.type === 'button')
        .map((element) => ({ ...element, block_id: block.block_id ?? `actions-${index}` })),
    );
}

export function firstButton(call: RecordedCall): ButtonElement {
  const [button] = buttons(call);
  if (!button) throw new Error(`message has no button: ${JSON.stringify(call.args)}`);
  return button;
}

export interface TextObject {
  type: string;
  text: string;
  /** Where in the blocks it was found, for failure messages. */
  path: string;
}

/** Every Block Kit text object ({type:'plain_text'|'mrkdwn', text}) anywhere inside `value`. */
export function textObjects(value: unknown, path = 'blocks'): TextObject[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => textObjects(item, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const found: TextObject[] = [];
  if ((record.type === 'plain_text' || record.type === 'mrkdwn') && typeof record.text === 'string') {
    found.push({ type: record.type, text: record.text, path });
  }
  for (const [key, child] of Object.entries(record)) found.push(...textObjects(child, `${path}.${key}`));
  return found;
}

/** Every string anywhere inside `value`, with its path. */
export function strings(value: unknown, path = ''): Array<{ path: string; text: string }> {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => strings(item, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => strings(child, path ? `${path}.${key}` : key));
}

/**
 * Registers an afterEach that stops every bot (first) and closes every fake started through
 * the returned `start`, so no test leaks a listener or a Socket Mode client.
 */
export function slackBots(): (options?: StartOptions) => Promise<SlackBotUnderTest> {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    while (cleanups.length > 0) {
      const cleanup = cleanups.pop()!;
      await cleanup();
    }
  });
  return async (options: StartOptions = {}) => {
    const shared = options.replicaOf?.fake;
    const fake = shared ?? (await FakeSlack.start(options.fake));
    if (!shared) {
      cleanups.push(() => fake.close());
      fake.addChannel('ops', { id: OPS_CHANNEL, members: Object.values(SLACK_ID) });
      fake.addChannel('incidents', { id: BROADCAST_CHANNEL });
    }
    options.before?.(fake);
    const config = slackConfig(options.configure);
    const env: MusterEnv = {
      logLevel: 'warn',
      logLevelSet: true,
      redisPrefix: 'muster:',
      port: 0,
      slackBotToken: FAKE_SLACK.botToken,
      slackApiUrl: fake.apiUrl,
      ...(options.socketMode ? { slackAppToken: FAKE_SLACK.appToken } : { slackSigningSecret: SIGNING_SECRET }),
      ...options.env,
    };
    const logger = recordingLogger();
    const bot = await startSlackBot({ env, config, logger });
    let stopped: Promise<void> | undefined;
    const stop = () => (stopped ??= bot.stop());
    cleanups.push(stop);
    return new SlackBotUnderTest(fake, bot, config, logger, stop);
  };
}

// ---------------------------------------------------------------- the declare modal

export interface OpenedView {
  id: string;
  hash: string;
  callback_id: string;
  private_metadata: string;
  blocks: Array<{ type: string; block_id: string; optional?: boolean; label: { text: string }; element: Record<string, unknown> }>;
}

/** Types `/incident declare` alone and returns the modal Slack opened. */
export async function openDeclareModal(s: SlackBotUnderTest, user = SLACK_ID.alice!): Promise<{ view: OpenedView; triggerId: string; responseName: string }> {
  const { res, triggerId, responseName } = await s.slash('/incident declare', { user });
  if (res.status !== 200) throw new Error(`/incident declare answered HTTP ${res.status}`);
  const open = await s.fake.waitForCall('views.open', (call) => call.args.trigger_id === triggerId, 10_000);
  if (open.response?.ok !== true) throw new Error(`views.open failed: ${String(open.response?.error)}`);
  return { view: open.response?.view as OpenedView, triggerId, responseName };
}

export type ModalValue = string | null;

/** The view_submission Slack sends when the user presses Declare on the declare modal. */
export function viewSubmission(view: OpenedView, user: string, values: { title: ModalValue; sev: ModalValue; service: ModalValue; summary: ModalValue }) {
  const select = (value: ModalValue) => ({
    type: 'static_select',
    selected_option: value === null ? null : { text: { type: 'plain_text', text: value, emoji: true }, value },
  });
  const input = (value: ModalValue) => ({ type: 'plain_text_input', value });
  return {
    type: 'view_submission',
    team: { id: FAKE_SLACK.teamId, domain: FAKE_SLACK.teamDomain },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: FAKE_SLACK.teamId },
    api_app_id: FAKE_SLACK.appId,
    token: 'fake-verification-token',
    trigger_id: fakeTriggerId(),
    view: {
      id: view.id,
      team_id: FAKE_SLACK.teamId,
      type: 'modal',
      blocks: view.blocks,
      private_metadata: view.private_metadata,
      callback_id: view.callback_id,
      state: {
        values: {
          title: { value: input(values.title) },
          sev: { value: select(values.sev) },
          service: { value: select(values.service) },
          summary: { value: input(values.summary) },
        },
      },
      hash: view.hash,
      title: { type: 'plain_text', text: 'Declare an incident', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: { type: 'plain_text', text: 'Cancel', emoji: true },
      submit: { type: 'plain_text', text: 'Declare', emoji: true },
      previous_view_id: null,
      root_view_id: view.id,
      app_id: FAKE_SLACK.appId,
      external_id: '',
      app_installed_team_id: FAKE_SLACK.teamId,
      bot_id: FAKE_SLACK.botId,
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}
