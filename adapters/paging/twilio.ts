/**
 * SMS and voice calls through Twilio, with the `twilio` package: Messages API
 * for texts, Calls API with inline TwiML for calls. A call reads the incident
 * and role ("This is a drill" first in a drill) and, when the bot can be
 * reached (MUSTER_PUBLIC_URL and an ack token), gathers one digit: 1 acks
 * through the signed Gather callback. Status callbacks report delivery.
 *
 * The client is injected (twilioClient builds the production one); its base
 * URL is configurable so tests point it at a local fake of the REST API.
 */
import twilio from 'twilio';
import type { TwilioConfig } from '../../src/config/paging.js';
import type { Translate } from '../../src/i18n/catalog.js';
import type { Locale } from '../../src/i18n/catalog.js';
import { gatherUrl, PAGING_ROUTES, type ContactAddress, type PageNotification, type PagingReceipt } from '../../src/paging/port.js';
import { wordNotification } from '../../src/paging/wording.js';
import { isRetryableStatus } from './http.js';

const TWILIO_API = 'https://api.twilio.com';

/** The one part of the Twilio client the adapter uses. */
export interface TwilioRest {
  messages: { create(params: { to: string; from: string; body: string; statusCallback?: string }): Promise<{ sid: string }> };
  calls: {
    create(params: { to: string; from: string; twiml: string; timeout: number; statusCallback?: string; statusCallbackEvent?: string[] }): Promise<{ sid: string }>;
  };
}

/**
 * twilio's own HTTP client, sending what it would send to api.twilio.com to
 * `baseUrl` instead (a regional proxy, or a test's fake). Retries are the
 * muster's (inside the page's fence), never the client's.
 */
function requestClient(baseUrl: string, timeoutMs: number): twilio.RequestClient {
  const client = new twilio.RequestClient({ timeout: timeoutMs, autoRetry: false });
  if (baseUrl === TWILIO_API) return client;
  const send = client.request.bind(client);
  client.request = ((opts: Parameters<typeof send>[0]) =>
    send({ ...opts, uri: opts.uri.startsWith(TWILIO_API) ? `${baseUrl}${opts.uri.slice(TWILIO_API.length)}` : opts.uri })) as typeof client.request;
  return client;
}

/** The production client: the account's SID and token, the configured base URL and timeout. */
export function twilioClient(config: TwilioConfig, authToken: string): TwilioRest {
  return twilio(config.accountSid, authToken, { httpClient: requestClient(config.baseUrl, config.timeout), timeout: config.timeout, autoRetry: false });
}

export interface TwilioOptions {
  client: TwilioRest;
  config: TwilioConfig;
  publicUrl?: string;
  t: Translate;
  locale: Locale;
  /** Seconds a call rings before it counts as not answered. */
  ringSeconds?: number;
}

const SAY_LANGUAGE: Record<Locale, string> = { en: 'en-US', 'zh-CN': 'cmn-CN' };

/**
 * The call's TwiML. With a keypress callback: the script inside a one-digit
 * Gather, said twice, then a goodbye if no key came. Without: the script,
 * said twice, telling the person to acknowledge in chat.
 */
export function callTwiml(options: Pick<TwilioOptions, 't' | 'locale' | 'publicUrl'>, n: PageNotification): string {
  const action = n.ackToken && options.publicUrl && !n.test ? gatherUrl(options.publicUrl, n.ackToken) : undefined;
  const lines = wordNotification(options.t, n, { phoneAck: action !== undefined, method: 'voice' }).voice;
  const language = SAY_LANGUAGE[options.locale] as 'en-US';
  const response = new twilio.twiml.VoiceResponse();
  if (!action) {
    for (const line of [...lines, ...(n.test ? [] : lines)]) response.say({ language }, line);
    return response.toString();
  }
  const gather = response.gather({ numDigits: 1, action, method: 'POST', timeout: 8, actionOnEmptyResult: false });
  for (const line of [...lines, ...lines]) gather.say({ language }, line);
  response.say({ language }, options.t('paging.voice.noInput'));
  return response.toString();
}

/** Twilio's errors, as a receipt: RestException carries the HTTP status and Twilio's error code. */
export function twilioFailure(kind: 'sms' | 'voice', error: unknown, timeoutMs: number): PagingReceipt {
  const base = { status: 'failed', provider: 'twilio', kind } as const;
  const rest = error as { status?: unknown; code?: unknown; message?: unknown };
  if (typeof rest.status === 'number') {
    const reason = `HTTP ${rest.status}${rest.code ? ` (Twilio ${String(rest.code)})` : ''}: ${String(rest.message ?? '')}`.slice(0, 300);
    return { ...base, retryable: isRetryableStatus(rest.status), code: rest.status, reason };
  }
  const code = typeof rest.code === 'string' ? rest.code : undefined;
  const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(String(rest.message ?? ''));
  return { ...base, retryable: true, reason: timedOut ? `no answer within ${timeoutMs} ms` : `network error: ${code ?? String(rest.message ?? error)}` };
}

const statusCallback = (publicUrl: string | undefined) => (publicUrl ? { statusCallback: `${publicUrl}${PAGING_ROUTES.twilioStatus}` } : {});

export async function sendSms(options: TwilioOptions, address: Extract<ContactAddress, { kind: 'sms' }>, n: PageNotification): Promise<PagingReceipt> {
  const words = wordNotification(options.t, n, { phoneAck: options.publicUrl !== undefined && !n.test, method: 'SMS' });
  try {
    const message = await options.client.messages.create({ to: address.phone, from: options.config.from, body: words.sms, ...statusCallback(options.publicUrl) });
    return { status: 'accepted', provider: 'twilio', kind: 'sms', messageId: message.sid };
  } catch (error) {
    return twilioFailure('sms', error, options.config.timeout);
  }
}

export async function sendCall(options: TwilioOptions, address: Extract<ContactAddress, { kind: 'voice' }>, n: PageNotification): Promise<PagingReceipt> {
  const events = options.publicUrl ? { statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] } : {};
  try {
    const call = await options.client.calls.create({
      to: address.phone,
      from: options.config.from,
      twiml: callTwiml(options, n),
      timeout: options.ringSeconds ?? 30,
      ...statusCallback(options.publicUrl),
      ...events,
    });
    return { status: 'accepted', provider: 'twilio', kind: 'voice', messageId: call.sid };
  } catch (error) {
    return twilioFailure('voice', error, options.config.timeout);
  }
}
