/**
 * Paging at start-up (issue 14): the providers muster.yaml's `paging:` block
 * configures, with their secrets from the environment, built once here in the
 * composition root; the inbound side (acknowledgements from the phone,
 * provider receipts) once the bot exists. The start log says which providers
 * are on, and, without MUSTER_PUBLIC_URL, that acknowledging from the phone
 * is off (calls and texts still go out).
 */
import { providerPaging } from '../../adapters/paging/router.js';
import { twilioHooks, type PagingRoutesOptions } from '../../adapters/http/paging-hooks.js';
import { pagingEnv, type PagingEnv } from '../config/paging-env.js';
import type { MusterConfig } from '../config/schema.js';
import { translator } from '../i18n/catalog.js';
import type { Logger } from '../logger.js';
import type { IncidentStore } from '../ports.js';
import type { InboundPaging } from '../paging/inbound.js';
import type { PagingPort } from '../paging/port.js';
import { inboundPaging } from '../paging/setup.js';
import { pagingProblems } from './paging-warnings.js';
import { AckTokens, storeLedger } from '../paging/ack-links.js';

export interface PagingStart {
  env: PagingEnv;
  port: PagingPort;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The paging port over the configured providers; missing secrets are warned about and their provider left off. */
export async function startPaging(config: MusterConfig, rawEnv: Env, logger: Logger, configFile?: string): Promise<PagingStart> {
  const env = pagingEnv(config.paging, rawEnv);
  for (const problem of env.problems) logger.warn({ variable: problem.path }, `paging: ${problem.message}; ${problem.hint}`);
  const port = await providerPaging(config.paging, env, config.locale);
  for (const problem of pagingProblems(config, new Set(env.enabled), configFile)) {
    logger.warn({ file: problem.file, line: problem.line, path: problem.path }, `paging: ${problem.path}: ${problem.message} (${problem.hint})`);
  }
  const kinds = port.available();
  logger.info({ providers: env.enabled, methods: kinds }, env.enabled.length > 0 ? `paging providers on: ${env.enabled.join(', ')}` : 'paging providers: none (pages go to chat only)');
  if (env.enabled.length > 0 && !env.publicUrl) {
    logger.warn({}, 'MUSTER_PUBLIC_URL is not set: calls and texts go out, but acknowledging from the phone (keypress, SMS reply, one-tap link) is off');
  } else if (env.enabled.length > 0 && !env.secrets.ackLinkKey) {
    logger.warn({ variable: config.paging.ackLinks.keyEnv }, `${config.paging.ackLinks.keyEnv} is not set: keypresses and one-tap links are off (SMS replies still acknowledge)`);
  }
  return { env, port };
}

/** What the bot sends through: the port, and the token maker when links and keypresses can reach it. */
export function pagingDeps(paging: PagingStart, store: IncidentStore, now: () => number): { port: PagingPort; tokens?: AckTokens } {
  const key = paging.env.secrets.ackLinkKey;
  return { port: paging.port, ...(key && paging.env.publicUrl ? { tokens: new AckTokens(key, storeLedger(store), now) } : {}) };
}

/**
 * The options of the inbound routes, or undefined when they are not served:
 * they need MUSTER_PUBLIC_URL (Twilio signs the URL it called, and links name
 * it) and at least one provider on.
 */
export async function pagingRoutes(
  paging: PagingStart,
  setup: { config: MusterConfig; store: IncidentStore; now: () => number; logger: Logger; onAck: InboundPaging['onAck']; onStatus: InboundPaging['onStatus'] },
): Promise<PagingRoutesOptions | undefined> {
  const { env } = paging;
  if (!env.publicUrl || env.enabled.length === 0) return undefined;
  const inbound = inboundPaging({ store: setup.store, people: setup.config.people, env, now: setup.now, onAck: setup.onAck, onStatus: setup.onStatus, logger: setup.logger });
  return {
    inbound,
    publicUrl: env.publicUrl,
    ...(env.secrets.twilioAuthToken ? { twilio: await twilioHooks(env.secrets.twilioAuthToken) } : {}),
    ...(env.secrets.pagerdutyWebhookSecret ? { pagerdutyWebhookSecret: env.secrets.pagerdutyWebhookSecret } : {}),
    t: translator(setup.config.locale),
    locale: setup.config.locale,
  };
}

/** The routes the paging plugin serves, for the HTTP server's start log. */
export const PAGING_ROUTE_NAMES = ['GET|POST /paging/ack', 'POST /paging/twilio/status', 'POST /paging/twilio/sms', 'POST /paging/twilio/gather', 'POST /paging/pagerduty'];
