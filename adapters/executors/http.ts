import { createHmac } from 'node:crypto';
import type { ActionContext, ActionExecutor, ActionOutcome, ExecutorProblem } from '../../src/actions/ports.js';
import type { NamedAction } from '../../src/actions/schema.js';
import type { ActionParams } from '../../src/actions/types.js';

export const SIGNATURE_HEADER = 'x-muster-signature';
export const TIMESTAMP_HEADER = 'x-muster-timestamp';

/** HMAC-SHA256 over "<timestamp>.<body>" (the webhook audiences' scheme), so a receiver can refuse replays. */
export function signAction(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface HttpExecutorOptions {
  /** By action id; read from the environment by src/config/action-secrets.ts. */
  secrets: ReadonlyMap<string, string>;
  fetch?: typeof fetch;
  /** Attempts for idempotent actions (default 3); others get exactly one. */
  attempts?: number;
  retryDelayMs?: number;
  /** Bytes of the response body kept (default 4 KiB). */
  maxOutput?: number;
  now?: () => number;
}

/** A response worth another try: the server may do better in a moment. */
const retryable = (status: number | string) => typeof status !== 'number' || status >= 500 || status === 408 || status === 429;

/**
 * POSTs signed JSON {incident, action, params, requestedBy, at, run} to the
 * action's URL. Retries only actions marked idempotent: a failover retried
 * after a lost reply might run twice. The secret goes into the signature only.
 */
export class HttpExecutor implements ActionExecutor {
  constructor(private readonly options: HttpExecutorOptions) {}

  /** Without its secret the request cannot be signed: said before anyone approves it. */
  readiness(action: NamedAction): ExecutorProblem | undefined {
    const executor = action.executor;
    if (executor.kind !== 'http') return { problem: 'no_executor', kind: executor.kind };
    return this.options.secrets.has(action.name) ? undefined : { problem: 'secret_missing', variable: executor.secretEnv };
  }

  async run(action: NamedAction, params: ActionParams, context: ActionContext): Promise<ActionOutcome> {
    const executor = action.executor;
    const begin = performance.now();
    const elapsed = () => Math.round(performance.now() - begin);
    if (executor.kind !== 'http') return { ok: false, status: 'refused', output: `${action.name} is not an http action`, durationMs: 0 };
    const secret = this.options.secrets.get(action.name);
    if (!secret) return { ok: false, status: 'refused', output: `no secret for ${action.name}: set ${executor.secretEnv}`, durationMs: 0 };
    const body = JSON.stringify({
      incident: context.incident, action: action.name, params, requestedBy: context.requestedBy, at: new Date(context.at).toISOString(), run: context.run,
    });
    const attempts = executor.idempotent ? Math.max(1, this.options.attempts ?? 3) : 1;
    let last: { status: number | string; output: string } = { status: 'error', output: '' };
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      last = await this.post(executor.url, body, secret, executor.timeout);
      if (typeof last.status === 'number' && last.status >= 200 && last.status < 300) {
        return { ok: true, status: last.status, output: last.output, durationMs: elapsed() };
      }
      if (!retryable(last.status) || attempt === attempts) break;
      await new Promise((resolve) => setTimeout(resolve, (this.options.retryDelayMs ?? 500) * attempt));
    }
    return { ok: false, status: last.status, output: last.output, durationMs: elapsed() };
  }

  private async post(url: string, body: string, secret: string, timeoutMs: number): Promise<{ status: number | string; output: string }> {
    const timestamp = String(Math.floor((this.options.now ?? Date.now)() / 1000));
    const doFetch = this.options.fetch ?? fetch;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signAction(secret, timestamp, body) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      const max = this.options.maxOutput ?? 4096;
      return { status: response.status, output: text.length > max ? `${text.slice(0, max)}… [cut]` : text };
    } catch (error) {
      const timeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      // Only the error's name and message: never the request, whose headers carry the signature.
      return { status: timeout ? 'timeout' : 'error', output: error instanceof Error ? `${error.name}: ${error.message}` : 'request failed' };
    }
  }
}
