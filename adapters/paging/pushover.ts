/**
 * Push through Pushover: one form POST to /1/messages.json. Pushover shows one
 * supplementary URL: the acknowledge link when there is one (it opens the
 * confirmation page), else the war room.
 * Wire format: https://pushover.net/api
 */
import type { PushoverConfig } from '../../src/config/paging.js';
import type { Translate } from '../../src/i18n/catalog.js';
import { ackLinkUrl, type ContactAddress, type PageNotification, type PagingReceipt } from '../../src/paging/port.js';
import { wordNotification } from '../../src/paging/wording.js';
import { field, postForReceipt } from './http.js';

export interface PushoverOptions {
  config: PushoverConfig;
  token: string;
  publicUrl?: string;
  t: Translate;
}

export function pushoverForm(options: PushoverOptions, address: Extract<ContactAddress, { kind: 'pushover' }>, n: PageNotification): URLSearchParams {
  const ackUrl = n.ackToken && options.publicUrl && !n.test ? ackLinkUrl(options.publicUrl, n.ackToken) : undefined;
  const words = wordNotification(options.t, n, { phoneAck: ackUrl !== undefined, method: 'Pushover' });
  const form = new URLSearchParams({ token: options.token, user: address.user, title: words.headline, message: words.body, priority: String(n.test ? 0 : options.config.priority) });
  if (address.device) form.set('device', address.device);
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

export async function sendPushover(options: PushoverOptions, address: Extract<ContactAddress, { kind: 'pushover' }>, n: PageNotification): Promise<PagingReceipt> {
  return postForReceipt({
    provider: 'pushover',
    kind: 'pushover',
    url: `${options.config.baseUrl}/1/messages.json`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: pushoverForm(options, address, n).toString(),
    timeoutMs: options.config.timeout,
    // status 1 and a request id: accepted; anything else carries errors.
    idOf: (json) => (field(json, 'status') === '1' ? field(json, 'request') : undefined),
    reasonOf: pushoverReason,
  });
}
