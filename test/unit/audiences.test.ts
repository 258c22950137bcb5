import { createServer, type ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { HttpWebhooks, signWebhook } from '../../adapters/http/webhook.js';
import { webhookSecrets } from '../../src/config/secrets.js';
import { ConfigError } from '../../src/config/load.js';
import type { AudiencesConfig } from '../../src/config/audiences.js';
import { harness, testConfig } from '../support/fixture.js';
import { UndeliverableError } from '../../src/ports.js';

const audiences = {
  execs: { kind: 'chat', conversation: 'console:#execs', severities: ['P1'], template: 'business' },
  care: { kind: 'chat', conversation: 'console:#care', severities: ['P1', 'P2'], events: ['declared', 'resolved'], templates: { resolved: 'All clear on {service} ({id}).' } },
  eng: { kind: 'chat', conversation: 'console:#eng-leads', severities: ['P1'], template: 'technical' },
  status: { kind: 'webhook', url: 'http://127.0.0.1:9/unused', secretEnv: 'STATUS_SECRET', severities: ['P1'] },
};

describe('audiences', () => {
  it('each hears its severities and events in its own words', async () => {
    const h = await harness(testConfig((raw) => { raw.audiences = audiences; }));
    await h.say('alice', '/incident declare DB primary down sev=P1 service=checkout');
    await h.say('cara', '/incident ack');
    await h.say('cara', '/incident update INC-1 Failing over to the replica');
    await h.say('cara', '/incident resolve INC-1');
    const heard = (conversation: string) => h.chat.delivered.filter((d) => d.to.kind === 'room' && d.to.conversation === conversation).map((d) => d.message.text);
    expect(heard('console:#execs')).toEqual([
      'We are investigating a problem affecting checkout. Our incident team is on it; we will share an update within 30 minutes.',
      'Update on the problem affecting checkout: Failing over to the replica',
      'The problem affecting checkout is resolved. Thank you for your patience.',
    ]);
    expect(heard('console:#care')).toEqual([
      'We are investigating a problem affecting checkout. Our incident team is on it; we will share an update within 30 minutes.',
      'All clear on checkout (INC-1).',
    ]);
    expect(heard('console:#eng-leads')[0]).toBe('INC-1 [P1] declared on checkout: DB primary down. Team mustering in the war room.');
    const hooks = (await h.store.pendingOutbox()).filter((m) => m.kind === 'webhook');
    expect(hooks.length + h.chat.delivered.length).toBeGreaterThan(0);
  });

  it('a P3 reaches none of them', async () => {
    const h = await harness(testConfig((raw) => { raw.audiences = audiences; }));
    await h.say('alice', '/incident declare Slow page sev=P3 service=checkout');
    expect(h.chat.delivered.filter((d) => d.to.kind === 'room' && d.to.conversation !== 'test:#inc-1-slow-page')).toEqual([]);
  });
});

describe('status page webhooks', () => {
  it('posts JSON signed over the timestamp and body, and refuses to start without the secret', async () => {
    const received: Array<{ headers: Record<string, unknown>; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const config = { status: { ...audiences.status, url: `http://127.0.0.1:${port}/hook`, events: ['declared'], template: 'business', templates: {} } } as unknown as AudiencesConfig;
    expect(() => webhookSecrets(config, {})).toThrow(ConfigError);
    const secrets = webhookSecrets(config, { STATUS_SECRET: 's3cret' });
    await new HttpWebhooks(config, secrets).post('status', { incident: 'INC-1', event: 'declared' });
    server.close();
    const [hit] = received;
    expect(JSON.parse(hit!.body)).toEqual({ incident: 'INC-1', event: 'declared' });
    expect(hit!.headers['x-muster-signature']).toBe(signWebhook('s3cret', String(hit!.headers['x-muster-timestamp']), hit!.body));
  });

  it('gives up on a status page that never answers after its timeout, as a failure worth retrying', async () => {
    const held: ServerResponse[] = [];
    const server = createServer((_req, res) => void held.push(res)); // reads the request, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const config = { status: { ...audiences.status, url: `http://127.0.0.1:${port}/hook`, events: ['declared'], template: 'business', templates: {} } } as unknown as AudiencesConfig;
    const started = Date.now();
    try {
      const failure = await new HttpWebhooks(config, webhookSecrets(config, { STATUS_SECRET: 's3cret' }), 300).post('status', { incident: 'INC-1' }).then(() => undefined, (error: unknown) => error);
      expect(held).toHaveLength(1); // it reached the server, which sat on it
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(UndeliverableError); // the outbox retries it with backoff
      expect((failure as Error).name).toMatch(/TimeoutError|AbortError/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      for (const res of held) res.destroy();
      server.close();
    }
  });
});
