/**
 * PagerDuty Events API v2: one JSON POST to /v2/enqueue per trigger,
 * acknowledge or resolve, with a dedup_key per person and incident
 * (src/paging/inbound.ts dedupKey), so the muster can acknowledge or resolve
 * the PagerDuty incident it opened and PagerDuty's own acks map back.
 * Wire format: https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
 */
import type { PagerDutyConfig } from '../../src/config/paging.js';
import type { Severity } from '../../src/config/schema.js';
import type { Translate } from '../../src/i18n/catalog.js';
import { dedupKey } from '../../src/paging/inbound.js';
import type { ContactAddress, PageNotification, PagingReceipt } from '../../src/paging/port.js';
import { wordNotification } from '../../src/paging/wording.js';
import { field, postForReceipt } from './http.js';

export interface PagerDutyOptions {
  config: PagerDutyConfig;
  t: Translate;
}

const PD_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = { P1: 'critical', P2: 'error', P3: 'warning', P4: 'info' };

export function pagerdutyEvent(options: PagerDutyOptions, address: Extract<ContactAddress, { kind: 'pagerduty' }>, n: PageNotification): Record<string, unknown> {
  const action = n.pagerdutyAction ?? 'trigger';
  const base = { routing_key: address.routingKey, event_action: action, dedup_key: n.test ? `${dedupKey(n.incident, n.person)}:test` : dedupKey(n.incident, n.person) };
  if (action !== 'trigger') return base;
  const words = wordNotification(options.t, n, { phoneAck: false, method: 'PagerDuty' });
  return {
    ...base,
    payload: {
      summary: words.headline.slice(0, 1024),
      source: 'muster',
      severity: n.test ? 'info' : PD_SEVERITY[n.severity],
      component: n.incident,
      custom_details: { incident: n.incident, roles: n.roles, room: n.room.name, drill: n.drill },
    },
    ...(n.room.url ? { links: [{ href: n.room.url, text: n.room.name }] } : {}),
  };
}

export async function sendPagerDuty(options: PagerDutyOptions, address: Extract<ContactAddress, { kind: 'pagerduty' }>, n: PageNotification): Promise<PagingReceipt> {
  return postForReceipt({
    provider: 'pagerduty',
    kind: 'pagerduty',
    url: `${options.config.baseUrl}/v2/enqueue`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(pagerdutyEvent(options, address, n)),
    timeoutMs: options.config.timeout,
    idOf: (json) => field(json, 'dedup_key'),
    reasonOf: (json) => {
      const message = field(json, 'message');
      const errors = typeof json === 'object' && json !== null ? (json as { errors?: unknown }).errors : undefined;
      return [message, Array.isArray(errors) ? errors.join('; ') : undefined].filter(Boolean).join(': ') || undefined;
    },
  });
}
