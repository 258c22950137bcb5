/**
 * PagerDuty mirrored outward (issue 14): a person Muster triggered PagerDuty
 * for gets an Events API v2 acknowledge (same dedup_key) once they take the
 * role here, by any path, and a resolve once the incident resolves or they
 * are no longer needed; each action once. Against the local fake of
 * PagerDuty's Events API, through the real adapter.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pagerdutySenders, ProviderPaging } from '../../adapters/paging/router.js';
import { silentLogger } from '../../src/logger.js';
import { PagingDelivery, type PagingMessage } from '../../src/paging/deliver.js';
import { translator } from '../../src/i18n/catalog.js';
import { harness, testConfig } from '../support/fixture.js';
import { fakePagerDuty } from '../support/paging/fake-providers.js';
import type { FakeHttpServer } from '../support/paging/fake-http.js';

const MIN = 60_000;
const CARA_KEY = 'R0UT1NGKEYCARA00000000000000000A';
const PETE_KEY = 'R0UT1NGKEYPETE00000000000000000B';

const servers: FakeHttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function bot() {
  const pagerduty = await fakePagerDuty().start();
  servers.push(pagerduty);
  const config = testConfig((raw) => {
    const people = raw.people as Record<string, Record<string, unknown>>;
    people.cara = { ...people.cara, pagerduty: CARA_KEY };
    people.pete = { ...people.pete, pagerduty: PETE_KEY };
    raw.paging = { pagerduty: { baseUrl: pagerduty.url } };
  });
  const port = new ProviderPaging(pagerdutySenders({ t: translator('en'), config: config.paging.pagerduty! }));
  const h = await harness(config, { paging: { port } });
  const received = (key: string) =>
    pagerduty.requests.map((r) => JSON.parse(r.body) as { routing_key: string; event_action: string; dedup_key: string }).filter((e) => e.routing_key === key);
  const actions = (key: string) => received(key).map((e) => e.event_action);
  const declare = async () => {
    await h.say('alice', '/incident declare Checkout is failing sev=P1 service=checkout');
    await h.advance(0);
    return (await h.store.listActive())[0]!;
  };
  return { ...h, port, pagerduty, received, actions, declare };
}

describe('PagerDuty mirrored outward', () => {
  it('acknowledges with the trigger’s dedup_key when the person acks in chat, resolves when the incident resolves, each once', async () => {
    const b = await bot();
    const incident = await b.declare();
    expect(b.actions(CARA_KEY)).toEqual(['trigger']);
    await b.say('cara', `/incident ack ${incident.id}`);
    await b.advance(0);
    expect(b.actions(CARA_KEY)).toEqual(['trigger', 'acknowledge']);
    expect(new Set(b.received(CARA_KEY).map((e) => e.dedup_key))).toEqual(new Set([`muster:${incident.id}:cara`]));
    // Later commits (another ack, a note) change nothing for cara.
    await b.say('pete', `/incident ack ${incident.id}`);
    await b.advance(MIN);
    expect(b.actions(CARA_KEY)).toEqual(['trigger', 'acknowledge']);
    expect(b.actions(PETE_KEY)).toEqual(['trigger', 'acknowledge']);

    await b.say('alice', `/incident resolve ${incident.id} fixed`);
    await b.advance(0);
    expect(b.actions(CARA_KEY)).toEqual(['trigger', 'acknowledge', 'resolve']);
    expect(b.actions(PETE_KEY)).toEqual(['trigger', 'acknowledge', 'resolve']);
    const mirrored = b.events.filter((e) => e.type === 'page.notified' && e.data.action !== undefined);
    expect(mirrored.map((e) => `${e.person}:${e.data.action}`).sort()).toEqual(['cara:acknowledge', 'cara:resolve', 'pete:acknowledge', 'pete:resolve']);
  });

  it('resolves for a person no longer needed: the chain moved on to the backup', async () => {
    const b = await bot();
    await b.declare();
    expect(b.actions(CARA_KEY)).toEqual(['trigger']);
    await b.advance(5 * MIN); // the backup (cole) is paged; cara's page is no longer the slot's current step
    expect(b.actions(CARA_KEY)).toEqual(['trigger', 'resolve']);
  });

  it('mirrors nothing for a trigger PagerDuty refused', async () => {
    const b = await bot();
    b.pagerduty.answerNext({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ["'routing_key' is invalid"] } });
    const incident = await b.declare();
    const refused = b.pagerduty.requests[0]!;
    const refusedKey = (JSON.parse(refused.body) as { routing_key: string }).routing_key;
    await b.say(refusedKey === CARA_KEY ? 'cara' : 'pete', `/incident ack ${incident.id}`);
    await b.advance(0);
    expect(b.actions(refusedKey)).toEqual(['trigger']);
  });

  it('drops an acknowledge still waiting once a resolve follows, and sends a delivered one never again', async () => {
    const b = await bot();
    const incident = await b.declare();
    await b.say('cara', `/incident ack ${incident.id}`);
    await b.say('alice', `/incident resolve ${incident.id} fixed`);
    await b.advance(0);
    expect(b.actions(CARA_KEY)).toEqual(['trigger', 'acknowledge', 'resolve']);
    const delivery = new PagingDelivery({ store: b.store, port: b.port, logger: silentLogger, tokenTtlMs: MIN, record: async () => undefined });
    const mirror = (action: 'acknowledge' | 'resolve', id: string): PagingMessage => ({
      id, incident: incident.id, kind: 'paging', address: { kind: 'pagerduty', routingKey: CARA_KEY },
      notification: {
        incident: incident.id, incidentNumber: incident.number, severity: 'P1', title: incident.title, person: 'cara', roles: [], drill: false,
        room: { name: incident.roomName }, fence: { incident: incident.id, person: 'cara', roles: [] }, pagerdutyAction: action,
      },
    });
    // An acknowledge a crashed replica left behind: the record says resolve now, so it is settled unsent.
    await delivery.deliver(mirror('acknowledge', `${incident.id}-pd-cara-late`));
    // The resolve already delivered, handed over again (a redelivered job): not sent twice.
    await delivery.deliver(mirror('resolve', `${incident.id}-pd-cara-resolve`));
    expect(b.actions(CARA_KEY)).toEqual(['trigger', 'acknowledge', 'resolve']);
  });
});
