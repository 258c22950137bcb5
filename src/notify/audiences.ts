import type { Audience, AudienceEvent, AudiencesConfig } from '../config/audiences.js';
import type { MusterConfig, Severity } from '../config/schema.js';
import type { MessageKey } from '../i18n/catalog.js';
import type { Effects } from '../kernel/effects.js';
import type { MusterContext } from '../kernel/context.js';

/** The audiences of a config (an empty set when it names none). */
export function audiencesOf(config: MusterConfig): AudiencesConfig {
  return config.audiences;
}

const STATUS_WORDS: Record<AudienceEvent, string> = {
  declared: 'investigating',
  upgraded: 'investigating',
  update: 'identified',
  mitigated: 'monitoring',
  resolved: 'resolved',
};

/**
 * Tells every audience that hears this severity and event, in its own words:
 * the configured template for that event, else the catalogue's technical or
 * business default. Chat audiences get a message in their conversation; a
 * webhook audience gets JSON that the delivery signs. Drills never reach
 * these audiences.
 */
export function notifyAudiences(
  ctx: MusterContext, fx: Effects, event: AudienceEvent, text = '', only: (name: string, audience: Audience) => boolean = () => true,
): void {
  const incident = fx.incident;
  if (incident.drill) return; // executives, customer care and status pages never hear of a drill
  const serviceName = incident.service ? (ctx.config.services[incident.service]?.name ?? incident.service) : '-';
  const params = { id: incident.id, title: incident.title, severity: incident.severity, service: serviceName, text, status: STATUS_WORDS[event] };
  for (const [name, audience] of Object.entries(audiencesOf(ctx.config))) {
    if (!audience.severities.includes(incident.severity) || !audience.events.includes(event) || !only(name, audience)) continue;
    if (!incident.audiencesTold?.includes(name)) incident.audiencesTold = [...(incident.audiencesTold ?? []), name];
    const override = audience.templates[event];
    const body = override
      ? override.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key as keyof typeof params]) : whole))
      : ctx.present.t(`tpl.${audience.template}.${event}` as MessageKey, params);
    const key = `aud-${name}-${event}-v${incident.version}`;
    if (audience.kind === 'chat') {
      fx.send(key, { kind: 'room', conversation: audience.conversation }, { title: ctx.present.t('tpl.title', params), text: body, tone: event === 'resolved' ? 'success' : 'alert' });
    } else {
      fx.outbox.push({
        id: `${incident.id}-${key}`,
        incident: incident.id,
        kind: 'webhook',
        audience: name,
        body: { incident: incident.id, event, status: params.status, severity: incident.severity, title: incident.title, service: incident.service ?? null, message: body, at: new Date(fx.now).toISOString() },
      });
    }
  }
}

/**
 * An upgrade: audiences that hear `upgraded` are told so. One that hears only
 * `declared` and has not heard of this incident yet (it was below its
 * severities) is told as a declare at the new severity: an executive who
 * hears of every P1 declared hears of a P3 that became one.
 */
export function notifyUpgrade(ctx: MusterContext, fx: Effects, from: Severity, reason: string): void {
  const told = fx.incident.audiencesTold;
  const toldBefore = new Set(told ?? []);
  // A record from before audiencesTold was kept: an audience that hears the old severity heard the declare.
  const heard = (name: string, audience: Audience) => toldBefore.has(name) || (told === undefined && audience.severities.includes(from));
  notifyAudiences(ctx, fx, 'upgraded', reason);
  notifyAudiences(ctx, fx, 'declared', '', (name, audience) => !audience.events.includes('upgraded') && !heard(name, audience));
}
