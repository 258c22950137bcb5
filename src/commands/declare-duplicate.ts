import type { Incident } from '../incidents/types.js';
import { quote } from '../kernel/form-args.js';
import type { Reply } from '../kernel/request.js';
import { roomPending } from '../incidents/types.js';
import type { IncidentCommand } from './parse-incident.js';
import type { CommandDeps } from './deps.js';

type Declare = Extract<IncidentCommand, { action: 'declare' }>;

/** Real incidents open on the service being declared on: a drill never stands in the way of a real one. */
export async function openOnService(deps: CommandDeps, service: string | undefined): Promise<Incident[]> {
  if (!service) return [];
  return (await deps.store.listActive()).filter((incident) => !incident.drill && incident.service === service);
}

/** The declare typed again, with anyway=yes: what the "Declare anyway" button sends. */
function declareAnyway(command: Declare, open: Incident[]): string {
  return [
    '/incident declare',
    `title=${quote(command.title)}`,
    `sev=${command.severity}`,
    ...(command.service ? [`service=${command.service}`] : []),
    ...(command.summary ? [`summary=${quote(command.summary)}`] : []),
    `anyway=${open.map((incident) => incident.id).join(',')}`,
  ].join(' ');
}

/**
 * A second declare on a service with an open incident pages nobody yet: it
 * names the open incident and offers to join it; declaring anyway is an
 * explicit second step (anyway=yes, or the button) and links the two.
 */
export function duplicateDeclareReply(deps: CommandDeps, command: Declare, open: Incident[]): Reply {
  const { present } = deps;
  const t = present.t;
  const first = open[0] as Incident;
  const incidents = open.map((incident) => t('reply.openOnServiceLine', { ...present.incidentParams(incident), room: incident.roomName })).join('; ');
  return {
    visibility: 'ephemeral',
    message: {
      text: t('reply.openOnService', { service: command.service ?? '-', incidents, id: first.id, ids: open.map((incident) => incident.id).join(',') }),
      tone: 'warning',
      ...(roomPending(first) ? {} : { room: first.room }),
      buttons: [
        ...open.map((incident) => ({ label: t('button.joinIncident', { id: incident.id }), command: `/incident join ${incident.id}`, style: 'primary' as const })),
        { label: t('button.declareAnyway'), command: declareAnyway(command, open), style: 'danger' as const },
      ],
    },
  };
}
