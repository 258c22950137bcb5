import type { PagingConfig } from './paging.js';
import type { ConfigProblem } from './problems.js';

/**
 * The paging secrets and MUSTER_PUBLIC_URL, read from the environment once at
 * start (never from muster.yaml, never inside an adapter). A provider whose
 * secret is missing is reported and left off; the others still page. The
 * values never leave this object and reach no log line.
 */
export interface PagingSecrets {
  twilioAuthToken?: string;
  ntfyToken?: string;
  pushoverToken?: string;
  smtpUser?: string;
  smtpPassword?: string;
  pagerdutyWebhookSecret?: string;
  /** HMAC key of the one-tap acknowledge links (at least 32 characters). */
  ackLinkKey?: string;
}

export interface PagingEnv {
  /** Where providers reach the bot's callback routes, without a trailing "/"; unset: acknowledging from the phone is off. */
  publicUrl?: string;
  secrets: PagingSecrets;
  /** Providers configured in muster.yaml whose secret is present. */
  enabled: Array<'twilio' | 'ntfy' | 'pushover' | 'pagerduty' | 'email'>;
  problems: ConfigProblem[];
}

type Env = Readonly<Record<string, string | undefined>>;

const read = (env: Env, name: string | undefined) => (name ? env[name]?.trim() || undefined : undefined);

function missing(variable: string, message: string): ConfigProblem {
  return { file: 'environment', path: variable, message, hint: `set ${variable}` };
}

/** MUSTER_PUBLIC_URL: an http(s) URL; a bad one is a problem, not silently ignored. */
export function publicUrlOf(env: Env, problems: ConfigProblem[]): string | undefined {
  const value = read(env, 'MUSTER_PUBLIC_URL');
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
  } catch {
    // fall through to the problem below
  }
  problems.push({ file: 'environment', path: 'MUSTER_PUBLIC_URL', message: 'invalid value', hint: 'write the URL providers reach the bot at, like https://muster.example.com' });
  return undefined;
}

export function pagingEnv(paging: PagingConfig, env: Env = process.env): PagingEnv {
  const problems: ConfigProblem[] = [];
  const secrets: PagingSecrets = {};
  const enabled: PagingEnv['enabled'] = [];
  const publicUrl = publicUrlOf(env, problems);
  if (paging.twilio) {
    secrets.twilioAuthToken = read(env, paging.twilio.authTokenEnv);
    if (secrets.twilioAuthToken) enabled.push('twilio');
    else problems.push(missing(paging.twilio.authTokenEnv, 'Twilio (sms, voice) needs its auth token'));
  }
  if (paging.ntfy) {
    secrets.ntfyToken = read(env, paging.ntfy.tokenEnv);
    if (paging.ntfy.tokenEnv && !secrets.ntfyToken) problems.push(missing(paging.ntfy.tokenEnv, 'ntfy names a token variable that is not set'));
    else enabled.push('ntfy');
  }
  if (paging.pushover) {
    secrets.pushoverToken = read(env, paging.pushover.tokenEnv);
    if (secrets.pushoverToken) enabled.push('pushover');
    else problems.push(missing(paging.pushover.tokenEnv, 'Pushover needs its application token'));
  }
  if (paging.pagerduty) {
    enabled.push('pagerduty');
    secrets.pagerdutyWebhookSecret = read(env, paging.pagerduty.webhookSecretEnv);
    if (paging.pagerduty.webhookSecretEnv && !secrets.pagerdutyWebhookSecret) {
      problems.push(missing(paging.pagerduty.webhookSecretEnv, 'PagerDuty acknowledgements are not mirrored without the webhook secret'));
    }
  }
  if (paging.email) {
    secrets.smtpUser = read(env, paging.email.userEnv);
    secrets.smtpPassword = read(env, paging.email.passwordEnv);
    const lacking = [paging.email.userEnv, paging.email.passwordEnv].filter((name) => name && !read(env, name));
    if (lacking.length === 0) enabled.push('email');
    else problems.push(...lacking.map((name) => missing(name as string, 'email (SMTP) names a credential variable that is not set')));
  }
  const key = read(env, paging.ackLinks.keyEnv);
  if (key && key.length >= 32) secrets.ackLinkKey = key;
  else if (key) problems.push({ file: 'environment', path: paging.ackLinks.keyEnv, message: 'the acknowledge link key is too short', hint: 'use at least 32 random characters (openssl rand -hex 32)' });
  return { publicUrl, secrets, enabled, problems };
}
