/**
 * The paging port over the configured providers: each contact kind goes to
 * its provider's adapter; a kind whose provider is off answers a
 * non-retryable failure that says which `paging:` block to add. Plain
 * notices (shift notices) go only to the push providers, ntfy and Pushover.
 * `providerPaging` builds it from muster.yaml and the environment (the
 * composition root calls it once at start). The Twilio and SMTP SDKs are
 * loaded only when their provider is on: together they are about 20 MB of
 * RSS and 100 ms of start-up that a chat-only or push-only bot never uses.
 */
import type { PagingConfig } from '../../src/config/paging.js';
import type { PagingEnv } from '../../src/config/paging-env.js';
import { translator, type Locale } from '../../src/i18n/catalog.js';
import { PROVIDER_OF, type ContactAddress, type NoticeAddress, type NoticeKind, type PageNotification, type PagingPort, type PagingReceipt, type PlainNotice, type ProviderContactKind } from '../../src/paging/port.js';
import type { EmailOptions } from './email.js';
import { sendNtfy, sendNtfyNotice, type NtfyOptions } from './ntfy.js';
import { sendPagerDuty, type PagerDutyOptions } from './pagerduty.js';
import { sendPushover, sendPushoverNotice, type PushoverOptions } from './pushover.js';
import type { TwilioOptions } from './twilio.js';

type Send = (address: ContactAddress, n: PageNotification) => Promise<PagingReceipt>;
type SendNotice = (address: NoticeAddress, notice: PlainNotice) => Promise<PagingReceipt>;
/** How each contact kind is sent; a kind with no entry has its provider off. */
export type ProviderSenders = Partial<Record<ProviderContactKind, Send>>;
/** How plain notices are pushed, per push kind (the same providers as their pages). */
export type NoticeSenders = Partial<Record<NoticeKind, SendNotice>>;
type Address<K extends ContactAddress['kind']> = Extract<ContactAddress, { kind: K }>;

export const ntfySenders = (ntfy: NtfyOptions): ProviderSenders => ({ ntfy: (a, n) => sendNtfy(ntfy, a as Address<'ntfy'>, n) });
export const pushoverSenders = (pushover: PushoverOptions): ProviderSenders => ({ pushover: (a, n) => sendPushover(pushover, a as Address<'pushover'>, n) });
export const ntfyNoticeSenders = (ntfy: NtfyOptions): NoticeSenders => ({ ntfy: (a, n) => sendNtfyNotice(ntfy, a as Address<'ntfy'>, n) });
export const pushoverNoticeSenders = (pushover: PushoverOptions): NoticeSenders => ({ pushover: (a, n) => sendPushoverNotice(pushover, a as Address<'pushover'>, n) });
export const pagerdutySenders = (pagerduty: PagerDutyOptions): ProviderSenders => ({ pagerduty: (a, n) => sendPagerDuty(pagerduty, a as Address<'pagerduty'>, n) });

/** Texts and calls; the Twilio SDK is loaded here, once, only for a bot with Twilio on. */
async function twilioSenders(config: TwilioOptions['config'], authToken: string, common: Omit<TwilioOptions, 'config' | 'client' | 'locale'>, locale: Locale): Promise<ProviderSenders> {
  const { sendSms, sendCall, twilioClient } = await import('./twilio.js');
  const options: TwilioOptions = { ...common, locale, config, client: twilioClient(config, authToken) };
  return { sms: (a, n) => sendSms(options, a as Address<'sms'>, n), voice: (a, n) => sendCall(options, a as Address<'voice'>, n) };
}

/** Email; nodemailer is loaded here, once, only for a bot with SMTP on. */
async function emailSenders(config: EmailOptions['config'], credentials: { user?: string; password?: string }, common: Omit<EmailOptions, 'config' | 'transport'>): Promise<ProviderSenders> {
  const { sendEmail, smtpTransport } = await import('./email.js');
  const options: EmailOptions = { ...common, config, transport: smtpTransport(config, credentials) };
  return { email: (a, n) => sendEmail(options, a as Address<'email'>, n) };
}

const providerOff = (kind: ProviderContactKind): PagingReceipt => ({
  status: 'failed', provider: PROVIDER_OF[kind], kind, retryable: false, reason: `no ${PROVIDER_OF[kind]} provider is configured (add paging.${PROVIDER_OF[kind]} to muster.yaml)`,
});

export class ProviderPaging implements PagingPort {
  constructor(
    private readonly table: ProviderSenders,
    private readonly notices: NoticeSenders = {},
  ) {}

  async notify(address: ContactAddress, notification: PageNotification): Promise<PagingReceipt> {
    const send = this.table[address.kind];
    return send ? send(address, notification) : providerOff(address.kind);
  }

  async notice(address: NoticeAddress, notice: PlainNotice): Promise<PagingReceipt> {
    const send = this.notices[address.kind];
    return send ? send(address, notice) : providerOff(address.kind);
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
  const notices: NoticeSenders = {};
  if (paging.twilio && on.has('twilio') && secrets.twilioAuthToken) Object.assign(table, await twilioSenders(paging.twilio, secrets.twilioAuthToken, common, locale));
  if (paging.ntfy && on.has('ntfy')) {
    const ntfy = { ...common, config: paging.ntfy, ...(secrets.ntfyToken ? { token: secrets.ntfyToken } : {}) };
    Object.assign(table, ntfySenders(ntfy));
    Object.assign(notices, ntfyNoticeSenders(ntfy));
  }
  if (paging.pushover && on.has('pushover') && secrets.pushoverToken) {
    const pushover = { ...common, config: paging.pushover, token: secrets.pushoverToken };
    Object.assign(table, pushoverSenders(pushover));
    Object.assign(notices, pushoverNoticeSenders(pushover));
  }
  if (paging.pagerduty && on.has('pagerduty')) Object.assign(table, pagerdutySenders({ t, config: paging.pagerduty }));
  if (paging.email && on.has('email')) {
    const credentials = { ...(secrets.smtpUser ? { user: secrets.smtpUser } : {}), ...(secrets.smtpPassword ? { password: secrets.smtpPassword } : {}) };
    Object.assign(table, await emailSenders(paging.email, credentials, common));
  }
  return new ProviderPaging(table, notices);
}
