/**
 * The paging port over the configured providers: each contact kind goes to
 * its provider's adapter; a kind whose provider is off answers a
 * non-retryable failure that says which `paging:` block to add.
 * `providerPaging` builds it from muster.yaml and the environment (the
 * composition root calls it once at start). The Twilio and SMTP SDKs are
 * loaded only when their provider is on: together they are about 20 MB of
 * RSS and 100 ms of start-up that a chat-only or push-only bot never uses.
 */
import type { PagingConfig } from '../../src/config/paging.js';
import type { PagingEnv } from '../../src/config/paging-env.js';
import { translator, type Locale } from '../../src/i18n/catalog.js';
import { PROVIDER_OF, type ContactAddress, type PageNotification, type PagingPort, type PagingReceipt, type ProviderContactKind } from '../../src/paging/port.js';
import type { EmailOptions } from './email.js';
import { sendNtfy, type NtfyOptions } from './ntfy.js';
import { sendPagerDuty, type PagerDutyOptions } from './pagerduty.js';
import { sendPushover, type PushoverOptions } from './pushover.js';
import type { TwilioOptions } from './twilio.js';

type Send = (address: ContactAddress, n: PageNotification) => Promise<PagingReceipt>;
/** How each contact kind is sent; a kind with no entry has its provider off. */
export type ProviderSenders = Partial<Record<ProviderContactKind, Send>>;
type Address<K extends ContactAddress['kind']> = Extract<ContactAddress, { kind: K }>;

export const ntfySenders = (ntfy: NtfyOptions): ProviderSenders => ({ ntfy: (a, n) => sendNtfy(ntfy, a as Address<'ntfy'>, n) });
export const pushoverSenders = (pushover: PushoverOptions): ProviderSenders => ({ pushover: (a, n) => sendPushover(pushover, a as Address<'pushover'>, n) });
export const pagerdutySenders = (pagerduty: PagerDutyOptions): ProviderSenders => ({ pagerduty: (a, n) => sendPagerDuty(pagerduty, a as Address<'pagerduty'>, n) });

export async function twilioSenders(options: TwilioOptions): Promise<ProviderSenders> {
  const { sendSms, sendCall } = await import('./twilio.js');
  return { sms: (a, n) => sendSms(options, a as Address<'sms'>, n), voice: (a, n) => sendCall(options, a as Address<'voice'>, n) };
}

export async function emailSenders(options: EmailOptions): Promise<ProviderSenders> {
  const { sendEmail } = await import('./email.js');
  return { email: (a, n) => sendEmail(options, a as Address<'email'>, n) };
}

export class ProviderPaging implements PagingPort {
  constructor(private readonly table: ProviderSenders) {}

  async notify(address: ContactAddress, notification: PageNotification): Promise<PagingReceipt> {
    const send = this.table[address.kind];
    if (!send) {
      return { status: 'failed', provider: PROVIDER_OF[address.kind], kind: address.kind, retryable: false, reason: `no ${PROVIDER_OF[address.kind]} provider is configured (add paging.${PROVIDER_OF[address.kind]} to muster.yaml)` };
    }
    return send(address, notification);
  }

  available(): ProviderContactKind[] {
    return Object.keys(this.table) as ProviderContactKind[];
  }
}

/** The providers muster.yaml configures whose secrets are present (PagingEnv.enabled). */
export async function providerPaging(paging: PagingConfig, env: PagingEnv, locale: Locale): Promise<ProviderPaging> {
  const t = translator(locale);
  const on = new Set(env.enabled);
  const { publicUrl, secrets } = env;
  const common = { t, ...(publicUrl ? { publicUrl } : {}) };
  const table: ProviderSenders = {};
  if (paging.twilio && on.has('twilio') && secrets.twilioAuthToken) {
    const { twilioClient } = await import('./twilio.js');
    Object.assign(table, await twilioSenders({ ...common, locale, config: paging.twilio, client: twilioClient(paging.twilio, secrets.twilioAuthToken) }));
  }
  if (paging.ntfy && on.has('ntfy')) Object.assign(table, ntfySenders({ ...common, config: paging.ntfy, ...(secrets.ntfyToken ? { token: secrets.ntfyToken } : {}) }));
  if (paging.pushover && on.has('pushover') && secrets.pushoverToken) Object.assign(table, pushoverSenders({ ...common, config: paging.pushover, token: secrets.pushoverToken }));
  if (paging.pagerduty && on.has('pagerduty')) Object.assign(table, pagerdutySenders({ t, config: paging.pagerduty }));
  if (paging.email && on.has('email')) {
    const { smtpTransport } = await import('./email.js');
    const credentials = { ...(secrets.smtpUser ? { user: secrets.smtpUser } : {}), ...(secrets.smtpPassword ? { password: secrets.smtpPassword } : {}) };
    Object.assign(table, await emailSenders({ ...common, config: paging.email, transport: smtpTransport(paging.email, credentials) }));
  }
  return new ProviderPaging(table);
}
