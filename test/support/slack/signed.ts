/**
 * Requests signed exactly as Slack signs what it sends to an app's Request URL:
 * `X-Slack-Signature: v0=HMAC_SHA256(signingSecret, "v0:" + timestamp + ":" + rawBody)` in hex, and
 * `X-Slack-Request-Timestamp: <unix seconds>`. Slash commands and interactions are sent as
 * `application/x-www-form-urlencoded` (exactly that content type, without a charset: Bolt's HTTPReceiver
 * compares it verbatim), Events API callbacks as JSON.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { FAKE_SLACK } from './fake-slack.js';

export const SLACK_USER_AGENT = 'Slackbot 1.0 (+https://api.slack.com/robots)';
/** The legacy verification token Slack still puts in every payload (Bolt ignores it). */
export const FAKE_VERIFICATION_TOKEN = 'fake-verification-token';

export function unixSeconds(date: number = Date.now()): number {
  return Math.floor(date / 1000);
}

/** `v0=<hex>` for a raw body. */
export function slackSignature(secret: string, body: string, timestamp: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, timestamp: number = unixSeconds()): Record<string, string> {
  return {
    'X-Slack-Signature': slackSignature(secret, body, timestamp),
    'X-Slack-Request-Timestamp': String(timestamp),
  };
}

/** A Slack-style trigger_id ("13345224609.738474920.8088930838d88f008e0"). */
export function fakeTriggerId(): string {
  return `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${randomBytes(16).toString('hex')}`;
}

export interface SlashCommandFields {
  command: string;
  text: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  channel_name?: string;
  team_id?: string;
  team_domain?: string;
  trigger_id?: string;
  response_url: string;
  token?: string;
  api_app_id?: string;
  enterprise_id?: string;
  enterprise_name?: string;
  is_enterprise_install?: boolean;
}

function defaultChannelName(channelId: string): string {
  if (channelId.startsWith('D')) return 'directmessage';
  if (channelId.startsWith('G')) return 'privategroup';
  return 'general';
}

/**
 * The fields of a slash command, in the order Slack sends them. Over HTTP they are form-encoded; in
 * Socket Mode the same object (all strings) is the `payload` of a `slash_commands` envelope.
 */
export function slashCommandPayload(fields: SlashCommandFields): Record<string, string> {
  const payload: Record<string, string> = {
    token: fields.token ?? FAKE_VERIFICATION_TOKEN,
    team_id: fields.team_id ?? FAKE_SLACK.teamId,
    team_domain: fields.team_domain ?? FAKE_SLACK.teamDomain,
  };
  if (fields.enterprise_id !== undefined) payload.enterprise_id = fields.enterprise_id;
  if (fields.enterprise_name !== undefined) payload.enterprise_name = fields.enterprise_name;
  Object.assign(payload, {
    channel_id: fields.channel_id,
    channel_name: fields.channel_name ?? defaultChannelName(fields.channel_id),
    user_id: fields.user_id,
    user_name: fields.user_name ?? fields.user_id.toLowerCase(),
    command: fields.command,
    text: fields.text,
    api_app_id: fields.api_app_id ?? FAKE_SLACK.appId,
    is_enterprise_install: String(fields.is_enterprise_install ?? false),
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? fakeTriggerId(),
  });
  return payload;
}

export interface SignedPostOptions {
  /** Sends `X-Slack-Retry-Num` (Bolt: `context.retryNum`) and `X-Slack-Retry-Reason` (default 'http_timeout'). */
  retryNum?: number;
  retryReason?: string;
  /** Unix seconds used both in the signature base string and the timestamp header. */
  timestamp?: number;
  /** Replaces the computed `X-Slack-Signature` value. */
  signatureOverride?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
}

export interface SignedPostResult {
  status: number;
  text: string;
  json?: unknown;
  headers: Headers;
}

/** POSTs a raw body signed with `secret`, with the headers Slack sends. */
export async function postSigned(endpointUrl: string, secret: string, body: string, contentType: string, options: SignedPostOptions = {}): Promise<SignedPostResult> {
  const timestamp = options.timestamp ?? unixSeconds();
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'User-Agent': SLACK_USER_AGENT,
    Accept: 'application/json,*/*',
    ...signedHeaders(secret, body, timestamp),
    ...options.headers,
  };
  if (options.signatureOverride !== undefined) headers['X-Slack-Signature'] = options.signatureOverride;
  if (options.retryNum !== undefined) {
    headers['X-Slack-Retry-Num'] = String(options.retryNum);
    headers['X-Slack-Retry-Reason'] = options.retryReason ?? 'http_timeout';
  }
  const response = await fetch(endpointUrl, { method: 'POST', headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, ...(json !== undefined ? { json } : {}), headers: response.headers };
}

/** Sends a slash command the way Slack does (signed, form-encoded). */
export function postSlashCommand(endpointUrl: string, secret: string, fields: SlashCommandFields, options: SignedPostOptions = {}): Promise<SignedPostResult> {
  const body = new URLSearchParams(slashCommandPayload(fields)).toString();
  return postSigned(endpointUrl, secret, body, 'application/x-www-form-urlencoded', options);
}

/** Sends an interactivity payload (block_actions, view_submission, shortcut …) as `payload=<json>`, signed. */
export function postInteraction(endpointUrl: string, secret: string, payload: object, options: SignedPostOptions = {}): Promise<SignedPostResult> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postSigned(endpointUrl, secret, body, 'application/x-www-form-urlencoded', options);
}

/** Sends an Events API callback (`{type:'event_callback', event, …}`) as JSON, signed. */
export function postEvent(endpointUrl: string, secret: string, body: object, options: SignedPostOptions = {}): Promise<SignedPostResult> {
  return postSigned(endpointUrl, secret, JSON.stringify(body), 'application/json', options);
}

/** Wraps an event in the Events API envelope Slack sends (`event_callback`). */
export function eventCallback(event: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    token: FAKE_VERIFICATION_TOKEN,
    team_id: FAKE_SLACK.teamId,
    api_app_id: FAKE_SLACK.appId,
    event: { event_ts: `${unixSeconds()}.000100`, ...event },
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: unixSeconds(),
    authorizations: [{ enterprise_id: null, team_id: FAKE_SLACK.teamId, user_id: FAKE_SLACK.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    ...overrides,
  };
}
