/**
 * Email through an SMTP server, with nodemailer. SMTP's own rule decides
 * retries: a 4xx reply is temporary (try again), a 5xx permanent (a refused
 * address); a connection that fails or times out is temporary.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { EmailConfig } from '../../src/config/paging.js';
import type { Translate } from '../../src/i18n/catalog.js';
import { ackLinkUrl, type ContactAddress, type PageNotification, type PagingReceipt } from '../../src/paging/port.js';
import { wordNotification } from '../../src/paging/wording.js';

/** The production transport: host, port, TLS, credentials from the environment, every stage bounded by the timeout. */
export function smtpTransport(config: EmailConfig, credentials: { user?: string; password?: string }): Transporter {
  return nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    ...(credentials.user ? { auth: { user: credentials.user, pass: credentials.password ?? '' } } : {}),
    connectionTimeout: config.timeout,
    greetingTimeout: config.timeout,
    socketTimeout: config.timeout,
  });
}

export interface EmailOptions {
  transport: Pick<Transporter, 'sendMail'>;
  config: EmailConfig;
  publicUrl?: string;
  t: Translate;
}

function emailFailure(error: unknown): PagingReceipt {
  const smtp = error as { responseCode?: unknown; response?: unknown; code?: unknown; message?: unknown };
  if (typeof smtp.responseCode === 'number') {
    const reason = `SMTP ${smtp.responseCode}: ${String(smtp.response ?? smtp.message ?? '')}`.slice(0, 300);
    return { status: 'failed', provider: 'email', kind: 'email', retryable: smtp.responseCode < 500, code: smtp.responseCode, reason };
  }
  const reason = `${String(smtp.code ?? 'error')}: ${String(smtp.message ?? error)}`.slice(0, 300);
  return { status: 'failed', provider: 'email', kind: 'email', retryable: true, reason };
}

export async function sendEmail(options: EmailOptions, address: Extract<ContactAddress, { kind: 'email' }>, n: PageNotification): Promise<PagingReceipt> {
  const ackUrl = n.ackToken && options.publicUrl && !n.test ? ackLinkUrl(options.publicUrl, n.ackToken) : undefined;
  const words = wordNotification(options.t, n, { phoneAck: ackUrl !== undefined, method: 'email', ...(ackUrl ? { ackUrl } : {}) });
  try {
    const info = await options.transport.sendMail({
      from: options.config.from,
      to: address.address,
      subject: words.headline,
      text: words.email,
      headers: { 'X-Muster-Incident': n.incident, ...(n.drill ? { 'X-Muster-Drill': 'yes' } : {}) },
    });
    return { status: 'accepted', provider: 'email', kind: 'email', messageId: String(info.messageId) };
  } catch (error) {
    return emailFailure(error);
  }
}
