import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, muster } from './cli.js';

/** The knowledge loop through the real CLI's console: resolve, file, declare a similar incident, see it suggested. */
describe('console: the knowledge loop', () => {
  it('resolve gives the task by DM, learn files the entry, and the next similar war room is shown it', async () => {
    const result = await muster(['console', '--config', join(FIXTURES, 'fast.yaml'), '--script', join(FIXTURES, 'knowledge.script')]);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain('[DM @alice] · What did INC-1 teach us?');
    expect(out).toContain('[ File it ]  ->  /incident learn INC-1');
    // learn alone on a chat without forms shows how to type it.
    expect(out).toContain('[reply to alice] · File what was learned: /incident learn [INC-n] rootCause=');
    expect(out).toContain('[reply to alice] ✓ Knowledge entry for INC-1 filed.');
    const room = out.split('\n').findIndex((line) => line.startsWith('[#inc-2-card-payments-timing-out-at-checkout] · Seen before? Similar past incidents'));
    expect(room).toBeGreaterThan(0);
    const suggestion = out.split('\n').slice(room, room + 12).join('\n');
    expect(suggestion).toContain('INC-1 [P3] Checkout times out on card payments:');
    expect(suggestion).toContain('Module checkout · fault type capacity');
    // Resolution steps one per line, indented under their incident.
    expect(suggestion).toMatch(/\n {6,}1\. Restart the payment gateway\n {6,}2\. Raise the pool size\n/);
    expect(suggestion).toContain('[ Open INC-1 ]  ->  /kb show INC-1');
    expect(out).toContain('[reply to alice] · Knowledge base: 2 results for "restart the payment gateway"');
    expect(out).toContain('Knowledge task: filed on time');
  });
});

describe('console: postmortem links on the dashboard', () => {
  it('with the dashboard and MUSTER_PUBLIC_URL, suggestions and results link each postmortem', async () => {
    const env = { MUSTER_DASHBOARD_TOKEN: 'dashboard-token-for-the-e2e-test', MUSTER_PUBLIC_URL: 'https://muster.example.com/', MUSTER_HTTP_PORT: '0' };
    const result = await muster(['console', '--config', join(FIXTURES, 'fast.yaml'), '--script', join(FIXTURES, 'knowledge.script')], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const room = lines.findIndex((line) => line.startsWith('[#inc-2-card-payments-timing-out-at-checkout] · Seen before? Similar past incidents'));
    expect(room).toBeGreaterThan(0);
    const suggestion = lines.slice(room, room + 14).join('\n');
    expect(suggestion).toContain('Postmortem: https://muster.example.com/dashboard/incidents/INC-1/postmortem');
    expect(suggestion).toContain('[ INC-1 postmortem ]  ->  https://muster.example.com/dashboard/incidents/INC-1/postmortem');
    expect(suggestion).not.toContain('muster export INC-1');
  });

  it('without a public URL they name the export command', async () => {
    const result = await muster(['console', '--config', join(FIXTURES, 'fast.yaml'), '--script', join(FIXTURES, 'knowledge.script')], { MUSTER_DASHBOARD_TOKEN: 'dashboard-token-for-the-e2e-test', MUSTER_HTTP_PORT: '0' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Postmortem: muster export INC-1');
    expect(result.stdout).not.toContain('Postmortem: http');
    expect(result.stdout).not.toContain('postmortem ]');
  });
});
