import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ARGV, FIXTURES, ROOT } from './cli.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const TOKEN = 'a-long-enough-hook-token';

describe('monitoring hooks through the running bot (console adapter)', () => {
  it('an Alertmanager alert over HTTP declares and musters; the console prints the timeline', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'muster-hooks-'));
    writeFileSync(join(dir, 'wait.script'), 'sleep 4s\n');
    const env: NodeJS.ProcessEnv = { ...process.env, MUSTER_HOOK_TOKEN: TOKEN, MUSTER_HTTP_PORT: String(port), MUSTER_LOG_LEVEL: 'info' };
    delete env.REDIS_URL;
    const child = spawn(process.execPath, [...CLI_ARGV, 'console', '--config', join(FIXTURES, 'fast.yaml'), '--script', join(dir, 'wait.script'), '--json'], { cwd: ROOT, env });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    // The readiness signal: the bot logs that its HTTP server listens (its script then waits 4 s more).
    let stderr = '';
    const listening = new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (stderr.includes('"msg":"HTTP server listening"')) resolve();
      });
      void exited.then((code) => reject(new Error(`the bot exited (${code}) before its HTTP server listened:\n${stderr}`)));
    });
    const body = JSON.stringify({
      version: '4', status: 'firing',
      alerts: [{ status: 'firing', labels: { alertname: 'CheckoutDown', severity: 'critical', service: 'checkout' }, annotations: { summary: 'Checkout is down' }, fingerprint: 'abc123' }],
    });
    await listening;
    const response = await fetch(`http://127.0.0.1:${port}/hooks/alertmanager`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(202);
    expect(await exited).toBe(0);
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; actor: string; role?: string; person?: string });
    expect(events[0]).toMatchObject({ type: 'incident.declared', actor: 'hook:alertmanager' });
    expect(events.filter((e) => e.type === 'page.sent').map((e) => e.person)).toEqual(expect.arrayContaining(['bob', 'carol', 'dan', 'erin', 'frank']));
    expect(events.some((e) => e.type === 'alert.received')).toBe(true);
  });
});
