/**
 * Push through ntfy (self-hostable): one JSON POST to the server's root with
 * the person's topic. The acknowledge link is an `http` action button that
 * POSTs from the lock screen; the war room link a `view` action. A plain
 * notice (a shift starting) has no action and the default priority (3).
 * Wire format: https://docs.ntfy.sh/publish/#publish-as-json
 */
import type { NtfyConfig } from '../../src/config/paging.js';
import type { Translate } from '../../src/i18n/catalog.js';
import { ackLinkUrl, type ContactAddress, type PageNotification, type PagingReceipt, type PlainNotice } from '../../src/paging/port.js';
import { wordNotice, wordNotification } from '../../src/paging/wording.js';
import { field, postForReceipt } from './http.js';

export interface NtfyOptions {
  config: NtfyConfig;
  token?: string;
  publicUrl?: string;
  t: Translate;
}

export function ntfyBody(options: NtfyOptions, topic: string, n: PageNotification): Record<string, unknown> {
  const ackUrl = n.ackToken && options.publicUrl ? ackLinkUrl(options.publicUrl, n.ackToken) : undefined;
  const words = wordNotification(options.t, n, { phoneAck: ackUrl !== undefined, method: 'ntfy' });
  const actions: Array<Record<string, unknown>> = [];
  if (ackUrl && !n.test) actions.push({ action: 'http', label: options.t('paging.push.ack'), url: ackUrl, method: 'POST', clear: true });
  if (n.room.url && !n.test) actions.push({ action: 'view', label: options.t('paging.push.openRoom'), url: n.room.url });
  return {
    topic,
    title: words.headline,
    message: words.body,
    priority: n.test ? 3 : options.config.priority,
    tags: n.drill || n.test ? ['rotating_light', 'test_tube'] : ['rotating_light'],
    ...(n.room.url && !n.test ? { click: n.room.url } : {}),
    ...(actions.length > 0 ? { actions } : {}),
  };
}

/** ntfy's default priority: a notice shows without buzzing like a page. */
const NOTICE_PRIORITY = 3;

export function ntfyNoticeBody(options: Pick<NtfyOptions, 't'>, topic: string, notice: PlainNotice): Record<string, unknown> {
  const words = wordNotice(options.t, notice);
  return { topic, title: words.headline, message: words.body, priority: NOTICE_PRIORITY, tags: ['calendar'] };
}

type NtfyAddress = Extract<ContactAddress, { kind: 'ntfy' }>;

export async function sendNtfy(options: NtfyOptions, address: NtfyAddress, n: PageNotification): Promise<PagingReceipt> {
  return publish(options, ntfyBody(options, address.topic, n));
}

export async function sendNtfyNotice(options: NtfyOptions, address: NtfyAddress, notice: PlainNotice): Promise<PagingReceipt> {
  return publish(options, ntfyNoticeBody(options, address.topic, notice));
}

function publish(options: NtfyOptions, body: Record<string, unknown>): Promise<PagingReceipt> {
  return postForReceipt({
    provider: 'ntfy',
    kind: 'ntfy',
    url: `${options.config.baseUrl}/`,
    headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: JSON.stringify(body),
    timeoutMs: options.config.timeout,
    idOf: (json) => field(json, 'id'),
    reasonOf: (json) => field(json, 'error'),
  });
}
