import { describe, expect, it } from 'vitest';
import { pagingEnv } from '../../src/config/paging-env.js';
import { pagingConfigSchema, type ContactKind } from '../../src/config/paging.js';
import { musterConfigSchema } from '../../src/config/schema.js';
import { translator } from '../../src/i18n/catalog.js';
import { openPagesIn } from '../../src/paging/inbound.js';
import type { PageNotification } from '../../src/paging/port.js';
import { coalesceNotices, dueSteps, nextDueAt, planNotifications, rulesFor, stepAfterFailure } from '../../src/paging/rules.js';
import { wordNotification } from '../../src/paging/wording.js';
import type { Incident } from '../../src/incidents/types.js';

const MIN = 60_000;
const everything = new Set<ContactKind>(['sms', 'voice', 'ntfy', 'pushover', 'email', 'pagerduty']);
const ana = { phone: '+4915112345678', ntfy: 'ana-7f3k' };

describe('notification rules', () => {
  it('P1 by default: chat and push at once, SMS at 2 minutes, a call at 5', () => {
    const plan = planNotifications(rulesFor('P1', ana), ana, everything);
    expect(plan).toEqual([
      { index: 0, atMs: 0, methods: ['chat', 'ntfy'] },
      { index: 1, atMs: 2 * MIN, methods: ['sms'] },
      { index: 2, atMs: 5 * MIN, methods: ['voice'] },
    ]);
    expect(dueSteps(plan, 0).map((s) => s.index)).toEqual([0]);
    expect(dueSteps(plan, 2 * MIN - 1, new Set([0]))).toEqual([]);
    expect(dueSteps(plan, 2 * MIN, new Set([0])).map((s) => s.index)).toEqual([1]);
    expect(nextDueAt(plan, new Set([0, 1]))).toBe(5 * MIN);
    expect(nextDueAt(plan, new Set([0, 1, 2]))).toBeUndefined();
  });

  it('P3 stays in chat; a provider that is off drops its methods', () => {
    expect(planNotifications(rulesFor('P3', ana), ana, everything)).toEqual([{ index: 0, atMs: 0, methods: ['chat'] }]);
    expect(planNotifications(rulesFor('P1', ana), ana, new Set(['ntfy']))).toEqual([{ index: 0, atMs: 0, methods: ['chat', 'ntfy'] }]);
  });

  it("a person's own rule wins over paging.rules, which wins over the default; a kind is used once", () => {
    const own = { ...ana, notify: { P1: [{ after: 0, via: ['voice' as const] }, { after: MIN, via: ['voice' as const, 'sms' as const] }] } };
    expect(planNotifications(rulesFor('P1', own), own, everything)).toEqual([
      { index: 0, atMs: 0, methods: ['voice'] },
      { index: 1, atMs: MIN, methods: ['sms'] },
    ]);
    expect(rulesFor('P3', ana, { P3: [{ after: 0, via: ['ntfy'] }] })).toEqual([{ after: 0, via: ['ntfy'] }]);
  });

  it('a failed method moves to the next step not yet run at once', () => {
    const plan = planNotifications(rulesFor('P1', ana), ana, everything);
    expect(stepAfterFailure(plan, 1)?.methods).toEqual(['voice']);
    expect(stepAfterFailure(plan, 2)).toBeUndefined();
  });

  it('two roles of one incident to the same phone within a minute become one notice naming both', () => {
    const base = { incident: 'INC-42', fence: { roles: [{ role: 'tech', epoch: 1 }] }, roles: ['tech lead'] };
    const phone = { kind: 'sms' as const, phone: '+4915112345678' };
    const merged = coalesceNotices([
      { address: phone, at: 0, notification: base },
      { address: phone, at: 30_000, notification: { ...base, roles: ['ops'], fence: { roles: [{ role: 'ops', epoch: 2 }] } } },
      { address: phone, at: 90_000, notification: { ...base, roles: ['comms'], fence: { roles: [{ role: 'comms', epoch: 1 }] } } },
    ]);
    expect(merged.map((n) => n.notification.roles)).toEqual([['tech lead', 'ops'], ['comms']]);
    expect(merged[0]?.notification.fence.roles).toEqual([{ role: 'tech', epoch: 1 }, { role: 'ops', epoch: 2 }]);
    expect(base.roles).toEqual(['tech lead']);
  });
});

describe('paging configuration', () => {
  const minimal = {
    people: { ana: { name: 'Ana', phone: '+4915112345678', ntfy: 'ana-7f3k', email: 'ana@example.com' } },
    teams: { sre: { manager: 'ana', rotation: { primary: ['ana'], start: '2026-01-05' } } },
    roles: { tech: { team: 'sre' } },
    severities: { P1: { roles: ['tech'], escalation: 'default' } },
    escalation: { default: { steps: [{ after: '0m', page: 'primary' }] } },
    services: {},
    dutyManager: { person: 'ana' },
  };

  it('people take contact methods; a number not in E.164 is refused with how to write it', () => {
    expect(musterConfigSchema.parse(minimal).people.ana).toMatchObject({ phone: '+4915112345678', ntfy: 'ana-7f3k' });
    const bad = musterConfigSchema.safeParse({ ...minimal, people: { ana: { name: 'Ana', phone: '0151 1234 5678' } } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['people', 'ana', 'phone'], message: expect.stringContaining('E.164') });
  });

  it('the paging block defaults its URLs and timeouts; secrets come from the environment only', () => {
    const paging = pagingConfigSchema.parse({ twilio: { accountSid: `AC${'a'.repeat(32)}`, from: '+15005550006' }, pushover: {}, ntfy: { baseUrl: 'https://ntfy.example.org/' } });
    expect(paging.twilio).toMatchObject({ baseUrl: 'https://api.twilio.com', authTokenEnv: 'TWILIO_AUTH_TOKEN', timeout: 10_000 });
    expect(paging.ntfy?.baseUrl).toBe('https://ntfy.example.org');
    const env = pagingEnv(paging, { TWILIO_AUTH_TOKEN: 'tok', MUSTER_PUBLIC_URL: 'https://muster.example.com/' });
    expect(env.enabled).toEqual(['twilio', 'ntfy']);
    expect(env.publicUrl).toBe('https://muster.example.com');
    expect(env.problems).toEqual([{ file: 'environment', path: 'PUSHOVER_TOKEN', message: 'Pushover needs its application token', hint: 'set PUSHOVER_TOKEN' }]);
    expect(pagingEnv(paging, { MUSTER_PAGING_KEY: 'short' }).problems.map((p) => p.path)).toContain('MUSTER_PAGING_KEY');
  });
});

describe('wording', () => {
  const t = translator('en');
  const n: PageNotification = {
    incident: 'INC-42', incidentNumber: 42, severity: 'P1', title: 'checkout is failing', person: 'ana', roles: ['tech lead', 'incident commander'], drill: true,
    room: { name: '#inc-42' }, fence: { incident: 'INC-42', person: 'ana', roles: [] },
  };

  it('a drill call starts with "This is a drill" and names both roles; every channel says DRILL', () => {
    const words = wordNotification(t, n, { phoneAck: true, method: 'voice' });
    expect(words.voice).toEqual(['This is a drill.', 'This is Muster. P1, INC-42, checkout is failing.', 'You are paged as tech lead and incident commander.', 'Press 1 to acknowledge.']);
    expect(words.headline).toBe('DRILL P1 INC-42: checkout is failing');
    expect(words.sms.startsWith('DRILL ')).toBe(true);
    expect(wordNotification(translator('zh-CN'), n, { phoneAck: true, method: 'voice' }).voice[0]).toBe('这是一次演练。');
  });

  it('a test notification names its method and carries nothing to acknowledge', () => {
    expect(wordNotification(t, { ...n, test: true }, { phoneAck: true, method: 'ntfy' }).body).toBe('This is a test from Muster: pages reach you through ntfy. Nothing to do.');
  });
});

describe('open pages', () => {
  it('are the paging slots that paged the person, with their epochs', () => {
    const incident = {
      id: 'INC-42', number: 42,
      slots: [
        { role: 'tech', state: 'paging', epoch: 3, pages: [{ person: 'ana', at: 0, step: 0 }] },
        { role: 'ops', state: 'acked', epoch: 2, pages: [{ person: 'ana', at: 0, step: 0 }] },
        { role: 'comms', state: 'paging', epoch: 1, pages: [{ person: 'bo', at: 0, step: 0 }] },
      ],
    } as unknown as Incident;
    expect(openPagesIn([incident], 'ana')).toEqual([{ incident: 'INC-42', incidentNumber: 42, person: 'ana', roles: [{ role: 'tech', epoch: 3 }] }]);
    expect(openPagesIn([incident], 'cy')).toEqual([]);
  });
});

describe('validate warnings', () => {
  it('names P1 responders with nothing that wakes them, and methods without a provider', async () => {
    const { pagingWarnings } = await import('../../src/paging/validate.js');
    const config = musterConfigSchema.parse({
      people: { ana: { name: 'Ana', phone: '+4915112345678' }, bo: { name: 'Bo', ntfy: 'bo-topic' }, cy: { name: 'Cy' } },
      teams: { sre: { manager: 'cy', rotation: { primary: ['ana'], backup: ['bo'], start: '2026-01-05' } } },
      roles: { tech: { team: 'sre' } },
      severities: { P1: { roles: ['tech'], escalation: 'default' } },
      escalation: { default: { steps: [{ after: '0m', page: 'primary' }] } },
      services: {},
      dutyManager: { person: 'cy' },
      paging: { ntfy: { baseUrl: 'https://ntfy.example.org' } },
    });
    expect(pagingWarnings(config, new Set(['ntfy']))).toEqual([
      { path: ['people', 'ana'], message: 'ana can be paged for a P1 but has no method that wakes people', hint: 'add phone (with paging.twilio), ntfy, pushover or pagerduty' },
      { path: ['people', 'cy'], message: 'cy can be paged for a P1 but has no method that wakes people', hint: 'add phone (with paging.twilio), ntfy, pushover or pagerduty' },
      { path: ['people', 'ana', 'phone'], message: 'phone is set but no twilio provider is configured', hint: 'add paging.twilio to muster.yaml' },
    ]);
  });

  it('a chat-only setup (no provider at all) gets one line naming everyone, not one per person', async () => {
    const { pagingWarnings } = await import('../../src/paging/validate.js');
    const config = musterConfigSchema.parse({
      people: { ana: { name: 'Ana' }, cy: { name: 'Cy' } },
      teams: { sre: { manager: 'cy', rotation: { primary: ['ana'], start: '2026-01-05' } } },
      roles: { tech: { team: 'sre' } },
      severities: { P1: { roles: ['tech'], escalation: 'default' } },
      escalation: { default: { steps: [{ after: '0m', page: 'primary' }] } },
      services: {},
      dutyManager: { person: 'cy' },
    });
    const warnings = pagingWarnings(config, new Set());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ path: ['paging'], message: 'no paging provider is configured: the 2 people who can be paged for a P1 are reached by chat only (ana, cy)' });
  });
});

describe('inbound setup', () => {
  it('turns links on only with both MUSTER_PUBLIC_URL and MUSTER_PAGING_KEY', async () => {
    const { inboundPaging } = await import('../../src/paging/setup.js');
    const { MemoryStore } = await import('../../adapters/memory/store.js');
    const base = { store: new MemoryStore(), people: { ana: { phone: '+4915112345678' } }, now: Date.now, onAck: async () => 'acked' as const, onStatus: async () => {}, logger: { debug() {}, info() {}, warn() {}, error() {} } };
    const paging = pagingConfigSchema.parse({});
    const key = 'k'.repeat(40);
    expect(inboundPaging({ ...base, env: pagingEnv(paging, { MUSTER_PAGING_KEY: key }) }).tokens).toBeUndefined();
    const on = inboundPaging({ ...base, env: pagingEnv(paging, { MUSTER_PAGING_KEY: key, MUSTER_PUBLIC_URL: 'https://m.example' }) });
    expect(on.tokens).toBeDefined();
    expect(on.personByPhone('+4915112345678')).toBe('ana');
  });
});
