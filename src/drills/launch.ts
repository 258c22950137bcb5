import type { MusterConfig } from '../config/schema.js';
import type { IncidentService } from '../incidents/service.js';
import type { Incident } from '../incidents/types.js';
import type { Translate } from '../i18n/catalog.js';
import type { IncidentStore } from '../ports.js';
import { attachPlaybook } from '../playbooks/runner.js';
import type { Playbook } from '../playbooks/schema.js';

const PAUSED_KEY = 'drills:paused';

export async function drillsPaused(store: Pick<IncidentStore, 'getValue'>): Promise<boolean> {
  return (await store.getValue(PAUSED_KEY)) === '1';
}

export async function setDrillsPaused(store: Pick<IncidentStore, 'setValue'>, paused: boolean): Promise<void> {
  await store.setValue(PAUSED_KEY, paused ? '1' : '0');
}

/** Why no drill may start now (the kill switch, a real P1 or P2), or undefined. */
export async function drillBlocker(store: Pick<IncidentStore, 'getValue' | 'listActive'>, t: Translate): Promise<string | undefined> {
  if (await drillsPaused(store)) return t('drill.paused');
  const real = (await store.listActive()).find((incident) => !incident.drill && (incident.severity === 'P1' || incident.severity === 'P2'));
  return real ? t('drill.realOpen', { id: real.id, severity: real.severity }) : undefined;
}

/** Starts a drill: a P1 muster marked DRILL on the scenario's service, following the scenario. */
export async function launchDrill(
  deps: { service: IncidentService; config: MusterConfig },
  scenario: Playbook,
  who: { startedBy: string; origin: string; schedule?: string; live?: string[] },
): Promise<Incident> {
  const service = scenario.match?.services[0] ?? Object.keys(deps.config.services)[0];
  const { incident } = await deps.service.declare({
    title: scenario.title,
    severity: 'P1',
    ...(service ? { service } : {}),
    declaredBy: who.startedBy,
    origin: who.origin,
    drill: { scenario: scenario.id, live: who.live ?? [], startedBy: who.startedBy, ...(who.schedule ? { schedule: who.schedule } : {}) },
  });
  await deps.service.apply(incident.id, who.startedBy, (fx, ctx) => {
    attachPlaybook(ctx, fx, scenario);
    if ((who.live ?? []).length > 0) {
      fx.toRoom('drill-live-pending', ctx.present.notice(ctx.present.t('drill.livePending', { id: incident.id, actions: (who.live ?? []).join(', ') }), 'warning'));
    }
  });
  return incident;
}
