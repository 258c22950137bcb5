/**
 * One bounded HTTP POST to a provider, turned into a receipt. Every outcome
 * is a receipt, never a throw: a timeout, a network error, a 5xx, a 408 or a
 * 429 can get better with a retry; any other 4xx (a wrong key, a bad topic)
 * cannot. The reason quotes the provider's own error text, cut short; the
 * request (which carries keys and tokens) is never part of it.
 */
import type { PagingReceipt, ProviderContactKind, ProviderName } from '../../src/paging/port.js';

export interface ProviderPost {
  provider: ProviderName;
  kind: ProviderContactKind;
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** The provider's id for what it accepted, read from its JSON answer. */
  idOf(json: unknown): string | undefined;
  /** The provider's error words, read from its JSON answer. */
  reasonOf(json: unknown): string | undefined;
}

const MAX_REASON = 300;

export const isRetryableStatus = (status: number) => status >= 500 || status === 408 || status === 429;

export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Names a network failure without echoing the URL (it may hold a topic or key). */
export function networkReason(error: unknown, timeoutMs: number): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? (error.cause as Error & { code?: string }) : undefined;
  return `network error: ${cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))}`;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function postForReceipt(post: ProviderPost): Promise<PagingReceipt> {
  const base = { provider: post.provider, kind: post.kind } as const;
  let response: Response;
  let json: unknown;
  try {
    response = await fetch(post.url, { method: 'POST', headers: post.headers, body: post.body, signal: AbortSignal.timeout(post.timeoutMs), redirect: 'error' });
    json = await readJson(response);
  } catch (error) {
    return { ...base, status: 'failed', retryable: true, reason: networkReason(error, post.timeoutMs) };
  }
  const id = response.ok ? post.idOf(json) : undefined;
  if (response.ok && id) return { ...base, status: 'accepted', messageId: id };
  const words = post.reasonOf(json) ?? (typeof json === 'string' ? json : '');
  const reason = `HTTP ${response.status}${words ? `: ${words}` : ''}`.slice(0, MAX_REASON);
  if (response.ok) return { ...base, status: 'failed', retryable: true, code: response.status, reason: `${reason} (no message id in the answer)` };
  const after = retryAfterMs(response.headers.get('retry-after'));
  return { ...base, status: 'failed', retryable: isRetryableStatus(response.status), code: response.status, reason, ...(after === undefined ? {} : { retryAfterMs: after }) };
}

/** Reads a string field of a JSON object answer. */
export function field(json: unknown, name: string): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const value = (json as Record<string, unknown>)[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
