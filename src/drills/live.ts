import type { IncidentService } from '../incidents/service.js';
import type { Incident } from '../incidents/types.js';
import type { IncidentStore } from '../ports.js';
import { scoreOf } from './scorecard.js';

/**
 * A second lead lets a drill's `live` actions run for real. Recorded once;
 * the war room hears who approved which actions.
 */
export async function approveLiveActions(incidents: IncidentService, incidentId: string, lead: string): Promise<void> {
  await incidents.apply(incidentId, lead, (fx, ctx) => {
    if (!fx.incident.drill || fx.incident.drill.liveApprovedBy) return;
    fx.incident.drill.liveApprovedBy = lead;
    fx.event('drill.live_approved', { person: lead, data: { live: fx.incident.drill.live } });
    fx.toRoom('drill-live-approved', ctx.present.notice(
      ctx.present.t('drill.liveApproved', { id: incidentId, person: ctx.present.personName(lead), actions: fx.incident.drill.live.join(', ') }),
      'warning',
    ));
  });
}

/** Scored drills, newest first, of one team or all; the last 500 incidents are searched. */
export async function scoredDrills(store: Pick<IncidentStore, 'listRecent'>, team?: string): Promise<Incident[]> {
  return (await store.listRecent(500)).filter((incident) => incident.drill && scoreOf(incident) && (!team || incident.slots.some((slot) => slot.team === team)));
}
