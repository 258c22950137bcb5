/**
 * Push through Pushover: one form POST to /1/messages.json. Pushover shows one
 * supplementary URL: the acknowledge link when there is one (it opens the
 * confirmation page), else the war room. A plain notice (a shift starting)
 * goes at normal priority (0) with no URL.
 * Wire format: https://pushover.net/api
 */
import type { PushoverConfig } from '../../src/config/paging.js';
import type { Translate } from '../../src/i18n/catalog.js';
import { ackLinkUrl, type ContactAddress, type PageNotification, type PagingReceipt, type PlainNotice } from '../../src/paging/port.js';
import { wordNotice, wordNotification } from '../../src/paging/wording.js';
import { field, postForReceipt } from './http.js';

export interface PushoverOptions {
  config: PushoverConfig;
  token: string;
  publicUrl?: string;
  t: Translate;
}

type PushoverAddress = Extract<ContactAddress, { kind: 'pushover' }>;

/** Pushover's normal priority: a notice respects the person's quiet hours (1 and up bypass them, as a page may). */
const NOTICE_PRIORITY = 0;

function baseForm(options: PushoverOptions, address: PushoverAddress, words: { headline: string; body: string }, priority: number): URLSearchParams {
  const form = new URLSearchParams({ token: options.token, user: address.user, title: words.headline, message: words.body, priority: String(priority) });
  if (address.device) form.set('device', address.device);
  return form;
}

export function pushoverNoticeForm(options: PushoverOptions, address: PushoverAddress, notice: PlainNotice): URLSearchParams {
  return baseForm(options, address, wordNotice(options.t, notice), NOTICE_PRIORITY);
}

export function pushoverForm(options: PushoverOptions, address: PushoverAddress, n: PageNotification): URLSearchParams {
  const ackUrl = n.ackToken && options.publicUrl && !n.test ? ackLinkUrl(options.publicUrl, n.ackToken) : undefined;
  const words = wordNotification(options.t, n, { phoneAck: ackUrl !== undefined, method: 'Pushover' });
  const form = baseForm(options, address, words, n.test ? NOTICE_PRIORITY : options.config.priority);
  if (ackUrl) {
    form.set('url', ackUrl);
    form.set('url_title', options.t('paging.push.ack'));
  } else if (n.room.url && !n.test) {
    form.set('url', n.room.url);
    form.set('url_title', options.t('paging.push.openRoom'));
  }
  return form;
}

function pushoverReason(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const errors = (json as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errors.map(String).join('; ') : undefined;
}

export async function sendPushover(options: PushoverOptions, address: PushoverAddress, n: PageNotification): Promise<PagingReceipt> {
  return post(options, pushoverForm(options, address, n));
}

export async function sendPushoverNotice(options: PushoverOptions, address: PushoverAddress, notice: PlainNotice): Promise<PagingReceipt> {
  return post(options, pushoverNoticeForm(options, address, notice));
}

function post(options: PushoverOptions, form: URLSearchParams): Promise<PagingReceipt> {
  return postForReceipt({
    provider: 'pushover',
    kind: 'pushover',
    url: `${options.config.baseUrl}/1/messages.json`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    timeoutMs: options.config.timeout,
    // status 1 and a request id: accepted; anything else carries errors.
    idOf: (json) => (field(json, 'status') === '1' ? field(json, 'request') : undefined),
    reasonOf: pushoverReason,
  });
}
