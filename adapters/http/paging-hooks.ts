/**
 * Where providers and people reach the bot about pages (under
 * MUSTER_PUBLIC_URL, on the bot's one HTTP server): one-tap acknowledge links,
 * Twilio status callbacks, inbound SMS and the keypress of a call, and
 * PagerDuty v3 webhooks. Every provider request is verified before anything
 * is read from it (Twilio's X-Twilio-Signature over the public URL and the
 * form; PagerDuty's X-PagerDuty-Signature over the raw body). Refusals
 * change nothing and are logged at warn, without the token.
 *
 * Register inside a plugin (like the monitoring hooks): the form and buffer
 * parsers are meant for these routes only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Twilio from 'twilio';
import type { Translate } from '../../src/i18n/catalog.js';
import type { Locale } from '../../src/i18n/catalog.js';
import {
  handlePagerDutyEvent,
  handleSmsReply,
  handleTwilioStatus,
  redeemAckToken,
  type InboundAnswer,
  type InboundPaging,
} from '../../src/paging/inbound.js';
import { PAGING_ROUTES } from '../../src/paging/port.js';
import { escapeHtml } from './html.js';

export interface PagingRoutesOptions {
  inbound: InboundPaging;
  /** MUSTER_PUBLIC_URL: Twilio signs the URL it called, so verification needs it. */
  publicUrl?: string;
  /** Present when Twilio is on (twilioHooks): without it the Twilio routes refuse every request. */
  twilio?: TwilioHooks;
  pagerdutyWebhookSecret?: string;
  t: Translate;
  locale: Locale;
}

/** The account's auth token and the SDK's signature check and TwiML builders. */
export interface TwilioHooks {
  authToken: string;
  sdk: typeof Twilio;
}

/** Loads the Twilio SDK (about 10 MB, so only a bot with Twilio on pays for it). */
export async function twilioHooks(authToken: string): Promise<TwilioHooks> {
  return { authToken, sdk: (await import('twilio')).default };
}

const SAY_LANGUAGE: Record<Locale, 'en-US'> = { en: 'en-US', 'zh-CN': 'cmn-CN' as 'en-US' };

function form(request: FastifyRequest): Record<string, string> {
  const body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
  return Object.fromEntries(new URLSearchParams(body));
}

/** Twilio's signature check over the URL as Twilio called it (the public URL and path with query). */
function twilioVerified(request: FastifyRequest, options: PagingRoutesOptions, params: Record<string, string>): boolean {
  const signature = request.headers['x-twilio-signature'];
  if (!options.publicUrl || !options.twilio || typeof signature !== 'string') return false;
  return options.twilio.sdk.validateRequest(options.twilio.authToken, signature, `${options.publicUrl}${request.url}`, params);
}

/** PagerDuty v3: one or more `v1=<hex HMAC-SHA256 of the raw body>`, comma separated; any match passes. */
export function pagerdutyVerified(header: unknown, body: Buffer, secret: string | undefined): boolean {
  if (!secret || typeof header !== 'string') return false;
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(body).digest('hex')}`);
  return header.split(',').some((part) => {
    const given = Buffer.from(part.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function refuse(reply: FastifyReply, options: PagingRoutesOptions, what: string, request: FastifyRequest) {
  options.inbound.logger.warn({ route: request.routeOptions.url, ip: request.ip }, `${what} refused: bad or missing signature`);
  return reply.code(403).send({ error: 'signature did not verify' });
}

const twimlMessage = (sdk: typeof Twilio, text: string) => {
  const response = new sdk.twiml.MessagingResponse();
  response.message(text);
  return response.toString();
};

function twimlSay(sdk: typeof Twilio, options: PagingRoutesOptions, text: string): string {
  const response = new sdk.twiml.VoiceResponse();
  response.say({ language: SAY_LANGUAGE[options.locale] }, text);
  return response.toString();
}

function page(options: PagingRoutesOptions, title: string, inner: string): string {
  return `<!doctype html><html lang="${options.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${inner}</body></html>`;
}

const answerText = (options: PagingRoutesOptions, answer: InboundAnswer) => options.t(answer.key, answer.params);

function registerAckLink(app: FastifyInstance, options: PagingRoutesOptions): void {
  // GET only shows the confirmation: mail scanners and link previews open links, and must not ack.
  app.get(PAGING_ROUTES.ackLink, async (request, reply) => {
    const token = (request.query as { t?: string }).t ?? '';
    const check = options.inbound.tokens?.inspect(token);
    reply.header('content-type', 'text/html; charset=utf-8');
    if (!check?.ok) {
      options.inbound.logger.warn({ reason: check ? check.reason : 'off' }, 'acknowledge link refused');
      const key = !check ? 'paging.inbound.off' : check.reason === 'expired' ? 'paging.inbound.expired' : 'paging.inbound.invalid';
      return reply.code(check ? 410 : 404).send(page(options, options.t('paging.link.title'), `<p>${escapeHtml(options.t(key))}</p>`));
    }
    const confirm = options.t('paging.link.confirm', { incident: check.claims.incident, roles: check.claims.roles.map((r) => r.role).join(', ') });
    const button = `<form method="post"><button type="submit">${escapeHtml(options.t('paging.link.button'))}</button></form>`;
    return reply.code(200).send(page(options, options.t('paging.link.title'), `<p>${escapeHtml(confirm)}</p>${button}`));
  });
  app.post(PAGING_ROUTES.ackLink, async (request, reply) => {
    const token = (request.query as { t?: string }).t ?? '';
    const answer = await redeemAckToken(options.inbound, token, 'link');
    const status = answer.outcome === 'refused' ? 410 : 200;
    if ((request.headers.accept ?? '').includes('text/html')) {
      return reply.code(status).header('content-type', 'text/html; charset=utf-8').send(page(options, options.t('paging.link.title'), `<p>${escapeHtml(answerText(options, answer))}</p>`));
    }
    return reply.code(status).send({ outcome: answer.outcome, message: answerText(options, answer) });
  });
}

function registerTwilio(app: FastifyInstance, options: PagingRoutesOptions): void {
  app.post(PAGING_ROUTES.twilioStatus, async (request, reply) => {
    const params = form(request);
    if (!twilioVerified(request, options, params)) return refuse(reply, options, 'Twilio status callback', request);
    const sid = params.CallSid ?? params.MessageSid;
    const status = params.CallStatus ?? params.MessageStatus;
    if (sid && status) {
      await handleTwilioStatus(options.inbound, { sid, status, kind: params.CallSid ? 'voice' : 'sms', ...(params.ErrorCode ? { errorCode: params.ErrorCode } : {}) });
    }
    return reply.code(204).send();
  });
  app.post(PAGING_ROUTES.twilioSms, async (request, reply) => {
    const params = form(request);
    if (!twilioVerified(request, options, params)) return refuse(reply, options, 'inbound SMS', request);
    const answer = await handleSmsReply(options.inbound, { from: params.From ?? '', body: params.Body ?? '', messageId: params.MessageSid ?? '' });
    return reply.code(200).header('content-type', 'text/xml').send(twimlMessage(options.twilio!.sdk, answerText(options, answer)));
  });
  app.post(PAGING_ROUTES.twilioGather, async (request, reply) => {
    const params = form(request);
    if (!twilioVerified(request, options, params)) return refuse(reply, options, 'call keypress', request);
    const token = (request.query as { t?: string }).t ?? '';
    const answer: InboundAnswer = params.Digits === '1' ? await redeemAckToken(options.inbound, token, 'voice') : { outcome: 'none', key: 'paging.voice.noInput' };
    return reply.code(200).header('content-type', 'text/xml').send(twimlSay(options.twilio!.sdk, options, answerText(options, answer)));
  });
}

function registerPagerDuty(app: FastifyInstance, options: PagingRoutesOptions): void {
  app.post(PAGING_ROUTES.pagerduty, async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (!pagerdutyVerified(request.headers['x-pagerduty-signature'], body, options.pagerdutyWebhookSecret)) return refuse(reply, options, 'PagerDuty webhook', request);
    let event: { id?: unknown; event_type?: unknown; data?: { incident_key?: unknown } } | undefined;
    try {
      event = (JSON.parse(body.toString('utf8')) as { event?: typeof event }).event;
    } catch {
      return reply.code(400).send({ error: 'malformed JSON' });
    }
    if (!event || typeof event.id !== 'string' || typeof event.event_type !== 'string') return reply.code(400).send({ error: 'expected a v3 webhook { event: { id, event_type, data } }' });
    const incidentKey = typeof event.data?.incident_key === 'string' ? event.data.incident_key : undefined;
    const answer = await handlePagerDutyEvent(options.inbound, { id: event.id, type: event.event_type, ...(incidentKey ? { incidentKey } : {}) });
    return reply.code(200).send({ outcome: answer.outcome });
  });
}

/** The paging routes on an app of the caller's; see the module comment. */
export function registerPagingRoutes(app: FastifyInstance, options: PagingRoutesOptions): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 65_536 }, (_request, body, done) => done(null, body));
  registerAckLink(app, options);
  registerTwilio(app, options);
  registerPagerDuty(app, options);
}
