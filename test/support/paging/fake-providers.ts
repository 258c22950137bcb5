/**
 * Local fakes of ntfy (publish as JSON), Pushover (/1/messages.json) and the
 * PagerDuty Events API v2 (/v2/enqueue), each checking requests the way the
 * real service documents and answering in its format, errors included.
 */
import { randomUUID } from 'node:crypto';
import { FakeHttpServer, type FakeAnswer, type ProtocolHandler, type RecordedRequest } from './fake-http.js';

const parseJson = (body: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** ntfy: POST / with {topic, message, ...}; an access token when the fake is built with one. */
export function fakeNtfy(token?: string): FakeHttpServer {
  return new FakeHttpServer(ntfyProtocol(token));
}

/** ntfy's answers, for a fake that also notes when each request came (bench/paging.ts). */
export function ntfyProtocol(token?: string): ProtocolHandler {
  return (request: RecordedRequest): FakeAnswer => {
    if (request.method !== 'POST' || request.path !== '/') return { status: 404, body: { code: 40401, http: 404, error: 'page not found' } };
    if (token && request.headers.authorization !== `Bearer ${token}`) return { status: 403, body: { code: 40301, http: 403, error: 'forbidden' } };
    const json = parseJson(request.body);
    if (!json || typeof json.topic !== 'string' || !/^[-_A-Za-z0-9]{1,64}$/.test(json.topic)) return { status: 400, body: { code: 40009, http: 400, error: 'invalid request: topic invalid' } };
    return { status: 200, body: { id: randomUUID().slice(0, 12), time: Math.floor(Date.now() / 1000), event: 'message', topic: json.topic, message: json.message } };
  };
}

/** Pushover: form with token, user and message; 400 with {status: 0, errors} otherwise. */
export function fakePushover(appToken: string, users: string[]): FakeHttpServer {
  return new FakeHttpServer((request): FakeAnswer => {
    const requestId = randomUUID();
    if (request.method !== 'POST' || request.path !== '/1/messages.json') return { status: 404, body: { status: 0, errors: ['not found'], request: requestId } };
    const form = new URLSearchParams(request.body);
    const errors: string[] = [];
    if (form.get('token') !== appToken) errors.push('application token is invalid');
    if (!users.includes(form.get('user') ?? '')) errors.push('user identifier is not a valid user, group, or subscribed user key');
    if (!form.get('message')) errors.push('message cannot be blank');
    if (errors.length > 0) return { status: 400, body: { status: 0, errors, request: requestId, ...(errors[0]?.startsWith('user') ? { user: 'invalid' } : {}) } };
    return { status: 200, body: { status: 1, request: requestId } };
  });
}

/** PagerDuty Events API v2: 202 {status, message, dedup_key}; 400 "invalid event" with errors. */
export function fakePagerDuty(): FakeHttpServer {
  return new FakeHttpServer((request): FakeAnswer => {
    if (request.method !== 'POST' || request.path !== '/v2/enqueue') return { status: 404, body: { status: 'not found' } };
    const json = parseJson(request.body);
    const errors: string[] = [];
    if (!json || typeof json.routing_key !== 'string' || json.routing_key.length !== 32) errors.push("'routing_key' is invalid");
    const action = json?.event_action;
    if (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve') errors.push("'event_action' is invalid");
    const payload = json?.payload as Record<string, unknown> | undefined;
    if (action === 'trigger' && (!payload || typeof payload.summary !== 'string' || typeof payload.source !== 'string' || typeof payload.severity !== 'string')) errors.push("'payload' is invalid or missing");
    if (action !== 'trigger' && typeof json?.dedup_key !== 'string') errors.push("'dedup_key' is missing");
    if (errors.length > 0) return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
    const dedup = typeof json?.dedup_key === 'string' ? json.dedup_key : randomUUID().replace(/-/g, '');
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedup } };
  });
}
