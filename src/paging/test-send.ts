/**
 * `/oncall test [person]`: a test notification through each of a person's
 * contact methods, straight through the paging port (not the outbox: the
 * person waits for the answers), reporting what each provider said. A test
 * says TEST, carries no acknowledge link and pages nobody for real.
 */
import type { ContactKind } from '../config/paging.js';
import type { MusterConfig } from '../config/schema.js';
import type { PersonId } from '../incidents/types.js';
import { PROVIDER_OF, type ContactAddress, type PageNotification, type PagingPort } from './port.js';
import { contactAddresses } from './rules.js';

export interface MethodTest {
  kind: Exclude<ContactKind, 'chat'>;
  /** accepted: the provider took it (with its id); failed: it said no (its reason); off: no provider configured. */
  outcome: 'accepted' | 'failed' | 'off';
  detail: string;
}

export interface PagingTester {
  test(person: PersonId): Promise<MethodTest[]>;
}

function testNotification(config: MusterConfig, person: PersonId): PageNotification {
  return {
    incident: 'test', incidentNumber: 0, severity: 'P4', title: config.people[person]?.name ?? person, person,
    roles: [], drill: false, room: { name: '' }, fence: { incident: 'test', person, roles: [] }, test: true,
  };
}

export function pagingTester(port: PagingPort, config: MusterConfig): PagingTester {
  return {
    async test(person) {
      const addresses = Object.values(contactAddresses(config.people[person] ?? {})).filter((a): a is ContactAddress => a.kind !== 'chat');
      const on = new Set(port.available());
      // One at a time: a person checking their phone hears the call after the text, in order.
      const results: MethodTest[] = [];
      for (const address of addresses) {
        if (!on.has(address.kind)) {
          results.push({ kind: address.kind, outcome: 'off', detail: `paging.${PROVIDER_OF[address.kind]}` });
          continue;
        }
        const receipt = await port.notify(address, testNotification(config, person));
        results.push(receipt.status === 'accepted'
          ? { kind: address.kind, outcome: 'accepted', detail: receipt.messageId }
          : { kind: address.kind, outcome: 'failed', detail: receipt.reason });
      }
      return results;
    },
  };
}
