import { createHmac } from 'node:crypto';
import type { AudiencesConfig } from '../../src/config/audiences.js';
import { UndeliverableError, type WebhookPort } from '../../src/ports.js';

export const SIGNATURE_HEADER = 'x-muster-signature';
export const TIMESTAMP_HEADER = 'x-muster-timestamp';

/** HMAC-SHA256 over "<timestamp>.<body>", so a receiver can refuse replays of old bodies. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Posts signed JSON to webhook audiences (status pages). Secrets come from
 * the environment through src/config (never from muster.yaml) and appear in
 * no log line. A 4xx other than 408 and 429 will not get better with retries.
 */
export class HttpWebhooks implements WebhookPort {
  constructor(
    private readonly audiences: AudiencesConfig,
    private readonly secrets: ReadonlyMap<string, string>,
    private readonly timeoutMs = 10_000,
  ) {}

  async post(audience: string, body: Record<string, unknown>): Promise<void> {
    const target = this.audiences[audience];
    const secret = this.secrets.get(audience);
    if (!target || target.kind !== 'webhook' || !secret) throw new UndeliverableError(`no webhook audience "${audience}" with a secret`);
    const json = JSON.stringify(body);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signWebhook(secret, timestamp, json) },
      body: json,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.ok) return;
    const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
    const problem = `webhook "${audience}" answered HTTP ${response.status}`;
    throw permanent ? new UndeliverableError(problem) : new Error(problem);
  }
}
