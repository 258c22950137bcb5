import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  alertmanagerPayloadSchema,
  fromAlertmanager,
  fromGeneric,
  genericPayloadSchema,
  type AlertGroup,
} from '../../src/alerts/payloads.js';
import { AlertBusyError, type AlertOutcome } from '../../src/alerts/service.js';
import type { AlertsConfig } from '../../src/config/alerts.js';
import { CommitOutcomeUnknownError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { StoreUnavailableError } from '../../src/ports.js';

export interface HookServerOptions {
  host: string;
  port: number;
  /** Shared bearer token (MUSTER_HOOK_TOKEN). */
  token?: string;
  /** HMAC-SHA256 secret over the raw body (MUSTER_HOOK_SECRET), header X-Muster-Signature: sha256=<hex>. */
  secret?: string;
  alerts: AlertsConfig;
  ingest: (groups: AlertGroup[]) => Promise<AlertOutcome[]>;
  logger: Logger;
  /** Largest accepted body; bigger ones get 413 before any parsing. */
  bodyLimit?: number;
}

const SIGNATURE_HEADER = 'x-muster-signature';
/**
 * Largest hook body by default. Alertmanager sends a whole group in one
 * notification (about 400 bytes an alert): 4 MiB takes a group of 10,000, and
 * Alertmanager drops a notification refused with 413, so err on the large side.
 */
export const HOOK_BODY_LIMIT = 4 * 1_048_576;

/** Constant time with no length shortcut: both sides are hashed to 32 bytes first, so not even the length leaks. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Accepts a request carrying the bearer token, or a valid signature of its exact body. */
export function authorised(headers: FastifyRequest['headers'], body: Buffer, options: Pick<HookServerOptions, 'token' | 'secret'>): boolean {
  const auth = headers.authorization;
  if (options.token && typeof auth === 'string' && auth.startsWith('Bearer ') && sameSecret(auth.slice(7), options.token)) return true;
  const signature = headers[SIGNATURE_HEADER];
  if (options.secret && typeof signature === 'string') {
    const expected = `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
    return sameSecret(signature, expected);
  }
  return false;
}

type Normalise = (payload: unknown, alerts: AlertsConfig) => AlertGroup[];

function route<S extends z.ZodType>(schema: S, normalise: (payload: z.infer<S>, alerts: AlertsConfig) => AlertGroup[]): { schema: S; normalise: Normalise } {
  return { schema, normalise: normalise as Normalise };
}

const ROUTES = {
  '/hooks/alertmanager': route(alertmanagerPayloadSchema, (payload, alerts) => fromAlertmanager(payload, alerts)),
  '/hooks/generic': route(genericPayloadSchema, (payload) => fromGeneric(payload)),
};

/**
 * Inbound monitoring hooks. Every request is authenticated before its body is
 * even parsed; bad JSON or a wrong shape gets 400 with the reason; nothing is
 * written until the whole payload is valid.
 */
export async function startHookServer(options: HookServerOptions): Promise<{ port: number; app: FastifyInstance; close: () => Promise<void> }> {
  const app = Fastify({ bodyLimit: options.bodyLimit ?? HOOK_BODY_LIMIT, logger: false });
  registerHookRoutes(app, options);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { port, app, close: () => app.close() };
}

export type HookRoutesOptions = Omit<HookServerOptions, 'host' | 'port'>;

/**
 * The hook routes on an app of the caller's (adapters/http/ops.ts serves them
 * beside /metrics). Register them inside a plugin there: the buffer body parser
 * and the error handler are meant for the hooks only.
 */
export function registerHookRoutes(app: FastifyInstance, options: HookRoutesOptions): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  for (const [path, spec] of Object.entries(ROUTES)) {
    app.post(path, { bodyLimit: options.bodyLimit ?? HOOK_BODY_LIMIT }, async (request, reply) => handle(request, reply, spec, options));
  }
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) options.logger.error({ err: error.message }, 'alert hook failed');
    void reply.code(status).send({ error: status === 500 ? 'internal error' : error.message });
  });
}

async function handle(request: FastifyRequest, reply: FastifyReply, spec: { schema: z.ZodType; normalise: Normalise }, options: HookRoutesOptions) {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  if (!authorised(request.headers, body, options)) {
    options.logger.warn({ path: request.url, ip: request.ip }, 'alert hook refused: bad token or signature');
    return reply.code(401).send({ error: 'missing or wrong bearer token or signature' });
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return reply.code(400).send({ error: `malformed JSON: ${error instanceof Error ? error.message : String(error)}` });
  }
  const parsed = spec.schema.safeParse(json);
  if (!parsed.success) {
    const reasons = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
    return reply.code(400).send({ error: 'invalid payload', reasons });
  }
  try {
    const outcomes = await options.ingest(spec.normalise(parsed.data, options.alerts));
    return reply.code(202).send({ accepted: outcomes.length, outcomes });
  } catch (error) {
    // All pass: the sender retries (Alertmanager does on 5xx), nothing was half-written,
    // and a commit whose reply was lost is found by the re-sent group (its mapping is in it).
    if (error instanceof AlertBusyError || error instanceof StoreUnavailableError || error instanceof CommitOutcomeUnknownError) {
      return reply.code(503).header('retry-after', '5').send({ error: error.message });
    }
    throw error;
  }
}
