/**
 * A local HTTP server a provider fake is built on: it records every request
 * (method, path, headers, raw body), answers through the fake's protocol
 * handler, and can be told to answer the next requests with a given status or
 * to hang (never answer) so tests see timeouts. `nextRequest()` resolves when
 * a request arrives: tests wait on that, never on a clock.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** When the request had arrived whole (Date.now()), so a test can check a page came on time. */
  at: number;
}

export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type ProtocolHandler = (request: RecordedRequest) => FakeAnswer;

export class FakeHttpServer {
  readonly requests: RecordedRequest[] = [];
  private readonly scripted: Array<FakeAnswer | 'hang'> = [];
  private readonly waiters: Array<(request: RecordedRequest) => void> = [];
  private server?: Server;
  url = '';

  constructor(private readonly handler: ProtocolHandler) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The next request is answered with this instead of the protocol's own answer. */
  answerNext(answer: FakeAnswer): void {
    this.scripted.push(answer);
  }

  /** The next request is never answered (the socket stays open until close). */
  hangNext(): void {
    this.scripted.push('hang');
  }

  nextRequest(): Promise<RecordedRequest> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
    this.requests.push(request);
    this.waiters.splice(0).forEach((resolve) => resolve(request));
    const scripted = this.scripted.shift();
    if (scripted === 'hang') return;
    const answer = scripted ?? this.handler(request);
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json', ...answer.headers });
    res.end(text);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
