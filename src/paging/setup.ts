/**
 * One call for the composition root: the inbound side of paging from the
 * store, muster.yaml's people and the paging environment. Links and
 * keypresses are on only with both MUSTER_PUBLIC_URL and MUSTER_PAGING_KEY;
 * without them `tokens` is undefined, notifications carry no ackToken, and
 * calls and texts say to acknowledge in chat.
 */
import type { PagingEnv } from '../config/paging-env.js';
import type { PersonId } from '../incidents/types.js';
import type { Logger } from '../logger.js';
import type { IncidentStore } from '../ports.js';
import { AckTokens, storeLedger } from './ack-links.js';
import { openPagesFromStore, phoneDirectory, type InboundPaging } from './inbound.js';

export interface InboundSetup {
  store: IncidentStore;
  people: Readonly<Record<PersonId, { phone?: string }>>;
  env: PagingEnv;
  now: () => number;
  onAck: InboundPaging['onAck'];
  onStatus: InboundPaging['onStatus'];
  logger: Logger;
}

export function inboundPaging(setup: InboundSetup): InboundPaging {
  const ledger = storeLedger(setup.store);
  const key = setup.env.secrets.ackLinkKey;
  return {
    ...(key && setup.env.publicUrl ? { tokens: new AckTokens(key, ledger, setup.now) } : {}),
    ledger,
    onAck: setup.onAck,
    onStatus: setup.onStatus,
    openPages: openPagesFromStore(setup.store),
    personByPhone: phoneDirectory(setup.people),
    logger: setup.logger,
  };
}
