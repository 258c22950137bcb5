/**
 * The paging port over the configured providers: each contact kind goes to
 * its provider's adapter; a kind whose provider is off answers a
 * non-retryable failure that says which `paging:` block to add.
 * `providerPaging` builds it from muster.yaml and the environment (the
 * composition root calls it once at start).
 */
import type { PagingConfig } from '../../src/config/paging.js';
import type { PagingEnv } from '../../src/config/paging-env.js';
import { translator, type Locale } from '../../src/i18n/catalog.js';
import { PROVIDER_OF, type ContactAddress, type PageNotification, type PagingPort, type PagingReceipt, type ProviderContactKind } from '../../src/paging/port.js';
import { sendEmail, smtpTransport, type EmailOptions } from './email.js';
import { sendNtfy, type NtfyOptions } from './ntfy.js';
import { sendPagerDuty, type PagerDutyOptions } from './pagerduty.js';
import { sendPushover, type PushoverOptions } from './pushover.js';
import { sendCall, sendSms, twilioClient, type TwilioOptions } from './twilio.js';

export interface ProviderAdapters {
  twilio?: TwilioOptions;
  ntfy?: NtfyOptions;
  pushover?: PushoverOptions;
  pagerduty?: PagerDutyOptions;
  email?: EmailOptions;
}

type Send = (address: ContactAddress, n: PageNotification) => Promise<PagingReceipt>;

function senders(adapters: ProviderAdapters): Partial<Record<ProviderContactKind, Send>> {
  const { twilio, ntfy, pushover, pagerduty, email } = adapters;
  return {
    ...(twilio ? { sms: (a, n) => sendSms(twilio, a as Extract<ContactAddress, { kind: 'sms' }>, n), voice: (a, n) => sendCall(twilio, a as Extract<ContactAddress, { kind: 'voice' }>, n) } : {}),
    ...(ntfy ? { ntfy: (a, n) => sendNtfy(ntfy, a as Extract<ContactAddress, { kind: 'ntfy' }>, n) } : {}),
    ...(pushover ? { pushover: (a, n) => sendPushover(pushover, a as Extract<ContactAddress, { kind: 'pushover' }>, n) } : {}),
    ...(pagerduty ? { pagerduty: (a, n) => sendPagerDuty(pagerduty, a as Extract<ContactAddress, { kind: 'pagerduty' }>, n) } : {}),
    ...(email ? { email: (a, n) => sendEmail(email, a as Extract<ContactAddress, { kind: 'email' }>, n) } : {}),
  } satisfies Partial<Record<ProviderContactKind, Send>>;
}

export class ProviderPaging implements PagingPort {
  private readonly table: Partial<Record<ProviderContactKind, Send>>;

  constructor(adapters: ProviderAdapters) {
    this.table = senders(adapters);
  }

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
export function providerPaging(paging: PagingConfig, env: PagingEnv, locale: Locale): ProviderPaging {
  const t = translator(locale);
  const on = new Set(env.enabled);
  const { publicUrl, secrets } = env;
  const common = { t, ...(publicUrl ? { publicUrl } : {}) };
  const adapters: ProviderAdapters = {};
  if (paging.twilio && on.has('twilio') && secrets.twilioAuthToken) {
    adapters.twilio = { ...common, locale, config: paging.twilio, client: twilioClient(paging.twilio, secrets.twilioAuthToken) };
  }
  if (paging.ntfy && on.has('ntfy')) adapters.ntfy = { ...common, config: paging.ntfy, ...(secrets.ntfyToken ? { token: secrets.ntfyToken } : {}) };
  if (paging.pushover && on.has('pushover') && secrets.pushoverToken) adapters.pushover = { ...common, config: paging.pushover, token: secrets.pushoverToken };
  if (paging.pagerduty && on.has('pagerduty')) adapters.pagerduty = { t, config: paging.pagerduty };
  if (paging.email && on.has('email')) {
    const credentials = { ...(secrets.smtpUser ? { user: secrets.smtpUser } : {}), ...(secrets.smtpPassword ? { password: secrets.smtpPassword } : {}) };
    adapters.email = { ...common, config: paging.email, transport: smtpTransport(paging.email, credentials) };
  }
  return new ProviderPaging(adapters);
}
