import { createServer, type IncomingMessage, type Server } from 'node:http';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecExecutor } from '../../adapters/executors/exec.js';
import { HttpExecutor, signAction } from '../../adapters/executors/http.js';
import type { NamedAction } from '../../src/actions/schema.js';
import { actionSecrets } from '../../src/config/action-secrets.js';
import { actionHarness, actionsConfig } from './actions-support.js';

const CONTEXT = { incident: 'INC-1', run: 'RUN-1', requestedBy: 'sam', at: Date.UTC(2026, 10, 2, 9, 0, 0) };

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'muster-exec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!${process.execPath}\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

function execAction(program: string, args: string[], extra: Partial<{ timeout: number; maxOutput: number }> = {}): NamedAction {
  return {
    name: 'rollback', title: 'Roll back', params: {}, policy: { breakGlass: false },
    executor: { kind: 'exec', program, args, timeout: extra.timeout ?? 10_000, maxOutput: extra.maxOutput ?? 65_536 },
  };
}

describe('exec executor', () => {
  it('never goes through a shell: "; rm -rf /" and "$(id)" arrive as literal arguments', async () => {
    const program = await script('argv.js', 'process.stdout.write(JSON.stringify(process.argv.slice(2)))');
    const executor = new ExecExecutor({ allowedPrograms: [program] });
    const outcome = await executor.run(
      execAction(program, ['--service', '{service}', '--note={note}', '{release}']),
      { service: '; rm -rf /', note: '$(id) `id` && echo pwned', release: 'a b|c' },
      CONTEXT,
    );
    expect(outcome).toMatchObject({ ok: true, status: 0 });
    expect(JSON.parse(outcome.output)).toEqual(['--service', '; rm -rf /', '--note=$(id) `id` && echo pwned', 'a b|c']);
  });

  it('runs /bin/echo with the literal text, and refuses a program outside the allow-list', async () => {
    const echo = new ExecExecutor({ allowedPrograms: ['/bin/echo'] });
    const outcome = await echo.run(execAction('/bin/echo', ['{x}']), { x: '$(id); rm -rf /' }, CONTEXT);
    expect(outcome.output).toBe('$(id); rm -rf /\n');
    const refused = await echo.run(execAction('/bin/sh', ['-c', 'id']), {}, CONTEXT);
    expect(refused).toMatchObject({ ok: false, status: 'refused' });
  });

  it('does not hand the bot environment (and its secrets) to the child', async () => {
    process.env.MUSTER_TEST_LEAK = 'top-secret-value';
    try {
      const program = await script('env.js', 'process.stdout.write(JSON.stringify(process.env))');
      const outcome = await new ExecExecutor({ allowedPrograms: [program] }).run(execAction(program, []), {}, CONTEXT);
      const env = JSON.parse(outcome.output) as Record<string, string>;
      expect(env.MUSTER_TEST_LEAK).toBeUndefined();
      expect(env).toMatchObject({ MUSTER_INCIDENT: 'INC-1', MUSTER_RUN: 'RUN-1', MUSTER_ACTION: 'rollback' });
    } finally {
      delete process.env.MUSTER_TEST_LEAK;
    }
  });

  it('kills the process at its timeout and cuts output to maxOutput', async () => {
    const slow = await script('slow.js', 'setTimeout(() => {}, 60000)');
    const timed = await new ExecExecutor({ allowedPrograms: [slow], killGraceMs: 100 }).run(execAction(slow, [], { timeout: 200 }), {}, CONTEXT);
    expect(timed).toMatchObject({ ok: false, status: 'timeout' });
    const loud = await script('loud.js', 'process.stdout.write("x".repeat(10000)); process.exitCode = 3');
    const cut = await new ExecExecutor({ allowedPrograms: [loud] }).run(execAction(loud, [], { maxOutput: 256 }), {}, CONTEXT);
    expect(cut).toMatchObject({ ok: false, status: 3 });
    expect(cut.output).toBe(`${'x'.repeat(256)}\n[9744 more bytes cut]`);
  });
});

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

async function server(answer: (n: number) => number): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const srv: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = answer(received.length);
      res.end(JSON.stringify({ accepted: res.statusCode < 300 }));
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/failover`, received, close: () => new Promise((resolve) => srv.close(() => resolve())) };
}

function httpAction(url: string, idempotent: boolean, timeout = 5_000): NamedAction {
  return {
    name: 'failover', title: 'Fail over', params: {}, policy: { breakGlass: false },
    executor: { kind: 'http', url, secretEnv: 'FAILOVER_SECRET', timeout, idempotent },
  };
}

describe('http executor', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256, and the signature verifies at the receiver', async () => {
    const srv = await server(() => 200);
    try {
      const secret = 's3cr3t-failover-key';
      const outcome = await new HttpExecutor({ secrets: new Map([['failover', secret]]) }).run(httpAction(srv.url, false), { cluster: 'orders' }, CONTEXT);
      expect(outcome).toMatchObject({ ok: true, status: 200, output: '{"accepted":true}' });
      const [request] = srv.received;
      const timestamp = String(request?.headers['x-muster-timestamp']);
      expect(request?.headers['x-muster-signature']).toBe(signAction(secret, timestamp, request?.body ?? ''));
      expect(request?.headers['x-muster-signature']).not.toBe(signAction('wrong', timestamp, request?.body ?? ''));
      expect(JSON.parse(request?.body ?? '')).toEqual({
        incident: 'INC-1', action: 'failover', params: { cluster: 'orders' }, requestedBy: 'sam', at: '2026-11-02T09:00:00.000Z', run: 'RUN-1',
      });
      expect(request?.body).not.toContain(secret);
    } finally {
      await srv.close();
    }
  });

  it('retries only idempotent actions', async () => {
    const srv = await server((n) => (n === 1 ? 503 : 200));
    try {
      const executor = new HttpExecutor({ secrets: new Map([['failover', 'k']]), retryDelayMs: 1 });
      expect(await executor.run(httpAction(srv.url, false), {}, CONTEXT)).toMatchObject({ ok: false, status: 503 });
      expect(srv.received).toHaveLength(1);
      srv.received.length = 0;
      expect(await executor.run(httpAction(srv.url, true), {}, CONTEXT)).toMatchObject({ ok: true, status: 200 });
      expect(srv.received).toHaveLength(2);
    } finally {
      await srv.close();
    }
  });

  it('times out, and refuses to run without its secret', async () => {
    const hang = createServer(() => {});
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    const address = hang.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    try {
      const outcome = await new HttpExecutor({ secrets: new Map([['failover', 'k']]) }).run(httpAction(url, false, 200), {}, CONTEXT);
      expect(outcome).toMatchObject({ ok: false, status: 'timeout' });
      const missing = await new HttpExecutor({ secrets: new Map() }).run(httpAction(url, false), {}, CONTEXT);
      expect(missing).toMatchObject({ ok: false, status: 'refused', output: 'no secret for failover: set FAILOVER_SECRET' });
    } finally {
      hang.closeAllConnections();
      await new Promise((resolve) => hang.close(resolve));
    }
  });
});

describe('secrets', () => {
  it('come from the environment by variable name, and a missing one is named', () => {
    const config = actionsConfig();
    const { secrets, missing } = actionSecrets(config.actions, { TEST_FAILOVER_SECRET: 'abc' });
    expect([...secrets.keys()]).toEqual(['failover']);
    expect(missing.map((p) => p.path)).toEqual(['TEST_PURGE_SECRET', 'TEST_NUKE_SECRET']);
  });

  it('never reach a log line (pino output captured while actions run, fail and lose their outcome)', async () => {
    const secret = 'hunter2-SECRET-9f8e7d';
    const lines: string[] = [];
    const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
    const logger = pino({ level: 'trace', redact: ['*.password', '*.token', '*.secret'] }, stream);
    const srv = await server((n) => (n === 1 ? 200 : 500));
    try {
      const config = actionsConfig((raw) => {
        const catalog = (raw.actions as { catalog: Record<string, { executor: Record<string, unknown> }> }).catalog;
        catalog.failover!.executor.url = srv.url;
      });
      const { secrets } = actionSecrets(config.actions, { TEST_FAILOVER_SECRET: secret });
      const http = new HttpExecutor({ secrets, retryDelayMs: 1 });
      const h = await actionHarness({ config, logger, runtime: { executors: { http } } });
      const commands = h.commands;
      await h.say('alice', '/incident declare Database down sev=P1 service=checkout');
      await h.say('sam', '/incident ack');
      const caller = { ref: 'console:sam', name: 'sam', person: 'sam', conversation: 'console:#general' };
      expect((await commands.run('INC-1 failover cluster=orders', caller, h.deps)).message.text).toContain('completed (200');
      expect((await commands.run('INC-1 failover cluster=orders', caller, h.deps)).message.text).toContain('FAILED (500');
      // the outcome commit fails: the runner logs the run with its error
      const commit = h.store.commit.bind(h.store);
      let calls = 0;
      h.store.commit = async (change) => (++calls === 1 ? commit(change) : Promise.reject(new Error('store went away')));
      await commands.run('INC-1 failover cluster=orders', caller, h.deps);
      const output = lines.join('');
      expect(output).toContain('action ran but its outcome could not be recorded');
      expect(output).not.toContain(secret);
      expect(JSON.stringify(await h.store.timeline('INC-1'))).not.toContain(secret);
      expect(srv.received.map((r) => r.body).join('')).not.toContain(secret);
    } finally {
      await srv.close();
    }
  });
});
